"""search: a Pagefind index of every article and page, built from the output.

Vietnamese readers often type without diacritics ("dong" for "Đồng", "dien tap"
for "diễn tập"). Pagefind folds most diacritics but not Đ/đ, so the index is
built from text folded to ASCII (unidecode), and the search page folds the
query the same way (theme/static/js/search.js). Results show the original
title and lead, kept as Pagefind metadata, never the folded text.

The index is written by a post-build step (PORTAL_POST_BUILD =
["search:build_index"]) into the fresh output folder before it is swapped in.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bs4 import BeautifulSoup
from unidecode import unidecode

log = logging.getLogger("search")
INDEXED_SELECTOR = "article.article, article.static-page"


def fold(text: str) -> str:
    """'Đồng' -> 'Dong', 'diễn tập' -> 'dien tap'."""
    return unidecode(text)


def records(output: Path) -> list[dict]:
    """One record per article or static page found in the built site, sorted by URL."""
    found = []
    for path in sorted(output.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if '<article class="article' not in html and '<article class="static-page' not in html:
            continue  # listings, tags, archives: parsed for nothing otherwise
        soup = BeautifulSoup(html, "html.parser")
        article = soup.select_one(INDEXED_SELECTOR)
        if article is None or article.h1 is None:
            continue
        title = " ".join(article.h1.get_text(" ").split())
        lead_node = article.select_one(".lead")
        lead = " ".join(lead_node.get_text(" ").split()) if lead_node else ""
        kind = article.select_one(".kicker")
        words = " ".join(article.get_text(" ").split())
        found.append({
            "url": "/" + str(path.relative_to(output)).replace("\\", "/"),
            "content": fold(words),
            "meta": {"title": title, "lead": lead, "kind": kind.get_text(" ", strip=True) if kind else ""},
        })
    return found


async def _write(output: Path, items: list[dict]) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(output_path=str(output / "pagefind"), force_language="vi")
    async with PagefindIndex(config) as index:
        for item in items:
            await index.add_custom_record(url=item["url"], content=item["content"], language="vi",
                                          meta=item["meta"])


def build_index(output: Path, settings: dict) -> None:
    """Post-build step: write output/pagefind/ for the search page."""
    items = records(Path(output))
    asyncio.run(_write(Path(output), items))
    log.info("search: indexed %d pages", len(items))


def register() -> None:
    """Nothing to hook in Pelican: the index is made from the finished output."""
