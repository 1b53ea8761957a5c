"""The content cache of a long-lived process: each file is read again only when it changed.

Pelican's own content cache skips the reader, and with it what the portal's reader records for
the checks across files (the validated entry, its problems, the images it shows); and the view
of an article depends on the build clock. This cache keeps, for each file, the content object,
what reading it added to the build state, and until when that holds: the file's size and
modification time, and the next date in the file after the clock (an embargo ending, a warning
expiring, a revision or a withdrawal taking effect), when the same file reads differently.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from ..clock import next_date_after


def stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


@dataclass
class Cached:
    stamp: tuple[int, int]
    valid_until: dt.datetime | None
    obj: Any
    entries: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    withheld: set = field(default_factory=set)
    published: set = field(default_factory=set)


class ReadCache:
    """Content objects by (class, file), and what reading each added to the build state."""

    def __init__(self, state) -> None:
        self.state = state  # the articles plugin's build state (plugins are imported by Pelican)
        self.items: dict[tuple[str, str], Cached] = {}
        self.hits = 0
        self.misses = 0

    def install(self, generator, now: dt.datetime) -> None:
        """Route the generator's reads through this cache (for this build only)."""
        readers = generator.readers
        real = readers.read_file

        def read_file(base_path, path, content_class=None, fmt=None, context=None, **signals):
            full = os.path.abspath(os.path.join(base_path, path))
            key = (getattr(content_class, "__name__", ""), full)
            found = self.items.get(key)
            current = stamp(full)
            if found and current == found.stamp and (found.valid_until is None or now < found.valid_until):
                self.hits += 1
                return self._replay(found, context)
            self.misses += 1
            STATE = self.state
            before = (len(STATE.entries), len(STATE.problems), set(STATE.withheld_images),
                      set(STATE.published_images))
            kwargs = {"fmt": fmt, "context": context, **signals}
            if content_class is not None:
                kwargs["content_class"] = content_class
            obj = real(base_path, path, **kwargs)
            entries = STATE.entries[before[0]:]
            problems = STATE.problems[before[1]:]
            if current is not None:
                until = next_date_after([e.values for e in entries], now)
                self.items[key] = Cached(current, until, obj, list(entries), list(problems),
                                         STATE.withheld_images - before[2], STATE.published_images - before[3])
            return obj

        readers.read_file = read_file

    def _replay(self, found: Cached, context) -> Any:
        STATE = self.state
        STATE.entries.extend(found.entries)
        STATE.problems.extend(found.problems)
        STATE.withheld_images.update(found.withheld)
        STATE.published_images.update(found.published)
        obj = found.obj
        if context is not None and hasattr(obj, "_context"):
            obj._context = context
        return obj

    def forget_missing(self) -> None:
        """Drop what belongs to deleted files."""
        for key in [k for k in self.items if not os.path.exists(k[1])]:
            del self.items[key]
