"""The two wire dialects, Chat Completions and Responses, and how a request's parts are written
in each: the app holds them in Chat Completions' shape and maps them for Responses here."""

from __future__ import annotations

import enum
from typing import Any

from app.core.catalog import reasoning_of
from app.core.conversation import Conversation, ImageEncoder
from app.core.responses_input import responses_input


class Api(enum.StrEnum):
    CHAT = "chat"  # POST /chat/completions: every OpenAI-compatible server
    RESPONSES = "responses"  # POST /responses: xAI's recommended API, and some others


API_CHOICES = ("auto", Api.RESPONSES.value, Api.CHAT.value)  # a profile's setting


def path_of(api: Api) -> str:
    return "/responses" if api is Api.RESPONSES else "/chat/completions"


def history_in(
    api: Api, conversation: Conversation, encode: ImageEncoder, model: str
) -> list[dict[str, Any]]:
    """The conversation as the dialect's messages (Chat Completions) or input items (Responses,
    where `model` decides whose sealed reasoning goes back)."""
    if api is Api.RESPONSES:
        return responses_input(conversation, encode, model)
    return conversation.to_api_messages(encode)


def keeps_reasoning(model: str) -> bool:
    """Whether to ask for the model's reasoning in sealed form (it reasons, or takes an effort)."""
    reasoning = reasoning_of(model)
    return reasoning.thinks or bool(reasoning.efforts)


def text_format(response_format: dict[str, Any]) -> dict[str, Any]:
    """A Chat Completions `response_format` as the Responses `text.format`."""
    kind = response_format.get("type")
    if kind != "json_schema":
        return {"type": kind or "text"}
    spec = response_format.get("json_schema") or {}
    return {"type": "json_schema", **spec}


def responses_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A Chat Completions function tool in the Responses API's flat shape."""
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, dict):
        return tool
    return {"type": "function", **function}


def responses_tool_choice(choice: str | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        return {"type": "function", "name": choice["function"].get("name")}
    return choice
