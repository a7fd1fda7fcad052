"""What an endpoint accepts of images: the limits profiles. Models live in `app.core.catalog`."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024

XAI_BASE_URL = "https://api.x.ai/v1"


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
XAI_LIMITS_10MIB = ImageLimits(
    name="xai-10mib", label="xAI, older guide (JPEG/PNG, 10 MiB)", max_bytes=10 * MIB
)
# OpenRouter forwards to many providers; OpenAI's own limits (JPEG, PNG, WebP, 20 MB) are the
# common ground. Any other OpenAI-compatible server (local ones too): JPEG and PNG, 20 MiB.
OPENROUTER_LIMITS = ImageLimits(
    name="openrouter",
    label="OpenRouter (JPEG/PNG/WebP, 20 MiB)",
    accepted_formats=frozenset({"JPEG", "PNG", "WEBP"}),
)
COMPATIBLE_LIMITS = ImageLimits(
    name="openai-compatible", label="OpenAI-compatible (JPEG/PNG, 20 MiB)"
)
LIMIT_PROFILES: dict[str, ImageLimits] = {
    p.name: p for p in (XAI_LIMITS, XAI_LIMITS_10MIB, OPENROUTER_LIMITS, COMPATIBLE_LIMITS)
}
