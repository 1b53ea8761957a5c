"""What a page's render read beyond its own values (``portal.renders``: such a page's key digests more).

Two reads are noted, in the thread that renders: a view's links to other views (newer, older,
related: ``portal.view``), and the items of a listing page other than the page's own (Pelican's
``Page.object_list``: a listing page's links to the page before and after it need their address
only). A page whose render read neither is the same page whatever those hold: its key leaves them
out, and an edit of one article no longer renders again every page that lists its neighbours.
"""

from __future__ import annotations

import threading
from typing import Any

NEIGHBOUR_PAGES = ("_previous_page", "_next_page")  # Pelican's names for the pages around a listing page


class _Reads(threading.local):
    on = False  # between ``start`` and ``stop``
    links = False
    pages: set[tuple] = set()  # the listing pages whose items were read (``_which``)


_READS = _Reads()


def start() -> None:
    """From now on, in this thread: what is read is noted afresh."""
    _READS.on, _READS.links, _READS.pages = True, False, set()


def stop() -> None:
    """Nothing more is noted in this thread (what was is kept for ``beyond``)."""
    _READS.on = False


def note_link() -> None:
    if _READS.on:
        _READS.links = True


def _which(page: Any) -> tuple:
    """A listing page as its paginator's name (the file of its first page) and its number: each
    page's own values are made afresh for each use (``Job.own_context``), the same for the same page."""
    return ("page", page.__dict__.get("name"), page.__dict__.get("number"))


def own_pages(own: dict) -> list[Any]:
    """The listing pages a page shows the items of, among its own values: Pelican names each
    ``<name>_page`` (``articles_page``), the pages around it ``<name>_previous_page`` and ``…_next_page``."""
    from pelican.paginator import Page

    return [value for name, value in own.items()
            if name.endswith("_page") and not name.endswith(NEIGHBOUR_PAGES) and isinstance(value, Page)]


def beyond(own: dict) -> bool:
    """Whether the render since ``start`` (in this thread) read a view's link, or the items of a
    listing page that is not one of its own (``own``: the page's own values)."""
    if _READS.links:
        return True
    read = _READS.pages
    if not read:
        return False
    return not read <= {_which(page) for page in own_pages(own)}


def install() -> None:
    """Pelican's listing pages, and their paginators (every item of a listing), note the reading of
    their items (once)."""
    from pelican.paginator import Page, Paginator

    for owner, which in ((Page, _which), (Paginator, lambda paginator: ("paginator", id(paginator)))):
        if not isinstance(owner.__dict__.get("object_list"), _Items):
            owner.object_list = _Items(which)


class _Items:
    """``object_list`` of a listing page or a paginator, its reading noted (``beyond`` reads it)."""

    def __init__(self, which) -> None:
        self.which = which

    def __get__(self, owner: Any, cls: type | None = None) -> Any:
        if owner is None:
            return self
        if _READS.on:
            _READS.pages.add(self.which(owner))
        try:
            return owner.__dict__["object_list"]
        except KeyError:
            raise AttributeError("object_list") from None

    def __set__(self, owner: Any, value: Any) -> None:
        owner.__dict__["object_list"] = value
