"""Pickled parse results kept in files, not in the build's memory.

A build holds every file's parse result twice over: as objects (Pelican's articles) and pickled,
for the parse cache it writes at the end of reading (plugins/articles/reader.py: ``ParseCache``).
At 10,000 articles the pickled copies are 40 MB, and receiving them from the worker processes in
one message each took as much again. Here each pickled result goes to a file as soon as it is
made (a worker's own file, or the build process's), and the build keeps only where it is: a
``Ref`` (file, offset, length). A result is read back with ``os.pread`` when Pelican asks for the
file, and copied from file to file when the pack is written. Nothing is mapped into memory: a
mapped page that was read would count in the process's resident memory.

The files live in one temporary folder per build (next to the parse cache when there is one and
it can be written, else in the system's temporary folder), removed by ``release`` once every file
is read. The folder holds a lock (``flock``) for as long as the build or one of its processes
lives: a folder whose lock is free was left by a build that was killed, and the next build (or the
build command, once its build process has ended) removes it. A lock, not a process number: two
machines may share one cache folder.

Every write here may fail (a full disk, a folder that cannot be written): callers treat an
``OSError`` as "not kept", and the file is parsed again.
"""

from __future__ import annotations

import atexit
import errno
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

Ref = tuple[str, int, int]  # file, offset, length

PREFIX = "portal-parse-"
LOCK = ".lock"
YOUNG_S = 600  # a folder without its lock yet is being made, unless it is older than this

_FOLDER: list[str] = []  # this build's folder (at most one)
_LOCK: list[int] = []  # its lock, held open
_FILES: dict[str, int] = {}  # open for reading, by path
_OWN: dict[int, object] = {}  # the file each process appends to, by pid (a forked worker opens its own)


def folder(near: str | os.PathLike | None = None) -> str:
    """This build's folder, made on first use: inside ``near`` (the parse cache's folder: the same
    disk as the pack) when given and writable, else in the system's temporary folder."""
    if not _FOLDER:
        made = None
        for where in ([near] if near else []) + [None]:
            try:
                if where is not None:
                    Path(where).mkdir(parents=True, exist_ok=True)
                remove_abandoned(Path(where or tempfile.gettempdir()))
                made = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=where)
                fd = os.open(os.path.join(made, LOCK), os.O_CREAT | os.O_WRONLY, 0o600)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                if made:
                    shutil.rmtree(made, ignore_errors=True)
                made = None
                continue
            _LOCK.append(fd)
            break
        if made is None:
            raise OSError("no folder for the parse results can be written")
        _FOLDER.append(made)
    return _FOLDER[0]


def append(data: bytes) -> Ref:
    """Write ``data`` to this process's file in the build's folder; where it went. OSError when it
    cannot be written."""
    pid = os.getpid()
    out = _OWN.get(pid)
    if out is None:
        out = _OWN[pid] = open(os.path.join(folder(), f"{pid}.blobs"), "ab")  # noqa: SIM115 (closed by release)
    offset = out.tell()
    try:
        out.write(data)
        out.flush()  # another process (the build, for a worker's file) reads it next
    except OSError:
        out.seek(offset)  # what did not fit is overwritten by the next result, or never read
        out.truncate()
        raise
    return out.name, offset, len(data)


def read(ref: Ref) -> bytes:
    """The bytes at ``ref``; OSError when the file is gone or shorter than it says."""
    path, offset, length = ref
    fd = _FILES.get(path)
    if fd is None:
        fd = _FILES[path] = os.open(path, os.O_RDONLY)
    data = os.pread(fd, length, offset)
    if len(data) != length:
        raise OSError(f"{path}: {length} bytes expected at {offset}, {len(data)} found")
    return data


def copy(ref: Ref, out: int) -> None:
    """Append the bytes at ``ref`` to the open file ``out``: the kernel copies them where it can, so a
    pack of 40 MB is not read into this process to be written again. OSError when they are not all there."""
    path, offset, length = ref
    fd = _FILES.get(path)
    if fd is None:
        fd = _FILES[path] = os.open(path, os.O_RDONLY)
    done = 0
    if not hasattr(os, "copy_file_range"):  # not Linux
        write(out, read(ref))
        return
    while done < length:
        try:
            n = os.copy_file_range(fd, out, length - done, offset + done)
        except OSError as err:
            if err.errno not in _NO_RANGE_COPY:
                raise
            n = 0  # a file system (or kernel) that cannot copy ranges, or stops partway
        if not n:  # the rest read and written (read() says so when the bytes are really not there)
            write(out, read((path, offset + done, length - done)))
            return
        done += n


_NO_RANGE_COPY = (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF)


def write(out: int, data: bytes) -> None:
    """All of ``data`` to the open file ``out``."""
    view = memoryview(data)
    while view:
        view = view[os.write(out, view):]


def forget(path: str) -> None:
    """Close ``path`` if it is open for reading (before it is replaced under the same name)."""
    fd = _FILES.pop(path, None)
    if fd is not None:
        os.close(fd)


def release() -> None:
    """Close every file and remove this build's folder (in the process that made it)."""
    for fd in _FILES.values():
        os.close(fd)
    _FILES.clear()
    out = _OWN.pop(os.getpid(), None)
    if out is not None:
        try:
            out.close()
        except OSError:
            pass  # what could not be written is not read any more
    _OWN.clear()  # a forked worker's entries, copied from the parent: not this process's files
    if _FOLDER:
        made = _FOLDER.pop()
        if Path(made).name.startswith(f"{PREFIX}{os.getpid()}-"):
            shutil.rmtree(made, ignore_errors=True)
    while _LOCK:
        os.close(_LOCK.pop())


def remove_abandoned(near: Path) -> None:
    """Folders left in ``near`` by builds that were killed: their lock is free."""
    try:
        found = [p for p in near.glob(f"{PREFIX}*") if p.is_dir()]
    except OSError:
        return
    for old in found:
        if str(old) in _FOLDER:
            continue
        try:
            fd = os.open(old / LOCK, os.O_WRONLY)
        except FileNotFoundError:
            try:
                if time.time() - old.stat().st_mtime > YOUNG_S:
                    shutil.rmtree(old, ignore_errors=True)  # never locked: made by a build killed at once
            except OSError:
                pass
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a build holds it
        finally:
            os.close(fd)
        shutil.rmtree(old, ignore_errors=True)


def remove_all_abandoned(cache: str | os.PathLike | None) -> None:
    """What killed builds left, in the parse cache's folder and in the system's temporary folder."""
    for where in ([Path(cache)] if cache else []) + [Path(tempfile.gettempdir())]:
        if where.is_dir():
            remove_abandoned(where)


atexit.register(release)
