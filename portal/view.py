"""The typed view of one published article: what every output reads.

Built once per article after reading (by the ``articles`` plugin), at the
build clock: fields parsed by the model, revisions and a withdrawal dated
after the clock held back, the warning's status, the lead image with its size,
the labelled rows of the facts box. Templates read ``article.view``; the feeds,
CAP, the search records and the ratings manifest read the same object. Nothing
downstream re-derives a field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import facts, model, reads
from .clock import EPOCH
from .facts import Row, Translate
from .images import ImageFile, read_image


@dataclass(frozen=True)
class TagRef:
    name: str
    slug: str
    url: str  # site-relative, e.g. the/an-ninh-mang/


@dataclass(frozen=True)
class LeadImage:
    file: ImageFile
    caption: str
    credit: str
    alt: str

    @property
    def path(self) -> str:
        return self.file.path

    @property
    def width(self) -> int | None:
        return self.file.width

    @property
    def height(self) -> int | None:
        return self.file.height


@dataclass(frozen=True)
class BannerWarning:
    """What the site-wide banner prints of a severe warning in force, and nothing more: every page shows
    the banner, so every page's key (portal.renders) reads this, not the warning's view, whose body,
    neighbours and related articles would make an edit of any of them render the whole site again."""

    url: str
    identifier: str | None
    title: str
    severity: model.Severity | None

    @classmethod
    def of(cls, view: ArticleView) -> BannerWarning:
        return cls(view.url, view.identifier, view.title, view.severity)


@dataclass
class ArticleView:
    kind: str  # a key of model.KINDS, or model.PAGE
    slug: str
    url: str  # site-relative, e.g. canh-bao/lo-hong-exchange.html
    title: str
    lead: str  # the Summary, plain text
    body_html: str  # the Markdown body as HTML, links resolved by Pelican
    date: dt.datetime
    updated: dt.datetime  # the last change by the build clock: date, Modified, a revision, a withdrawal
    modified: dt.datetime | None  # shown as "Cập nhật": Modified, else the last revision or withdrawal
    values: dict[str, Any]  # every field's typed value, events held back by the clock
    source_file: str  # as people see it: content/canh-bao/x.md
    byline: model.Byline | None = None
    tags: tuple[TagRef, ...] = ()
    image: LeadImage | None = None
    status: model.Status | None = None  # warnings only
    revisions: tuple[model.Revision, ...] = ()  # published by the build clock, oldest first
    withdrawn: model.Revision | None = None  # published by the build clock
    rows: tuple[Row, ...] = ()  # the facts box
    notices: tuple[str, ...] = ()  # "Đã thu hồi …", "Cập nhật …": what changed, newest first
    source_digest: str = ""  # Entry.digest: what the file's values and body are made of
    # the site around it (set once every view exists)
    newer_in_kind: ArticleView | None = None
    older_in_kind: ArticleView | None = None
    related: list[ArticleView] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        """A field of the kind by its key (view.identifier, view.location…); None when unset."""
        if name in model.FIELDS_BY_KEY:
            return self.values.get(name)
        raise AttributeError(name)

    @property
    def kind_label(self) -> str:
        kind = model.KINDS.get(self.kind)
        return kind.label_vi if kind else ""

    @property
    def is_warning(self) -> bool:
        return self.kind == model.WARNING

    @property
    def is_active(self) -> bool:
        return self.status is model.ACTIVE

    @property
    def cves(self) -> list[str]:
        return list(self.values.get("cve") or [])

    def row(self, key: str) -> Row | None:
        """One row of the facts by its key ("actions", "references", "revisions"…), None if absent:
        the page shows some rows apart from the facts box (what to do first, the technical facts after)."""
        return next((r for r in self.rows if r.key == key), None)

    def rows_except(self, *keys: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.key not in keys)


LINKS = ("newer_in_kind", "older_in_kind", "related")  # a view's links to other views


class _Link:
    """One of a view's links to other views (``LINKS``), as a field whose reading is noted in the
    thread that reads it (``portal.reads``): a page whose render read none is the same page whatever
    the linked views hold (``portal.renders`` then leaves them out of its key)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        reads.note_link()
        try:
            return view.__dict__[self.name]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, view: Any, value: Any) -> None:
        view.__dict__[self.name] = value


for _name in LINKS:  # after @dataclass: its __init__ sets them through the descriptor
    setattr(ArticleView, _name, _Link(_name))


def build_view(entry: model.Entry, *, url: str, body_html: str, tags: list[TagRef], now: dt.datetime,
               content_root: str, lang: str, translate: Translate) -> ArticleView:
    """The view of one validated entry at the build clock `now`."""
    _ = translate
    values = dict(entry.values)
    revisions, withdrawn = model.published_events(values, now)
    values["revisions"], values["withdrawn"] = revisions, withdrawn
    date = values.get("date") or EPOCH  # a page may have no date
    changes = [r.date for r in revisions] + ([withdrawn.date] if withdrawn else [])
    explicit = values.get("modified")
    modified = explicit or (max(changes) if changes else None)
    updated = max([date, *changes, *([explicit] if explicit and explicit <= now else [])])
    status = model.warning_status(values, now) if entry.kind == model.WARNING else None
    notices: list[str] = []
    if withdrawn:
        notices.append(f"{_('Đã thu hồi')} {withdrawn.date:%d/%m/%Y %H:%M}: {withdrawn.note}")
    if revisions:
        notices.append(f"{_('Cập nhật')} {revisions[-1].date:%d/%m/%Y %H:%M}: {revisions[-1].note}")
    history = facts.history_items(date, revisions, withdrawn, _) if entry.kind == model.WARNING else ()
    image = None
    if values.get("image"):
        image = LeadImage(read_image(content_root, values["image"]), values.get("image_caption", ""),
                          values.get("image_credit", ""),
                          values.get("image_alt") or values.get("image_caption", ""))
    return ArticleView(
        kind=entry.kind, slug=values.get("slug", ""), url=url, title=values.get("title", ""),
        lead=values.get("summary", ""), body_html=body_html, date=date, updated=updated, modified=modified,
        values=values, source_file=entry.path, byline=values.get("authors"), tags=tuple(tags), image=image,
        status=status, revisions=tuple(revisions), withdrawn=withdrawn,
        rows=facts.rows_for(entry.kind, values, lang, _, status, history), notices=tuple(notices),
        source_digest=entry.digest)


RELATED_COUNT = 4
RELATED_WINDOW = 25  # neighbours in time looked at on each side, per shared tag


def link_neighbours(views: list[ArticleView], cache_folder: str | None = None) -> None:
    """Previous/next within the kind and related articles, for views newest first.

    Related articles share the most tags among the RELATED_WINDOW nearest in time on
    each side within each tag, so the work grows with n·tags, not n² (a full pairwise
    comparison took half the build time at 3,000 articles). Ties go to the newer one.
    The links depend only on each view's kind and tags and on the order: the positions are
    kept for the last such shape, so a long-lived process (the live preview) whose save changed
    none of them only re-points the links; with ``cache_folder``, a build finds them there too
    (an edit that moves no article and changes no tag: 0.3 s at 10,000 articles). A save or an edit
    that changed the tags of a few articles, and moved none, works out again only the related
    articles of those near them in the tags they left or joined (``_moved_positions``)."""
    shape = tuple((v.kind, tuple(t.slug for t in v.tags)) for v in views)
    if _LAST_SHAPE.get("shape") != shape:
        positions = _moved_positions(_LAST_SHAPE.get("shape"), _LAST_SHAPE.get("positions"), shape)
        _LAST_SHAPE.update(shape=shape, positions=positions or _kept_positions(shape, cache_folder))
    newer, older, related = _LAST_SHAPE["positions"]
    for i, v in enumerate(views):
        v.newer_in_kind = views[newer[i]] if newer[i] is not None else None
        v.older_in_kind = views[older[i]] if older[i] is not None else None
        v.related = [views[k] for k in related[i]]


_LAST_SHAPE: dict = {}
NEIGHBOURS = "neighbours.pickle"  # in the cache folder: the last build's shape, its digest, and its positions
MOVED_MOST = 16  # articles whose tags changed, beyond which every position is worked out again


def _kept_positions(shape: tuple, cache_folder: str | None) -> tuple[list, list, list]:
    """The positions for ``shape``: from the cache folder when its last build had this shape (its digest
    and the positions' own checked), or a shape that differs from it by a few articles' tags
    (``_moved_positions``); else worked out. Kept there for the next build."""
    if not cache_folder:
        return _neighbour_positions(shape)
    import hashlib
    import os
    import pickle

    with open(__file__, "rb") as f:  # the way they are worked out (this module) is part of what they are
        code = hashlib.blake2b(f.read(), digest_size=16).digest()
    digest = hashlib.blake2b(pickle.dumps((code, shape), protocol=4), digest_size=16).digest()
    path = os.path.join(cache_folder, NEIGHBOURS)
    positions = None
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data[16:32] == code and hashlib.blake2b(data[48:], digest_size=16).digest() == data[32:48]:
            kept, last = pickle.loads(data[48:])  # noqa: S301 (our own file, both digests checked)
            if data[:16] == digest and len(kept[0]) == len(shape):
                return kept
            positions = _moved_positions(last, kept, shape)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError):
        pass
    positions = positions or _neighbour_positions(shape)
    body = pickle.dumps((positions, shape), protocol=pickle.HIGHEST_PROTOCOL)
    tmp = f"{path}.{os.getpid()}"
    try:
        os.makedirs(cache_folder, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(digest + code + hashlib.blake2b(body, digest_size=16).digest() + body)
        os.replace(tmp, path)
    except OSError:  # not kept: worked out again next time
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return positions


def _indexes(shape: tuple) -> tuple[dict, dict, dict]:
    """Each kind's articles and each tag's, by position, newest first; where each article is in each tag's."""
    by_kind: dict[str, list[int]] = {}
    by_tag: dict[str, list[int]] = {}
    for i, (kind, slugs) in enumerate(shape):
        by_kind.setdefault(kind, []).append(i)
        for slug in slugs:
            by_tag.setdefault(slug, []).append(i)
    position = {slug: {i: j for j, i in enumerate(items)} for slug, items in by_tag.items()}
    return by_kind, by_tag, position


def _related(i: int, slugs: tuple, by_tag: dict, position: dict) -> list[int]:
    shared: dict[int, int] = {}
    for slug in set(slugs):
        items, j = by_tag[slug], position[slug][i]
        for other in items[max(0, j - RELATED_WINDOW): j + RELATED_WINDOW + 1]:
            if other != i:
                shared[other] = shared.get(other, 0) + 1
    # the most tags shared first, then the nearest position: (-count, position) pairs sort as they are
    return [k for _, k in sorted([(-n, k) for k, n in shared.items()])[:RELATED_COUNT]]


def _neighbour_positions(shape: tuple) -> tuple[list, list, list]:
    """For each article of ``shape`` (its kind and tags' slugs, by position): the newer and older in its
    kind, and the related ones."""
    by_kind, by_tag, position = _indexes(shape)
    newer: list = [None] * len(shape)
    older: list = [None] * len(shape)
    for items in by_kind.values():
        for j, i in enumerate(items):
            newer[i] = items[j - 1] if j > 0 else None
            older[i] = items[j + 1] if j + 1 < len(items) else None
    related = [_related(i, slugs, by_tag, position) for i, (_, slugs) in enumerate(shape)]
    return newer, older, related


def _moved_positions(last: tuple | None, kept: tuple | None, shape: tuple) -> tuple[list, list, list] | None:
    """The positions for ``shape`` from those ``kept`` for the ``last`` shape, when they differ only by the
    tags of a few articles (none added, removed or moved, no kind changed: the newer and older stay); None
    otherwise. An article's related ones are read from the RELATED_WINDOW nearest it in each of its tags:
    an article that joins or leaves a tag changes them only for those within that distance of it there
    (one more on each side: the window's edge moves), and for itself."""
    if last is None or kept is None or len(last) != len(shape) or len(kept[0]) != len(shape):
        return None
    changed = [i for i, (was, now) in enumerate(zip(last, shape, strict=True)) if was != now]
    if len(changed) > MOVED_MOST or any(last[i][0] != shape[i][0] for i in changed):
        return None
    _, old_by_tag, _ = _indexes(last)
    _, by_tag, position = _indexes(shape)
    affected = set(changed)
    for i in changed:
        for slug in set(last[i][1]) | set(shape[i][1]):
            if last[i][1].count(slug) == shape[i][1].count(slug):
                continue  # the tag's list is as it was: no window in it changed
            for items in (old_by_tag.get(slug, ()), by_tag.get(slug, ())):
                for j in (j for j, other in enumerate(items) if other == i):
                    affected.update(items[max(0, j - RELATED_WINDOW - 1): j + RELATED_WINDOW + 2])
    newer, older, related = kept
    related = list(related)
    for i in affected:
        related[i] = _related(i, shape[i][1], by_tag, position)
    return list(newer), list(older), related
