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
from collections.abc import Callable, Iterator
from pathlib import Path

_recorders: list[set[Path]] = []
_deferred: list[Callable[[], None]] | None = None  # output steps kept for later (defer_steps)


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
