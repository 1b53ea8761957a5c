"""Smaller copies of a lead image, so a phone downloads the size it shows, not the largest.

A lead image W pixels wide gets a WebP copy at each width of RESPONSIVE_IMAGE_WIDTHS (360, 720 and
1280 by default), none wider than W (W itself stands in for the widths above it), beside the
original: images/x.png -> images/x.360w.webp, x.720w.webp… (portal.paths.image_variant). The page
offers them with srcset and sizes; the original stays for feeds, CAP, link previews and browsers
without WebP. Which copies exist follows from the view's width alone (`variants`), so the srcset of
a page and the files written never disagree.

Encoding is the slow part and must give the same bytes on every build: each copy is kept in a
cache folder under a name made of the SHA-256 of the original's bytes and the recipe (width,
quality), so a rebuild copies bytes instead of encoding them, and a changed picture is encoded
again. Pixels are turned upright first (a phone photo's EXIF orientation), and no metadata is
copied (a photo's GPS position stays out of the published copies).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .images import ImageFile
from .paths import image_variant

WIDTHS = (360, 720, 1280)
QUALITY = 80
RASTER = ("image/png", "image/jpeg", "image/webp")  # what Pillow reads and a smaller copy helps


@dataclass(frozen=True)
class Variant:
    path: str  # relative to the site root, e.g. images/x.360w.webp
    width: int


def variants(image: ImageFile | None, widths: Sequence[int] = WIDTHS) -> list[Variant]:
    """The copies an image gets, narrowest first; none for a vector, an animation or an unread size."""
    if image is None or image.media_type not in RASTER or not image.width:
        return []
    return [Variant(image_variant(image.path, w), w) for w in sorted({min(int(w), image.width) for w in widths})]


def srcset(found: list[Variant], prefix: str) -> str:
    """'/images/x.360w.webp 360w, /images/x.720w.webp 720w' (prefix: SITEURL)."""
    return ", ".join(f"{prefix}/{v.path} {v.width}w" for v in found)


def encode(data: bytes, width: int, quality: int = QUALITY) -> bytes:
    """The picture `width` pixels wide, upright, as WebP, without metadata."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as original:
        picture = ImageOps.exif_transpose(original)
        if picture.mode not in ("RGB", "RGBA"):
            alpha = "A" in picture.getbands() or "transparency" in picture.info
            picture = picture.convert("RGBA" if alpha else "RGB")
        height = max(1, round(picture.height * width / picture.width))
        if (width, height) != picture.size:
            picture = picture.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        picture.save(out, "WEBP", quality=quality, method=6)
        return out.getvalue()


def cache_name(data: bytes, width: int, quality: int) -> str:
    return f"{hashlib.sha256(data).hexdigest()}-{width}w-q{quality}.webp"


def make(data: bytes, width: int, quality: int, cache: Path | None) -> tuple[bytes, bool]:
    """The copy's bytes, from the cache when it holds them; and whether it had to be encoded."""
    cached = cache / cache_name(data, width, quality) if cache else None
    if cached is not None and cached.is_file():
        return cached.read_bytes(), False
    encoded = encode(data, width, quality)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
        tmp.write_bytes(encoded)
        os.replace(tmp, cached)  # two builds at once never see half a file
    return encoded, True
