"""Search records and the Pagefind index.

Vietnamese readers often type without diacritics ("dong" for "Đồng", "dien tap"
for "diễn tập"). Pagefind folds most diacritics but not Đ/đ, so the index is
built from text folded to ASCII (unidecode), and the search page folds the
query the same way (theme/static/js/search.js). Results show the original
title and lead, kept as Pagefind metadata, never the folded text.

A record is made from an article's typed view: title, lead, byline, tags,
body text and every text field of its kind (CVEs, units, affected products…).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from unidecode import unidecode

from . import model
from .view import ArticleView

_TAG = re.compile(r"<[^>]+>")
_INDEXED_TYPES = (model.TEXT, model.LIST, model.LINES, model.URLS, model.CVES, model.IDENTIFIER)


class IndexFailed(RuntimeError):
    """Pagefind did not write the index (its own output is in the message)."""


def fold(text: str) -> str:
    """'Đồng' -> 'Dong', 'diễn tập' -> 'dien tap'."""
    return unidecode(text)


def words(view: ArticleView) -> str:
    """Title, lead, byline, tags, body text and every text field of the kind."""
    parts = [view.title, view.lead, html.unescape(_TAG.sub(" ", view.body_html))]
    parts += [view.byline.text] if view.byline else []
    parts += [t.name for t in view.tags]
    for f in model.fields_for(view.kind):
        value = view.values.get(f.key)
        if f.type in _INDEXED_TYPES and f.key not in ("title", "summary", "tags") and value:
            parts += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return " ".join(" ".join(parts).split())


def record(view: ArticleView) -> dict:
    return {"url": "/" + view.url, "content": fold(words(view)),
            "meta": {"title": view.title, "lead": view.lead, "kind": view.kind_label}}


SHADOW_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title></title></head><body><main data-pagefind-body>
<h1 data-pagefind-meta="title">{title}</h1><p data-pagefind-meta="lead">{lead}</p>
<p data-pagefind-meta="kind">{kind}</p><div>{content}</div></main></body></html>
"""


def write_index(records: list[dict], target: Path) -> None:
    """Write the Pagefind index of `records` into `target` (replaced).

    Each record becomes a small "shadow" page holding the folded text (and the original
    title, lead and kind as Pagefind metadata) in a temporary folder, indexed by one run of
    the Pagefind binary. (Pagefind's Python API answers one request per 0.1 s: 17 minutes
    for 10,000 articles.)"""
    with tempfile.TemporaryDirectory(prefix="search-") as tmp:
        for r in records:
            page = Path(tmp) / r["url"].lstrip("/")
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(SHADOW_PAGE.format(
                content=html.escape(r["content"]),
                **{k: html.escape(v) for k, v in r["meta"].items()}), encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        proc = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", tmp, "--output-path", str(target),
             "--force-language", "vi", "--quiet"], capture_output=True, text=True)
        if proc.returncode != 0:
            raise IndexFailed(f"search: Pagefind failed:\n{proc.stdout}{proc.stderr}")
