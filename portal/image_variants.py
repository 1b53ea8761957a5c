"""Smaller copies of a picture, so a phone downloads the size it shows, not the largest.

A lead image, or a picture of the site in an article's body (``responsive_body``), W pixels wide
gets a WebP copy at each width of RESPONSIVE_IMAGE_WIDTHS (360, 720 and 1280 by default), none
wider than W (W itself stands in for the widths above it), beside the original: images/x.png ->
images/x.png.360w.webp, x.png.720w.webp… (portal.paths.image_variant). The page offers them with srcset and
sizes; the original stays for feeds, CAP, link previews and browsers without WebP. Which copies
exist follows from the picture's width alone (`variants`), so the srcset of a page and the files
written never disagree.

Encoding is the slow part and must give the same bytes on every build: each copy is kept in a
cache folder under a name made of the SHA-256 of the original's bytes and the recipe (width,
quality, libwebp's effort), so a rebuild copies bytes instead of encoding them, and a changed picture
is encoded again; the build encodes the pictures missing from the cache on every core
(plugins/responsive_images), each decoded once for all its copies. Pixels are turned upright first (a phone
photo's EXIF orientation), and no metadata is copied (a photo's GPS position stays out of the published copies).
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from .images import ImageFile
from .paths import image_variant

WIDTHS = (360, 720, 1280)
QUALITY = 80
# libwebp's effort (cwebp -m): 4 is its own default. Measured on a 1600 x 900 photo, the three copies are
# 1-2 % larger than at 6, its slowest, and encoded 2-4 times faster (132 ms against 327 ms).
METHOD = 4
# The version of how a copy is made from the picture's bytes, in each cached copy's name: raised with any
# change that gives other pixels (2: 16-bit greys scaled, not clipped to white), so no copy made before is used.
RECIPE = 2
RASTER = ("image/png", "image/jpeg", "image/webp")  # what Pillow reads and a smaller copy helps


@dataclass(frozen=True)
class Variant:
    path: str  # relative to the site root, e.g. images/x.png.360w.webp
    width: int


def variants(image: ImageFile | None, widths: Sequence[int] = WIDTHS) -> list[Variant]:
    """The copies an image gets, narrowest first; none for a vector, an animation or an unread size."""
    if image is None or image.media_type not in RASTER or not image.width:
        return []
    return [Variant(image_variant(image.path, w), w) for w in sorted({min(int(w), image.width) for w in widths})]


def srcset(found: list[Variant], prefix: str) -> str:
    """'/images/x.png.360w.webp 360w, /images/x.png.720w.webp 720w' (prefix: SITEURL)."""
    return ", ".join(f"{prefix}/{quote(v.path)} {v.width}w" for v in found)


def encode(data: bytes, width: int, quality: int = QUALITY) -> bytes:
    """The picture `width` pixels wide, upright, as WebP, without metadata."""
    return encode_widths(data, [width], quality)[width]


def encode_widths(data: bytes, widths: Sequence[int], quality: int = QUALITY) -> dict[int, bytes]:
    """The picture at each of `widths` (``encode``), decoded once: each copy is resized from the same
    upright pixels, so it has the bytes ``encode`` gives it alone."""
    from PIL import Image, ImageOps

    copies = {}
    with Image.open(io.BytesIO(data)) as original:
        picture = ImageOps.exif_transpose(original)
        if picture.mode.startswith("I"):  # 16-bit grey (PNG): 0-65535 scaled to 0-255, not clipped to white
            picture = _grey_8bit(picture)
        if picture.mode not in ("RGB", "RGBA"):
            alpha = "A" in picture.getbands() or "transparency" in picture.info
            picture = picture.convert("RGBA" if alpha else "RGB")
        for width in widths:
            height = max(1, round(picture.height * width / picture.width))
            copy = picture if (width, height) == picture.size else \
                picture.resize((width, height), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            copy.save(out, "WEBP", quality=quality, method=METHOD)
            copies[width] = out.getvalue()
    return copies


def _grey_8bit(picture):
    """A 16-bit grey picture as 8-bit grey, its one transparent grey (a PNG's tRNS) as an alpha channel."""
    from PIL import Image, ImageMath

    wide = picture.convert("I")
    grey = wide.point(lambda v: v * (255 / 65535)).convert("L")
    clear = picture.info.get("transparency")
    if not isinstance(clear, int):
        return grey
    opaque = ImageMath.lambda_eval(lambda args: args["equal"](args["wide"], clear) * -255 + 255, wide=wide)
    return Image.merge("LA", (grey, opaque.convert("L")))


def cache_name(digest: str, width: int, quality: int) -> str:
    """A copy's name in the cache: the SHA-256 of the original's bytes and the recipe."""
    return f"{digest}-{width}w-q{quality}-m{METHOD}-r{RECIPE}.webp"


def cached(data: bytes, widths: Sequence[int], quality: int, cache: Path | None) -> dict[int, bytes]:
    """The copies of ``data`` the cache holds, by width."""
    if cache is None:
        return {}
    digest = hashlib.sha256(data).hexdigest()
    found = {}
    for width in widths:
        try:
            found[width] = (cache / cache_name(digest, width, quality)).read_bytes()
        except OSError:  # not there (or unreadable: encoded again, and written anew)
            continue
    return found


def make(data: bytes, widths: Sequence[int], quality: int, cache: Path | None) -> dict[int, bytes]:
    """The copies of ``data`` at ``widths`` that the cache does not hold, encoded and put in it."""
    encoded = encode_widths(data, widths, quality)
    if cache is not None:
        digest = hashlib.sha256(data).hexdigest()
        cache.mkdir(parents=True, exist_ok=True)
        for width, copy in encoded.items():
            target = cache / cache_name(digest, width, quality)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(copy)
            os.replace(tmp, target)  # two builds at once never see half a file
    return encoded


# ---- pictures in an article's body -----------------------------------------------------------------
# The body is the sanitiser's HTML (portal.body.sanitise), which writes every attribute in double quotes
# and drops <picture>, <source>, srcset and sizes: the page's copy of the body gets them here, after
# the sanitiser, from the files alone. Feeds and the search index keep the sanitised body as it is.
SIZES = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"  # the text column: 46rem wide from 48rem (site.css)
_IMG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>')
_ATTRIBUTE = re.compile(r'\s+([^\s"=>/]+)(?:="([^"]*)")?')


def _attributes(tag: str) -> list[tuple[str, str | None]]:
    """[(name, raw value or None)] of one serialised <img …> tag, in order."""
    return [(m.group(1).lower(), m.group(2)) for m in _ATTRIBUTE.finditer(tag[len("<img"):].rstrip("/>"))]


def local_path(src: str, siteurl: str = "") -> str | None:
    """'images/x.png' for a picture of this site ('/images/x.png', or SITEURL + '/images/x.png'); None for
    another host's picture or a path that leaves the site's folder."""
    src = html.unescape(src).split("#", 1)[0].split("?", 1)[0]
    base = siteurl.rstrip("/")
    if base and src.startswith(base + "/"):
        src = src[len(base):]
    elif not src.startswith("/") or src.startswith("//"):
        return None
    path = posixpath.normpath(unquote(src).lstrip("/"))
    return None if path in (".", "") or path.startswith("../") else path


def body_image_paths(body: str, siteurl: str = "") -> list[str]:
    """Every picture of this site a body shows, each once, in order."""
    found: dict[str, None] = {}
    for tag in _IMG.findall(body):
        src = dict(_attributes(tag)).get("src")
        path = local_path(src, siteurl) if src else None
        if path:
            found.setdefault(path)
    return list(found)


def responsive_body(body: str, images: Mapping[str, ImageFile], siteurl: str = "",
                    widths: Sequence[int] = WIDTHS, sizes: str = SIZES) -> str:
    """The body with each picture of this site that `images` knows given its pixel size (width and
    height: nothing moves while it loads) and, when it has copies, wrapped in a <picture> whose WebP
    <source> offers them with srcset and sizes. Other pictures are left as they are."""

    def rewrite(match: re.Match) -> str:
        tag = match.group(0)
        attrs = _attributes(tag)
        named = dict(attrs)
        path = local_path(named["src"], siteurl) if named.get("src") else None
        image = images.get(path) if path else None
        if image is None or not image.width or not image.height:
            return tag
        if "width" not in named and "height" not in named:
            attrs += [("width", str(image.width)), ("height", str(image.height))]
        img = "<img" + "".join(f' {name}="{value}"' if value is not None else f" {name}" for name, value in attrs) + ">"
        found = variants(image, widths)
        if not found:
            return img
        return (f'<picture><source type="image/webp" srcset="{html.escape(srcset(found, siteurl))}" '
                f'sizes="{html.escape(sizes)}">{img}</picture>')

    return _IMG.sub(rewrite, body)
