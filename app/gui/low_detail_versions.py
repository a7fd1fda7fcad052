"""The low-detail versions of the past images a fit plan sends at low detail, made off the GUI."""

from __future__ import annotations

from collections.abc import Callable

from app.core.conversation import Conversation
from app.core.fitting import FitPlan, ImageKey, low_detail_key
from app.core.images.low_detail import make_low_detail
from app.core.imagetypes import ImageError, PreparedImage
from app.core.notices import Notices
from app.gui.services import Work


class LowDetailVersions:
    """Makes each planned low-detail version once, on the session's I/O thread; ``images`` holds
    them by :func:`app.core.fitting.low_detail_key`."""

    def __init__(
        self,
        work: Work,
        notices: Notices,
        *,
        on_made: Callable[[], None],
        on_failed: Callable[[PreparedImage], None],
    ) -> None:
        self._work = work
        self._notices = notices
        self._on_made = on_made
        self._on_failed = on_failed  # the image stays at full detail: take it out of the plan
        self.images: dict[str, PreparedImage] = {}
        self._making: set[str] = set()

    @staticmethod
    def planned(conversation: Conversation, plan: FitPlan) -> list[PreparedImage]:
        """The past images `plan` sends at low detail that are not low detail already."""
        out: list[PreparedImage] = []
        for message in conversation.messages:
            for index, part in enumerate(message.images):
                if (
                    (message.id, index) in plan.low_detail
                    and part.image is not None
                    and part.detail != "low"
                ):
                    out.append(part.image)
        return out

    def missing(self, conversation: Conversation, plan: FitPlan) -> bool:
        """Whether a version the plan needs is not made yet."""
        return any(low_detail_key(i) not in self.images for i in self.planned(conversation, plan))

    def make(self, conversation: Conversation, plan: FitPlan) -> None:
        for image in self.planned(conversation, plan):
            key = low_detail_key(image)
            if key not in self.images and key not in self._making:
                self._making.add(key)
                self._work.start(self._make(image), "low-detail")

    async def _make(self, image: PreparedImage) -> None:
        key = low_detail_key(image)
        try:
            low = await self._work.in_thread(make_low_detail, image)
        except ImageError as exc:
            self._notices.info(f"{exc.name} stays at full detail: {exc.reason}.")
            self._on_failed(image)
            return
        finally:
            self._making.discard(key)
        self.images[key] = low
        self._on_made()


def without_low(plan: FitPlan, conversation: Conversation, image: PreparedImage) -> FitPlan:
    """`plan` with every low-detail choice of `image` taken back."""
    return FitPlan(
        plan.dropped_images,
        frozenset(k for k in plan.low_detail if not _is_image(conversation, k, image)),
        plan.dropped_turns,
    )


def _is_image(conversation: Conversation, key: ImageKey, image: PreparedImage) -> bool:
    message = next((m for m in conversation.messages if m.id == key[0]), None)
    return (
        message is not None
        and key[1] < len(message.images)
        and (message.images[key[1]].image is image)
    )
