"""responsive_images: WebP copies of every published lead image at a few widths (portal.image_variants).

A 360 px phone on a slow mountain connection then downloads a 360 px picture, not the original.
Templates get ``lead_image_srcset(view.image)``: the srcset of the copies ("" when there are none:
an SVG, a GIF, a size that could not be read), and article.html gives it to a <picture> with the
column's ``sizes``. The copies are written beside the original for each published article; an
embargoed article's picture gets none (its view does not exist yet).

Settings (with defaults): RESPONSIVE_IMAGE_WIDTHS [360, 720, 1280]; RESPONSIVE_IMAGE_QUALITY 80
(WebP quality, 1–100); RESPONSIVE_IMAGE_CACHE "var/image-cache" (relative to the folder holding the
content folder; the copies already encoded, by content hash, so rebuilds are fast and byte-identical;
None: no cache, every build encodes).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator

from portal import image_variants
from portal.outputs import write_file
from portal.settings import SettingsError, require_after_articles

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
        raise SettingsError(f"responsive_images: RESPONSIVE_IMAGE_WIDTHS = {widths!r} in the settings; write a "
                            "list of widths in pixels between 16 and 4096, e.g. [360, 720, 1280]")
    quality = setting(s, "RESPONSIVE_IMAGE_QUALITY")
    if not isinstance(quality, int) or isinstance(quality, bool) or not 1 <= quality <= 100:
        raise SettingsError(f"responsive_images: RESPONSIVE_IMAGE_QUALITY = {quality!r} in the settings; write a "
                            "whole number from 1 to 100 (80 suits photos)")
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise SettingsError("responsive_images: Pillow is not installed; run `make` (requirements.txt lists it) "
                            "or remove responsive_images from PLUGINS") from None
    require_after_articles(s, "responsive_images")


def cache_folder(settings: dict) -> Path | None:
    value = setting(settings, "RESPONSIVE_IMAGE_CACHE")
    if not value:
        return None
    path = Path(os.path.expanduser(str(value)))
    return path if path.is_absolute() else Path(settings.get("PATH", ".")).resolve().parent / path


def add_helper(generator) -> None:
    settings = generator.settings
    widths = setting(settings, "RESPONSIVE_IMAGE_WIDTHS")

    def lead_image_srcset(image) -> str:
        file = getattr(image, "file", image)
        return image_variants.srcset(image_variants.variants(file, widths), settings.get("SITEURL", ""))

    generator.env.globals["lead_image_srcset"] = lead_image_srcset


def write_variants(generators) -> None:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_gen is None:
        return
    settings = articles_gen.settings
    widths = setting(settings, "RESPONSIVE_IMAGE_WIDTHS")
    quality = setting(settings, "RESPONSIVE_IMAGE_QUALITY")
    content, out, cache = Path(settings["PATH"]), Path(settings["OUTPUT_PATH"]), cache_folder(settings)
    done: set[str] = set()
    encoded = 0
    for article in articles_gen.articles:
        image = article.view.image
        if image is None or image.path in done:
            continue
        done.add(image.path)
        found = image_variants.variants(image.file, widths)
        if not found:
            continue
        data = (content / image.path).read_bytes()
        for variant in found:
            copy, fresh = image_variants.make(data, variant.width, quality, cache)
            write_file(out / variant.path, copy)
            encoded += fresh
    log.info("responsive_images: %d lead images, %d copies encoded (the rest from %s)", len(done), encoded, cache)


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(add_helper)
    signals.all_generators_finalized.connect(write_variants)
