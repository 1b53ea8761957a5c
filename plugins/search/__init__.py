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

import html
import logging
import re
import shutil
import subprocess
import sys
import tempfile
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


SHADOW_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title></title></head><body><main data-pagefind-body>
<h1 data-pagefind-meta="title">{title}</h1><p data-pagefind-meta="lead">{lead}</p>
<p data-pagefind-meta="kind">{kind}</p><div>{content}</div></main></body></html>
"""


def build_index(output: Path, settings: dict) -> None:
    """Post-build step: write output/pagefind/ for the search page, from this build's records.

    Each record becomes a small "shadow" page holding the folded text (and the original
    title, lead and kind as Pagefind metadata) in a temporary folder, indexed by one run of
    the Pagefind binary. (Pagefind's Python API answers one request per 0.1 s: 17 minutes
    for 10,000 articles.)"""
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="search-") as tmp:
        for r in RECORDS:
            page = Path(tmp) / r["url"].lstrip("/")
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(SHADOW_PAGE.format(
                content=html.escape(r["content"]),
                **{k: html.escape(v) for k, v in r["meta"].items()}), encoding="utf-8")
        target = output / "pagefind"
        shutil.rmtree(target, ignore_errors=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", tmp, "--output-path", str(target),
             "--force-language", "vi", "--quiet"], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"search: Pagefind failed:\n{proc.stdout}{proc.stderr}")
    log.info("search: indexed %d pages", len(RECORDS))


def register() -> None:
    signals.all_generators_finalized.connect(collect)
