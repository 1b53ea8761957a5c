"""The answers of GET /api/ratings/{slug}, kept in memory while the totals are unchanged.

Every cached answer is tagged with the database's version of the totals
(``Store.totals_version()``) as it was *before* the totals were read; a lookup
first asks the version again, and any change (a commit by this process or any
other on the same database) empties the cache. So a GET that starts after a
vote was acknowledged, by whichever instance, never gets the count from before
it:

- SQLite: ``PRAGMA data_version``, which changes with every commit of any
  other connection, this process's writer included (exact, for every process
  on one database file);
- PostgreSQL: a counter bumped by this process's own commits and by the
  notification each vote transaction sends (pgstore.py): another instance's
  vote is seen as soon as PostgreSQL delivers it, and never more than
  ``pgstore.CACHE_MAX_AGE_S`` later.

A version of None (unknown) means: answer from the database, cache nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable

MAX_ENTRIES = 20000  # articles; beyond, answers are read from the database each time


def render(aggregate: dict) -> bytes:
    """The exact bytes Starlette's JSONResponse sends, so cached and fresh answers are equal."""
    return json.dumps(aggregate, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


class AnswerCache:
    def __init__(self, version: Callable[[], object | None]):
        self._version = version
        self._seen: object | None = None
        self._answers: dict[str, bytes] = {}

    def lookup(self, slug: str) -> tuple[bytes | None, object | None]:
        """(the cached answer or None, the token to ``keep`` a fresh answer with)."""
        version = self._version()
        if version is None or version != self._seen:
            self._answers.clear()
            self._seen = version
        if version is None:
            return None, None
        return self._answers.get(slug), version

    def keep(self, slug: str, token: object | None, answer: bytes) -> None:
        """Keep an answer read after ``lookup`` gave ``token``, unless the totals changed since."""
        if token is not None and token == self._seen and len(self._answers) < MAX_ENTRIES:
            self._answers[slug] = answer

    def forget(self) -> None:
        self._answers.clear()
