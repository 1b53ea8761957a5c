"""The Markdown reader: validates each file against the content model once.

Problems are collected, never raised here: the build reports every problem
of every file together and stops before anything is written (the plugin's
``stop_on_errors``). Pelican gets what it needs to place and sort the
article (title, date, slug, status, category, tags, authors) and the
validated entry, from which the plugin builds the typed view.
"""

from __future__ import annotations

import copy
import hashlib
import html
import os
import pickle
import re
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.urlwrappers import Author, Category, Tag

from portal import blobs, body, model
from portal.cap.record import fingerprint
from portal.checks import body_refs
from portal.clock import EPOCH
from portal.content_tree import MAX_ARTICLE_BYTES, size_problem
from portal.live.cache import stamp as _stamp
from portal.model import Problem

from .state import STATE


def display_path(source_path: str, settings: dict, resolved: Path | None = None) -> str:
    """``content/…``: the file's path as a person knows it. ``resolved``: ``Path(source_path).resolve()``."""
    root = Path(settings["PATH"])
    try:
        return str(Path(root.name) / (resolved or Path(source_path).resolve()).relative_to(
            model.resolved_root(str(root))))
    except ValueError:
        return source_path


def _readable(st: os.stat_result) -> bool:
    """Whether a file may be read to be hashed: a regular file no larger than an article may be (any other is
    refused before it is read: ``size_problem``)."""
    return st.st_size <= MAX_ARTICLE_BYTES and stat.S_ISREG(st.st_mode)


def _read_bounded(path: str) -> bytes | None:
    """The file's bytes, None when it holds more than an article may (read no further: it is refused before
    it is read, ``size_problem``; a file that grew after its size was looked at is not read whole either)."""
    with open(path, "rb") as f:
        # as many bytes as the file holds, and one more to see it grew: a read of the bound itself would
        # allocate 2 MB for every file (a tenth of a millisecond, and a page fault per 4 KB touched)
        size = min(os.fstat(f.fileno()).st_size, MAX_ARTICLE_BYTES)
        data = f.read(size + 1)
        if size < len(data) <= MAX_ARTICLE_BYTES:  # grown since: read on, to the bound and no further
            data += f.read(MAX_ARTICLE_BYTES + 1 - len(data))
    return None if len(data) > MAX_ARTICLE_BYTES else data


# an image's path under content/, however the body writes it ("{static}/images/…", "{attach}images/…",
# "/images/…"): what precedes "images/" is left out of the match, so the regex looks for that word alone
# (an optional prefix made it try at every position of the body: 38 µs a body instead of 1)
_BODY_IMAGE = re.compile(r"""images/[^\s)"'>]+""")


def images_used(entry: model.Entry) -> set[str]:
    """Paths under content/ of the lead image and the images the body shows."""
    found = set(_BODY_IMAGE.findall(entry.body))
    if entry.values.get("image"):
        found.add(entry.values["image"])
    return found


@dataclass
class Parsed:
    """One file read and checked, before it touches the build state."""

    kind: str | None
    entry: model.Entry | None = None
    content: str = ""
    problems: list = field(default_factory=list)
    ok: bool = False
    images: frozenset[str] = frozenset()  # images_used, found where the body is parsed (not in the build)


class PortalReader(MarkdownReader):
    """Reads one article or page; the folder gives the kind."""

    file_extensions = ["md"]

    _body_md: Markdown | None = None

    def _body_markdown(self) -> Markdown:
        """One Markdown converter per reader, reset between files (building one costs 0.6 ms)."""
        if body.spoiled(self._body_md):  # (none yet, or one a body stopped midway)
            self._body_md = body.converter(self.settings)
        return self._body_md

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Never raises: whatever goes wrong becomes a problem naming the file (Pelican would print
        a bare "Could not process")."""
        try:
            parsed = take_prefetched(source_path, self.settings) or self.parse(source_path)
            return self._apply(source_path, parsed)
        except Exception as err:  # noqa: BLE001 (reported to the person, with its cause)
            shown = display_path(source_path, self.settings)
            STATE.add_problem(Problem(shown, None, None, None, "could_not_process",
                                      {"error": f"{type(err).__name__}: {err}"[:300]}))
            return "", self._placeholder(source_path, None)

    def parse(self, source_path: str) -> Parsed:
        """The file validated and its body rendered: the costly part, with no effect on the build
        state (so it can run in another process, see ``prefetch``), kept in the parse cache."""
        cache = self.__dict__.get("_parse_cache")  # naming the pack costs a fingerprint: once per reader
        if cache is None or ParseCache._open.get(str(cache.pack)) is not cache:
            cache = self._parse_cache = ParseCache.of(self.settings)
        key = cache.key(source_path) if cache else None
        parsed = cache.load(key) if key else None
        if parsed is None:
            parsed = self._parse(source_path)
        if key:
            cache.keep(key, parsed)
        return parsed

    def _parse(self, source_path: str, data: bytes | None = None) -> Parsed:
        """``data``: the file's bytes, when the caller has read them (``ParseCache.file_key``)."""
        resolved = Path(source_path).resolve()
        shown = display_path(source_path, self.settings, resolved)
        content_root = Path(self.settings["PATH"])
        kind = model.kind_of(Path(source_path), content_root, resolved)
        try:
            too_large = size_problem(Path(source_path), shown)
            if too_large:
                return Parsed(kind, problems=[too_large])
            if data is None:
                text = Path(source_path).read_text(encoding="utf-8-sig")
            else:  # as read_text reads it: universal newlines
                text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            return Parsed(kind, problems=[Problem(shown, None, None, None, "not_utf8")])
        except OSError as err:
            return Parsed(kind, problems=[Problem(shown, None, None, None, "unreadable",
                                                  {"error": err.strerror or str(err)})])
        if kind is None:
            return Parsed(kind, problems=[Problem(shown, None, None, None, "outside_kind",
                                                  {"kinds": ", ".join((*model.KINDS, model.PAGE))})])
        entry = model.validate(text, shown, kind, content_root)
        if not entry.ok:
            return Parsed(kind, entry=entry)
        entry.digest = hashlib.blake2b(f"{shown}\0{kind}\0{text}".encode("utf-8", "surrogatepass"),
                                       digest_size=16).hexdigest()
        self._md = self._body_markdown()
        content, problems = body.render(entry, self._md)
        try:
            entry.refs = body_refs(entry, content)
        except body.TooSlow:  # a shape the search for its links is slow on: an error, as a slow Markdown
            entry.refs, content = (), ""
            problems = [*problems, body.too_slow(entry)]
        entry.html_settled = body.sanitise(content) == content
        # the lines as written served the checks above; only a warning's CAP messages compare them
        entry.let_go_of_raw(fingerprint(entry) if entry.kind == model.WARNING else None)
        return Parsed(kind, entry=entry, content=content, problems=problems,
                      ok=not any(p.level == "error" for p in problems), images=frozenset(images_used(entry)))

    def _apply(self, source_path: str, parsed: Parsed) -> tuple[str, dict[str, Any]]:
        """What the file adds to the build state, and what Pelican gets."""
        if parsed.entry is not None:
            STATE.add_entry(parsed.entry)
        for problem in parsed.problems:
            STATE.add_problem(problem)
        if not parsed.ok:
            return "", self._placeholder(source_path, parsed.kind)
        return parsed.content, self._metadata(parsed.entry, parsed.images)

    def process_metadata(self, name: str, value: Any) -> Any:
        """Pelican's, once per name and text: it reads a date and a category from every file's path
        (``FILENAME_METADATA``, ``USE_FOLDER_AS_CATEGORY``), with dateutil, before the entry's own
        replace them; thousands of files share a few folders and days. The values are not changed
        by anyone (a date, a category compared by name)."""
        memo = self.__dict__.setdefault("_processed", {})
        key = (name, value) if name in ("date", "category") and isinstance(value, str) else None
        if key is None:
            return super().process_metadata(name, value)
        if key not in memo:
            memo[key] = super().process_metadata(name, value)
        return memo[key]

    def _tag(self, name: str) -> Tag:
        """Tag slugs come from the model (the one slug rule: "IoT/OT" -> iot-ot, as the checks see it)."""
        def make() -> Tag:
            tag = Tag(name, self.settings)
            tag.slug = model.make_slug(name) or tag.slug
            return tag

        return self._shared(Tag, name, make)

    def _shared(self, cls: type, name: str, make=None):
        """One tag, author or category object per name for every article of this reading (Pelican
        compares them by name: 20,000 equal objects at 10,000 articles were 6 MB)."""
        wrappers = self.__dict__.setdefault("_wrappers", {})
        key = (cls, name)
        if key not in wrappers:
            wrappers[key] = make() if make else cls(name, self.settings)
        return wrappers[key]

    def _placeholder(self, source_path: str, kind: str | None) -> dict[str, Any]:
        """Enough for Pelican to carry a broken file to the error report quietly."""
        stem = Path(source_path).stem
        return {"title": stem, "slug": f"loi-{model.make_slug(stem) or 'tep'}", "date": EPOCH,
                "status": "draft", "kind": kind or ""}

    def _metadata(self, entry: model.Entry, images: frozenset[str]) -> dict[str, Any]:
        """What Pelican places and sorts by; everything else is read from the entry by the view."""
        v = entry.values
        meta: dict[str, Any] = {key: v[key] for key in ("title", "slug", "date", "modified", "status") if key in v}
        meta["entry"] = entry
        meta["kind"] = entry.kind
        meta["summary"] = html.escape(v.get("summary", ""))
        if "authors" in v:
            meta["authors"] = [self._shared(Author, n) for n in v["authors"].names]
        if "tags" in v:
            meta["tags"] = [self._tag(t) for t in v["tags"]]
        if entry.kind in model.KINDS:
            meta["category"] = self._shared(Category, model.KINDS[entry.kind].label_vi)
        now = STATE.now
        for problem in model.future_event_problems(entry, now):
            STATE.add_problem(problem)
        if entry.kind != model.PAGE and v.get("date") and v["date"] > now:
            meta["status"] = "draft"  # embargoed until a build after its date
        if meta.get("status") == "draft":
            STATE.withheld_images.update(images)
        else:
            STATE.published_images.update(images)
        return meta


# ---- reading on every core ----------------------------------------------------------------------
# Files parsed ahead by worker processes (``prefetch``), by absolute path, with the size and
# modification time they were parsed at (a file changed since is parsed again) and where the worker
# wrote the result, pickled (``blobs``: the build holds none of them in memory).
_PREFETCHED: dict[str, tuple[tuple[int, int], blobs.Ref, tuple | None]] = {}


def take_prefetched(source_path: str, settings: dict) -> Parsed | None:
    path = os.path.abspath(source_path)
    if path in _AHEAD.pending:
        _receive_until(path)
    found = _PREFETCHED.pop(path, None)
    if found is None or found[0] != _stamp(source_path):
        return None
    try:
        parsed = pickle.loads(blobs.read(found[1]))
    except Exception:  # noqa: BLE001 (a result that cannot be read back: the file is parsed again)
        return None
    cache = ParseCache.of(settings)
    key = cache.key(source_path, hashed=found[2]) if cache else None
    if key:
        cache.keep(key, parsed, found[1])
    return parsed


_SETTINGS: dict = {}  # the build's settings, seen by the forked workers (never pickled)
CHUNK = 32  # files a worker parses per task: results come back while the others are parsed


class _AHEAD:
    """The worker processes parsing ahead, and what they have not sent back yet."""

    pool = None
    results = None  # their results, chunk by chunk, in the order the files were given
    pending: set[str] = set()
    reader = None  # a worker's reader (set in the worker, after the fork)


def _parse_share(paths: list[str]) -> list[tuple[str, tuple[int, int] | None, blobs.Ref | None, tuple | None]]:
    """Each result pickled on its own and written to this worker's file (what the parse cache keeps:
    the build pickles none again); the build gets where each one is (None: parsed again there), and
    the file's parse-cache key, hashed here on every core (``ParseCache.file_key``), not one file
    after another in the build."""
    reader = _AHEAD.reader
    if reader is None:  # one per worker process: its Markdown converter is made once (0.6 ms), not per chunk
        reader = _AHEAD.reader = PortalReader(_SETTINGS)
    out = []
    for path in paths:
        stamp = _stamp(path)
        try:
            read = ParseCache.file_key(path) if _SETTINGS.get("PORTAL_PARSE_CACHE") else None
            hashed = read[:2] if read else None
            # the bytes hashed are the bytes parsed (read once)
            data = pickle.dumps(reader._parse(path, read[2] if read else None), protocol=pickle.HIGHEST_PROTOCOL)
            out.append((path, stamp, blobs.append(data), hashed))
        except Exception:  # noqa: BLE001 (parsed again in the build, which reports it; a full disk too)
            out.append((path, None, None, None))
    return out


def _receive_until(path: str) -> None:
    """Take the workers' results, in order, until ``path``'s has come."""
    while path in _AHEAD.pending:
        try:
            results = next(_AHEAD.results)
        except Exception:  # noqa: BLE001 (no more, or a worker died: the rest is parsed by the build)
            stop_prefetch()
            return
        for got, stamp, ref, hashed in results:
            got = os.path.abspath(got)
            _AHEAD.pending.discard(got)
            if stamp is not None and ref is not None:
                _PREFETCHED[got] = (stamp, ref, hashed)


def prefetch(settings: dict, paths: list[str], workers: int) -> int:
    """Start parsing ``paths`` in ``workers`` processes (forked: they share what is loaded), so
    Markdown and the checks of every file use every core. Give them in the order Pelican reads
    them: Pelican takes each file's result when it asks for the file, while the workers parse the
    next ones, so the outcome is the same as reading one by one. Returns how many files were given."""
    import multiprocessing

    stop_prefetch()
    cache = ParseCache.of(settings)
    if cache and cache.holds_any():  # (an empty cache holds none: no file is hashed here, one after another)
        paths = [p for p in paths if not cache.holds(p)]
    if workers < 2 or len(paths) < 10 * workers:
        return 0
    _SETTINGS.clear()
    _SETTINGS.update(settings)
    try:
        blobs.folder(cache.pack.parent if cache else None)  # made before the workers, which write into it
    except OSError:
        return 0  # nowhere to write: every file is read in the build process
    chunks = [paths[k:k + CHUNK] for k in range(0, len(paths), CHUNK)]
    _AHEAD.reader = None  # (the workers make theirs, with these settings)
    _AHEAD.pool = multiprocessing.get_context("fork").Pool(workers)
    _AHEAD.results = _AHEAD.pool.imap(_parse_share, chunks)
    _AHEAD.pending = {os.path.abspath(p) for p in paths}
    return len(paths)


def stop_prefetch() -> None:
    """Stop the workers (all their results are taken, or no longer wanted) and forget what is left."""
    pool, _AHEAD.pool, _AHEAD.results = _AHEAD.pool, None, None
    _AHEAD.pending = set()
    _PREFETCHED.clear()
    if pool is not None:
        pool.terminate()
        pool.join()


def done_reading() -> None:
    """Every file is read: write the parse cache, then let go of the results kept in files."""
    try:
        stop_prefetch()
        ParseCache.save_all()
    finally:
        blobs.release()


# ---- the parse cache ----------------------------------------------------------------------------
class ParseCache:
    """What ``parse`` made of each file, kept between builds (PORTAL_PARSE_CACHE: a folder; empty
    or None: no cache). A result is found again by the file's path and the SHA-256 of its bytes,
    in a pack for a fingerprint of everything else parsing reads: the content folder, the MARKDOWN
    settings, the code of the portal and its plugins, and the versions of Python, Pelican,
    Markdown, nh3 and html5lib. Change any of them and nothing cached is used. The pack is written
    once per build (``save``), with the results of this build's files only, so a deleted file's
    result goes with it. Parsing does not depend on the build clock: what does (an embargo, a
    warning's state) is worked out from the entry in every build.

    The pack is the results, each pickled on its own, then their index (key: offset, length and
    BLAKE2b digest of the result), then the index's own digest and where it starts; only the index
    is read whole. Nothing is unpickled before its digest matches: a damaged pack (a full disk, a
    flipped bit) is parsed again, never fed to the unpickler, which a damaged pickle can make
    allocate gigabytes. A result is read when its file is; a rebuild copies the unchanged results
    from the old pack to the new one, a new result from where it was written when parsed (``blobs``):
    the build never holds the pickled results in memory (40 MB at 10,000 articles, and as much again
    to receive them from the workers)."""

    MAGIC = b"portal parse pack 3\n"
    SETTLED_NS = 2_000_000_000  # a file unchanged for this long before it was hashed: its times are kept with its key
    TRAILER = 16 + 8  # the index's digest, where it starts
    _open: dict[str, ParseCache] = {}

    def __init__(self, pack: Path, trust_times: bool = True):
        self.pack = pack
        self.trust_times = trust_times  # False: every file read and hashed (its times say nothing sure)
        self.held: dict[str, tuple[int, int, bytes]] | None = None  # the old pack's index, read lazily
        self.used: dict[str, blobs.Ref] = {}
        self._keys: dict[tuple[str, tuple], str] = {}
        self.hits = 0
        self.held_stamps: dict[str, tuple] = {}  # the old pack's: path -> device, inode, size, times, key
        self.stamps: dict[str, tuple] = {}  # this build's, for the pack it writes

    _last: tuple | None = None  # (settings, what of them names the pack, the pack): ``of`` once per file

    @classmethod
    def of(cls, settings: dict) -> ParseCache | None:
        where = settings.get("PORTAL_PARSE_CACHE")
        if not where:
            return None
        named_by = (where, settings.get("PATH"), settings.get("MARKDOWN"))
        last = cls._last
        if last is not None and last[0] is settings and all(a is b for a, b in zip(last[1], named_by, strict=True)):
            pack = last[2]
        else:
            pack = Path(where) / f"{_fingerprint(settings)}.pack"
            cls._last = (settings, named_by, pack)
        if str(pack) not in cls._open:
            trust = settings.get("PORTAL_TRUST_FILE_TIMES")
            if trust is None:  # by the content folder's file system: not over NFS, SMB or FUSE
                from portal.content_tree import times_can_be_trusted

                trust = times_can_be_trusted(settings.get("PATH") or ".")
            cls._open[str(pack)] = cls(pack, trust_times=bool(trust))
        return cls._open[str(pack)]

    @classmethod
    def save_all(cls) -> None:
        """Write every pack this build used (once, at the end of reading), then forget them."""
        try:
            for cache in cls._open.values():
                cache.save()
        finally:
            for cache in cls._open.values():  # a reader keeps its cache: what it held is let go
                cache.held, cache.held_stamps, cache.stamps, cache.used, cache._keys = None, {}, {}, {}, {}
            cls._open.clear()

    def key(self, source_path: str, hashed: tuple | None = None) -> str | None:
        """The SHA-256 of the file's path and bytes. The file is not read again when it is the file the
        last build hashed (the same device, inode, size, modification and change times: any write
        changes the change time, which no program can set back); a file changed in the two seconds
        before it was hashed is read again next time (a write in the same clock tick as the hash
        would leave every time as it was). ``hashed``: what ``file_key`` found in a worker process,
        used when the file's times and size are still those it hashed."""
        path = os.path.abspath(source_path)
        try:
            st = os.stat(path)
        except OSError:
            return None
        if not _readable(st):
            return None
        stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        memo = (path, stamp)
        if memo not in self._keys:
            self._read()
            known = self.held_stamps.get(path)
            if known is not None and known[:5] == stamp and self.trust_times:
                self._keys[memo] = known[5]
            elif hashed is not None and hashed[0] == stamp:
                self._keys[memo] = hashed[1]
            else:
                try:
                    data = _read_bounded(path)
                except OSError:
                    return None
                if data is None:
                    return None
                self._keys[memo] = hashlib.sha256(path.encode() + b"\0" + data).hexdigest()
            if self.trust_times and time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > self.SETTLED_NS:
                self.stamps[path] = (*stamp, self._keys[memo])
        return self._keys[memo]

    def _read(self) -> dict[str, tuple[int, int, bytes]]:
        if self.held is None:
            self.held, self.held_stamps = {}, {}
            try:
                self.held, self.held_stamps = self._index()
            except Exception:  # noqa: BLE001 (a damaged or missing pack: everything is parsed again)
                pass
        return self.held

    def _index(self) -> tuple[dict[str, tuple[int, int, bytes]], dict[str, tuple]]:
        path = str(self.pack)
        size = self.pack.stat().st_size
        start = len(self.MAGIC)
        if size < start + self.TRAILER or blobs.read((path, 0, start)) != self.MAGIC:
            return {}, {}
        trailer = blobs.read((path, size - self.TRAILER, self.TRAILER))
        digest, where = trailer[:16], int.from_bytes(trailer[16:], "little")
        if not start <= where <= size - self.TRAILER:
            return {}, {}
        data = blobs.read((path, where, size - self.TRAILER - where))
        if _digest(data) != digest:
            return {}, {}
        index = pickle.loads(data)
        if not (isinstance(index, dict) and isinstance(index.get("results"), dict)
                and isinstance(index.get("stamps"), dict)):
            return {}, {}
        good = {}
        for key, span in index["results"].items():
            if isinstance(key, str) and isinstance(span, tuple) and len(span) == 3 \
                    and isinstance(span[0], int) and isinstance(span[1], int) and isinstance(span[2], bytes) \
                    and start <= span[0] and span[0] + span[1] <= where:
                good[key] = span
        stamps = {path: stamp for path, stamp in index["stamps"].items()
                  if isinstance(path, str) and isinstance(stamp, tuple) and len(stamp) == 6
                  and all(type(n) is int for n in stamp[:5]) and isinstance(stamp[5], str) and stamp[5] in good}
        return good, stamps

    @staticmethod
    def file_key(source_path: str) -> tuple[tuple, str, bytes] | None:
        """(the file's stamp, ``key``'s digest of it, its bytes) when its times and size were the same
        before and after it was read; None when it changed meanwhile, cannot be read, or is refused
        before it is read (too large, not a regular file: ``size_problem``)."""
        path = os.path.abspath(source_path)
        try:
            before = os.stat(path)
            if not _readable(before):
                return None
            data = _read_bounded(path)
            after = os.stat(path)
        except OSError:
            return None
        if data is None:
            return None
        stamp = (before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns, before.st_ctime_ns)
        if stamp != (after.st_dev, after.st_ino, after.st_size, after.st_mtime_ns, after.st_ctime_ns):
            return None
        return stamp, hashlib.sha256(path.encode() + b"\0" + data).hexdigest(), data

    def holds_any(self) -> bool:
        """Whether the last build's pack holds any result."""
        return bool(self._read())

    def holds(self, source_path: str) -> bool:
        key = self.key(source_path)
        return key is not None and key in self._read()

    def load(self, key: str) -> Parsed | None:
        span = self._read().get(key)
        if span is None:
            return None
        ref = (str(self.pack), span[0], span[1])
        try:
            data = blobs.read(ref)
            if _digest(data) != span[2]:
                return None  # damaged: the file is parsed again
            parsed = pickle.loads(data)
        except Exception:  # noqa: BLE001 (a damaged result: the file is parsed again)
            return None
        if not isinstance(parsed, Parsed):
            return None
        self.hits += 1
        self.used[key] = ref  # copied to the new pack as it was read
        return parsed

    def keep(self, key: str, parsed: Parsed, ref: blobs.Ref | None = None) -> None:
        """Keep ``parsed`` (pickled at ``ref`` already, or now) for the pack this build writes."""
        if key not in self.used:
            try:
                blobs.folder(self.pack.parent)  # the new results next to the pack they go to
                self.used[key] = ref if ref is not None else blobs.append(
                    pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
            except (OSError, pickle.PicklingError):
                pass  # not kept (a full disk, a folder that cannot be written): parsed again next time

    def save(self) -> None:
        """The pack of this build's files, when it differs from the one read; written whole to a
        new name then renamed, so a build that stops midway leaves the old pack."""
        old = self._read()
        here = str(self.pack)
        stamps = {path: stamp for path, stamp in self.stamps.items() if stamp[5] in self.used}
        if not self.used or (set(self.used) == set(old) and stamps == self.held_stamps
                             and all(ref[0] == here for ref in self.used.values())):
            return
        tmp = self.pack.with_name(f".{self.pack.name}.{os.getpid()}")
        try:
            self.pack.parent.mkdir(parents=True, exist_ok=True)
            for other in self.pack.parent.iterdir():
                if other.is_dir() and len(other.name) == 32 and not other.name.startswith(blobs.PREFIX):
                    shutil.rmtree(other, ignore_errors=True)  # an earlier layout: a file per result
                elif other.suffix in (".pickle", ".pack") and len(other.stem) == 32 and other != self.pack:
                    other.unlink(missing_ok=True)  # another fingerprint (settings or code changed), or layout
                    # (only packs: the folder also keeps other caches, such as the neighbours' positions)
                elif other.name.startswith(".") and ".pack." in other.name and other != tmp \
                        and time.time() - other.stat().st_mtime > blobs.YOUNG_S:
                    other.unlink(missing_ok=True)  # half a pack, from a build killed while writing it
            index: dict[str, tuple[int, int, bytes]] = {}
            out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                blobs.write(out, self.MAGIC)
                where = len(self.MAGIC)
                run = [0, 0]  # results of the old pack that follow each other there: copied in one go
                kept = {key for key, ref in self.used.items()
                        if ref[0] == here and key in old and old[key][:2] == ref[1:]}
                # the old pack's results in its order (a few long runs), then this build's
                for key, ref in sorted(self.used.items(), key=lambda item: (0, item[1][1]) if item[0] in kept
                                       else (1, 0)):
                    if key in kept:
                        digest = old[key][2]  # the bytes were checked against it when they were loaded
                        if run[1] and run[0] + run[1] == ref[1]:
                            run[1] += ref[2]
                        else:
                            if run[1]:
                                blobs.copy((here, *run), out)
                            run = [ref[1], ref[2]]
                    else:  # parsed in this build
                        if run[1]:
                            blobs.copy((here, *run), out)
                            run = [0, 0]
                        data = blobs.read(ref)
                        blobs.write(out, data)
                        digest = _digest(data)
                    index[key] = (where, ref[2], digest)
                    where += ref[2]
                if run[1]:
                    blobs.copy((here, *run), out)
                data = pickle.dumps({"results": index, "stamps": stamps}, protocol=pickle.HIGHEST_PROTOCOL)
                blobs.write(out, data + _digest(data) + where.to_bytes(8, "little"))
            finally:
                os.close(out)
            os.replace(tmp, self.pack)
            blobs.forget(here)  # the name is the new pack's now
        except (OSError, pickle.PicklingError):
            try:  # a cache that cannot be written only makes the next build slower
                tmp.unlink(missing_ok=True)
            except OSError:
                pass


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


_FINGERPRINTS: dict[str, str] = {}


def _markdown_as_read(markdown: Any) -> Any:
    """MARKDOWN as Pelican's Markdown reader leaves it: creating one adds its defaults to the setting
    itself (``extensions`` gets ``extension_configs``' keys and ``meta``). The same pack must be named
    before a reader exists (``prefetch``) and after (``parse``): before this, every build looked for
    one name ahead and wrote another, so every file was parsed again on every core."""
    from pelican.readers import MarkdownReader

    if not isinstance(markdown, dict):
        return markdown
    probe = {"MARKDOWN": copy.deepcopy(markdown)}
    MarkdownReader(probe)
    return probe["MARKDOWN"]


def _fingerprint(settings: dict) -> str:
    import importlib.metadata
    import json
    import sys

    memo = json.dumps({"PATH": str(settings.get("PATH")), "MARKDOWN": repr(settings.get("MARKDOWN"))}, sort_keys=True)
    if memo not in _FINGERPRINTS:
        own = {"PATH": str(settings.get("PATH")), "MARKDOWN": repr(_markdown_as_read(settings.get("MARKDOWN")))}
        digest = hashlib.sha256(json.dumps(own, sort_keys=True).encode())
        digest.update(sys.version.encode())
        for dist in ("pelican", "markdown", "nh3", "html5lib"):
            try:
                digest.update(f"{dist}={importlib.metadata.version(dist)}".encode())
            except importlib.metadata.PackageNotFoundError:
                digest.update(dist.encode())
        root = Path(__file__).resolve().parents[2]
        for code in sorted([*(root / "portal").rglob("*.py"), *(root / "plugins").rglob("*.py")]):
            digest.update(code.relative_to(root).as_posix().encode() + b"\0" + code.read_bytes())
        _FINGERPRINTS[memo] = digest.hexdigest()[:32]
    return _FINGERPRINTS[memo]
