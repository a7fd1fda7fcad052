"""What an endpoint accepts: image limits profiles and the models' context windows and prices."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MIB = 1024 * 1024

XAI_BASE_URL = "https://api.x.ai/v1"
DEFAULT_MODEL = "grok-4"
# The seeds named these; xAI retired all three in early 2026 ("Model not found").
RETIRED_SEED_MODELS = frozenset({"grok-2-vision-1212", "grok-2-vision", "grok-2-vision-latest"})


@dataclass(frozen=True)
class ImageLimits:
    """What one endpoint accepts for images in a message."""

    name: str
    label: str
    accepted_formats: frozenset[str] = frozenset({"JPEG", "PNG"})  # Pillow format names
    max_bytes: int = 20 * MIB
    max_long_edge: int = 8192
    max_images_per_message: int = 10
    # Pixel-count ceiling above which a file is refused as a decompression bomb.
    max_pixels: int = 180_000_000


XAI_LIMITS = ImageLimits(name="xai", label="xAI (JPEG/PNG, 20 MiB)")
XAI_LIMITS_10MIB = ImageLimits(name="xai-10mib", label="xAI, older guide (JPEG/PNG, 10 MiB)",
                               max_bytes=10 * MIB)
# OpenRouter forwards to many providers; OpenAI's own limits (JPEG, PNG, WebP, 20 MB) are the
# common ground. Any other OpenAI-compatible server (local ones too): JPEG and PNG, 20 MiB.
OPENROUTER_LIMITS = ImageLimits(name="openrouter", label="OpenRouter (JPEG/PNG/WebP, 20 MiB)",
                                accepted_formats=frozenset({"JPEG", "PNG", "WEBP"}))
COMPATIBLE_LIMITS = ImageLimits(name="openai-compatible",
                                label="OpenAI-compatible (JPEG/PNG, 20 MiB)")
LIMIT_PROFILES: dict[str, ImageLimits] = {p.name: p for p in (
    XAI_LIMITS, XAI_LIMITS_10MIB, OPENROUTER_LIMITS, COMPATIBLE_LIMITS)}


@dataclass(frozen=True)
class Prices:
    """Prices in USD cents per 100 million tokens, as xAI's /v1/language-models gives them."""

    prompt_text: int
    prompt_image: int
    completion_text: int
    cached_prompt_text: int = 0

    def usd(self, *, text_in: int, image_in: int, out: int) -> float:
        cents = (text_in * self.prompt_text + image_in * self.prompt_image
                 + out * self.completion_text) / 100_000_000
        return cents / 100


# The seeds' figures for grok-2-vision: $2 per million input tokens, $10 per million output.
SEED_PRICES = Prices(prompt_text=20_000, prompt_image=20_000, completion_text=100_000)


@dataclass(frozen=True)
class ModelInfo:
    """One model as discovered from an endpoint, or as known from the built-in table."""

    id: str
    takes_images: bool
    context_window: int | None = None
    prices: Prices | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    owned_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the cached model list in the settings."""
        return {"id": self.id, "takes_images": self.takes_images,
                "context_window": self.context_window, "aliases": list(self.aliases),
                "owned_by": self.owned_by,
                "prices": asdict(self.prices) if self.prices else None}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelInfo:
        prices = raw.get("prices")
        return cls(id=str(raw["id"]), takes_images=bool(raw.get("takes_images")),
                   context_window=raw.get("context_window") or None,
                   prices=Prices(**prices) if isinstance(prices, dict) else None,
                   aliases=tuple(raw.get("aliases") or ()), owned_by=str(raw.get("owned_by", "")))


# No endpoint reports context windows: a small table of known ones, overridable by the user.
KNOWN_CONTEXT_WINDOWS: dict[str, int] = {
    "grok-2-vision-1212": 32_768,
    "grok-2-vision": 32_768,
    "grok-2-vision-latest": 32_768,
    "grok-4": 256_000,
    "grok-4-0709": 256_000,
    "grok-4-fast-reasoning": 2_000_000,
    "grok-4-fast-non-reasoning": 2_000_000,
    "grok-4-1-fast-reasoning": 2_000_000,
    "grok-4-1-fast-non-reasoning": 2_000_000,
    "grok-3": 131_072,
    "grok-3-mini": 131_072,
    "gpt-4o": 128_000,
    "gpt-4o-mini": 128_000,
}
FALLBACK_CONTEXT_WINDOW = 32_768


def context_window_for(model_id: str, override: int | None = None) -> tuple[int, bool]:
    """The context window to budget against, and whether it is known (not a fallback guess)."""
    if override:
        return override, True
    if model_id in KNOWN_CONTEXT_WINDOWS:
        return KNOWN_CONTEXT_WINDOWS[model_id], True
    return FALLBACK_CONTEXT_WINDOW, False


def fallback_prices(model_id: str) -> Prices | None:
    """Prices to use when the endpoint did not report any for this model."""
    return SEED_PRICES if model_id.startswith("grok-2-vision") else None
