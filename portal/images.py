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


@dataclass(frozen=True)
class ImageFile:
    path: str  # under content/ and under the output, e.g. images/x.png
    width: int | None
    height: int | None
    bytes: int
    media_type: str


def read_image(content_root: str | Path, rel: str) -> ImageFile:
    import imagesize  # (here: a build that reads no picture does not import it)

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
# A picture of more pixels is refused: decoded, 60 million pixels take 180 MB, and a small file can claim far
# more (a "decompression bomb"). A 50-megapixel camera's photo is within it.
MOST_PIXELS = 60_000_000


def header_problem(file: Path) -> tuple[str, dict] | None:
    """What its header says is wrong with the picture ``file`` (a problem code and its values), read without
    decoding it: no size where its kind always gives one, or more pixels than ``MOST_PIXELS``."""
    media_type = mimetypes.guess_type(file.name)[0]
    if media_type not in SIZED:
        return None
    import imagesize

    try:
        w, h = imagesize.get(str(file))
    except (OSError, ValueError):
        return "image_unsized", {}
    if not (w > 0 and h > 0):
        return "image_unsized", {}
    if w * h > MOST_PIXELS:
        return "image_pixels", {"width": int(w), "height": int(h), "limit": MOST_PIXELS // 1_000_000}
    return None
