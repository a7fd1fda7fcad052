"""The stages of a turn that the session itself supplies: the gates Send must pass (in the
meter model) and taking the tray and the draft into the message (the pipeline's `take`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.controllers.attachments import AttachmentController
from app.controllers.chat import ChatController
from app.controllers.endpoint import EndpointController
from app.core.budget import BudgetEstimate
from app.core.conversation import Part, TextPart
from app.gui.budget_flow import BudgetFlow
from app.gui.meter_model import Gate
from app.gui.services import Preferences, SentImages
from app.ui.main_window import MainWindow


class SendGates:
    """Why Send must wait or refuse, in order: the first objection is the one shown."""

    def __init__(
        self,
        *,
        connected: Callable[[], bool],
        endpoint: EndpointController,
        attachments: AttachmentController,
        budget: BudgetFlow,
        prefs: Preferences,
    ) -> None:
        self._connected = connected
        self._endpoint = endpoint
        self._attachments = attachments
        self._budget = budget
        self._prefs = prefs

    def gates(self) -> tuple[Gate, ...]:
        return (self.connection, self.preparing, self.empty, self.images, self.window)

    def connection(self, _text: str, _estimate: BudgetEstimate) -> str | None:
        if not self._connected():
            return "Connecting…"
        if not self._endpoint.has_key:
            return "No API key yet: add one in Settings (Ctrl+,), or try --demo."
        return None

    def preparing(self, _text: str, _estimate: BudgetEstimate) -> str | None:
        return self._attachments.blocking_reason() or self._budget.blocking_reason()

    def empty(self, text: str, _estimate: BudgetEstimate) -> str | None:
        if not text and not self._attachments.token_costs():
            return "Write a question or add an image."
        return None

    def images(self, _text: str, _estimate: BudgetEstimate) -> str | None:
        info = self._prefs.model_info()
        if self._attachments.token_costs() and info is not None and not info.takes_images:
            return f"{info.id} takes no images: pick a model that does."
        return None

    def window(self, _text: str, estimate: BudgetEstimate) -> str | None:
        if not estimate.fits and self._budget.window_known():  # an unknown window only warns
            return self._budget.over_reason(estimate)
        return None


def take_parts(
    text: str,
    *,
    attachments: AttachmentController,
    images: SentImages,
    window: MainWindow,
    chat: ChatController,
) -> list[Part]:
    """The turn's `take` stage: the tray's images (their thumbnails and files kept for the view
    and the history) and the text; the tray and the draft are emptied."""
    parts: list[Part] = list(attachments.take_parts())
    for item in attachments.items():
        if item.prepared is None:
            continue
        if item.thumbnail:
            images.thumbnails[item.prepared.sha256] = item.thumbnail
        if item.location and not item.location.startswith("https://"):
            images.originals[item.prepared.sha256] = Path(item.location)
    images.thumbnails.update(attachments.low_detail_thumbnails())
    if text:
        parts.append(TextPart(text))
    chat.conversation.system_prompt = window.system_prompt_edit.text()
    window.take_draft()
    attachments.clear()
    return parts
