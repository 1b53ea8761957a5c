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

import contextlib
import errno
import functools
import hashlib
import html
import importlib
import importlib.metadata
import json
import math
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

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


_FOLD: list[str] = []  # made when a text is first folded: a build without search, or whose records are all
# kept, does not pay for it (8,000 calls of unidecode, which imports a module for each block)


def fold(text: str) -> str:
    """'Đồng' -> 'Dong', 'diễn tập' -> 'dien tap' (the same as unidecode(text))."""
    if not _FOLD:
        _FOLD[:] = _fold_table()
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
    if view.kind in model.KINDS:
        meta["kind"] = model.KINDS[view.kind].label(lang)
    if view.is_warning and view.status:
        meta["identifier"] = view.identifier or ""
    return {"url": "/" + view.url, "title": title, "content": indexed(words(view, lang)),
            "meta": {k: v for k, v in meta.items() if v}, "filters": filters(view, lang)}


def filters(view: ArticleView, lang: str = "vi") -> dict:
    """A warning's severity and status: the key that styles the badge and the words it shows."""
    found = {}
    if view.is_warning and view.status:
        if view.severity:
            found.update(severity=view.severity.slug, severity_label=view.severity.label(lang))
        found.update(status=view.status.key, status_label=view.status.label(lang))
    return found


def kept_record(view: ArticleView, key: bytes, lang: str = "vi") -> dict:
    """A record whose shadow page the folder holds already, written from the same view (``key``):
    its words are not made again (``write_records``)."""
    return {"url": "/" + view.url, "filters": filters(view, lang), "key": key, "kept": True}


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


# Pagefind's peak memory grows with the words it is given: measured with Pagefind 1.5 (its allocator told to
# give freed memory back at once: PAGEFIND_MALLOC_CONF), 993 MiB for 10,000 shadow pages of 25.3 MB in all,
# 254 MiB for 2,500 of them, 137 MiB for 1,000 pages of 4.7 MB, 54 MiB for 10,000 pages of a few words.
# About 40 bytes a byte of the pages, and some of its own: an estimate on the safe side of each.
PAGEFIND_BYTES_PER_BYTE = 40
PAGEFIND_OWN_MIB = 30
# On varied text (every article its own words) Pagefind takes more: 56 bytes a byte measured (2,000 and 4,500
# articles of the benchmark's --varied-text). Where a wrong guess would take the whole build over its memory
# (Pagefind run beside the page writers: plugins/search), the estimate is this much larger.
PAGEFIND_MOST_BYTES_PER_BYTE = 64
# SEARCH_PART_MIB's default: with the build's own process, a peak within the 1 GB a small server has. As few
# parts as fit: a query fetches its words' pieces of the index from every part (through nginx over HTTP/2,
# on a throttled 3G link, a narrow query came 0.8 s later with two parts than with one, 0.3 s later again
# with four; on slow 3G, 1.6 s and 0.4 s)
PART_MIB = 600
# SEARCH_MEMORY_MIB's default: what the runs of the parts may take together. Pagefind keeps one core and a
# half busy while it indexes, so two parts indexed at once take 40 % less time than one after the other;
# their peaks add up, so a run starts only while the estimates of the runs going on and its own stay
# within this, and never more runs than the build's workers (PORTAL_WORKERS). With the defaults, parts
# of more than 450 MiB (two at 10,000 articles of the benchmark: 511 MiB each) run one after the other;
# a server with the memory for it indexes them at once with SEARCH_MEMORY_MIB = 1100.
MEMORY_MIB = 900
PARTS_FILE = "phan.json"  # beside pagefind.js: {"phan": [the folders of the other parts, relative to it]}
PART_PREFIX = "phan-"  # target/phan-1/, target/phan-2/…
PARTS_DIR = "phan"  # in the workspace: phan/<n>/records (links to the shadow pages), phan/<n>/index


def pagefind_env() -> dict:
    """The environment of the Pagefind run: the operator's own _RJEM_MALLOC_CONF wins."""
    return {"_RJEM_MALLOC_CONF": PAGEFIND_MALLOC_CONF, **os.environ}


def write_index(records: Iterable[dict], target: Path, part_mib: float | None = PART_MIB) -> int:
    """Write the Pagefind index of `records` into `target` (replaced); return how many pages it holds.

    Each record becomes a small "shadow" page (`shadow_page`) in a temporary folder, indexed by one run of
    the Pagefind binary. (Pagefind's Python API answers one request per 0.1 s: 17 minutes
    for 10,000 articles.) `records` is read once, one record at a time: a generator of them keeps only a
    warning's filters in memory while Pagefind runs, not every page's words."""
    with tempfile.TemporaryDirectory(prefix="search-") as tmp:
        (Path(tmp) / "records").mkdir()
        count = write_records(records, Path(tmp) / "records")
        index_records(Path(tmp) / "records", target, part_mib=part_mib)
    return count


RECORDS_STATUS = ".trang-thai.json"  # in the records folder: the warnings' filters, until the index is made


RECORD_KEYS = ".khoa.json"  # in a kept records folder: each shadow page's key (the digest of its view)


def record_keys(folder: Path) -> dict[str, str]:
    """The key each shadow page of ``folder`` was written from (``write_records``); {} when unreadable."""
    try:
        keys = json.loads((folder / RECORD_KEYS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return keys if isinstance(keys, dict) else {}


CHANGED = ".da-doi.json"  # in a records folder: the shadow pages written or removed by the last write_records


def page_of(url: str) -> str:
    """The shadow page of a record's address, relative to the records folder: ``/a/b.html`` is
    ``a/b.html``, ``/a/b/`` is ``a/b/index.html`` (which Pagefind gives as ``/a/b/`` again)."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        path += "index.html"
    path = os.path.normpath(path)
    if path.startswith(("..", "/")):
        raise ValueError(f"search: the address {url!r} leaves the site")
    return path


def _folder(path: str, made: set[str], root: str) -> None:
    """``path``'s folder made (a link in its place removed: the pages stay inside ``root``)."""
    parent = os.path.dirname(path)
    if parent in made:
        return
    below = parent
    while below != root and below not in made:
        if os.path.islink(below):
            os.unlink(below)
        below = os.path.dirname(below)
    os.makedirs(parent, exist_ok=True)
    made.add(parent)


def _write_new(path: str, data: bytes) -> None:
    """``data`` as the file ``path``, through a new file of its own (never through a link found there)."""
    tmp = f"{path}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_records(records: Iterable[dict], folder: Path) -> int:
    """The shadow pages of `records` in `folder`, and the warnings' filters beside them; how many.

    `folder` may hold the pages of an earlier build (``Workspace``): a page whose bytes are the same is
    left as it is, one no record names is removed, and the pages written or removed are listed
    (``CHANGED``, read by ``_index_kept``). (Creating 10,000 files where as many were just removed is
    seconds of the kernel's time on ext4; rewriting one is nothing.) A record made with
    ``kept_record`` names a page the folder holds already, written from the same view; each record's
    ``key``, when it has one, is kept beside the pages (``RECORD_KEYS``), written last: the keys of
    the last build are removed before any page is, so a build stopped midway leaves no key that no
    longer matches its page."""
    root = os.fspath(folder)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(root, RECORD_KEYS))
    statuses: dict[str, dict] = {}
    written: set[str] = set()
    changed: list[str] = []
    made: set[str] = {root}
    keys: dict[str, str] = {}
    for r in records:
        rel = page_of(r["url"])
        page = os.path.join(root, rel)
        if not r.get("kept"):
            _folder(page, made, root)
            data = shadow_page(r).encode("utf-8")
            try:
                same = stat.S_ISREG(os.lstat(page).st_mode)
                if same:
                    with open(page, "rb") as f:
                        same = f.read(len(data) + 1) == data
            except OSError:
                same = False
            if not same:
                _write_new(page, data)
                changed.append(rel)
        written.add(page)
        if r.get("key"):
            keys[r["url"]] = r["key"].hex()
        if r["filters"]:
            statuses[r["url"]] = r["filters"]
    keep = written | {os.path.join(root, name) for name in (RECORDS_STATUS, RECORD_KEYS, CHANGED)}
    for top, dirs, names in os.walk(root, topdown=False):  # what no record names any more
        for name in names + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            path = os.path.join(top, name)
            if path not in keep:
                os.unlink(path)
                if name.endswith(".html"):
                    changed.append(os.path.relpath(path, root))
        if top != root and not os.listdir(top):
            os.rmdir(top)
    (folder / RECORDS_STATUS).write_text(json.dumps(statuses, ensure_ascii=False, sort_keys=True) + "\n",
                                         encoding="utf-8")
    (folder / CHANGED).write_text(json.dumps(sorted(changed)), encoding="utf-8")
    tmp = folder / f"{RECORD_KEYS}.tmp"
    tmp.write_text(json.dumps(keys, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / RECORD_KEYS)
    return len(written)


def index_records(folder: Path, target: Path, kept: Path | None = None, part_mib: float | None = None,
                  runs: int = 1, memory_mib: float | None = MEMORY_MIB) -> None:
    """Run Pagefind over the shadow pages of `folder` into `target` (replaced). The build runs this
    once the process that made the records has written every page (its page-writing processes have
    ended, their memory is free for Pagefind's), while that process ends.

    `kept`: Pagefind's output for the last build's records (``Workspace.index``), brought up to date
    (``_index_kept``) and linked into `target` file by file, instead of a whole new output.

    `part_mib`: the memory one Pagefind run may take (``SEARCH_PART_MIB``). Pagefind holds every word
    it is given until it writes the index (``pagefind_mib``); shadow pages that would take more are
    split into parts (``parts``), each indexed by a run of its own, one after the other, into
    ``target`` (the first) and ``target/phan-<n>/``, and the search page merges them (Pagefind's
    ``mergeIndex``: ``PARTS_FILE``). With a workspace, a rebuild indexes again only the parts whose
    pages changed.

    `runs`: how many parts may be indexed at once (the build's workers); `memory_mib`: what the runs
    going on at once may take together, by the same estimate (None: no bound but `runs`)."""
    status = folder / RECORDS_STATUS
    statuses = status.read_text(encoding="utf-8")
    status.unlink()
    shutil.rmtree(target, ignore_errors=True)
    pages = shadow_pages(folder)
    count = parts(pages, part_mib)
    work = kept.parent / PARTS_DIR if kept is not None else folder.with_name(f".{folder.name}-{PARTS_DIR}")
    merged: list[str] = []
    if count == 1:
        _remove(work)  # a site that has shrunk: its parts are not needed any more
        if kept is None:
            _pagefind(folder, target, pages)
        else:
            made_from = pages_stamp(pages)
            if not _whole(kept, made_from):  # (a rebuild whose words did not change: the index as it is)
                _index_kept(folder, kept, pages, made_from)
            _link_tree(kept, target)
    else:
        if kept is not None:  # the whole index of a smaller site: not needed any more
            _remove(kept)
            _remove(kept.parent / MANIFEST)
        try:
            merged = _index_parts(folder, pages, count, work, target, keep=kept is not None, runs=runs,
                                  memory_mib=memory_mib)
        finally:
            if kept is None:
                _remove(work)
    # a warning's severity and status, beside the index (Pagefind's own filters are written in a different
    # order on every run, and its metadata is searchable): the search page reads this file once
    (target / STATUS_FILE).write_text(statuses, encoding="utf-8")
    (target / PARTS_FILE).write_text(json.dumps({"phan": merged}) + "\n", encoding="utf-8")


def shadow_pages(folder: Path) -> dict[str, os.stat_result]:
    """Every shadow page of `folder` (its path inside it -> its stat)."""
    found = {}
    root = os.fspath(folder)
    for top, _, names in os.walk(root):
        for name in names:
            if name.endswith(".html"):
                path = os.path.join(top, name)
                found[os.path.relpath(path, root)] = os.lstat(path)
    return found


def pagefind_mib(size: int, per_byte: float = PAGEFIND_BYTES_PER_BYTE) -> float:
    """Pagefind's peak for shadow pages of `size` bytes in all (the estimate above)."""
    return PAGEFIND_OWN_MIB + size * per_byte / 2**20


def parts(pages: dict[str, os.stat_result], part_mib: float | None) -> int:
    """How many parts the index of `pages` is split into: as few as keep each run within `part_mib`
    (each run has its own share, ``PAGEFIND_OWN_MIB``), never more than there are pages."""
    peak = pagefind_mib(sum(st.st_size for st in pages.values()))
    if not part_mib or not pages or peak <= part_mib:
        return 1
    return min(len(pages), math.ceil((peak - PAGEFIND_OWN_MIB) / max(part_mib - PAGEFIND_OWN_MIB, 0.01)))


def part_of(page: str, count: int) -> int:
    """The part a shadow page is indexed in: a digest of its path, so that parts are of about the same size
    and the same words (comparable rankings), and a page stays in its part from build to build."""
    return int.from_bytes(hashlib.blake2b(page.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") % count


def _index_parts(folder: Path, pages: dict[str, os.stat_result], count: int, work: Path, target: Path,
                 keep: bool, runs: int = 1, memory_mib: float | None = None) -> list[str]:
    """Each part's Pagefind output: its shadow pages linked into ``work/<n>/records`` (a link kept from the
    last build is the page as it was: same file), then, for a part whose pages changed or whose index is not
    whole, Pagefind run again (``_index_kept``: up to ``runs`` at once, within ``memory_mib``, ``_run_all``);
    the first part's output linked into ``target``, the others' into ``target/phan-<n>/``, whose names are
    returned. A digest can leave a part without a page: it has no index (Pagefind makes none of an empty
    folder) and is not listed."""
    wanted: list[dict[str, os.stat_result]] = [{} for _ in range(count)]
    for page, st in pages.items():
        wanted[part_of(page, count)][page] = st
    if work.is_symlink() or (work.exists() and not work.is_dir()):
        _remove(work)
    for name in os.listdir(work) if work.is_dir() else []:  # parts of a build split another way, or empty
        if not (name.isdigit() and int(name) < count and wanted[int(name)]) or not _own_folder(work / name):
            _remove(work / name)
    used = [n for n in range(count) if wanted[n]]
    jobs: list[tuple[float, Any]] = []
    for n in used:
        part = work / str(n)
        site, index, linking = part / "records", part / "index", part / _LINKING
        # while its links change, a part's index is not the index of its links: a build stopped before
        # Pagefind ran leaves the mark, and the next one runs it (which finds what differs)
        stopped = linking.exists()
        part.mkdir(parents=True, exist_ok=True)
        linking.write_bytes(b"")
        changed = _link_pages(folder, wanted[n], site)
        (site / CHANGED).write_text(json.dumps(sorted(changed)), encoding="utf-8")
        made_from = pages_stamp(wanted[n])  # (the part's links are its pages' files)
        if changed or stopped or not keep or not _whole(index, made_from):
            jobs.append((pagefind_mib(sum(st.st_size for st in wanted[n].values())),
                         functools.partial(_index_part, site, index, linking, list(wanted[n]), made_from)))
        else:
            linking.unlink()
    _run_all(jobs, runs, memory_mib)
    merged = []
    for n in used:
        index = work / str(n) / "index"
        if not merged:
            _link_tree(index, target)
            merged.append("")
        else:  # searched with the first part's scripts and WebAssembly: its index files only
            merged.append(f"{PART_PREFIX}{n}/")
            _link_tree(index, target / merged[-1], only=MERGED_FILES)
    return merged[1:]


def _index_part(site: Path, index: Path, linking: Path, pages: list[str], made_from: str = "") -> None:
    _index_kept(site, index, pages, made_from)
    linking.unlink()


def _run_all(jobs: list[tuple[float, Any]], runs: int, memory_mib: float | None) -> None:
    """Each job (its estimated peak in MiB, a function) done, in order, up to ``runs`` at once: one starts
    when no other runs, or when fewer than ``runs`` do and their estimates and its own stay within
    ``memory_mib``. After a failure no other starts; the first failure is raised once every job started
    has ended (Pagefind runs are never left behind)."""
    if runs <= 1 or len(jobs) <= 1:
        for _, job in jobs:
            job()  # (a stop: _pagefind raises)
        return
    free = threading.Condition()
    going: list[float] = []
    failed: list[BaseException] = []

    def run(mib: float, job) -> None:
        try:
            job()
        except BaseException as problem:  # raised again below, in the caller's thread
            failed.append(problem)
        finally:
            with free:
                going.remove(mib)
                free.notify_all()

    threads = []
    try:
        for mib, job in jobs:
            with free:
                free.wait_for(lambda mib=mib: failed or _STOPPING.is_set() or not going or (
                    len(going) < runs and (memory_mib is None or sum(going) + mib <= memory_mib)))
                if failed or _STOPPING.is_set():
                    break
                going.append(mib)
            thread = threading.Thread(target=run, args=(mib, job), name="pagefind")
            thread.start()
            threads.append(thread)
    finally:
        for thread in threads:
            thread.join()
    if failed:
        raise failed[0]
    if _STOPPING.is_set():
        raise IndexStopped()


_LINKING = ".linking"  # in a part's folder while its links change


def _own_folder(folder: Path) -> bool:
    """Whether ``folder`` holds no symbolic link, at any depth (the workspace's parts are the build's own:
    one planted there would make the build write or remove through it)."""
    if folder.is_symlink():
        return False
    for _, dirs, names in os.walk(folder):
        if any(os.path.islink(os.path.join(_, name)) for name in dirs + names):
            return False
    return True


def _link_pages(folder: Path, pages: dict[str, os.stat_result], site: Path) -> list[str]:
    """``site`` holding a hard link to each of ``pages`` of ``folder`` and nothing else; the pages linked
    anew or removed (a page rewritten is a new file: ``write_records``)."""
    changed = []
    site.mkdir(parents=True, exist_ok=True)  # (a part's folder holds no link: _index_parts, _own_folder)
    present = shadow_pages(site)
    for page, st in pages.items():
        had = present.pop(page, None)
        if had is not None and (had.st_ino, had.st_dev) == (st.st_ino, st.st_dev):
            continue
        target = site / page
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        os.link(folder / page, target)
        changed.append(page)
    for page in present:  # no longer this part's
        (site / page).unlink()
        changed.append(page)
    return changed


def _whole(index: Path, made_from: str | None = None) -> bool:
    """Whether a kept index is one ``_index_kept`` finished, as its manifest says; with ``made_from``
    (``pages_stamp``), one made from those very shadow pages, whose files but the fragments are as that
    run left them (what Pagefind would write again over them; it leaves a fragment that is there)."""
    saved = _read_manifest(index.parent / MANIFEST, _pagefind_version(), made_from)
    fragments = index / "fragment"
    if saved is None or (index / _UNFINISHED).exists() or index.is_symlink() or not fragments.is_dir() \
            or fragments.is_symlink():
        return False
    present = os.listdir(fragments)
    if set(saved["fragments"]) != set(present):
        return False
    if made_from is None:
        return True
    stamps = _kept(saved, "fragment_files")
    return _kept(saved, "files") == _index_files(index) and stamps is not None \
        and not _changed_fragments(fragments, stamps, present)


def _fragment_stamps(fragments: Path, names: Collection[str]) -> dict[str, list[int]]:
    """Each fragment file's inode and size (Pagefind never writes one that is there: a fragment replaced or
    damaged since its run would be served until its page changes). Not its modification time: the swap
    gives an output's file the time of the file with the same bytes it replaces (``keep_unchanged``), and the
    output's fragments are this folder's files, linked."""
    found = {}
    for name in names:
        with contextlib.suppress(OSError):
            st = os.lstat(fragments / name)
            if stat.S_ISREG(st.st_mode):
                found[name] = [st.st_ino, st.st_size]
    return found


def _changed_fragments(fragments: Path, stamps: dict, present: Collection[str]) -> set[str]:
    """Those of the fragment files ``present`` in ``fragments`` that are not as the last run left them
    (``_fragment_stamps``)."""
    now = _fragment_stamps(fragments, present)
    return {name for name in present if name not in now or stamps.get(name) != now[name]}


PAGEFIND_CONFIGS = ("pagefind.json", "pagefind.yml", "pagefind.yaml", "pagefind.toml")  # read where it runs


def pagefind_stamp() -> str:
    """What, besides the shadow pages, makes Pagefind's index: the program run (its path and file: a binary
    upgraded on its own, or PAGEFIND_BINARY_PATH), its arguments, the PAGEFIND_* variables it reads, and a
    configuration file in the folder it runs in."""
    command = pagefind_command()
    try:
        st = os.stat(command[0])
        program = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        program = "?"
    configs = []
    for name in PAGEFIND_CONFIGS:
        try:
            with open(name, "rb") as f:
                configs.append(f"{name}:{hashlib.file_digest(f, 'blake2b').hexdigest()}")
        except OSError:
            continue
    variables = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("PAGEFIND_"))
    return repr((command, program, PAGEFIND_ARGS, variables, configs))


def _index_files(index: Path) -> dict[str, str] | None:
    """Each file of a Pagefind output but its fragments, by its path: the BLAKE2b digest of its bytes
    (about 0.7 MB at 1,000 articles); None when one is not a regular file, or cannot be read."""
    found: dict[str, str] = {}
    root = os.fspath(index)
    for top, dirs, names in os.walk(root):
        if top == root:  # (the mark of a run going on is not the index's)
            dirs[:] = [d for d in dirs if d != "fragment"]
            names = [name for name in names if name != _UNFINISHED]
        for name in names + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            path = os.path.join(top, name)
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    return None
                with open(path, "rb") as f:
                    found[os.path.relpath(path, root)] = hashlib.file_digest(f, "blake2b").hexdigest()
            except OSError:
                return None
    return found


def pages_stamp(pages: dict[str, os.stat_result]) -> str:
    """What an index is made from: each shadow page's path and file (``write_records`` writes a changed page
    as a new file, with its own modification time), and what Pagefind itself is (``pagefind_stamp``). When it
    is the kept index's, Pagefind would write that index again, and is not run: a rebuild after a template, a
    setting or a picture changed, or nothing, or only the clock (a warning's status is kept beside the
    index) saves the whole run (at 1,000 articles 0.5 s, and the peak of the build from 106 to 60 MiB)."""
    digest = hashlib.blake2b(pagefind_stamp().encode("utf-8", "surrogatepass"), digest_size=16)
    for page in sorted(pages):
        st = pages[page]
        line = f"{page}\0{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}\n"
        digest.update(line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def pagefind_command() -> list[str]:
    """The Pagefind program, as ``python -m pagefind`` finds it (PAGEFIND_BINARY_PATH, else the binary of the
    pagefind_bin_extended or pagefind_bin package), run directly: that wrapper is a Python process of its own,
    0.2-0.3 s before each run (a part's, a rebuild's). The wrapper itself where neither package is there."""
    given = os.environ.get("PAGEFIND_BINARY_PATH")
    if given:
        return [given]
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            return [str(importlib.import_module(package).get_executable().resolve())]
        except (ImportError, OSError, AttributeError):
            continue
    return [sys.executable, "-m", "pagefind"]


# Pagefind's runs going on in this process, and whether the build that asked for them is stopping
# (``stop_indexing``): the index is made in a thread of the build command (portal.tools.build), which
# must end them before it removes the folders they write into and exits.
_RUNS: set[subprocess.Popen] = set()
_RUNS_LOCK = threading.Lock()
_STOPPING = threading.Event()


class IndexStopped(IndexFailed):
    """The build stopped (``stop_indexing``) before or while Pagefind ran."""

    def __init__(self) -> None:
        super().__init__("Bản dựng đã dừng khi đang lập chỉ mục tìm kiếm; chưa xuất bản gì (search: the build "
                         "stopped while the index was made; nothing was published)")


def stop_indexing() -> None:
    """No Pagefind run starts from now on (until ``allow_indexing``); those going on are ended."""
    with _RUNS_LOCK:
        _STOPPING.set()
        for run in _RUNS:
            with contextlib.suppress(OSError):
                run.terminate()


def allow_indexing() -> None:
    _STOPPING.clear()


_IN_NAME_ORDER = "-theo-ten-"  # beside a folder Pagefind reads (.records-theo-ten-index): its pages in name order


def _in_name_order(site: Path, output: Path, pages: Collection[str] | None = None) -> Path:
    """A new folder beside ``site`` holding a hard link to each of its shadow pages, made one after the
    other in the order of their paths, folder by folder.

    Pagefind numbers pages, and gives a fragment's short name to the first of two whose digests begin
    alike, in the order it walks the folder, which is the order the file system lists its entries: on
    ext4 a hash of each name, on tmpfs, btrfs and XFS the order the entries were made. A kept folder's
    entries were made over many builds (a rebuild adds the edited page's last), so on those file
    systems a rebuild's index would hold the cold build's words in other bytes. A folder made afresh in
    one order of the names is walked alike by every build on one file system (10,000 links: 0.25 s on
    ext4). It is named after ``output`` too: two runs over one folder never share it, and a run that was
    killed leaves one that the next run into the same output removes. ``pages``: the shadow pages' paths
    in ``site``, when the caller has listed them."""
    walk = site.with_name(f".{site.name}{_IN_NAME_ORDER}{output.name}")
    _remove(walk)
    root = os.fspath(walk)
    made = {root}
    walk.mkdir()
    source = os.fspath(site)
    for page in sorted(shadow_pages(site) if pages is None else pages, key=lambda p: p.split(os.sep)):
        target = os.path.join(root, page)
        _folder(target, made, root)
        try:
            os.link(os.path.join(source, page), target)
        except OSError as err:  # a file system without hard links: a copy
            if err.errno not in (errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            shutil.copyfile(os.path.join(source, page), target)
    return walk


def _pagefind(site: Path, output: Path, pages: Collection[str] | None = None) -> None:
    """Pagefind run over the shadow pages of ``site`` (given in the order of their names:
    ``_in_name_order``), its index written into ``output``."""
    if _STOPPING.is_set():  # (checked again as the run starts: _pagefind_over)
        raise IndexStopped()
    walk = _in_name_order(site, output, pages)
    try:
        _pagefind_over(walk, output)
    finally:
        _remove(walk)


PAGEFIND_ARGS = ("--force-language", "vi", "--quiet")


def _pagefind_over(site: Path, output: Path) -> None:
    command = pagefind_command()
    try:
        with _RUNS_LOCK:  # a stop either comes first (no run) or sees this run (ended)
            if _STOPPING.is_set():
                raise IndexStopped()
            proc = subprocess.Popen([*command, "--site", str(site), "--output-path", str(output), *PAGEFIND_ARGS],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=pagefind_env())
            _RUNS.add(proc)
        try:
            out, err = proc.communicate()
        finally:
            with _RUNS_LOCK:
                _RUNS.discard(proc)
            if proc.poll() is None:  # this thread interrupted: the run does not outlive it
                proc.kill()
                proc.wait()
    except OSError as problem:  # PAGEFIND_BINARY_PATH naming nothing, or no program
        raise IndexFailed(f"Không chạy được Pagefind {command[0]} (search: Pagefind could not be started: "
                          f"{problem}). Cách thử: bỏ PAGEFIND_BINARY_PATH, hoặc chạy make để cài Pagefind, hoặc "
                          "xây dựng với --set SEARCH_INDEX=false") from problem
    if _STOPPING.is_set():
        raise IndexStopped()
    if proc.returncode != 0:
        raise IndexFailed("Pagefind không lập được chỉ mục tìm kiếm (search: Pagefind failed). Cách thử: chạy "
                          "lại; nếu vẫn lỗi, xây dựng với --set SEARCH_INDEX=false và báo cho người vận hành:\n"
                          f"{out}{err}")


class Workspace:
    """The search index's folder kept between builds, in the parse cache's folder (``search/``): the shadow
    pages of the last build (``records/``) and Pagefind's output for them (``index/``).

    A rebuild rewrites only the shadow pages whose words changed, and Pagefind, which names each page's
    fragment by a digest of it and writes no fragment whose file is already there, writes only the
    changed pages' fragments: at 10,000 articles, 2 files instead of 20,000 (creating as many files as
    were just removed costs ext4 seconds of kernel time), and the index is linked into the new output,
    sharing its unchanged files with the output it replaces. One build at a time holds the folder (a
    lock); a build that finds it held works in folders of its own, as without a parse cache."""

    def __init__(self, folder: Path, lock: int) -> None:
        self.folder, self._lock = folder, lock
        self.records, self.index = folder / "records", folder / "index"

    @classmethod
    def take(cls, cache: str | os.PathLike | None) -> Workspace | None:
        """The workspace of the parse cache's folder ``cache``, locked; None without a cache, or when
        another build holds it, or when it cannot be made."""
        import fcntl

        if not cache:
            return None
        folder = Path(cache) / "search"
        try:
            (folder / "records").mkdir(parents=True, exist_ok=True)
            if any(p.is_symlink() for p in (folder, folder / "records", folder / "index")):
                return None  # not a folder of the build's own: indexed apart
            lock = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock)
            return None
        return cls(folder, lock)

    def release(self) -> None:
        os.close(self._lock)


_UNFINISHED = ".unfinished"  # in a kept index while Pagefind writes it: found there, the index is made anew


MANIFEST = "fragments.json"  # beside a kept index: each fragment's shadow page, and Pagefind's version


def _index_kept(site: Path, index: Path, shadow: Collection[str] | None = None, made_from: str = "") -> None:
    """Bring Pagefind's output in ``index`` up to date with the shadow pages of ``site``. Every file but
    the pages' fragments is removed first (Pagefind writes its scripts in place, and the index chunks
    and metadata change with any page); Pagefind then writes the fragments that are not there, and
    those the new metadata does not name (an edited or removed page's) are removed after.

    Pagefind names a fragment by the first 7 hex digits of a digest of it, and does not write one whose
    file is there: a changed page's new fragment could take the name of another page's file and be
    served as that page. So each fragment's page is kept (``MANIFEST``), and the run is checked: every
    name the new metadata shares with a file of before must be an unchanged page's, and every new
    fragment a changed page's (``CHANGED``, from ``write_records``; a new fragment's page is read from
    it). Anything else (an index left unfinished, metadata of another form, another Pagefind) makes the
    index anew, whole. ``shadow``: the shadow pages' paths in ``site``, when the caller has listed them;
    ``made_from``: their ``pages_stamp``, kept in the manifest."""
    manifest = index.parent / MANIFEST
    version = _pagefind_version()
    saved = _read_manifest(manifest, version)
    known = saved["fragments"] if saved is not None else None
    stamps = _kept(saved, "fragment_files")  # (each fragment file as the run left it)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(manifest)  # rewritten once the index is whole again
    fragments = index / "fragment"
    before = set(os.listdir(fragments)) if fragments.is_dir() and not fragments.is_symlink() else set()
    if index.is_symlink() or (index / _UNFINISHED).exists() or known is None or set(known) != before:
        known, before = {}, set()
        _remove(index)
    index.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(index):
        if entry.name != "fragment":
            _remove(Path(entry.path))
    try:
        changed = set(json.loads((site / CHANGED).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        changed = None
    if before:  # a fragment not as the last run left it is written again, as its page's would be
        damaged = before if stamps is None else _changed_fragments(fragments, stamps, before)
        for name in damaged:
            _remove(fragments / name)
        before -= damaged
        if changed is not None:
            changed |= {known[name] for name in damaged}
    (index / _UNFINISHED).write_bytes(b"")
    _pagefind(site, index, shadow)
    named = _fragments_named(index)
    pages = _pages_of(fragments, named - before) if named is not None else None
    if pages is None or before and (changed is None or any(known[name] in changed for name in named & before)
                                    or any(page not in changed for page in pages.values())):
        _remove(index)  # not as expected: made anew, whole
        index.mkdir()
        (index / _UNFINISHED).write_bytes(b"")
        _pagefind(site, index, shadow)
        named = _fragments_named(index)
        before, known = set(), {}
        pages = _pages_of(fragments, named) if named is not None else None
        if pages is None:
            raise IndexFailed("Không đọc lại được chỉ mục tìm kiếm Pagefind vừa lập: máy có cài một phiên bản "
                              "Pagefind khác với requirements.txt? Cách thử: chạy make để cài đúng phiên bản, hoặc "
                              "xây dựng với --set SEARCH_INDEX=false (search: the index Pagefind wrote could not be "
                              "read back: is a Pagefind other than the one requirements.txt pins installed?)")
    for name in before - named:
        os.unlink(fragments / name)
    known = {**{name: known[name] for name in named & before}, **pages}
    tmp = manifest.with_name(f"{MANIFEST}.tmp")
    tmp.write_text(json.dumps({"pagefind": version, "fragments": known, "pages": made_from,
                               "files": _index_files(index) if made_from else None,
                               "fragment_files": _fragment_stamps(fragments, known)}, sort_keys=True), encoding="utf-8")
    os.replace(tmp, manifest)
    os.unlink(index / _UNFINISHED)


def _remove(path: Path) -> None:
    """A file, a link or a folder, gone (a link is removed, never followed)."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _pagefind_version() -> str:
    try:
        return importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _read_manifest(path: Path, version: str, made_from: str | None = None) -> dict | None:
    """The manifest the last run left, read once: "fragments" (each fragment's shadow page), and, read with
    ``_kept``, "files" (the digest of each other file of the index) and "fragment_files" (each fragment
    file's stamp); None when unreadable, made by another Pagefind, or (``made_from`` given) from other
    shadow pages."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("pagefind") != version or not isinstance(saved.get("fragments"), dict):
        return None
    if made_from is not None and saved.get("pages") != made_from:
        return None
    return saved


def _kept(saved: dict | None, what: str) -> dict | None:
    """The manifest's ``what`` (``_read_manifest``), when it holds one."""
    found = saved.get(what) if saved is not None else None
    return found if isinstance(found, dict) else None


_FRAGMENT_URL = re.compile(rb'^pagefind_dcd\{"url":"((?:[^"\\]|\\.)*)"')


def _pages_of(fragments: Path, names: set[str]) -> dict[str, str] | None:
    """The shadow page (``page_of``) each of the fragment files ``names`` is of; None when one cannot be
    read as Pagefind writes them (gzip, "pagefind_dcd", then JSON starting with the page's address)."""
    import zlib

    pages = {}
    for name in names:
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress((fragments / name).read_bytes(), 4096)
            found = _FRAGMENT_URL.match(head)
            if found is None:
                return None
            pages[name] = page_of(json.loads(b'"' + found.group(1) + b'"'))
        except (OSError, ValueError, zlib.error):
            return None
    return pages


def _fragments_named(index: Path) -> set[str] | None:
    """The fragment files Pagefind's metadata in ``index`` names (its pages), or None when there is not
    exactly one metadata file of the form Pagefind 1.x writes: gzip, "pagefind_dcd", then CBOR
    [version, [[fragment hash, word count], …], index chunks, filters, sorts, …]."""
    import gzip

    metas = [p for p in index.iterdir() if p.name.endswith(".pf_meta")]
    if len(metas) != 1:
        return None
    try:
        data = gzip.decompress(metas[0].read_bytes())
        if not data.startswith(b"pagefind_dcd"):
            return None
        meta, _ = _cbor(data, len(b"pagefind_dcd"))
        pages = meta[1]
        names = {f"{page[0]}.pf_fragment" for page in pages}
    except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError, RecursionError, gzip.BadGzipFile):
        return None
    if not all(isinstance(page[0], str) and re.fullmatch(r"[\w-]+", page[0]) for page in pages):
        return None
    return names


def _cbor(data: bytes, i: int, depth: int = 0) -> tuple[Any, int]:
    """The CBOR item at ``data[i]`` (RFC 8949: the integers, strings, arrays and maps Pagefind writes), and
    where the next one starts. ValueError for anything else."""
    if depth > 16:
        raise ValueError("CBOR nested too deep")
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[i:i + size], "big")
        if i + size > len(data):
            raise ValueError("CBOR cut short")
        i += size
    else:
        raise ValueError("CBOR of indefinite length")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major in (2, 3):
        if i + n > len(data):
            raise ValueError("CBOR cut short")
        raw = data[i:i + n]
        return (raw.decode("utf-8") if major == 3 else raw), i + n
    if major in (4, 5):
        if n > len(data) - i:  # each item takes a byte at least: a length past the end is damage
            raise ValueError("CBOR cut short")
        items = []
        for _ in range(n * (2 if major == 5 else 1)):
            item, i = _cbor(data, i, depth + 1)
            items.append(item)
        return (items if major == 4 else dict(zip(items[::2], items[1::2], strict=True))), i
    if major == 6:
        return _cbor(data, i, depth + 1)
    if major == 7 and info in (20, 21, 22):
        return (False, True, None)[info - 20], i
    raise ValueError("CBOR value of an unknown kind")


# What Pagefind's mergeIndex reads of an index: its entry, metadata, word and filter chunks, fragments
# (at the top: pagefind-entry.json and the .pf_meta file; below, the folders)
MERGED_FILES = re.compile(r"^(pagefind-entry\.json|[^/]*\.pf_meta|(index|filter|fragment)/.*)$")


def _link_tree(source: Path, target: Path, only: re.Pattern | None = None) -> None:
    """``target`` made of hard links to every file of ``source`` (copies on another file system), or to those
    whose path inside it ``only`` matches. The files of ``source`` are never written in place afterwards
    (``_index_kept``): a link shares nothing that changes."""
    for top, _, names in os.walk(source):
        where = os.path.join(target, os.path.relpath(top, source))
        os.makedirs(where, exist_ok=True)
        for name in names:
            if name == _UNFINISHED:
                continue
            if only is not None and not only.match(os.path.relpath(os.path.join(top, name), source)):
                continue
            try:
                os.link(os.path.join(top, name), os.path.join(where, name))
            except OSError as err:  # another file system, or one without hard links: a copy
                if err.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                    raise
                shutil.copy2(os.path.join(top, name), os.path.join(where, name))
