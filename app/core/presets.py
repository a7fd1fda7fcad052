"""Task presets: a system prompt, a prompt template, and the shape of the answer (text, a JSON
object, JSON constrained by a schema, or the arguments of a function call).

The built-in presets ship with the app; a user's edited or added presets are kept in the
settings as plain dicts (``Preset.to_dict``) and read back with :func:`preset_from_dict`, which
refuses anything malformed. A user preset with a built-in's name replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeGuard, cast

ResponseKind = Literal["text", "json_object", "json_schema", "tool"]
RESPONSE_KINDS: tuple[ResponseKind, ...] = ("text", "json_object", "json_schema", "tool")
RESPONSE_LABELS: dict[ResponseKind, str] = {
    "text": "Text (Markdown)",
    "json_object": "JSON object",
    "json_schema": "JSON with a schema",
    "tool": "Function call with a schema",
}
PLACEHOLDER = "{question}"
MAX_PRESETS = 200
MAX_TEXT = 100_000
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Preset:
    """One task, one click away. ``name`` is the stable id (``ask --preset NAME``)."""

    name: str
    title: str
    system_prompt: str = ""
    template: str = ""  # "{question}" is replaced by the user's words
    default_question: str = ""  # used when the composer is empty and images are attached
    response: ResponseKind = "text"
    schema: dict[str, Any] | None = field(default=None, compare=True, hash=False)
    schema_name: str = ""  # the json_schema's name, or the function's name
    description: str = ""
    min_images: int = 0
    builtin: bool = False

    @property
    def expects_json(self) -> bool:
        return self.response != "text"

    def compose(self, question: str, *, has_images: bool) -> str:
        """The user message's text for ``question`` (the default question when it is empty and
        there are images to ask about; empty when there is nothing to ask)."""
        text = question.strip()
        if not text:
            if not has_images:
                return ""
            text = self.default_question.strip()
        if self.template.strip():
            if PLACEHOLDER in self.template:
                return self.template.replace(PLACEHOLDER, text).strip()
            return f"{self.template.strip()}\n\n{text}".strip()
        return text

    def response_format(self) -> dict[str, Any] | None:
        if self.response == "json_object":
            return {"type": "json_object"}
        if self.response == "json_schema" and self.schema is not None:
            return {
                "type": "json_schema",
                "json_schema": {
                    "name": self.schema_name or "reply",
                    "schema": self.schema,
                    "strict": True,
                },
            }
        return None

    def tools(self) -> list[dict[str, Any]] | None:
        if self.response != "tool" or self.schema is None:
            return None
        return [
            {
                "type": "function",
                "function": {
                    "name": self.schema_name or "record",
                    "description": self.description or self.title,
                    "parameters": self.schema,
                },
            }
        ]

    def tool_choice(self) -> dict[str, Any] | None:
        if self.response != "tool" or self.schema is None:
            return None
        return {"type": "function", "function": {"name": self.schema_name or "record"}}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "system_prompt": self.system_prompt,
            "template": self.template,
            "default_question": self.default_question,
            "response": self.response,
            "schema_name": self.schema_name,
            "description": self.description,
            "min_images": self.min_images,
        }
        if self.schema is not None:
            data["schema"] = self.schema
        return data


def problems(preset: Preset) -> list[str]:
    """What keeps ``preset`` from being saved or used, in words for the user."""
    found: list[str] = []
    if not _NAME.match(preset.name):
        found.append("The id must be lower-case letters, digits, - or _ (at most 64).")
    if not preset.title.strip():
        found.append("Give the preset a title.")
    if preset.response not in RESPONSE_KINDS:
        found.append(f"Unknown answer kind “{preset.response}”.")
    if preset.response in ("json_schema", "tool"):
        if not isinstance(preset.schema, dict) or preset.schema.get("type") != "object":
            found.append('This answer kind needs a schema whose "type" is "object".')
        if not _FUNCTION_NAME.match(preset.schema_name):
            found.append(
                "The schema or function name must be letters, digits, _ or - "
                "(at most 64), starting with a letter or _."
            )
    if not 0 <= preset.min_images <= 20:
        found.append("The number of images needed must be between 0 and 20.")
    return found


def slug(title: str) -> str:
    """An id made from a title: "My receipts" → "my-receipts"."""
    text = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:64].strip("-")
    return text or "preset"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key, "")
    return value if isinstance(value, str) and len(value) <= MAX_TEXT else None


def preset_from_dict(raw: object) -> Preset | None:
    """The preset ``Preset.to_dict`` wrote, or None if ``raw`` is not a valid one."""
    if not isinstance(raw, Mapping):
        return None
    texts = {
        key: _text(raw, key)
        for key in (
            "name",
            "title",
            "system_prompt",
            "template",
            "default_question",
            "schema_name",
            "description",
        )
    }
    if any(value is None for value in texts.values()):
        return None
    response = raw.get("response", "text")
    schema = raw.get("schema")
    min_images = raw.get("min_images", 0)
    if response not in RESPONSE_KINDS or not _is_int(min_images):
        return None
    if schema is not None and not isinstance(schema, dict):
        return None
    text = {key: cast(str, value) for key, value in texts.items()}
    preset = Preset(
        name=text["name"],
        title=text["title"],
        system_prompt=text["system_prompt"],
        template=text["template"],
        default_question=text["default_question"],
        response=cast(ResponseKind, response),
        schema=schema,
        schema_name=text["schema_name"],
        description=text["description"],
        min_images=min_images,
    )
    return None if problems(preset) else preset


def read_user_presets(raw: object) -> list[dict[str, Any]] | None:
    """The valid entries of a settings file's ``presets`` list (None if it is not a list)."""
    if not isinstance(raw, list):
        return None
    presets = (preset_from_dict(entry) for entry in raw[:MAX_PRESETS])
    return [preset.to_dict() for preset in presets if preset is not None]


def merged(user: Iterable[Mapping[str, Any]]) -> list[Preset]:
    """The built-in presets, each replaced by the user's version if there is one, then the
    user's own presets in the order they were added."""
    own: dict[str, Preset] = {}
    for raw in user:
        preset = preset_from_dict(raw)
        if preset is not None:
            own[preset.name] = preset
    out = [
        replace(own.pop(preset.name), builtin=True) if preset.name in own else preset
        for preset in BUILTIN_PRESETS
    ]
    return out + list(own.values())


def find(presets: Sequence[Preset], name: str) -> Preset | None:
    """A preset by id, or by title ignoring case."""
    key = name.strip().lower()
    return next((p for p in presets if p.name == key or p.title.lower() == key), None)


def builtin(name: str) -> Preset | None:
    return next((p for p in BUILTIN_PRESETS if p.name == name), None)


# -- the built-in presets ------------------------------------------------------------------


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """An object schema in the form strict structured output asks for: every property
    required, no other property allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_LINE_ITEMS_SCHEMA = _object(
    {
        "vendor": {"type": "string", "description": "Who issued the invoice or receipt"},
        "date": {"type": "string", "description": "Issue date, YYYY-MM-DD when legible"},
        "currency": {"type": "string", "description": "ISO 4217 code, e.g. EUR"},
        "line_items": {
            "type": "array",
            "items": _object(
                {
                    "description": {"type": "string"},
                    "quantity": {"type": "number"},
                    "unit_price": {"type": "number"},
                    "amount": {"type": "number"},
                }
            ),
        },
        "total": {"type": "number"},
    }
)

_EXTRACTION_PROMPT = (
    "You extract line items from invoices and receipts in the images. Copy descriptions as "
    "printed; give numbers without currency symbols or thousands separators; use the "
    "document's own totals. If a value is not legible, use an empty string or 0 and do not "
    "guess. When several documents are shown, extract from Image 1 unless told otherwise."
)

BUILTIN_PRESETS: tuple[Preset, ...] = (
    Preset(
        name="ui-critique",
        title="UI / mockup critique",
        builtin=True,
        system_prompt=(
            "You are a senior product designer reviewing a user interface screenshot or mockup. "
            "Critique it under three headings: Spacing and alignment (margins, rhythm, grid), "
            "Contrast and legibility (estimate text/background contrast and name anything "
            "likely to fail WCAG AA), and Visual hierarchy (what draws the eye first, whether "
            "that matches the primary action). Refer to elements by position and label. Order "
            "findings by impact; for each give the problem, why it matters and a concrete fix."
        ),
        default_question="Critique this interface.",
        description="Spacing, contrast and hierarchy, with concrete fixes",
    ),
    Preset(
        name="chart-reading",
        title="Chart and dashboard reading",
        builtin=True,
        system_prompt=(
            "You read charts and dashboards. State the chart type, title, axes with units, and "
            "series. Then give the key values, trends, extremes and outliers, each with the "
            "number read from the image. Say when a value is estimated from the drawing rather "
            "than printed, and never invent numbers you cannot read. End with a two-sentence "
            "takeaway."
        ),
        default_question="What does this chart show? Give the key numbers and trends.",
        description="Axes, series, key values and trends",
    ),
    Preset(
        name="ocr",
        title="OCR transcription",
        builtin=True,
        system_prompt=(
            "Transcribe all text in the images verbatim, in reading order, keeping line breaks, "
            "headings and lists. Render tables as Markdown tables. Write [illegible] for text "
            "you cannot read. Add no commentary, translation or correction. With several "
            'images, start each transcription with its label ("Image 1: name").'
        ),
        default_question="Transcribe all the text.",
        description="Every word, verbatim, in reading order",
    ),
    Preset(
        name="invoice-json",
        title="Invoice / receipt line items → JSON",
        builtin=True,
        system_prompt=_EXTRACTION_PROMPT,
        default_question="Extract the line items.",
        response="json_schema",
        schema=_LINE_ITEMS_SCHEMA,
        schema_name="invoice_line_items",
        description="Vendor, date, line items and total as schema-checked JSON",
    ),
    Preset(
        name="invoice-function",
        title="Invoice line items → record_line_items (function)",
        builtin=True,
        system_prompt=_EXTRACTION_PROMPT + " Record them with record_line_items.",
        default_question="Record the line items.",
        response="tool",
        schema=_LINE_ITEMS_SCHEMA,
        schema_name="record_line_items",
        description="Record the line items read from an invoice or receipt",
    ),
    Preset(
        name="alt-text",
        title="Alt text (short and long)",
        builtin=True,
        system_prompt=(
            "Write alternative text for each image for people who use screen readers. The short "
            "version is one sentence of at most 125 characters that conveys the purpose and the "
            'essential content; do not start with "Image of". The long version is a paragraph '
            "that also covers layout, visible text (quoted), colours where they carry meaning, "
            'and data in charts. Label each entry with the image\'s label ("Image 1: name").'
        ),
        default_question="Write alt text for these images.",
        response="json_schema",
        schema_name="alt_text",
        schema=_object(
            {
                "images": {
                    "type": "array",
                    "items": _object(
                        {
                            "label": {"type": "string"},
                            "short": {"type": "string"},
                            "long": {"type": "string"},
                        }
                    ),
                }
            }
        ),
        description="A short and a long description per image, as JSON",
    ),
    Preset(
        name="spot-differences",
        title="Spot the differences",
        builtin=True,
        min_images=2,
        system_prompt=(
            "The user shows two or more images, each introduced by a label such as "
            '"Image 1: before.png". Compare them and list every visible difference: what '
            "changed, where (position and element), and in which image, always naming images by "
            "their labels. Group differences by region of the image, most noticeable first, and "
            "say explicitly if you find none. Ignore compression noise."
        ),
        default_question="What are the differences between these images?",
        description="Compare two or more images by their labels",
    ),
    Preset(
        name="moderation",
        title="Content-moderation summary",
        builtin=True,
        system_prompt=(
            "You summarise images for a content-moderation queue. Answer with one JSON object "
            'with these keys: "overall" ("safe", "sensitive" or "unsafe"), '
            '"categories" (a list of objects with "category" — e.g. nudity, violence, '
            'hate symbols, self-harm, drugs, weapons, personal data, spam —, "severity" '
            '("none", "low", "medium", "high") and "evidence", a short factual '
            'description of what in which image), and "summary" (one neutral sentence). '
            "Describe, do not speculate about intent."
        ),
        default_question="Summarise these images for moderation.",
        response="json_object",
        description="Categories, severity and evidence as a JSON object",
    ),
)
