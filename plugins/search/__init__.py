"""search: a Pagefind index of every article and page, built from the output.

Vietnamese readers often type without diacritics ("dong" for "Đồng", "dien tap"
for "diễn tập"). Pagefind folds most diacritics but not Đ/đ, so the index is
built from text folded to ASCII (unidecode), and the search page folds the
query the same way (theme/static/js/search.js). Results show the original
title and lead, kept as Pagefind metadata, never the folded text.

Records are collected from Pelican's published articles and pages (title, lead,
body text and every text field of the kind: CVEs, units, affected products…);
a post-build step (PORTAL_POST_BUILD = ["search:build_index"]) writes the index
into the fresh output folder before it is swapped in.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from portal import model
from unidecode import unidecode

log = logging.getLogger("search")
_TAG = re.compile(r"<[^>]+>")
_INDEXED_TYPES = (model.TEXT, model.LIST, model.LINES, model.CVES, model.IDENTIFIER)

# Records of this build, collected from Pelican's articles and pages (never by
# re-parsing the written HTML); reset at every build.
RECORDS: list[dict] = []


def fold(text: str) -> str:
    """'Đồng' -> 'Dong', 'diễn tập' -> 'dien tap'."""
    return unidecode(text)


def _words(item) -> str:
    """Title, lead, body text and every text field of the item's kind (CVEs, units, affected…)."""
    parts = [item.title, getattr(item, "lead", ""), html.unescape(_TAG.sub(" ", item.content))]
    byline = getattr(item, "byline", None)
    parts += [byline.text] if byline else []
    parts += [t.name for t in getattr(item, "tags", None) or []]
    for f in model.fields_for(getattr(item, "kind", model.PAGE)):
        value = item.metadata.get(f.key)
        if f.type in _INDEXED_TYPES and f.key not in ("title", "summary", "tags") and value:
            parts += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return " ".join(" ".join(parts).split())


def record(item) -> dict:
    kind = model.KINDS.get(getattr(item, "kind", ""))
    return {"url": "/" + item.url, "content": fold(_words(item)),
            "meta": {"title": item.title, "lead": getattr(item, "lead", ""), "kind": kind.label_vi if kind else ""}}


def collect(generators) -> None:
    RECORDS.clear()
    for g in generators:
        items = g.articles if isinstance(g, ArticlesGenerator) else g.pages if isinstance(g, PagesGenerator) else []
        RECORDS.extend(record(item) for item in items)
    RECORDS.sort(key=lambda r: r["url"])


async def _write(output: Path, items: list[dict]) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(output / "pagefind"), force_language="vi")
    async with PagefindIndex(config) as index:
        for item in items:
            await index.add_custom_record(url=item["url"], content=item["content"], language="vi",
                                          meta=item["meta"])


def build_index(output: Path, settings: dict) -> None:
    """Post-build step: write output/pagefind/ for the search page, from this build's records."""
    asyncio.run(_write(Path(output), RECORDS))
    log.info("search: indexed %d pages", len(RECORDS))


def register() -> None:
    signals.all_generators_finalized.connect(collect)
