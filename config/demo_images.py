"""Placeholder pictures for the demo data, drawn on this machine with Pillow (no network, no stock photos).

Avatars are a soft two-colour gradient with the person's initials; post pictures are a few abstract
compositions per niche, reused across posts (content-addressed, so each is stored once). They go
through the same storage as downloaded media (``media.pipeline.store_generated_image``).
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from media.models import Asset, RemoteSource
from media.pipeline import store_generated_image

POST_VARIANTS = 3


def _hue(seed: str) -> float:
    return int(hashlib.sha256(seed.encode()).hexdigest()[:6], 16) / 0xFFFFFF


def _rgb(hue: float, lightness: float, saturation: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue % 1, lightness, saturation)
    return int(r * 255), int(g * 255), int(b * 255)


def _gradient(size: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (size, size), top)
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / (size - 1)
        draw.line([(0, y), (size, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return image


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def avatar_bytes(name: str, seed: str, size: int = 256) -> bytes:
    hue = _hue(seed)
    image = _gradient(size, _rgb(hue, 0.62, 0.55), _rgb(hue + 0.08, 0.42, 0.6))
    initials = "".join(part[0] for part in name.replace(".", " ").replace("_", " ").split()[:2]).upper() or "?"
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255), font=font, anchor="mm")
    return _png(image)


@cache
def post_bytes(niche: str, variant: int, size: int = 640) -> bytes:
    hue = _hue(niche) + variant * 0.07
    image = _gradient(size, _rgb(hue, 0.8, 0.45), _rgb(hue + 0.15, 0.55, 0.5))
    draw = ImageDraw.Draw(image)
    for n in range(3 + variant):
        radius = size // (4 + n)
        x = (size * (n + 1 + variant)) // (5 + variant) % size
        y = size // 2 + ((-1) ** n) * size // (5 + n)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=_rgb(hue + 0.3 * n, 0.7, 0.5))
    draw.text(
        (size / 2, size - size // 10),
        niche,
        fill=(255, 255, 255),
        font=ImageFont.load_default(size=size // 14),
        anchor="mm",
    )
    return _png(image)


def avatar_asset(name: str, seed: str) -> Asset:
    return store_generated_image(
        avatar_bytes(name, seed), label=f"demo-avatar/{seed}", purpose=RemoteSource.Purpose.PROFILE
    )


def post_assets(niche: str) -> list[Asset]:
    """The niche's placeholder post pictures: drawn once per process, stored once (by content)."""
    return [
        store_generated_image(post_bytes(niche, variant), label=f"demo-post/{niche}/{variant}")
        for variant in range(POST_VARIANTS)
    ]
