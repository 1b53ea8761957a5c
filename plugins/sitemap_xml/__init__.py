"""sitemap_xml: sitemap.xml of every published page, and a robots.txt that names it (portal.sitemap).

Why not the pelican-sitemap plugin from PyPI: on Pelican 4.12 it writes every listing's <lastmod>
from the wall clock (so no two builds give the same file, and a subscriber's 304 never comes), and
its addresses from SITEURL alone, which is relative ("") in development. This one takes addresses
from portal.urls.site_base (absolute everywhere) and dates from the typed view, at the build clock.

Which pages: every HTML page Pelican writes (content_written), so listings and their later pages
are in; drafts and embargoed articles are written nowhere (DRAFT_SAVE_AS = ""), so they are not,
and an article or page without a typed view is left out all the same. Never listed: the 404 page,
the search page (results are not pages to index) and what SITEMAP_EXCLUDE names.

Settings (with defaults): SITEMAP_SAVE_AS "sitemap.xml" ("" or None: no sitemap, no robots.txt);
SITEMAP_EXCLUDE [] (more output paths to leave out, e.g. "quyen-rieng-tu-danh-gia.html");
ROBOTS_SAVE_AS "robots.txt" ("" or None: none, e.g. when nginx serves its own).
"""

from __future__ import annotations

import logging
import os
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals

from portal import model, sitemap
from portal.outputs import write_file
from portal.settings import SettingsError
from portal.urls import absolute, site_base

log = logging.getLogger("sitemap_xml")
DEFAULTS = {"SITEMAP_SAVE_AS": "sitemap.xml", "SITEMAP_EXCLUDE": [], "ROBOTS_SAVE_AS": "robots.txt"}
NOT_FOR_READING = ["/api/"]  # the ratings service: answers for the widget, nothing to index


@dataclass
class _State:
    entries: list[sitemap.Entry] = field(default_factory=list)
    # for the build's settings (``start``): the output folder as ``_relative`` compares it, and the pages
    # never listed (read once, not from each page's context: 14,000 pages at 10,000 articles)
    settings: dict | None = None
    base: str = ""
    skipped: frozenset[str] = frozenset()


STATE = _State()


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])


def check_settings(pelican) -> None:
    s = pelican.settings
    for name in ("SITEMAP_SAVE_AS", "ROBOTS_SAVE_AS"):
        value = setting(s, name)
        if value not in (None, "") and (not isinstance(value, str) or value.startswith("/") or ".." in value):
            raise SettingsError(f"sitemap_xml: {name} = {value!r} trong cấu hình: ghi một đường dẫn trong thư mục "
                                f'xuất, ví dụ "{DEFAULTS[name]}", hoặc "" nếu không cần',
                                f"sitemap_xml: {name} = {value!r} in the settings; write a path inside the "
                                f'output folder such as "{DEFAULTS[name]}", or "" for none')
    exclude = setting(s, "SITEMAP_EXCLUDE")
    if not isinstance(exclude, list | tuple) or not all(isinstance(x, str) for x in exclude):
        raise SettingsError(f"sitemap_xml: SITEMAP_EXCLUDE = {exclude!r} trong cấu hình: ghi danh sách đường dẫn "
                            'trong thư mục xuất, ví dụ ["quyen-rieng-tu-danh-gia.html"]',
                            f"sitemap_xml: SITEMAP_EXCLUDE = {exclude!r} in the settings; write a list of "
                            'output paths, e.g. ["quyen-rieng-tu-danh-gia.html"]')
    try:
        site_base(s)
    except SettingsError as problem:
        raise problem.prefixed("sitemap_xml: ") from None


def start(pelican) -> None:
    STATE.entries = []
    STATE.settings = None


def _skipped(settings: dict) -> frozenset[str]:
    return frozenset({"404.html", settings.get("SEARCH_SAVE_AS") or "", *setting(settings, "SITEMAP_EXCLUDE")})


def _lastmod(context: dict):
    """An article's or a page's last change; None for a listing. False: not a published page."""
    for name in ("article", "page"):
        item = context.get(name)
        if item is not None and hasattr(item, "metadata"):  # an Article or a Page, not a paginator's page
            view = getattr(item, "view", None)
            if view is None or getattr(item, "status", "published") != "published":
                return False
            return view.modified if view.kind == model.PAGE else view.updated
    return None


def _relative(path: str, output: str, base: str | None = None) -> str:
    """The page's path under the output folder ("tin-tuc/x.html"); resolving only when the plain
    strings do not tell (it costs a system call per part, for every page of the site). ``base``: the
    folder's ``os.path.normpath(output) + os.sep``, when the caller has it."""
    base = base or os.path.normpath(output) + os.sep
    plain = os.path.normpath(path)
    if plain.startswith(base) and os.path.isabs(plain):
        rest = plain[len(base):]
        return rest if os.sep == "/" else Path(rest).as_posix()
    return Path(path).resolve().relative_to(Path(output).resolve()).as_posix()


def queue_page(path: str, context: dict) -> None:
    if not path.endswith(".html"):
        return
    settings = context  # Pelican's template context starts as a copy of the settings
    if isinstance(context, ChainMap) and isinstance(context.maps[-1], dict):
        settings = context.maps[-1]  # (the portal's writers: the page's own values over the shared context)
    if "OUTPUT_PATH" not in settings:
        return
    if STATE.settings is not settings:  # the settings of this build's pages: read once
        STATE.settings, STATE.skipped = settings, _skipped(settings)
        STATE.base = os.path.normpath(settings["OUTPUT_PATH"]) + os.sep
    rel = _relative(path, settings["OUTPUT_PATH"], STATE.base)
    if rel in STATE.skipped:
        return
    lastmod = _lastmod(context)
    if lastmod is not False:
        STATE.entries.append(sitemap.Entry(rel, lastmod))


def write(pelican) -> None:
    settings = pelican.settings
    save_as = setting(settings, "SITEMAP_SAVE_AS")
    if save_as:
        out, base = Path(settings["OUTPUT_PATH"]), site_base(settings)
        write_file(out / save_as, sitemap.render(base, STATE.entries))
        robots = setting(settings, "ROBOTS_SAVE_AS")
        if robots:
            write_file(out / robots, sitemap.robots_txt(absolute(base, save_as), NOT_FOR_READING))
        log.info("sitemap_xml: %d pages in %s", len(STATE.entries), save_as)
    STATE.entries = []


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.get_generators.connect(start)
    signals.content_written.connect(queue_page)
    signals.finalized.connect(write)
