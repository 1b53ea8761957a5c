"""Writing output files: how every plugin puts bytes into the output folder.

A long-lived process (the live preview) records what one round of writing wrote
(``recording()``), so a file an earlier round wrote and this one did not (the feed of a
tag no article has any more) can be removed, as a fresh build would not have it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

_recorders: list[set[Path]] = []


def write_file(path: Path, data: bytes) -> None:
    """Write an output file, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
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
