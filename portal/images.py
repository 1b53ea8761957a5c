"""What a page and a feed need to know of an image: pixel size, bytes, media type.

Read once per image per build (the typed view asks), so pages reserve space
(width/height) and never jump while a slow connection loads them, and feed
enclosures and CAP resources carry the right length. The header is read by
the well-kept ``imagesize`` library (PNG, JPEG, GIF, WebP, SVG, TIFF…).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

import imagesize


@dataclass(frozen=True)
class ImageFile:
    path: str  # under content/ and under the output, e.g. images/x.png
    width: int | None
    height: int | None
    bytes: int
    media_type: str


def read_image(content_root: str | Path, rel: str) -> ImageFile:
    file = Path(content_root) / rel
    width = height = None
    size = 0
    try:
        size = file.stat().st_size
        w, h = imagesize.get(str(file))
        if w > 0 and h > 0:
            width, height = int(w), int(h)
    except (OSError, ValueError):
        pass
    return ImageFile(rel, width, height, size, mimetypes.guess_type(rel)[0] or "application/octet-stream")


# pictures whose header always says their size: one that says none is empty, cut short, or not the picture its
# name says, and a page would show it broken
SIZED = ("image/png", "image/jpeg", "image/webp", "image/gif")


def unsized(file: Path) -> bool:
    """Whether ``file``, a picture by its name whose header always gives its size, gives none."""
    if mimetypes.guess_type(file.name)[0] not in SIZED:
        return False
    try:
        w, h = imagesize.get(str(file))
    except (OSError, ValueError):
        return True
    return not (w > 0 and h > 0)
