"""search: a Pagefind index of every published article and page (portal.search).

Records are made from each item's typed view (``item.view``, made by the
``articles`` plugin) only when an index is built, and the index is written
into the output folder when Pelican has finished, so a failed build never
publishes it.

Settings: SEARCH_INDEX (default True; the live preview turns it off); SEARCH_PART_MIB (default 600:
the memory one Pagefind run may take; a larger index is made in parts, ``portal.search.index_records``);
SEARCH_MEMORY_MIB (default 900: what the parts indexed at once may take together; None: no bound);
PORTAL_LANG (checked by ``articles``) is the language of the words a result shows;
PORTAL_SEARCH_RECORDS (set by the build tool, not by hand): a folder where the records are left for
the build to index at once when there is memory for Pagefind beside the pages still being written
(``_room_for_pagefind``), else once Pelican's process has written every page (it then only ends; its
page-writing processes have ended and their memory is free).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from portal.outputs import inputs_digest, output_step, records_whole
from portal.search import (
    MEMORY_MIB,
    PAGEFIND_MOST_BYTES_PER_BYTE,
    PAGEFIND_OWN_MIB,
    PART_MIB,
    kept_record,
    page_of,
    pagefind_mib,
    parts,
    record,
    record_keys,
    shadow_pages,
    write_index,
    write_records,
)
from portal.settings import SettingsError, require_after_articles

log = logging.getLogger("search")
DEFAULTS = {"SEARCH_INDEX": True}


def check_settings(pelican) -> None:
    value = pelican.settings.get("SEARCH_INDEX", DEFAULTS["SEARCH_INDEX"])
    if not isinstance(value, bool):
        raise SettingsError(f"search: SEARCH_INDEX = {value!r} trong cấu hình: ghi True hoặc False",
                            f"search: SEARCH_INDEX = {value!r} in the settings; write True or False")
    _check_mib(pelican.settings, "SEARCH_PART_MIB", PART_MIB,
               "một lượt chạy Pagefind được dùng", "để lập một chỉ mục dù lớn đến đâu",
               "one Pagefind run may take", "for one index whatever its size")
    _check_mib(pelican.settings, "SEARCH_MEMORY_MIB", MEMORY_MIB,
               "các lượt chạy Pagefind của một chỉ mục chia phần được dùng cùng lúc",
               "để chạy cùng lúc bằng số tiến trình của bản dựng",
               "the Pagefind runs of an index in parts may take together",
               "for as many at once as the build has workers")
    require_after_articles(pelican.settings, "search")


def _check_mib(settings: dict, key: str, default: float, what: str, none: str, what_en: str, none_en: str) -> None:
    """``key``: memory in MiB, more than a Pagefind run takes of its own, or None (``none`` says what for)."""
    value = settings.get(key, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                              or not PAGEFIND_OWN_MIB < value < float("inf")):
        raise SettingsError(f"search: {key} = {value!r} trong cấu hình: ghi bộ nhớ (MiB) {what}, lớn hơn "
                            f"{PAGEFIND_OWN_MIB} MiB (mặc định {default}), hoặc None (--set: null) {none}",
                            f"search: {key} = {value!r} in the settings; write the memory in MiB {what_en}, more "
                            f"than the {PAGEFIND_OWN_MIB} MiB a Pagefind run takes of its own (default {default}), "
                            f"or None (--set: null) {none_en}")


@output_step
def build_index(generators) -> None:
    settings = generators[0].settings
    if not settings.get("SEARCH_INDEX", DEFAULTS["SEARCH_INDEX"]):
        return  # no record is made, no Pagefind run: the preview and --set SEARCH_INDEX=false pay nothing
    lang = settings.get("PORTAL_LANG", "vi")  # the words a result shows (kind, severity, status)
    views = []
    for g in generators:
        items = g.articles if isinstance(g, ArticlesGenerator) else g.pages if isinstance(g, PagesGenerator) else []
        views.extend(item.view for item in items)
    views.sort(key=lambda v: v.url)  # the shadow pages in the order of their URLs, as always
    later = settings.get("PORTAL_SEARCH_RECORDS")
    # one record at a time, each written as its page and let go: the build holds none while Pagefind runs
    if later:  # the build runs Pagefind itself once this process has ended (portal.tools.build)
        count = write_records(_records(views, Path(later), lang), Path(later))
        if _room_for_pagefind(settings, Path(later)):
            log.info("search: Pagefind indexes the records beside the pages still being written")
            records_whole()
    else:
        count = write_index((record(view, lang) for view in views), Path(settings["OUTPUT_PATH"]) / "pagefind",
                            part_mib=settings.get("SEARCH_PART_MIB", PART_MIB))
    log.info("search: indexed %d pages", count)


def _records(views: list, folder: Path, lang: str) -> Iterator[dict]:
    """Each view's record; a view whose shadow page the folder holds, written from the same view (its
    key: ``outputs.inputs_digest``, with the build's fingerprint), as a kept record, its words not made
    again (at 10,000 articles, 1.3 s of a rebuild). The keys are read here, before ``write_records``
    removes them."""
    kept = record_keys(folder)

    def each() -> Iterator[dict]:
        for view in views:
            key = inputs_digest((view, lang))
            url = "/" + view.url
            if key is not None and kept.get(url) == key.hex() and _regular(folder / page_of(url)):
                yield kept_record(view, key, lang)
            else:
                made = record(view, lang)
                if key is not None:
                    made["key"] = key
                yield made

    return each()


def _room_for_pagefind(settings: dict, folder: Path) -> bool:
    """Whether Pagefind may index the records now, while this process and its page writers still run: one
    run (not parts), whose peak, estimated on the large side (varied text: ``PAGEFIND_MOST_BYTES_PER_BYTE``),
    and the build's, counted as this process's peak for it and for each page writer (they share most of
    it), stay within SEARCH_MEMORY_MIB (None: no bound). A small site's index is then ready as its pages
    are (1,000 articles: 0.2 s of a 4 s build); a large one's waits for the writers to end, as before."""
    import resource

    memory_mib = settings.get("SEARCH_MEMORY_MIB", MEMORY_MIB)
    writers = int(settings.get("PORTAL_WORKERS") or os.cpu_count() or 1)
    build_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 * (1 + writers)  # (KiB on Linux)
    if memory_mib is not None and build_mib >= memory_mib:
        return False  # (the shadow pages are not even listed)
    pages = shadow_pages(folder)
    if parts(pages, settings.get("SEARCH_PART_MIB", PART_MIB)) > 1:
        return False
    size = sum(st.st_size for st in pages.values())
    return memory_mib is None or build_mib + pagefind_mib(size, PAGEFIND_MOST_BYTES_PER_BYTE) <= memory_mib


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.all_generators_finalized.connect(build_index)
