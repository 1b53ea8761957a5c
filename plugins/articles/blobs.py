"""Pickled parse results kept in files, not in the build's memory.

A build holds every file's parse result twice over: as objects (Pelican's articles) and pickled,
for the parse cache it writes at the end of reading (plugins/articles/reader.py: ``ParseCache``).
At 10,000 articles the pickled copies are 40 MB, and receiving them from the worker processes in
one message each took as much again. Here each pickled result goes to a file as soon as it is
made (a worker's own file, or the build process's), and the build keeps only where it is: a
``Ref`` (file, offset, length). A result is read back with ``os.pread`` when Pelican asks for the
file, and copied from file to file when the pack is written. Nothing is mapped into memory: a
mapped page that was read would count in the process's resident memory.

The files live in one temporary folder per build (next to the parse cache when there is one),
removed by ``release`` once every file is read, or when the process exits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

Ref = tuple[str, int, int]  # file, offset, length

_FOLDER: list[str] = []  # this build's folder (at most one)
_FILES: dict[str, int] = {}  # open for reading, by path
_OWN: dict[int, object] = {}  # the file each process appends to, by pid (a forked worker opens its own)
PREFIX = "portal-parse-"


def folder(near: str | os.PathLike | None = None) -> str:
    """This build's folder, made on first use: inside ``near`` (the parse cache's folder: the same
    disk as the pack) when given and writable, else in the system's temporary folder."""
    if not _FOLDER:
        where = None
        if near:
            try:
                Path(near).mkdir(parents=True, exist_ok=True)
                remove_abandoned(Path(near))
                where = str(near)
            except OSError:
                where = None
        _FOLDER.append(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=where))
    return _FOLDER[0]


def append(data: bytes) -> Ref:
    """Write ``data`` to this process's file in the build's folder; where it went."""
    pid = os.getpid()
    out = _OWN.get(pid)
    if out is None:
        out = _OWN[pid] = open(os.path.join(folder(), f"{pid}.blobs"), "ab")  # noqa: SIM115 (closed by release)
    offset = out.tell()
    out.write(data)
    out.flush()  # another process (the build, for a worker's file) reads it next
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
        out.close()
    _OWN.clear()  # a forked worker's entries, copied from the parent: not this process's files
    if _FOLDER:
        made = _FOLDER.pop()
        if Path(made).name.startswith(f"{PREFIX}{os.getpid()}-"):
            shutil.rmtree(made, ignore_errors=True)


def remove_abandoned(near: Path) -> None:
    """Folders left in ``near`` by builds that were killed (their process is gone)."""
    for old in near.glob(f"{PREFIX}*"):
        pid = old.name[len(PREFIX):].split("-", 1)[0]
        if old.is_dir() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


atexit.register(release)
