"""responsive_images: WebP copies of every published picture at a few widths (portal.image_variants).

A 360 px phone on a slow mountain connection then downloads a 360 px picture, not the original.
Templates get ``lead_image_srcset(view.image)``: the srcset of the copies ("" when there are none:
an SVG, a GIF, a size that could not be read), and article.html gives it to a <picture> with the
column's ``sizes``; and ``responsive_body(view.body_html)``: the sanitised body with each picture of
the site given its width and height and, when it has copies, a <picture> offering them (after the
sanitiser, which allows neither srcset nor <picture>; feeds keep the body as sanitised). The copies
are written beside the original for each published article and page; an embargoed article's
pictures get none (its view does not exist yet).

Settings (with defaults): RESPONSIVE_IMAGE_WIDTHS [360, 720, 1280]; RESPONSIVE_IMAGE_QUALITY 80
(WebP quality, 1–100); RESPONSIVE_IMAGE_CACHE "var/image-cache" (relative to the folder holding the
content folder; the copies already encoded, by content hash, so rebuilds are fast and byte-identical;
None: no cache, every build encodes).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from portal import image_variants
from portal.checks import display
from portal.images import MOST_PIXELS, SIZED, ImageFile, read_image
from portal.model import ContentErrors, Problem
from portal.outputs import write_file
from portal.settings import SettingsError, messages_lang, require_after_articles

log = logging.getLogger("responsive_images")
DEFAULTS = {
    "RESPONSIVE_IMAGE_WIDTHS": list(image_variants.WIDTHS),
    "RESPONSIVE_IMAGE_QUALITY": image_variants.QUALITY,
    "RESPONSIVE_IMAGE_CACHE": "var/image-cache",
}


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])


def check_settings(pelican) -> None:
    s = pelican.settings
    widths = setting(s, "RESPONSIVE_IMAGE_WIDTHS")
    if (not isinstance(widths, list | tuple) or not widths
            or not all(isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 4096 for w in widths)):
        raise SettingsError(f"responsive_images: RESPONSIVE_IMAGE_WIDTHS = {widths!r} trong cấu hình: ghi danh "
                            "sách các độ rộng tính bằng điểm ảnh, từ 16 đến 4096, ví dụ [360, 720, 1280]",
                            f"responsive_images: RESPONSIVE_IMAGE_WIDTHS = {widths!r} in the settings; write a "
                            "list of widths in pixels between 16 and 4096, e.g. [360, 720, 1280]")
    quality = setting(s, "RESPONSIVE_IMAGE_QUALITY")
    if not isinstance(quality, int) or isinstance(quality, bool) or not 1 <= quality <= 100:
        raise SettingsError(f"responsive_images: RESPONSIVE_IMAGE_QUALITY = {quality!r} trong cấu hình: ghi một "
                            "số nguyên từ 1 đến 100 (ảnh chụp hợp với 80)",
                            f"responsive_images: RESPONSIVE_IMAGE_QUALITY = {quality!r} in the settings; write a "
                            "whole number from 1 to 100 (80 suits photos)")
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise SettingsError("responsive_images: chưa cài Pillow. Cách sửa: chạy `make` (requirements.txt có "
                            "Pillow), hoặc bỏ responsive_images khỏi PLUGINS",
                            "responsive_images: Pillow is not installed; run `make` (requirements.txt lists it) "
                            "or remove responsive_images from PLUGINS") from None
    require_after_articles(s, "responsive_images")


def cache_folder(settings: dict) -> Path | None:
    value = setting(settings, "RESPONSIVE_IMAGE_CACHE")
    if not value:
        return None
    path = Path(os.path.expanduser(str(value)))
    return path if path.is_absolute() else Path(settings.get("PATH", ".")).resolve().parent / path


# The body pictures of this build (site path -> ImageFile), read once when every view exists
# (write_variants, before any page is written): what responsive_body gives copies to is what was written.
BODY_IMAGES: dict[str, ImageFile] = {}


def add_helper(generator) -> None:
    settings = generator.settings
    widths = setting(settings, "RESPONSIVE_IMAGE_WIDTHS")
    siteurl = settings.get("SITEURL", "")

    def lead_image_srcset(image) -> str:
        file = getattr(image, "file", image)
        return image_variants.srcset(image_variants.variants(file, widths), siteurl)

    def responsive_body(body: str) -> str:
        return image_variants.responsive_body(body, BODY_IMAGES, siteurl, widths)

    responsive_body.portal_state = lambda: BODY_IMAGES  # the pictures' sizes (portal.renders)

    generator.env.globals["lead_image_srcset"] = lead_image_srcset
    generator.env.globals["responsive_body"] = responsive_body


def published_views(generators) -> list:
    """The view of every published article and page of this build."""
    views = []
    for g in generators:
        if isinstance(g, ArticlesGenerator):
            views += [a.view for a in g.articles]
        elif isinstance(g, PagesGenerator):
            views += [p.view for p in g.pages if getattr(p, "view", None) is not None]
    return views


def pictures(views: list, settings: dict) -> list[ImageFile]:
    """Every picture the views show, each once: lead images, then the site's pictures in bodies
    (which also fills BODY_IMAGES for responsive_body)."""
    content, siteurl = Path(settings["PATH"]), settings.get("SITEURL", "")
    found: dict[str, ImageFile] = {v.image.path: v.image.file for v in views if v.image is not None}
    BODY_IMAGES.clear()
    for view in views:
        for path in image_variants.body_image_paths(view.body_html, siteurl):
            if path not in BODY_IMAGES and (content / path).is_file():
                BODY_IMAGES[path] = found.get(path) or read_image(content, path)
    for path, image in BODY_IMAGES.items():
        found.setdefault(path, image)
    return list(found.values())


def write_variants(generators) -> None:
    if not generators:
        return
    settings = generators[0].settings
    widths = setting(settings, "RESPONSIVE_IMAGE_WIDTHS")
    quality = setting(settings, "RESPONSIVE_IMAGE_QUALITY")
    content, out, cache = Path(settings["PATH"]), Path(settings["OUTPUT_PATH"]), cache_folder(settings)
    views = published_views(generators)
    images = pictures(views, settings)
    lang = messages_lang(settings)
    problems: list[Problem] = []
    # the copies the cache holds are written at once; the pictures with copies to encode, on every core
    missing: list[tuple[ImageFile, list[image_variants.Variant]]] = []
    for image in images:
        if image.media_type in SIZED and not image.width:  # gone, empty, cut short, not the picture its name says
            # (the checks say so at the article's line; an article read from the parse cache is not read again)
            code = "image_unsized" if (content / image.path).is_file() else "missing_image"
            problems += [Problem(user, None, None, None, code, {"path": f"content/{image.path}"})
                         for user in _users(image, views)]
            continue
        found = image_variants.variants(image, widths)
        if not found:
            continue
        taken = [v for v in found if os.path.lexists(content / v.path)]
        if taken:  # a file of the site has a copy's name: one of the two would be published
            problems += [Problem(str(Path(content.name) / v.path), None, None, None, "image_copy_name",
                                 {"path": f"content/{v.path}", "original": f"content/{image.path}"}) for v in taken]
            continue
        if image.width * (image.height or 0) > MOST_PIXELS:
            problems.append(_problem(content, image, views, "image_pixels", width=image.width, height=image.height,
                                     limit=MOST_PIXELS // 1_000_000, path=f"content/{image.path}"))
            continue
        try:
            data = (content / image.path).read_bytes()
        except OSError as error:
            problems.append(_problem(content, image, views, "image_damaged", error=error.strerror or error))
            continue
        copies = image_variants.cached(data, [v.width for v in found], quality, cache)
        for variant in found:
            if variant.width in copies:
                write_file(out / variant.path, copies[variant.width])
        if len(copies) < len(found):
            missing.append((image, [v for v in found if v.width not in copies]))
    jobs = [(str(content / image.path), [v.width for v in todo], quality, cache) for image, todo in missing]
    for (image, todo), copies in zip(missing, _encoded(jobs, _workers(settings, len(jobs))), strict=True):
        if isinstance(copies, str):  # the picture could not be read
            problems.append(_problem(content, image, views, "image_damaged", error=copies))
            continue
        for variant in todo:
            write_file(out / variant.path, copies[variant.width])
    if problems:
        raise ContentErrors(problems, lang)
    log.info("responsive_images: %d pictures, %d copies encoded (the rest from %s)", len(images),
             sum(len(todo) for _, todo in missing), cache)


def _users(image: ImageFile, views: list) -> list[str]:
    """The articles that show ``image``: as their lead picture, then in their body."""
    users = [v.source_file for v in views if v.image is not None and v.image.path == image.path]
    return users + [v.source_file for v in views if image.path in BODY_IMAGES and v.source_file not in users
                    and image.path in image_variants.body_image_paths(v.body_html, "")]


def _problem(content: Path, image: ImageFile, views: list, code: str, **params) -> Problem:
    """What is wrong with a picture, and the articles that show it (the first three)."""
    users = _users(image, views)
    shown = ", ".join(u for u in users[:3] if u) + (" …" if len(users) > 3 else "")
    return Problem(display(content / image.path, content), None, None, None, code, {**params, "used_by": shown or "—"})


def _workers(settings: dict, jobs: int) -> int:
    """How many processes encode ``jobs`` pictures: the build's (PORTAL_WORKERS: 0 one per CPU), one in a
    process that runs threads (the live preview's server: forking it is not safe) or for one picture."""
    if jobs < 2 or threading.active_count() > 1:
        return 1
    return max(1, min(jobs, int(settings.get("PORTAL_WORKERS") or os.cpu_count() or 1)))


def _encode(job: tuple[str, list[int], int, Path | None]) -> dict[int, bytes] | str:
    """One picture's missing copies (a worker process's job): read, encoded, put in the cache; or why the
    picture could not be read (a file cut short, not the picture its name says, a decompression bomb)."""
    path, widths, quality, cache = job
    try:
        return image_variants.make(Path(path).read_bytes(), widths, quality, cache)
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 (Pillow raises many kinds for a damaged file: each is the file's)
        # without the address of an object Pillow names ("cannot identify image file <_io.BytesIO … at 0x…>")
        return re.sub(r"\s*<[^<>]*\bat 0x[0-9a-fA-F]+>", "", str(error)).strip() or type(error).__name__


def _encoded(jobs: list, workers: int) -> Iterator[dict[int, bytes] | str]:
    """Each job's copies, in the order of ``jobs``; on ``workers`` forked processes when more than one
    (each picture is a fifth of a second or more of one core: a site's first build, or an archive
    imported with its pictures, has thousands)."""
    if workers < 2:
        yield from map(_encode, jobs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_encode, jobs)


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(add_helper)
    signals.all_generators_finalized.connect(write_variants)
