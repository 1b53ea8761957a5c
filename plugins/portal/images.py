"""Pixel size of an image, read from its header, so pages can reserve space
(width/height attributes) and never jump while a slow connection loads it."""

from __future__ import annotations

import struct
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1024)
def image_size(path: str) -> tuple[int, int] | None:
    try:
        with open(path, "rb") as f:
            head = f.read(26)
            if head.startswith(b"\x89PNG\r\n\x1a\n"):
                return struct.unpack(">II", head[16:24])
            if head[:6] in (b"GIF87a", b"GIF89a"):
                return struct.unpack("<HH", head[6:10])
            if head.startswith(b"\xff\xd8"):
                f.seek(2)
                while True:
                    marker, length = struct.unpack(">HH", f.read(4))
                    if 0xFFC0 <= marker <= 0xFFCF and marker not in (0xFFC4, 0xFFC8, 0xFFCC):
                        f.read(1)
                        height, width = struct.unpack(">HH", f.read(4))
                        return width, height
                    f.seek(length - 2, 1)
    except (OSError, struct.error):
        return None
    return None


def content_image_size(content_root: str, rel: str) -> tuple[int, int] | None:
    return image_size(str(Path(content_root) / rel))
