"""Search records and the Pagefind index.

Vietnamese readers often type without diacritics ("dong" for "Đồng", "dien tap"
for "diễn tập"). Pagefind folds most diacritics but not Đ/đ, so the index is
built from text folded to ASCII (unidecode), and the search page folds the
query the same way (theme/static/js/search.js). Results show the original
title and lead, kept as Pagefind metadata, never the folded text.

A reader who types the diacritics should see the pages with that very word
first: "Đồng" (a council) before "động" (in "tự động"), although both fold to
"dong". So every word written with a diacritic is indexed a second time as
written (NFC), and the search page, with Pagefind's `exactDiacritics` on, runs
the query as typed and folded and lists what matched as typed first. (Pagefind
1.5 folds the tones itself when it compares words, and its bonus for an exact
tone is weaker than term frequency: without `exactDiacritics`, a page saying
"động" four times outranks one saying "Đồng" once.)

A record is made from an article's typed view: title, lead, byline, tags, kind,
body text and every text field of its kind (CVEs, units, affected products…).
Pagefind makes every metadata field searchable, so what a result shows but a
search must not match (a warning's severity and status: "Đang hiệu lực" would
otherwise find every active warning) is written beside the index (trang-thai.json), which
are returned with each result but never matched against words.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from unidecode import unidecode

from . import model
from .view import ArticleView

_TAG = re.compile(r"<[^>]+>")
_INDEXED_TYPES = (model.TEXT, model.LIST, model.LINES, model.URLS, model.CVES, model.IDENTIFIER)


class IndexFailed(RuntimeError):
    """Pagefind did not write the index (its own output is in the message)."""


# unidecode's own answer for every character of the blocks Vietnamese text is written in (Latin-1,
# Latin Extended-A and B, combining marks, Latin Extended Additional: ạ…ỹ, general punctuation: “ ” – …),
# as one str.translate table. unidecode replaces character by character, so translating with this
# table gives exactly its result, in one pass in C instead of a Python call per character (7 times
# faster on the benchmark corpus); what the table leaves non-ASCII (another script) still goes
# through unidecode. A list indexed by code point is a faster table than a dict; past its end a
# character is left as it is.
_FOLD_BLOCKS = ((0x80, 0x250), (0x300, 0x370), (0x1E00, 0x1F00), (0x2000, 0x2070))


def _fold_table() -> list[str]:
    table = [chr(c) for c in range(_FOLD_BLOCKS[-1][1])]
    for low, high in _FOLD_BLOCKS:
        table[low:high] = [unidecode(chr(c)) for c in range(low, high)]
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """'Đồng' -> 'Dong', 'diễn tập' -> 'dien tap' (the same as unidecode(text))."""
    folded = text.translate(_FOLD)
    return folded if folded.isascii() else unidecode(folded)


def words(view: ArticleView, lang: str = "vi") -> str:
    """Lead, byline, tags, kind, body text and every text field of the kind (the title apart)."""
    parts = [view.lead, html.unescape(_TAG.sub(" ", view.body_html))]
    parts += [view.byline.text] if view.byline else []
    parts += [t.name for t in view.tags]
    parts += [model.KINDS[view.kind].label(lang)] if view.kind in model.KINDS else []
    for f in model.fields_for(view.kind):
        value = view.values.get(f.key)
        if f.type in _INDEXED_TYPES and f.key not in ("title", "summary", "tags") and value:
            parts += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return " ".join(" ".join(parts).split())


def indexed(text: str) -> str:
    """The words Pagefind indexes for `text`: all of it folded to ASCII, then each word written with a
    diacritic as written (NFC: a keyboard may type "ồ" as "o" and two combining marks), once. The folded
    copy is what a query typed without diacritics finds; the second is what ranks an exact match first."""
    text = unicodedata.normalize("NFC", text)
    # each such word once: what ranks an exact match first is that the page has it, not how often
    # (the folded copy keeps the counts); a tenth less memory for Pagefind at 10,000 articles
    exact = " ".join(dict.fromkeys(w for w in text.split() if not w.isascii()))
    return f"{fold(text)} {exact}" if exact else fold(text)


# Pagefind boosts a page whose "title" metadata holds a query word (5 times by default). The title a result
# shows is the original, which a folded query does not match with exactDiacritics on; so the boost goes to
# this field, the title's indexed words, and the search page weighs the fields a result shows at 0.
TITLE_WORDS = "title_words"
STATUS_FILE = "trang-thai.json"  # beside pagefind.js: url -> a warning's severity and status, in words


def record(view: ArticleView, lang: str = "vi") -> dict:
    """One page of the index: the words (title apart, so it keeps a heading's weight), what a result
    shows (meta: title, lead, kind, a warning's identifier) and a warning's severity and status (filters:
    the key that styles the badge and the words it shows, in the interface language)."""
    title = indexed(view.title)
    meta = {"title": view.title, "lead": view.lead, TITLE_WORDS: title}
    filters = {}
    if view.kind in model.KINDS:
        meta["kind"] = model.KINDS[view.kind].label(lang)
    if view.is_warning and view.status:
        meta["identifier"] = view.identifier or ""
        if view.severity:
            filters.update(severity=view.severity.slug, severity_label=view.severity.label(lang))
        filters.update(status=view.status.key, status_label=view.status.label(lang))
    return {"url": "/" + view.url, "title": title, "content": indexed(words(view, lang)),
            "meta": {k: v for k, v in meta.items() if v}, "filters": filters}


SHADOW_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title></title></head><body>
<main data-pagefind-body><h1>{title}</h1><div>{content}</div></main>
{fields}
</body></html>
"""


def shadow_page(r: dict) -> str:
    """The page Pagefind reads for record `r`: the words in its body, what a result shows outside it."""
    fields = [f'<p data-pagefind-meta="{k}">{html.escape(v)}</p>' for k, v in r["meta"].items()]
    return SHADOW_PAGE.format(title=html.escape(r["title"]), content=html.escape(r["content"]),
                              fields="\n".join(fields))


# Pagefind's binary allocates with jemalloc, which keeps the pages it freed for 10 s before giving them back
# to the system, longer than a whole run: everything Pagefind ever freed while indexing (a copy of every page,
# each page's own word map) stayed in its resident set, 1.4 GB at 10,000 articles. Given back at once, the
# peak is a quarter lower and the index the same, byte for byte. (An allocator without this setting ignores it.)
PAGEFIND_MALLOC_CONF = "dirty_decay_ms:0,muzzy_decay_ms:0"


def pagefind_env() -> dict:
    """The environment of the Pagefind run: the operator's own _RJEM_MALLOC_CONF wins."""
    return {"_RJEM_MALLOC_CONF": PAGEFIND_MALLOC_CONF, **os.environ}


def write_index(records: Iterable[dict], target: Path) -> int:
    """Write the Pagefind index of `records` into `target` (replaced); return how many pages it holds.

    Each record becomes a small "shadow" page (`shadow_page`) in a temporary folder, indexed by one run of
    the Pagefind binary. (Pagefind's Python API answers one request per 0.1 s: 17 minutes
    for 10,000 articles.) `records` is read once, one record at a time: a generator of them keeps only a
    warning's filters in memory while Pagefind runs, not every page's words."""
    with tempfile.TemporaryDirectory(prefix="search-") as tmp:
        count = write_records(records, Path(tmp))
        index_records(Path(tmp), target)
    return count


RECORDS_STATUS = ".trang-thai.json"  # in the records folder: the warnings' filters, until the index is made


def write_records(records: Iterable[dict], folder: Path) -> int:
    """The shadow pages of `records` in `folder`, and the warnings' filters beside them; how many."""
    statuses: dict[str, dict] = {}
    count = 0
    for r in records:
        page = folder / r["url"].lstrip("/")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(shadow_page(r), encoding="utf-8")
        if r["filters"]:
            statuses[r["url"]] = r["filters"]
        count += 1
    (folder / RECORDS_STATUS).write_text(json.dumps(statuses, ensure_ascii=False, sort_keys=True) + "\n",
                                         encoding="utf-8")
    return count


def index_records(folder: Path, target: Path) -> None:
    """Run Pagefind over the shadow pages of `folder` into `target` (replaced). The build runs this
    after the process that made the records has ended, so its memory is free for Pagefind's."""
    status = folder / RECORDS_STATUS
    statuses = status.read_text(encoding="utf-8")
    status.unlink()
    shutil.rmtree(target, ignore_errors=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(folder), "--output-path", str(target),
         "--force-language", "vi", "--quiet"], capture_output=True, text=True, env=pagefind_env())
    if proc.returncode != 0:
        raise IndexFailed(f"search: Pagefind failed:\n{proc.stdout}{proc.stderr}")
    # a warning's severity and status, beside the index (Pagefind's own filters are written in a different
    # order on every run, and its metadata is searchable): the search page reads this file once
    (target / STATUS_FILE).write_text(statuses, encoding="utf-8")
