"""The notice bridge: levels, observers, and no secret ever passed on."""

from __future__ import annotations

import pytest

from app.core.notices import Level, Notice, Notices


def collect(notices: Notices) -> list[Notice]:
    seen: list[Notice] = []
    notices.subscribe(seen.append)
    return seen


def test_each_level_reaches_the_observer_with_its_text() -> None:
    notices = Notices()
    seen = collect(notices)
    notices.info("Saved 3 rows to out.csv.")
    notices.warning("Keyring: no backend")
    notices.error("The key was not saved: denied")
    assert seen == [
        Notice(Level.INFO, "Saved 3 rows to out.csv."),
        Notice(Level.WARNING, "Keyring: no backend"),
        Notice(Level.ERROR, "The key was not saved: denied"),
    ]


def test_every_observer_hears_in_subscription_order_and_can_leave() -> None:
    notices = Notices()
    order: list[str] = []
    notices.subscribe(lambda n: order.append("first:" + n.text))
    leave = notices.subscribe(lambda n: order.append("second:" + n.text))
    notices.info("one")
    leave()
    leave()  # twice is harmless
    notices.info("two")
    assert order == ["first:one", "second:one", "first:two"]


@pytest.mark.logs_errors
def test_a_failing_observer_does_not_keep_the_notice_from_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    notices = Notices()

    def broken(_notice: Notice) -> None:
        raise RuntimeError("boom")

    notices.subscribe(broken)
    seen = collect(notices)
    notices.error("still told")
    assert [n.text for n in seen] == ["still told"]
    assert "observer failed" in caplog.text


def test_no_observer_no_memory() -> None:
    notices = Notices()
    notices.info("said to nobody")
    seen = collect(notices)
    assert seen == []  # nothing said before subscribing is replayed


@pytest.mark.parametrize(
    "raw",
    [
        "The key was not saved: xai-abcdefghijklmnop rejected",
        "sk-or-ABCDEF123456 failed",
        "header Bearer abcdefghij1234 refused",
    ],
)
def test_texts_are_redacted_before_any_observer_sees_them(raw: str) -> None:
    notices = Notices()
    seen = collect(notices)
    notices.warning(raw)
    (notice,) = seen
    assert "abcdefghij" not in notice.text
    assert "ABCDEF123456" not in notice.text
    assert "…" in notice.text
