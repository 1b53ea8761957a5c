"""Writing output files: how every plugin puts bytes into the output folder.

A long-lived process (the live preview) records what one round of writing wrote
(``recording()``), so a file an earlier round wrote and this one did not (the feed of a
tag no article has any more) can be removed, as a fresh build would not have it.

The receivers that only write files from the finished model (feeds, CAP, CSAF, calendars, the
search records) are marked ``@output_step``: no page reads what they do, so a build on several
cores runs them while other processes write the pages (``defer_steps``), and the live preview
runs them after its answer.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

_recorders: list[set[Path]] = []
_deferred: list[Callable[[], None]] | None = None  # output steps kept for later (defer_steps)


_previous: tuple[str, str] | None = None  # (this build's folder, the output it replaces): see link_unchanged
_packed = False  # whether a linked file's .gz copy is linked with it


def link_unchanged(folder: str | None, previous: str | None, packed: bool = False) -> None:
    """From now on, a file written into ``folder`` with exactly the bytes of the same file in
    ``previous`` (the output a build replaces) is a hard link to that file: nothing to write, its
    time (Last-Modified, ETag) kept, and the swap knows it unchanged without reading it; with
    ``packed`` (the build precompresses), its .gz copy is linked with it (``precompress`` then
    leaves both alone). ``None``: write every file (the live preview writes into its output folder
    itself)."""
    global _previous, _packed, _made
    _previous = (os.path.abspath(folder), os.path.abspath(previous)) if folder and previous else None
    _packed = bool(packed and _previous)
    _made = set() if folder else None


_made: set[Path] | None = None  # a build's folders made already (one mkdir a folder, not one a file)


def _make_folder(folder: Path) -> None:
    if _made is None:
        folder.mkdir(parents=True, exist_ok=True)
    elif folder not in _made:
        folder.mkdir(parents=True, exist_ok=True)
        _made.add(folder)


def link_file(before: str, target: str) -> None:
    """``target`` becomes the previous output's file ``before``, and its .gz copy with it (when the build
    precompresses and ``before`` has one: a copy that is not a regular file is left to precompress)."""
    os.link(before, target)
    if _packed and target.endswith(_COMPRESSED):
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(before + ".gz").st_mode):
                os.link(before + ".gz", target + ".gz")


_COMPRESSED = (".css", ".js", ".xml", ".json", ".txt", ".ics", ".svg", ".opml")  # deploy.compress's


def _before(path: Path) -> str | None:
    """The previous output's file for ``path`` of the build's folder (None: not linking, or elsewhere)."""
    if _previous is None:
        return None
    folder, previous = _previous
    target = os.path.abspath(path)
    return os.path.join(previous, os.path.relpath(target, folder)) if target.startswith(folder + os.sep) else None


def link_if_same(before: str, target: str, data: bytes) -> bool:
    """Whether the file ``before`` (of the output a build replaces) holds exactly ``data`` and is now
    linked at ``target``, which does not exist yet."""
    try:
        st = os.lstat(before)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        with open(before, "rb") as old:
            if old.read() != data:
                return False
        link_file(before, target)
        return True
    except OSError:  # missing, or another file system
        return False


def same_bytes(a: str | Path, b: str | Path) -> bool:
    """Whether two files hold the same bytes (read a megabyte at a time)."""
    if os.stat(a).st_size != os.stat(b).st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            chunk = fa.read(1 << 20)
            if chunk != fb.read(1 << 20):
                return False
            if not chunk:
                return True


def shared_inodes(fresh: Path, before: Path) -> set[str]:
    """The names of regular files that the folders ``fresh`` and ``before`` (one file system) share as
    one file, by the inode numbers their folders list (no file is opened or stat'ed)."""
    try:
        with os.scandir(before) as entries:
            old = {e.name: e.inode() for e in entries if e.is_file(follow_symlinks=False)}
        with os.scandir(fresh) as entries:
            return {e.name for e in entries if e.is_file(follow_symlinks=False) and old.get(e.name) == e.inode()}
    except OSError:
        return set()


class Survey:
    """One listing of a build's folder, beside the output it replaces: each folder's files, and which of
    them are the previous output's own file (linked by the build: one inode). The steps after a build
    (the .gz copies, the swap) read this instead of listing every folder of both outputs again; each
    adds what it writes (``add``)."""

    def __init__(self, fresh: Path, previous: Path | None) -> None:
        root = os.path.normpath(fresh)
        before = os.path.normpath(previous) if previous is not None and os.path.isdir(previous) and \
            os.stat(previous).st_dev == os.stat(root).st_dev else None
        self.folders: dict[str, tuple[list[str], set[str]]] = {}  # folder -> its files, those shared
        todo = [root]
        while todo:
            folder = todo.pop()
            names, inodes = [], {}
            try:
                with os.scandir(folder) as listing:
                    for entry in listing:
                        if entry.is_dir():  # as os.walk: a link to a folder is listed, never followed
                            if not entry.is_symlink():
                                todo.append(entry.path)
                        else:
                            names.append(entry.name)
                            if entry.is_file(follow_symlinks=False):
                                inodes[entry.name] = entry.inode()
            except OSError:
                continue
            shared: set[str] = set()
            if before is not None and inodes:
                try:
                    with os.scandir(before + folder[len(root):]) as listing:
                        shared = {e.name for e in listing
                                  if inodes.get(e.name) == e.inode() and e.is_file(follow_symlinks=False)}
                except OSError:
                    pass
            self.folders[folder] = (names, shared)

    def add(self, path: Path, shared: bool = False) -> None:
        """A file written after the listing (``shared``: linked from the previous output)."""
        names, linked = self.folders.setdefault(os.path.dirname(os.path.normpath(path)), ([], set()))
        name = os.path.basename(path)
        names.append(name)
        if shared:
            linked.add(name)
        else:  # written in place of one linked from the previous output, perhaps: no longer its file
            linked.discard(name)


def keep_previous(path: Path) -> None:
    """A file written into a build's folder some other way (streamed): when the output it replaces
    has the same bytes, the file becomes a link to that one (see link_unchanged)."""
    before = _before(path)
    if before is None:
        return
    target = os.path.abspath(path)
    try:
        if not stat.S_ISREG(os.lstat(before).st_mode) or not same_bytes(before, target):
            return
        os.link(before, f"{target}.link")
        os.replace(f"{target}.link", target)
        if _packed and target.endswith(_COMPRESSED) and stat.S_ISREG(os.lstat(before + ".gz").st_mode):
            os.link(before + ".gz", target + ".gz")
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(f"{target}.link")


def write_file(path: Path, data: bytes) -> None:
    """Write an output file, making its folder (and its .gz copy: see ``pack_as_written``)."""
    _make_folder(path.parent)
    if _packing is not None:  # written before in this build: its copy is of what it held then
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}.gz")
    if _previous is None:
        if _keyed is not None and _keyed[2]:  # the live preview's folder, served as it is written: whole files
            write_whole(path, data)
        else:
            path.write_bytes(data)
        _pack(path, data)
    else:
        path.unlink(missing_ok=True)  # never write through a link into the previous output
        before = _before(path)
        if before is None or not link_if_same(before, os.path.abspath(path), data):
            path.write_bytes(data)
            _pack(path, data)
    _record(path)


def write_whole(path: Path | str, data: bytes) -> None:
    """``data`` written beside ``path``, then renamed over it: whoever reads ``path`` meanwhile reads the old file
    or the new one, whole. The file beside has a short name of its own (a name near the file system's longest
    would be too long with a suffix) and is removed when the writing fails."""
    tmp = os.path.join(os.path.dirname(os.path.abspath(path)), f".portal-{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_packing: set[str] | None = None  # the files whose .gz copy was made as they were written: see pack_as_written


def pack_as_written(on: bool) -> None:
    """From now on (True: a build's process, when it precompresses) ``write_file`` makes the .gz copy of
    every file named in ``_COMPRESSED`` as it writes it: in the process and the phase that made the
    file (the output steps run while another process writes pages), not after every page is written.
    ``packed_files`` names them (with the copy, or none for a file too small to gain), and
    ``portal.deploy.compress.precompress`` leaves them alone. False: off."""
    global _packing
    _packing = set() if on else None


def _pack(path: Path, data: bytes) -> None:
    if _packing is None or not path.name.endswith(_COMPRESSED):
        return
    from .deploy.compress import gzip_bytes, write_new  # (compress imports this module)

    packed = gzip_bytes(data)
    if len(packed) < len(data):  # a tiny file: nginx sends it as it is
        write_new(path.with_name(path.name + ".gz"), packed)
    _packing.add(os.path.abspath(path))


def save_packed(listing: Path) -> None:
    """Write the names ``pack_as_written`` gathered, one a line, for the process that precompresses."""
    listing.write_text("".join(f"{name}\n" for name in sorted(_packing or ())), encoding="utf-8")


def packed_files(listing: Path) -> set[str]:
    """The names ``save_packed`` wrote (none when it did not)."""
    try:
        return set(listing.read_text(encoding="utf-8").splitlines())
    except FileNotFoundError:
        return set()


_keyed: tuple[object, str, bool] | None = None  # (PageKeys, the folder written, in place): see keyed_by
_stop: Callable[[], bool] | None = None  # whether the round writing in place is asked to stop (keyed_by)
_keyed_count = {"linked": 0, "made": 0}  # write_keyed's files since keyed_by was given keys


class Stopped(Exception):  # noqa: N818 (not an error: a round of the live preview asked to stop)
    """``write_keyed`` was called after the live preview's round asked its output steps to stop."""


def keyed_by(keys: object | None, folder: str | None = None, in_place: bool = False,
             stop: Callable[[], bool] | None = None) -> None:
    """From now on (while a build's output steps run) ``write_keyed`` keeps each file's key in
    ``keys`` and links a file the previous build made from the same inputs; None: off. ``in_place``:
    the folder is the output itself (the live preview's), where a file made from the same inputs as
    the one there (``keys.previous``, the files of earlier rounds) is left as it is. ``stop``: asked
    before each file; once it says True, ``write_keyed`` raises ``Stopped`` (the live preview's
    round gives way to a save between two feeds or two warnings, not only between two steps)."""
    global _keyed, _stop
    _keyed = (keys, os.path.abspath(folder), in_place) if keys is not None and folder else None
    _stop = stop if _keyed is not None else None
    if _keyed is not None:
        _keyed_count.update(linked=0, made=0)


def keyed_files() -> tuple[int, int]:
    """How many files ``write_keyed`` left or linked as the last output had them, and how many it made,
    since ``keyed_by`` was last given keys."""
    return _keyed_count["linked"], _keyed_count["made"]


def inputs_digest(inputs: tuple) -> bytes | None:
    """What ``write_keyed`` would key ``inputs`` by, with the build's fingerprint: None outside a build's
    output steps, or for inputs ``portal.renders`` cannot digest."""
    if _keyed is None:
        return None
    return _keyed[0].inputs_digest(inputs)  # type: ignore[attr-defined]


def write_keyed(path: Path, inputs: tuple, make: Callable[[], bytes]) -> bool:
    """Write the bytes ``make()`` gives, unless the output a build replaces has this file made from the
    same ``inputs`` (whatever ``make`` reads besides the settings and code: an article's view, digested
    without its links to other articles, a value of the settings): then it is linked from there,
    ``make`` not called. Outside a build, or for inputs ``portal.renders`` cannot digest, it is made.
    Raises ``Stopped``, writing nothing, once the ``stop`` given to ``keyed_by`` says so. True when made,
    False when linked."""
    if _stop is not None and _stop():
        raise Stopped()
    if _keyed is not None:
        keys, folder, in_place = _keyed
        target = os.path.abspath(path)
        name = os.path.relpath(target, folder)
        key = keys.output_key(name, inputs)  # type: ignore[attr-defined]
        if in_place:
            if key is not None and keys.unchanged(name, key, target):  # type: ignore[attr-defined]
                keys.linked(name)  # type: ignore[attr-defined]
                _record(path)
                _keyed_count["linked"] += 1
                return False
            _keyed_count["made"] += 1
            write_file(path, make())
            if key is not None:
                keys.stamped(name, key, target)  # type: ignore[attr-defined]
            return True
        before = _before(path)
        if key is not None and before is not None and keys.unchanged(name, key, before):  # type: ignore[attr-defined]
            _make_folder(path.parent)
            try:  # a link never writes through an existing file: it fails, and the file is made
                link_file(before, target)
                keys.linked(name)  # type: ignore[attr-defined]
                _record(path)
                _keyed_count["linked"] += 1
                return False
            except OSError:  # another file system, or written already: made and written
                pass
    _keyed_count["made"] += 1
    write_file(path, make())
    return True


def _record(path: Path) -> None:
    for written in _recorders:
        written.add(Path(path).resolve())


@contextlib.contextmanager
def recording() -> Iterator[set[Path]]:
    """The set of files written through write_file while the block runs."""
    written: set[Path] = set()
    _recorders.append(written)
    try:
        yield written
    finally:
        _recorders.remove(written)


def output_step(receiver: Callable) -> Callable:
    """Mark a signal receiver that only writes output files; while ``defer_steps(True)`` holds, a
    call is kept for ``take_steps`` instead of running."""

    @functools.wraps(receiver)
    def step(*args, **kwargs):
        if _deferred is not None:
            _deferred.append(functools.partial(receiver, *args, **kwargs))
            return None
        return receiver(*args, **kwargs)

    step.portal_output = True
    return step


def is_output_step(receiver: object) -> bool:
    return getattr(receiver, "portal_output", False) is True


def defer_steps(on: bool) -> None:
    """From now on keep (True) or run (False) the output steps' calls; either way drop any kept."""
    global _deferred
    _deferred = [] if on else None


def take_steps() -> list[Callable[[], None]]:
    """The calls kept since ``defer_steps(True)``, in the order they were made; stops keeping."""
    global _deferred
    steps, _deferred = _deferred or [], None
    return steps


_when_written: Callable[[], None] | None = None  # called once every page and output step is written


def when_written(callback: Callable[[], None] | None) -> None:
    """From now on call ``callback`` once the build has written every page and run every output step
    (``written``), before the receivers that read the output and the end of Pelican's run; None: nothing."""
    global _when_written
    _when_written = callback


def written() -> None:
    """Every page and output step is written (``plugins/articles`` ``write_pages``)."""
    if _when_written is not None:
        _when_written()


_when_records_whole: Callable[[], None] | None = None  # called when the search records are whole, if earlier


def when_records_whole(callback: Callable[[], None] | None) -> None:
    """From now on call ``callback`` when the search step says its records are whole while pages are still
    being written (``records_whole``); None: nothing."""
    global _when_records_whole
    _when_records_whole = callback


def records_whole() -> None:
    """The search records are whole, and there is memory for Pagefind beside the pages still being written
    (``plugins/search``): the build command may index them already."""
    if _when_records_whole is not None:
        _when_records_whole()
