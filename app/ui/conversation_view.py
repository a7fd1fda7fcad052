"""The conversation view: the API the window uses, the links and actions in the document, and
the scroll position kept for a conversation left and opened again."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QWidget

from app.core.conversation import Message
from app.ui.conversation_browser import ConversationBrowser
from app.ui.conversation_document import (
    BACKGROUND_CHARS,
    BATCH_INTERVAL_MS,
    FOLLOW_SLACK,
    SHOWN_LIMIT,
    ConversationDocument,
)
from app.ui.conversation_hover import MessageHover
from app.ui.conversation_live import END, START
from app.ui.conversation_render import message_anchor, parse_action
from app.ui.conversation_toast import CopiedToast
from app.ui.conversation_welcome import WelcomePane
from app.ui.copy_menu import CopyMenu
from app.ui.earlier_bar import EarlierBar
from app.ui.message_action_bar import MessageActionBar
from app.ui.message_actions import MessageAction, message_actions

LINK_SCHEMES = frozenset({"http", "https", "mailto"})


class ConversationView(ConversationDocument):
    """Shows the messages of one conversation; user turns as text and thumbnails, replies as
    Markdown. Forwards Retry and image clicks; opens http(s) and mailto links in the browser."""

    retryRequested = Signal(str)  # message id of the failed reply
    regenerateRequested = Signal(str)  # message id of the last reply, to ask for again
    editRequested = Signal(str)  # message id of a question to edit and send again
    imageActivated = Signal(str, int)  # message id, image index
    imageDetailRequested = Signal(str, int, bool)  # message id, image index, True: low detail
    imageSendRequested = Signal(str, int, bool)  # message id, image index, False: leave out
    versionRequested = Signal(str, int)  # message id, the version of its turn to show (from 1)
    continueRequested = Signal(str)  # message id of a stopped or cut reply to go on with
    presetChosen = Signal(str)  # a task card of the empty conversation's welcome, by preset name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationView")
        self.setAccessibleName("Conversation")
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self._browser.anchorClicked.connect(self._on_anchor)
        self._welcome.presetChosen.connect(self.presetChosen)
        self._toast = CopiedToast(self._browser.viewport())
        self.copy_menu = CopyMenu(
            self._browser, self.message_text, self.last_reply_text, self._toast.say
        )
        self._hover = MessageHover(self, self._browser, self._spans, self._actions_of)
        self._hover.bar.triggered.connect(lambda verb: self._act(list(verb)))
        self._sync_welcome()

    # -- the API the window uses ----------------------------------------------------------

    @property
    def browser(self) -> ConversationBrowser:
        return self._browser

    @property
    def welcome(self) -> WelcomePane:
        """The task cards and ways to add images that an empty conversation shows."""
        return self._welcome

    @property
    def copied_toast(self) -> CopiedToast:
        return self._toast

    @property
    def action_bar(self) -> MessageActionBar:
        """The icon buttons over the message under the pointer (or the keyboard's current one)."""
        return self._hover.bar

    @property
    def hover(self) -> MessageHover:
        return self._hover

    @property
    def render_count(self) -> int:
        """Messages rendered to HTML so far (not found in the render cache)."""
        return self._cache.renders

    def message_span(self, message_id: str) -> tuple[int, int] | None:
        """The document range that shows `message_id`, None if it is not in the document."""
        return self._spans.span(message_id)

    @property
    def refused_loads(self) -> list[str]:
        """URLs of every resource the document asked for and was refused."""
        return self._browser.refused_loads

    @property
    def paint_batches(self) -> int:
        """Batches of deltas painted so far."""
        return self._live.batches

    @property
    def earlier_bar(self) -> EarlierBar:
        return self._earlier

    @property
    def hidden_messages(self) -> int:
        """How many of the earliest messages the document leaves out."""
        return self._hidden

    def set_messages(self, messages: Sequence[Message], thumbnails: Mapping[str, bytes]) -> None:
        """Replace everything with `messages`, built as one document (the last `SHOWN_LIMIT`).
        When they are what the view shows with earlier ones before them (a conversation's last
        page, then the whole), only the earlier ones are rendered, and put in above in slices."""
        hidden = max(0, len(messages) - SHOWN_LIMIT)
        if self._extends(messages):
            self._put_older(messages, thumbnails, hidden)
            return
        self._hidden = hidden
        self.reasoning_shown.clear()
        self._hover.forget()
        self._build(messages, thumbnails, {})
        self._sync_welcome()
        self._follow = True
        self._scroll_to_end()

    def add_message(self, message: Message, thumbnails: Mapping[str, bytes] = {}) -> None:
        """Append one turn: a user message, a finished reply, or a new streaming reply."""
        self._remember(message, thumbnails)
        self._append(message)
        self._sync_welcome()
        self._trim()
        self._hover.refresh()

    def append_delta(self, message_id: str, text: str) -> None:
        """Buffer `text` for a streaming reply; a timer paints buffered deltas in batches."""
        live = self._live.get(message_id)
        if live is None or not text:
            return
        live.pending.append(text)
        if not self._timer.isActive():
            self._timer.start(BATCH_INTERVAL_MS)

    @property
    def rendering(self) -> bool:
        """Whether a finished reply is still being rendered on a worker thread, or earlier
        messages are still being put in."""
        return self._background.busy or bool(self._older) or self._landing.busy

    def finish_message(self, message: Message) -> None:
        """Show the final state of a reply (complete, stopped, failed or interrupted)."""
        live = self._live.get(message.id)
        known = message.id in self._messages
        self._messages[message.id] = message
        if live is None:
            if known:
                self._rebuild()
            else:
                self._append(message)
                self._sync_welcome()
            return
        text = message.text or live.text
        self._texts[message.id] = text
        if len(text) <= BACKGROUND_CHARS:
            self._land(live, self._html(message, text))
            return
        # What has streamed stays on screen until the whole reply's HTML is ready.
        live.pending.clear()
        self.set_status_note(message.id, "")
        key, make = self._html_maker(message, text, pieces=True)
        self._background.start((live, key), make)

    def remove_message(self, message_id: str) -> None:
        """Take a turn out of the view (a failed reply, say, when Retry asks again). Cheap for
        the last turn or a streaming reply; anything else rebuilds the document (so does the
        first turn, whose removal would leave the next turn's first block with its format)."""
        if message_id not in self._messages:
            return
        self._complete_older()
        if self._is_hidden(message_id):  # not in the document: nothing to redraw
            del self._messages[message_id]
            self._hidden -= 1
            self._earlier.set_hidden(self._hidden, SHOWN_LIMIT)
            return
        del self._messages[message_id]
        self._texts.pop(message_id, None)
        self._spans.discard(message_id)
        self._keys.pop(message_id, None)
        live = self._live.get(message_id)
        if live is not None and (live.marks[START] > 0 or live.marks[END] == self._browser.end):
            self._live.remove(live)
        else:
            self._live.discard(message_id)
            if self._last is not None and self._last[0] == message_id and not self._live:
                self._browser.replace(self._last[1], self._browser.end, "")
            else:
                self._rebuild()
        self._last = None
        self._sync_welcome()
        self._hover.refresh()

    def copy_last_reply(self) -> bool:
        """Put the last reply's text on the clipboard; False when there is none."""
        text = self.last_reply_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self._toast.say("Copied")
        return bool(text)

    def last_reply_text(self) -> str | None:
        """The last reply's Markdown (what has streamed so far), if there is one with text."""
        for message in reversed(list(self._messages.values())):
            if message.role == "assistant":
                text = self.message_text(message.id) or message.text
                if text.strip():
                    return text
        return None

    def message_text(self, message_id: str) -> str | None:
        """A shown message's text as written (a streaming reply's text so far)."""
        live = self._live.get(message_id)
        return self._texts.get(message_id) or (live.text if live is not None else None)

    def scroll_to_message(self, message_id: str) -> None:
        """Bring a message into view (a search hit); the view stops following the end."""
        self.flush()
        self._follow = False
        self._complete_older()
        if self._is_hidden(message_id):
            self._hidden = list(self._messages).index(message_id)
            self._rebuild()
        self._browser.scrollToAnchor(message_anchor(message_id))

    def refresh(self) -> None:
        """Show again every turn whose look changed (after what `image_marks` or `turn_note`
        say changed): only those are rendered and replaced in the document."""
        if self._messages:
            self._rerender(list(self._messages))
            self._hover.refresh()

    def clear(self) -> None:
        self._reset()
        self.reasoning_shown.clear()
        self._hidden = 0
        self._earlier.set_hidden(0, SHOWN_LIMIT)
        self._browser.set_document_html("")
        self._hover.forget()
        self._sync_welcome()

    # -- links and scrolling ------------------------------------------------------------

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme().lower() in LINK_SCHEMES:
            self.open_url(url)
            return
        self._act(parse_action(bytes(url.toEncoded().data()).decode("ascii", "replace")))

    def _act(self, action: list[str]) -> None:
        """Do what a link of the document or a button of the action bar asks."""
        match action:
            case ["retry", message_id]:
                self.retryRequested.emit(message_id)
            case [("edit" | "regenerate" | "version" | "continue") as verb, *args]:
                self._turn_action(verb, args)
            case ["copy", message_id]:
                self._copy(message_id)
            case ["copy-code", key] if key in self._cache.codes:
                QGuiApplication.clipboard().setText(self._cache.codes[key])
                self._toast.say("Code copied")
            case ["image", message_id, index] if index.isdigit():
                self.imageActivated.emit(message_id, int(index))
            case ["reasoning", message_id] if message_id in self._messages:
                self.reasoning_shown ^= {message_id}
                self._rerender([message_id])
            case ["detail", message_id, index, level] if index.isdigit():
                self.imageDetailRequested.emit(message_id, int(index), level == "low")
            case ["send", message_id, index, flag] if index.isdigit():
                self.imageSendRequested.emit(message_id, int(index), flag == "1")
            case _:
                pass  # any other scheme (javascript:, file:, relative...) is ignored

    def _turn_action(self, verb: str, args: list[str]) -> None:
        match [verb, *args]:
            case ["edit", message_id]:
                self.editRequested.emit(message_id)
            case ["regenerate", message_id]:
                self.regenerateRequested.emit(message_id)
            case ["version", message_id, number] if number.isdigit():
                self.versionRequested.emit(message_id, int(number))
            case ["continue", message_id]:
                self.continueRequested.emit(message_id)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            QTimer.singleShot(0, self, self._follow_palette)  # once every child has the palette

    def _follow_palette(self) -> None:
        self._toast.follow_palette()
        self._hover.bar.follow_palette()
        self._hover.refresh()  # the document was rebuilt under a pointer that has not moved

    def _copy(self, message_id: str) -> None:
        text = self.message_text(message_id)
        if text is not None:
            QGuiApplication.clipboard().setText(text)
            self._toast.say("Copied")
            if self._hover.shown_for == message_id:
                self.action_bar.show_copied()

    def _actions_of(self, message_id: str) -> list[MessageAction]:
        message = self._messages.get(message_id)
        if message is None:
            return []
        live = self._live.get(message_id)
        text = self._texts.get(message_id) or (live.text if live else "")
        marks = self.image_marks(message) if self.image_marks and message.images else None
        last = message_id == next(reversed(self._messages))
        return message_actions(message, text=text, last=last, marks=marks)

    def scroll_position(self) -> int | None:
        """How far above the end the view is scrolled, in pixels; None when it follows the end."""
        bar = self._browser.verticalScrollBar()
        return None if self._follow else bar.maximum() - bar.value()

    def restore_scroll(self, above_end: int) -> None:
        """Scroll to `above_end` pixels above the end (a position from scroll_position())."""
        bar = self._browser.verticalScrollBar()
        bar.setValue(max(0, bar.maximum() - above_end))
        self._follow = bar.value() >= bar.maximum() - FOLLOW_SLACK
