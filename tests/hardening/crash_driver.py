"""A user at the app, in a process of its own, for tests that kill it (SIGKILL) and reopen.

    python tests/hardening/crash_driver.py stream IMAGE
    python tests/hardening/crash_driver.py save IMAGE BIG_IMAGE...

It runs `AppSession(demo=True)` as `grok-vision --demo` does (a QApplication on a qasync loop;
offscreen is fine) with the data directory of $GROK_VISION_DATA_DIR, has two complete turns
(the first with IMAGE dropped), then:

- `stream`: asks a third question while the demo endpoint streams slowly, and reports every
  piece of text that arrives (`delta <json>`) and, from a read-only look at the history file,
  how much of the reply is on disk (`stored <characters>`);
- `save`: drops the BIG_IMAGEs and asks about them; reports `saving` when the question's save
  starts (before the request leaves) and `saved` when it has finished.

Every line goes to standard output at once. It never ends on its own: the test kills it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STREAM_PACE = 0.05  # seconds between streamed chunks for the third question
POLL_S = 0.05


def say(*words: object) -> None:
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


async def until(condition: Callable[[], object]) -> None:
    """Poll the app's state (widgets and models have no event to await)."""
    while not condition():  # noqa: ASYNC110
        await asyncio.sleep(POLL_S)


async def user(mode: str, image: str, big: list[str]) -> None:
    from app.core.conversation import Message, Status
    from app.gui.session import AppSession
    from app.store.history import HistoryStore
    from app.store.paths import data_directory

    session = AppSession(demo=True)
    run = asyncio.get_running_loop().create_task(session.run([]))
    await until(
        lambda: (
            session.endpoint.has_key
            and session.models
            and session.history_flow.history.info is not None
        )
    )
    session.demo_server.pace = 0.0
    chat, window = session.chat, session.window
    finished: list[str] = []
    chat.replyFinished.connect(lambda message: finished.append(message.id))

    async def ask(text: str, files: list[str]) -> Message:
        if files:
            session.attachments.add_paths(files)
            await until(lambda: session.attachments.blocking_reason() is None)
        window.composer.setPlainText(text)
        await until(window.send_button.isEnabled)
        before = len(chat.conversation.messages)
        window.send_button.click()
        await until(lambda: len(chat.conversation.messages) == before + 2)
        return chat.conversation.messages[-1]

    for text, files in (("First question, about the screenshot", [image]), ("Second question", [])):
        reply = await ask(text, files)
        await until(lambda reply=reply: reply.id in finished)
        assert reply.status is Status.COMPLETE, reply.error
    conv_id = chat.conversation.id
    say(
        "turns",
        conv_id,
        json.dumps([m.id for m in chat.conversation.messages], separators=(",", ":")),
    )

    if mode == "stream":
        session.demo_server.pace = STREAM_PACE
        chat.replyDelta.connect(lambda _id, text: say("delta", json.dumps(text)))
        reply = await ask("Third question, answered slowly", [])
        say("reply", reply.id)
        stored = 0
        with HistoryStore(data_directory(), read_only=True) as store:
            while True:
                page = store.load_page(conv_id, 1)
                last = page.messages[-1] if page.messages else None
                if last is not None and last.id == reply.id and len(last.text) != stored:
                    stored = len(last.text)
                    say("stored", stored)
                await asyncio.sleep(POLL_S)
    else:
        stages = session.pipeline.stages

        async def saving(reply: Message) -> None:
            say("saving")
            await stages.persist(reply)
            say("saved")

        session.pipeline.stages = dataclasses.replace(stages, persist=saving)
        await ask("Fourth question, about big images", big)
        await run  # until killed


def main() -> int:
    import qasync
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    mode, image, *big = sys.argv[1:]
    app = QApplication(sys.argv[:1])
    QGuiApplication.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(user(mode, image, big))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
