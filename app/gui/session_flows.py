"""The session's flows, each built with the pieces it uses (see docs/ARCHITECTURE.md).

`build_flows` makes them in the order they subscribe to the window and the controllers;
`SessionCalls` is what only the session does, handed to the flows that ask for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NamedTuple

from PySide6.QtCore import QObject

from app.controllers.attachments import AttachmentController
from app.controllers.chat import ChatController
from app.controllers.endpoint import EndpointController
from app.core.conversation import Conversation
from app.core.conversation_state import ConversationScope
from app.core.notices import Notices
from app.gui.api_memory import ApiMemory
from app.gui.batch_flow import BatchFlow
from app.gui.budget_flow import BudgetFlow
from app.gui.capture_flow import CaptureFlow
from app.gui.conversation_switch import ConversationSwitch
from app.gui.dialogs import SettingsFlow
from app.gui.history_flow import HistoryFlow
from app.gui.model_choice import ModelChoice
from app.gui.presets_flow import PresetsFlow
from app.gui.preview_flow import PreviewFlow
from app.gui.services import Preferences, SentImages, Work
from app.gui.theme import ThemeFlow
from app.gui.title_flow import TitleFlow
from app.gui.undo_flow import UndoFlow
from app.store.settings import Settings
from app.ui.main_window import MainWindow


class SessionCalls(NamedTuple):
    """What only the session does, for the flows to call."""

    adopt: Callable[[Conversation, bool], None]
    new_conversation: Callable[[], None]
    regenerate: Callable[[], None]
    apply_settings: Callable[[Settings, str | None], None]
    reconnect: Callable[[], Awaitable[None]]
    key_account: Callable[[], str]
    choose_model: Callable[[str], None]
    show_efforts: Callable[[], None]
    refresh: Callable[[], None]


class Flows(NamedTuple):
    theme: ThemeFlow
    budget: BudgetFlow
    presets: PresetsFlow
    preview: PreviewFlow
    capture: CaptureFlow
    history: HistoryFlow
    settings: SettingsFlow
    model_choice: ModelChoice
    api_memory: ApiMemory
    batch: BatchFlow
    switch: ConversationSwitch
    titles: TitleFlow
    undo: UndoFlow


def build_flows(
    *,
    window: MainWindow,
    chat: ChatController,
    attachments: AttachmentController,
    endpoint: EndpointController,
    prefs: Preferences,
    scope: ConversationScope,
    work: Work,
    notices: Notices,
    images: SentImages,
    demo: bool,
    calls: SessionCalls,
    parent: QObject,
) -> Flows:
    w = window
    theme = ThemeFlow(window=w, menu=w.menus.theme, prefs=prefs, parent=parent)
    budget = BudgetFlow(
        window=w,
        chat=chat,
        attachments=attachments,
        prefs=prefs,
        scope=scope,
        work=work,
        notices=notices,
        demo=demo,
        parent=parent,
    )
    presets = PresetsFlow(
        window=w,
        chat=chat,
        attachments=attachments,
        prefs=prefs,
        scope=scope,
        work=work,
        notices=notices,
        parent=parent,
    )
    preview = PreviewFlow(
        window=w,
        attachments=attachments,
        work=work,
        notices=notices,
        conversation=lambda: chat.conversation,
        parent=parent,
    )
    capture = CaptureFlow(
        window=w, attachments=attachments, work=work, notices=notices, parent=parent
    )
    history = HistoryFlow(
        window=w,
        chat=chat,
        images=images,
        work=work,
        notices=notices,
        adopt=calls.adopt,
        new_conversation=calls.new_conversation,
        regenerate=calls.regenerate,
        parent=parent,
    )
    settings = SettingsFlow(
        window=w,
        prefs=prefs,
        endpoint=endpoint,
        work=work,
        notices=notices,
        apply=calls.apply_settings,
        reconnect=calls.reconnect,
        key_account=calls.key_account,
        parent=parent,
    )
    model_choice = ModelChoice(
        window=w,
        chat=chat,
        endpoint=endpoint,
        prefs=prefs,
        notices=notices,
        models_listed=settings.models_changed,
        parent=parent,
    )
    api_memory = ApiMemory(
        chat=chat,
        prefs=prefs,
        notices=notices,
        base_url=lambda: endpoint.base_url,
        remembers=not demo,
        parent=parent,
    )
    batch = BatchFlow(
        window=w,
        chat=chat,
        endpoint=endpoint,
        prefs=prefs,
        work=work,
        notices=notices,
        costs=budget.costs,
        parent=parent,
    )
    switch = ConversationSwitch(
        window=w,
        chat=chat,
        attachments=attachments,
        scope=scope,
        prefs=prefs,
        thumbnails=images.thumbnails,
        choose_model=calls.choose_model,
        show_efforts=calls.show_efforts,
        refresh=calls.refresh,
    )
    titles = TitleFlow(
        chat=chat,
        history=history.history,
        client=endpoint.client,
        prefs=prefs,
        costs=budget.costs,
        work=work,
        renamed=history.sidebar.renameRequested,
        parent=parent,
    )
    undo = UndoFlow(
        window=w,
        attachments=attachments,
        sidebar=history.sidebar,
        scope=scope,
        conversation=lambda: chat.conversation,
        plan=lambda: budget.plan,
        set_plan=budget.set_plan,
        parent=parent,
    )
    return Flows(
        theme,
        budget,
        presets,
        preview,
        capture,
        history,
        settings,
        model_choice,
        api_memory,
        batch,
        switch,
        titles,
        undo,
    )
