"""Precompressed copies of the output's files that software fetches again and again, for nginx's
``gzip_static on;``.

Beside every feed, CAP and CSAF file, calendar, OPML list, JSON file, stylesheet and script the
build writes ``<file>.gz``. nginx sends those bytes as they are to a client that accepts gzip,
with the .gz's own length and strong ETag, and answers conditional requests from its time: an
agency polling a feed every five minutes costs the server no compression at all.

Pages (``.html``) have no copy: nginx compresses them as it sends them (``gzip on``, level 6:
the same size as level 9 on this portal's pages, about 0.16 ms of CPU for a 14 KB page). Pages
are most of the output (at 10,000 articles their copies were 50 MiB and 2.5 s of CPU a build),
each is read rarely, and a conditional request still gets 304 (nginx compares the weak ETag of
a compressed answer).

The bytes are the same on every build (gzip with mtime 0 and no file name in the header), so an
unchanged file's .gz is unchanged too: ``keep_unchanged`` keeps its time, its ETag stays, and a
subscriber's If-None-Match still gets 304. Only gzip: brotli would save about 13 % more (measured
on the sample site) but needs a compression library, a third-party nginx module and about forty
times the compression time of every publish.
"""

from __future__ import annotations

import filecmp
import gzip
import os
import stat
from pathlib import Path

from ..outputs import Survey

COMPRESSED_SUFFIXES = (".css", ".js", ".xml", ".json", ".txt", ".ics", ".svg", ".opml")  # not .html: see above
# (portal.outputs links a linked file's .gz with it, for these suffixes: tests/unit/test_deploy.py checks both agree)
LEVEL = 9  # written once per build, read many times: the smallest gzip makes


def gzip_bytes(data: bytes) -> bytes:
    """The same bytes for the same input, on every build (no time, no name in the header)."""
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def _reusable(path: Path, before: Path) -> bytes | None:
    """The .gz of the previous build when the file did not change (reading is much faster than
    compressing: a rebuild, such as each save in the live preview, compresses only what changed)."""
    packed = before.with_name(before.name + ".gz")
    if before.is_symlink() or not before.is_file() or not packed.is_file() or packed.is_symlink():
        return None
    return packed.read_bytes() if filecmp.cmp(path, before, shallow=False) else None


def _link_packed(path: Path, before: Path) -> bool:
    """Link the previous output's .gz of ``path``, which is the previous output's file itself (the build
    linked an unchanged file): nothing to read, compare or compress. False when it has none."""
    packed = before.with_name(before.name + ".gz")
    try:
        if not stat.S_ISREG(os.lstat(packed).st_mode):  # never a link out of the output
            return False
        os.link(packed, path.with_name(path.name + ".gz"))
        return True
    except OSError:
        return False


def write_new(target: Path, data: bytes) -> None:
    """``target`` holding ``data``, never written through: a new file is made with O_EXCL (nothing there is
    opened; one folder entry made, where creating files is what costs); a file already there (a .gz may
    be a link into the previous output) is replaced by a temporary file's rename."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        return
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def precompress(folder: Path, previous: Path | None = None, workers: int | None = None,
                same: set[Path] | None = None, survey: Survey | None = None, done: set[str] | None = None) -> int:
    """Write <file>.gz beside every file of `folder` named in COMPRESSED_SUFFIXES whose compressed form
    is smaller; return how many.

    `previous`: the output this one replaces, whose .gz of an unchanged file is reused; `same`
    collects the files (and their .gz) found equal to the previous output's, so the swap need not
    compare them again.
    `survey`: the folder as listed beside ``previous`` (``portal.outputs.Survey``), read instead of listing
    it again, and told of each .gz written.
    `done`: the files (absolute paths) whose copy the build made as it wrote them (``portal.outputs``,
    ``pack_as_written``), left as they are.
    Links are never followed (a release has none; publish refuses them). The files are compressed
    on every core (zlib lets other threads run while it compresses)."""
    from concurrent.futures import ThreadPoolExecutor

    if survey is None:
        survey = Survey(folder, previous)
    paths, linked, ready = [], [], 0
    for top, (names, shared) in list(survey.folders.items()):
        wanted = [name for name in names if name.endswith(COMPRESSED_SUFFIXES)]
        if not wanted:
            continue
        present = set(names)
        for name in wanted:
            if name in shared and f"{name}.gz" in present:  # linked by the build with its .gz (portal.outputs)
                ready += 1  # (the swap finds both shared with the previous output by itself: not in ``same``)
                continue
            if done and os.path.join(top, name) in done:  # compressed as it was written
                ready += f"{name}.gz" in present
                continue
            path = Path(top, name)
            if name in shared:  # the previous output's file itself, linked by the build
                linked.append(path)
            elif not path.is_symlink():
                paths.append(path)

    def one_linked(path: Path) -> int:
        if _link_packed(path, previous / path.relative_to(folder)):
            survey.add(path.with_name(path.name + ".gz"), shared=True)
            return 1
        return one(path)  # the previous output has no .gz of it (a file too small to gain)

    def one(path: Path) -> int:
        packed = _reusable(path, previous / path.relative_to(folder)) if previous else None
        if packed is not None and same is not None:
            same.update((path, path.with_name(path.name + ".gz")))  # set.update holds the lock: no race
        if packed is None:
            data = path.read_bytes()
            packed = gzip_bytes(data)
            if len(packed) >= len(data):
                return 0  # a tiny file: nginx sends it as it is
        target = path.with_name(path.name + ".gz")
        write_new(target, packed)
        survey.add(target)
        return 1

    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        written = ready + sum(pool.map(one_linked, linked, chunksize=256)) + sum(pool.map(one, paths, chunksize=64))
    filecmp.clear_cache()
    return written
