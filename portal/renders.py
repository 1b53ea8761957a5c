"""Render only the pages a rebuild changes: one key per page, kept between builds.

A page's key is a digest of everything its template can read, worked out without rendering it:

- the names the template and every template it extends, includes or imports can look up in their
  context (Jinja's own analysis of their sources, once per build; a template whose include or
  import is named at run time can read what any template of the theme reads);
- the value of each of those names on this page (its local context, else the environment's
  globals), digested once per object and build (``Digests``). An article (Pelican's object or its
  view) is digested whole: every field of its view (body, typed values, facts, status and published
  revisions by the build clock, lead image with its size), its address, and, when the page's render
  read a view's links, the whole of the views it links to (newer, older, related) one step away. A list
  is its items' digests, a tag its name and address, a paginator's page its items and number (another
  listing page's items only when the render read them: ``portal.reads``);
- a fingerprint of everything else: the code of the portal and its plugins, the theme's files, the
  settings, the versions of Python and the libraries that render.

Whether a render read a view's links or another listing page's items is noted as it runs
(``portal.reads``), and said by the page's key (``_ALONE``): the next build computes the key as the
previous render read, which the same inputs read again.

A rebuild computes each page's key; when it equals the key the previous build saved for that file
and the previous output's file is still the very file that build left (its inode, size and time),
the page is a hard link to it, not rendered. (A file written in place with its size kept and its time
put back passes for the same file; its change time cannot tell, since linking a file changes it.)
Any value no rule knows (``Unknown``) leaves its page without a key: rendered on every build, never
wrongly kept.

Helpers a template calls read state of their own: they say so with a ``portal_state`` attribute (a
function giving that state, digested once per build), or, for state about one article (its rating),
by registering a function of the view with ``article_state``, which the article's digest includes.
What a theme may not do for this to hold: reach an article more than one link away from one its page
holds (the related article of a related article), or call a helper that reads other state without
saying so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import importlib.metadata
import io
import logging
import os
import pickle
import struct
import sys
import threading
import types
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

log = logging.getLogger("portal.renders")

MAGIC = b"portal page keys 3\n"
_ALONE = 1  # a page key's lowest bit: the key digests each view without the views it links to
_STAMP = struct.Struct("<QQq")  # a file's inode, size and modification time (ns)
_ARTICLE_STATE: list[Callable[[Any], Any]] = []  # per-article state of helpers (a view -> a value)


class Unknown(Exception):
    """A value no digest rule knows: its page gets no key."""


def article_state(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Register ``function(view)``: state a helper reads about one article (its rating), digested with
    the article."""
    if function not in _ARTICLE_STATE:
        _ARTICLE_STATE.append(function)
    return function


# ---- what a template can read ---------------------------------------------------------------------------
class TemplateNames:
    """The context names a template and every template it pulls in can look up (once per template).

    ``analysed``: each template source's own names and references by the digest of the source and of
    what parses it (``_parsing``), shared by the environments of a build and kept between builds: the
    theme's templates take 0.2 s to analyse, on every build's serial part."""

    def __init__(self, env, analysed: dict[bytes, tuple[frozenset[str], tuple]]) -> None:
        self.env = env
        self.analysed = analysed
        self._parsing = _parsing(env)
        self._own: dict[str, tuple[frozenset[str], tuple]] = {}
        self._closure: dict[str, frozenset[str] | None] = {}
        self._sorted: dict[str | None, tuple[str, ...] | None] = {}

    def _read(self, name: str) -> tuple[frozenset[str], tuple]:
        if name not in self._own:
            source = self.env.loader.get_source(self.env, name)[0]
            digest = _h(self._parsing, source.encode("utf-8", "surrogatepass"))
            if digest not in self.analysed and digest in _COMPILED:  # found as Jinja compiled it for this build
                self.analysed[digest] = _COMPILED[digest]
            if digest not in self.analysed:
                ast = self.env.parse(source, name)
                self.analysed[digest] = (_looked_up(ast), tuple(_referenced(ast)))
            self._own[name] = self.analysed[digest]
        return self._own[name]

    def sorted(self, name: str | None) -> tuple[str, ...] | None:
        if name not in self._sorted:
            names = self.of(name)
            self._sorted[name] = tuple(sorted(names)) if names is not None else None
        return self._sorted[name]

    def of(self, name: str | None) -> frozenset[str] | None:
        """None when the template cannot be analysed (no name, a source no loader gives)."""
        if not name:
            return None
        if name not in self._closure:
            self._closure[name] = self._walk(name)
        return self._closure[name]

    def _walk(self, name: str) -> frozenset[str] | None:
        names: set[str] = set()
        seen: set[str] = set()
        todo = [name]
        try:
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                own, refs = self._read(current)
                names |= own
                for ref in refs:
                    if ref is None:  # named at run time: any template of the theme
                        todo.extend(self.env.list_templates())
                    elif ref.startswith(_PATTERN):  # named at run time between a fixed start and end
                        start, _, end = ref[1:].partition(_PATTERN)
                        todo.extend(t for t in self.env.list_templates() if t.startswith(start) and t.endswith(end)
                                    and len(t) >= len(start) + len(end))
                    else:
                        todo.append(ref)
        except Exception as err:  # noqa: BLE001 (not analysed: rendered every time)
            log.debug("template %s not analysed: %s", name, err)
            return None
        return frozenset(names)


def baked(env) -> bytes:
    """What the environment's extensions bake into its compiled templates besides their source
    (``portal.i18n.ConstantTranslations``: the translation table), as the compiled templates' caches
    key it (``portal.template_cache.compiler_options``): a page rendered with one table is not kept for
    another (the live preview reads the table again after a save; the fingerprint is the build's start)."""
    return "\0".join(f"{name}:{ext.salt()}" for name, ext in sorted(env.extensions.items())
                      if hasattr(ext, "salt")).encode()


_THIS_CODE: list[bytes] = []
# each template's names and references (TemplateNames.analysed's values) found while Jinja compiled it, by the
# digest of what parses it and of its source: a build that compiles its templates (the first, or one after a
# change of the theme) finds them without parsing and walking each template a second time
_COMPILED: dict[bytes, tuple[frozenset[str], tuple]] = {}
_COMPILING = threading.local()  # the digest of the source being compiled in this thread


def name_while_compiling(env) -> None:
    """From now on, Jinja's compilation of a template of ``env`` also finds what ``TemplateNames`` needs of it
    (``_COMPILED``): its code generator notes the names each frame looks up, as ``_looked_up`` does."""
    if getattr(env, "_portal_naming", False):
        return
    from jinja2.compiler import CodeGenerator

    class Naming(env.code_generator_class if issubclass(env.code_generator_class, CodeGenerator) else CodeGenerator):
        def enter_frame(self, frame) -> None:
            super().enter_frame(frame)
            found = getattr(self, "_portal_names", None)
            if found is None:
                found = self._portal_names = set()
            found.update(param for action, param in frame.symbols.loads.values() if action == "resolve")

        def visit_Template(self, node, frame=None) -> None:  # noqa: N802 (Jinja's name)
            super().visit_Template(node, frame)
            digest = getattr(_COMPILING, "digest", None)
            if digest is not None:
                _COMPILED[digest] = (frozenset(getattr(self, "_portal_names", ())), tuple(_referenced(node)))

    parsing = _parsing(env)
    compile_source = env.compile

    def compile(source, name=None, filename=None, raw=False, defer_init=False):  # noqa: A001 (Jinja's name)
        if not isinstance(source, str):
            return compile_source(source, name, filename, raw, defer_init)
        _COMPILING.digest = _h(parsing, source.encode("utf-8", "surrogatepass"))
        try:
            return compile_source(source, name, filename, raw, defer_init)
        finally:
            _COMPILING.digest = None

    env.code_generator_class = Naming
    env.compile = compile
    env._portal_naming = True


def _parsing(env) -> bytes:
    """What a template's names depend on besides its source: Jinja2's version, the environment's
    extensions and syntax, and this analysis's own code."""
    import jinja2

    if not _THIS_CODE:
        _THIS_CODE.append(hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16).digest())
    syntax = (env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
              env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix)
    return _h(_THIS_CODE[0], jinja2.__version__.encode(), repr(sorted(env.extensions)).encode(), repr(syntax).encode())


_PATTERN = "\0"  # a reference named at run time: _PATTERN, its fixed start, _PATTERN, its fixed end


def _referenced(ast):
    """The templates ``ast`` extends, includes and imports (``jinja2.meta.find_referenced_templates``), where
    a name made at run time from a fixed start (``"partials/page-" ~ slug ~ ".html"``) is that start and its
    fixed end, if any (``_PATTERN``): a template's loader never gives a name outside them (no ``..``), so
    the templates named so are among those of the theme with that start and end; None: any template."""
    from jinja2 import meta, nodes

    for node in ast.find_all((nodes.Extends, nodes.FromImport, nodes.Import, nodes.Include)):
        name = node.template
        if isinstance(name, nodes.Concat) and len(name.nodes) > 1 and isinstance(name.nodes[0], nodes.Const) \
                and isinstance(name.nodes[0].value, str):
            last = name.nodes[-1]
            end = last.value if isinstance(last, nodes.Const) and isinstance(last.value, str) else ""
            yield f"{_PATTERN}{name.nodes[0].value}{_PATTERN}{end}" if _kept_whole(name.nodes[0].value, end) else None
        else:
            yield from meta.find_referenced_templates(nodes.Template([node]))


def _kept_whole(start: str, end: str) -> bool:
    """Whether every name a loader makes of ``start ~ anything ~ end`` starts with ``start`` and ends with
    ``end`` as the theme lists its templates. A loader drops empty and ``.`` parts of a name (Jinja's
    ``split_template_path``: ``/partials/x``, ``partials//x`` and ``./partials/x`` are ``partials/x``) and
    refuses ``..``: so ``start``'s whole parts must be none of those, nor its last part, cut by the value
    (``page-`` of ``partials/page-``), empty, ``.`` or ``..``; ``end`` must hold no ``/`` and be neither."""
    *whole, cut = start.split("/")
    return all(part not in ("", ".", "..") for part in [*whole, cut]) and "/" not in end and end not in (".", "..")


def _looked_up(ast) -> frozenset[str]:
    """Every name the template looks up at run time: its context's and its environment's globals.
    (``jinja2.meta.find_undeclared_variables`` leaves out the names of the environment's globals: a
    helper such as ``responsive_body`` or ``theme_asset`` would then go undigested.)"""
    from jinja2.compiler import CodeGenerator

    class Tracking(CodeGenerator):
        def __init__(self, environment) -> None:
            super().__init__(environment, "<introspection>", "<introspection>")
            self.names: set[str] = set()

        def write(self, x: str) -> None:
            """Nothing is written: the generator walks the template only to find its names."""

        def enter_frame(self, frame) -> None:
            super().enter_frame(frame)
            self.names.update(param for action, param in frame.symbols.loads.values() if action == "resolve")

    tracking = Tracking(ast.environment)
    tracking.visit(ast)
    return frozenset(tracking.names)


# ---- digests ---------------------------------------------------------------------------------------------
def _h(*parts: bytes) -> bytes:
    """One digest of several parts, each with its length first: no two lists of parts give the same bytes."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.digest()


_ATOMS = {str, int, float, bool, type(None), bytes}
# made for one page (a listing's page and its slice of articles): digested again rather than kept alive
# by the memo (at 10,000 articles, 12,000 of them)
_PER_PAGE: set[type] = set()


class Digests:
    """The digest of each value pages read, once per object and build (the model does not change
    while pages are written; each object is kept alive, so its id names no other)."""

    def __init__(self, settings: dict, links: bool = True) -> None:
        self.settings = settings
        # ``links``: a view is digested with the views it links to (newer, older, related); False: alone,
        # for a page whose render reads no link (``portal.reads``)
        self.links = links
        # digests by the object's id; every object digested is kept alive (_alive), so no id names another
        self._by_id: dict[int, bytes] = {}
        self._own: dict[int, bytes] = {}
        self._described: dict[int, bytes] = {}
        self._alive: list[Any] = []
        self._out = io.BytesIO()
        self._pickler = _Pickler(self._out, self)
        self._active: set[int] = set()
        self._rules = _rules()

    def without_links(self) -> Digests:
        """A twin that digests a view alone (``links`` False), sharing what does not depend on it."""
        twin = Digests(self.settings, links=False)
        twin._own, twin._described, twin._rules = self._own, self._described, self._rules
        return twin

    def name(self, name: str, value: Any) -> bytes:
        """A context entry: a setting's own value is in the fingerprint."""
        if value is self.settings.get(name, _MISSING) and type(value) not in _ATOMS:
            return b"setting"
        return self.value(value)

    def value(self, value: Any) -> bytes:
        t = type(value)
        if t is str:
            return b"s" + value.encode("utf-8", "surrogatepass")
        if t in _ATOMS:
            return repr(value).encode()
        kept = self._by_id.get(id(value))
        if kept is not None:
            return kept
        if id(value) in self._active:
            raise Unknown(f"a cycle through {t.__qualname__}")
        self._active.add(id(value))
        try:
            digest = self._compute(value, t)
        finally:
            self._active.discard(id(value))
        if not (t in _PER_PAGE or (t in (list, tuple) and len(value) < 64)):
            self._by_id[id(value)] = digest
            self._alive.append(value)
        return digest

    def _compute(self, value: Any, t: type) -> bytes:
        rule = self._rules.get(t)
        if rule is None:
            rule = self._rules[t] = _rule_for(t)
        if rule is None:
            raise Unknown(f"{t.__module__}.{t.__qualname__}")
        return rule(self, value)

    # -- articles --
    def own(self, view: Any) -> bytes:
        """All of a view but its links to other views, and what helpers know of its article.

        A view parsed from a file is made of: the file (its digest, ``Entry.digest``), the settings
        and code (in the fingerprint), its address, its body once links to other files are resolved,
        its tags' addresses, its lead image's size, and the build clock, which decides its status and
        which of its revisions and withdrawal are published, and so its dates. Those are digested; any
        other view is pickled whole."""
        kept = self._own.get(id(view))
        if kept is not None:
            return kept
        states = [state(view) for state in _ARTICLE_STATE]
        if view.source_digest:
            clock = (view.status, len(view.revisions), view.withdrawn is not None, view.updated, view.modified)
            digest = _h(b"own", view.source_digest.encode(), view.url.encode("utf-8", "surrogatepass"),
                        view.body_html.encode("utf-8", "surrogatepass"),
                        repr((clock, view.tags, view.image, states)).encode("utf-8", "surrogatepass"))
        else:
            from .view import LINKS

            fields = [getattr(view, f.name) for f in dataclasses.fields(view) if f.name not in LINKS]
            digest = self.pickled([*fields, states])
        self._own[id(view)] = digest
        self._alive.append(view)
        return digest

    def view(self, view: Any) -> bytes:
        if not self.links:
            return _h(b"view alone", self.own(view))
        links = [view.newer_in_kind, view.older_in_kind, *view.related]
        return _h(b"view", self.own(view), *(self.own(v) if v is not None else b"-" for v in links),
                  str(len(view.related)).encode())

    def content(self, item: Any) -> bytes:
        """Pelican's article or page: what describes it, its view, its translations."""
        view = getattr(item, "view", None)
        described = self._described.get(id(item))
        if described is None:
            described = self._described[id(item)] = repr([
                type(item).__name__, str(getattr(item, "source_path", "")),
                *(str(getattr(item, name, None)) for name in
                  ("url", "save_as", "slug", "lang", "status", "template", "in_default_lang", "title"))
            ]).encode("utf-8", "surrogatepass")
            self._alive.append(item)
        parts = [described]
        if view is not None:
            parts.append(self.view(view))
        else:  # no view (a draft): what it was read as
            parts.append(self.pickled([item.metadata, item._content]))
        parts.extend(self.content(t) for t in getattr(item, "translations", None) or [])
        return _h(b"content", *parts)

    def pickled(self, value: Any) -> bytes:
        """The digest of a value's pickle, with objects that have rules of their own (an article, a
        tag, a set) written as their digest (``_Pickler.reducer_override``)."""
        out, pickler = self._out, self._pickler
        if out.tell():  # a digest being pickled asks for another: a pickler of its own
            out = io.BytesIO()
            pickler = _Pickler(out, self)
        try:
            pickler.dump(value)
            return hashlib.blake2b(out.getbuffer(), digest_size=16).digest()
        except Unknown:
            raise
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError) as err:
            raise Unknown(f"not picklable: {err}") from err
        finally:
            out.seek(0)
            out.truncate()


_MISSING = object()


class _Pickler(pickle.Pickler):
    """Plain data pickled as it is (fast mode: no memo, so the bytes do not depend on which equal values
    happen to be one object); what has a rule (an article, a tag, a set, a function) as its digest."""

    def __init__(self, out: io.BytesIO, digests: Digests) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.fast = True
        self.digests = digests

    def reducer_override(self, obj: Any) -> Any:
        t = type(obj)
        native = _NATIVE.get(t)
        if native is None:
            native = _NATIVE[t] = _pickled_natively(t)
        if native:
            return NotImplemented
        return (bytes, (self.digests.value(obj),))


# classes and functions pickle as their names (their code is in the fingerprint); a digest is written
# as ``bytes(...)``, which pickles the class ``bytes`` by name
_NATIVE: dict[type, bool] = {list: True, tuple: True, dict: True, dt.datetime: True, dt.date: True, type: True,
                             types.FunctionType: True, types.BuiltinFunctionType: True}


def _pickled_natively(t: type) -> bool:
    """Values whose pickle is their content, the same in every process: plain dataclasses (not a
    view: it has its rule), enumerations, dates, time zones, paths, strings and numbers."""
    from .view import ArticleView

    if dataclasses.is_dataclass(t):
        return not issubclass(t, ArticleView)
    return issubclass(t, enum.Enum | dt.date | dt.time | dt.timedelta | dt.tzinfo | PurePath | str | int | float)


# ---- the rules, by type ----------------------------------------------------------------------------------
def _seq(d: Digests, value: Any) -> bytes:
    return _h(type(value).__name__.encode(), *(d.value(v) for v in value))


def _mapping(d: Digests, value: Any) -> bytes:
    return _h(b"dict", *(part for k, v in value.items() for part in (d.value(k), d.value(v))))


def _set(d: Digests, value: Any) -> bytes:
    return _h(b"set", *sorted(d.value(v) for v in value))


def _plain(d: Digests, value: Any) -> bytes:
    return _h(type(value).__qualname__.encode(), repr(value).encode("utf-8", "surrogatepass"))


def _text(d: Digests, value: Any) -> bytes:
    return _h(type(value).__qualname__.encode(), str(value).encode("utf-8", "surrogatepass"))


def _dataclass(d: Digests, value: Any) -> bytes:
    t = type(value)
    return _h(f"{t.__module__}.{t.__qualname__}".encode(),
              *(f.name.encode() + b"=" + d.value(getattr(value, f.name)) for f in dataclasses.fields(value)))


def _function(d: Digests, value: Any) -> bytes:
    """A function by its name (its code is in the fingerprint), with the state it says it reads."""
    partial = isinstance(value, functools.partial)
    target = value.func if partial else value
    state = getattr(value, "portal_state", None) or getattr(target, "portal_state", None)
    name = f"{getattr(target, '__module__', '')}.{getattr(target, '__qualname__', type(target).__qualname__)}"
    return _h(b"function", name.encode(), d.value(state()) if callable(state) else b"",
              *((d.value(list(value.args)), d.value(value.keywords)) if partial else ()))


def _method(d: Digests, value: Any) -> bytes:
    return _h(b"method", value.__func__.__qualname__.encode(), d.value(value.__self__))


def _builtin(d: Digests, value: Any) -> bytes:
    owner = value.__self__
    if owner is None or isinstance(owner, types.ModuleType):
        return _h(b"builtin", f"{getattr(owner, '__name__', '')}.{value.__name__}".encode())
    return _h(b"builtin", value.__name__.encode(), d.value(owner))


def _by_class(d: Digests, value: Any) -> bytes:
    """Made from the settings alone (in the fingerprint)."""
    return type(value).__qualname__.encode()


def _undefined(d: Digests, value: Any) -> bytes:
    return b"undefined"


def _url_wrapper(d: Digests, value: Any) -> bytes:
    return _h(type(value).__name__.encode(), value.name.encode("utf-8", "surrogatepass"),
              str(value.slug).encode(), str(value.url).encode(), str(value.save_as).encode())


def _paginator(d: Digests, value: Any) -> bytes:
    """Its size and shape (what the pages' links are made of), and every item of the listing, unless
    the page's render read none but its own page's (``Digests.links`` False: ``portal.reads``)."""
    shape = _h(b"paginator", d.value(value.name), d.value(value.url),
               repr((value.count, value.num_pages, value.per_page, value.orphans)).encode())
    return _h(shape, d.value(value.object_list)) if d.links else shape


def _page(d: Digests, value: Any) -> bytes:
    """A listing page: its items, number and paginator; for a page whose render read no other page's
    items (``Digests.links`` False, ``portal.reads``), another page's items are left out (a page's own
    are digested apart: ``PageKeys.key``)."""
    if not d.links:
        return _h(b"page", d.value(value.name), str(value.number).encode(), d.value(value.paginator))
    return _h(b"page", d.value(value.name), str(value.number).encode(), d.value(value.object_list),
              d.value(value.paginator))


def _catalogue(d: Digests, value: Any) -> bytes:
    return _h(b"catalogue", d.value(value.feeds), d.value(value.opml_lists), d.value(value.cap_index))


def _feed_links(d: Digests, value: Any) -> bytes:
    """The feeds a page's autodiscovery links can name (a tag page's own is made from its tag)."""
    return _h(b"feed links", d.value(list(value.feeds)), d.value(value.cap_index))


def _rules() -> dict[type, Callable[[Digests, Any], bytes]]:
    from markupsafe import Markup
    from pelican.paginator import Page

    _PER_PAGE.add(Page)

    return {list: _seq, tuple: _seq, dict: _mapping, set: _set, frozenset: _set, Markup: _text,
            dt.datetime: _plain, dt.date: _plain, dt.time: _plain, dt.timedelta: _plain}


def _rule_for(t: type) -> Callable[[Digests, Any], bytes] | None:  # noqa: C901 (one rule per kind of value)
    from jinja2.runtime import Undefined
    from pelican.contents import Content
    from pelican.paginator import Page, Paginator
    from pelican.urlwrappers import URLWrapper

    from .feeds.catalogue import Catalogue, FeedLinks
    from .i18n import Translator
    from .paths import SitePaths
    from .view import ArticleView

    if issubclass(t, ArticleView):
        return lambda d, v: d.view(v)
    if issubclass(t, Content):
        return lambda d, v: d.content(v)
    if issubclass(t, URLWrapper):
        return _url_wrapper
    if issubclass(t, Paginator):
        return _paginator
    if issubclass(t, Page):
        return _page
    if issubclass(t, Catalogue):
        return _catalogue
    if issubclass(t, FeedLinks):
        return _feed_links
    if issubclass(t, SitePaths | Translator):
        return _by_class
    if issubclass(t, Undefined):
        return _undefined
    if issubclass(t, str):
        return _text
    if issubclass(t, enum.Enum | PurePath | dt.date | dt.time | dt.timedelta | dt.tzinfo | int | float):
        return _plain
    if issubclass(t, list | tuple):
        return _seq
    if issubclass(t, dict):
        return _mapping
    if dataclasses.is_dataclass(t):
        return _dataclass
    if issubclass(t, types.MethodType):
        return _method
    if issubclass(t, types.BuiltinMethodType):
        return _builtin
    if issubclass(t, types.FunctionType | functools.partial):
        return _function
    if issubclass(t, type):  # a class: its code is in the fingerprint
        return lambda d, v: _h(b"class", f"{v.__module__}.{v.__qualname__}".encode())
    return None


# ---- the keys of a build, and those of the build before ------------------------------------------------
VOLATILE = {"OUTPUT_PATH", "PORTAL_PREVIOUS_OUTPUT", "PORTAL_SEARCH_RECORDS", "PORTAL_PARSE_CACHE",
            "PORTAL_PAGE_KEYS", "PORTAL_NOW", "PORTAL_TRUST_FILE_TIMES", "PORTAL_WORKERS", "PORTAL_FINGERPRINT",
            "PORTAL_SOURCES", "PORTAL_FRESH_READY_FD", "PORTAL_RECORDS_READY_FD", "SEARCH_MEMORY_MIB",
            "PORTAL_TEMPLATE_FINGERPRINT", "PORTAL_MESSAGES_LANG"}


# every library whose version can change the bytes of an output (pages, feeds, CAP, CSAF, calendars, pictures)
LIBRARIES = ("pelican", "jinja2", "markupsafe", "markdown", "nh3", "feedgen", "lxml", "beautifulsoup4",
             "html5lib", "unidecode", "imagesize", "pillow", "signxml", "cryptography")


def fingerprint(settings: dict) -> str:
    """Everything a page depends on besides its context: code, theme, settings, library versions."""
    return fingerprints(settings)[0]


def fingerprints(settings: dict) -> tuple[str, str]:
    """``fingerprint``, and the same without where the content folder is (PATH), for the compiled
    templates (``portal.template_cache``): a filter Jinja runs when it compiles never reads the
    content (the cache would then be stale after an edit in the same folder), so a site's copy in
    another folder (a test's, a benchmark's) finds its templates compiled."""
    digest = hashlib.sha256(sys.version.encode())
    for dist in LIBRARIES:
        try:
            digest.update(f"{dist}={importlib.metadata.version(dist)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(dist.encode())
    from lxml import etree  # the feeds', CAP's and CSAF's XML: libxml2 is linked into lxml, or the system's

    digest.update(f"libxml2={etree.LIBXML_VERSION}".encode())
    for file in _source_files(settings):
        digest.update(str(file).encode() + b"\0" + file.read_bytes())
    wanted = {k: v for k, v in settings.items() if k not in VOLATILE}
    anywhere = digest.copy()
    digest.update(_stable(wanted, 0).encode("utf-8", "surrogatepass"))
    anywhere.update(_stable({k: v for k, v in wanted.items() if k != "PATH"}, 0).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32], anywhere.hexdigest()[:32]


def _source_files(settings: dict) -> list[Path]:
    """Every file pages are made from besides the content and the settings: the portal's and its plugins'
    code, the theme, templates that override it, static folders (whose files' fingerprinted names pages
    carry), wherever the settings put them."""
    root = Path(__file__).resolve().parents[1]
    folders = [root / "portal", root / "plugins"]
    theme = Path(str(settings.get("THEME") or "/nonexistent"))  # none: no folder ("" would be the working one)
    if theme.is_dir():
        folders.append(theme)
    extra = [*(settings.get("PLUGIN_PATHS") or []), *(settings.get("THEME_TEMPLATES_OVERRIDES") or []),
             *((theme / str(p)) for p in settings.get("THEME_STATIC_PATHS") or [])]
    for folder in extra:
        path = Path(folder)
        if path.is_dir() and path.resolve() not in {f.resolve() for f in folders}:
            folders.append(path)
    return [file for folder in folders
            for file in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)]


def sources_stamp(settings: dict, known: str | None = None) -> str:
    """The fingerprint (``known``, when worked out already) with each source file's inode, size and time:
    a file saved and put back as it was changes it too (a template read between the two saves made
    pages of the first)."""
    digest = hashlib.sha256((known or fingerprint(settings)).encode())
    for file in _source_files(settings):
        with contextlib.suppress(OSError):
            st = file.stat()
            digest.update(f"{file}\0{st.st_ino} {st.st_size} {st.st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def _stable(value: Any, depth: int) -> str:
    """The settings as text that is the same on every run (no addresses, no set order)."""
    if depth > 20:
        return "…"
    if isinstance(value, dict):
        items = sorted((repr(k), _stable(v, depth + 1)) for k, v in value.items())
        return "{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_stable(v, depth + 1) for v in value) + "]"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_stable(v, depth + 1) for v in value)) + "}"
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    text = repr(value)
    return text if " at 0x" not in text else type(value).__qualname__


def keys_file(folder: str | os.PathLike, output: str | os.PathLike) -> Path:
    """Where the keys of the pages in ``output`` are kept (one file per output folder)."""
    named = hashlib.sha256(str(Path(output).resolve()).encode()).hexdigest()[:16]
    return Path(folder) / f"pages-{named}.keys"


def _read(path: Path) -> dict | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 16:
        return None
    body, digest = data[len(MAGIC):-16], data[-16:]
    if hashlib.blake2b(body, digest_size=16).digest() != digest:
        return None
    try:
        saved = pickle.loads(body)  # noqa: S301 (our own file, its digest checked first)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None
    return saved if isinstance(saved, dict) else None


def _write(path: Path, saved: dict) -> None:
    body = pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(MAGIC + body + hashlib.blake2b(body, digest_size=16).digest())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # not kept: the next build renders every page


class PageKeys:
    """This build's page keys (``key``), and the previous build's pages it may link (``previous``)."""

    def __init__(self, settings: dict, previous_output: str | None, stamp: str | None = None) -> None:
        """``stamp``: what the keys stand for instead of ``fingerprint(settings)`` (``sources_stamp``)."""
        self.settings = settings
        self.fingerprint = stamp or settings.get("PORTAL_FINGERPRINT") or fingerprint(settings)
        self.digests = Digests(settings)
        self.alone = self.digests.without_links()  # for the pages whose render read no view's link
        self.names: dict[int, TemplateNames] = {}
        # the model does not change while pages are written: one digest a name of a context and a kind of key
        self._shared: dict[tuple[int, bool], tuple[dict, dict[str, bytes]]] = {}
        self._baked: dict[int, tuple[Any, bytes]] = {}  # an environment -> (itself, ``baked``), once a build
        self.keys: dict[str, bytes] = {}
        self.unknown: dict[str, int] = {}
        self.linked_elsewhere = 0
        self.previous: dict[str, bytes] = {}  # name -> its key and its file's inode, size and time (_STAMP)
        self.previous_output = previous_output
        self.analysed: dict[bytes, tuple[frozenset[str], tuple]] = {}
        folder = settings.get("PORTAL_PARSE_CACHE")
        if folder and previous_output:
            saved = _read(keys_file(folder, previous_output))
            if saved and saved.get("fingerprint") == self.fingerprint:
                self.previous = saved.get("pages") or {}
                self.analysed = saved.get("templates") or {}
        if folder and not self.analysed:  # a first build of this output: the templates any build analysed
            self.analysed = (_read(Path(folder) / TEMPLATES) or {}).get("templates") or {}
        self._analysed_before = len(self.analysed)

    def _names(self, template: Any) -> tuple[str, ...] | None:
        env = getattr(template, "environment", None)
        if env is None:
            return None
        names = self.names.get(id(env))
        if names is None:
            names = self.names[id(env)] = TemplateNames(env, self.analysed)
        return names.sorted(template.name)

    def names_read(self, template: Any) -> tuple[str, ...] | None:
        """Every name ``template`` (with what it extends, includes and imports) can look up; None when
        that is not known (a template named at run time, a source no loader gives)."""
        return self._names(template)

    def share_names(self, names) -> None:
        """The previous build's entries keyed by this build's own name strings (one copy of each name)."""
        previous = self.previous
        if previous:
            shared = {name: previous.pop(name) for name in names if name in previous}
            shared.update(previous)  # the other files' (write_keyed)
            self.previous = shared

    def analyse(self, jobs) -> None:
        """Before the processes that write pages part: find what each template can read, and digest each
        page's article (with the articles it links to) once. The forked process then only looks
        digests up: computing them there would touch, and so copy, much of the model a second time."""
        for template in {id(job.template): job.template for job in jobs}.values():
            self._names(template)
        from pelican.contents import Content

        digests = self.digests
        for job in jobs:
            for value in job.kwargs.values():
                if isinstance(value, Content):
                    with contextlib.suppress(Unknown):
                        digests.value(value)

    def key(self, name: str, template: Any, own: dict, context: dict, links: bool | None = None) -> bytes | None:
        """The page's key: ``own`` is what its local context holds over ``context`` (``Job.own_context``).

        ``links``: whether its render read a view's link, or another listing page's items (``portal.reads``):
        the key then digests each view with the views it links to, else each view alone. None: as the
        previous build's key of the page says (its render is the same, so it reads the same), and with
        links when there is none. The key's lowest bit says which (``_ALONE``)."""
        wanted = self._names(template)
        if wanted is None:
            self.unknown["template"] = self.unknown.get("template", 0) + 1
            return None
        if links is None:
            was = self.previous.get(name)
            links = not (was is not None and was[0] & _ALONE)
        digests = self.digests if links else self.alone
        env = template.environment
        known_env = self._baked.get(id(env))
        if known_env is None or known_env[0] is not env:
            known_env = self._baked[id(env)] = (env, baked(env))
        parts = [template.name.encode(), name.encode("utf-8", "surrogatepass"), known_env[1]]
        glob = template.environment.globals
        shared = self._shared.get((id(context), links))  # one digest a name of a context many pages share
        if shared is None or shared[0] is not context:
            shared = self._shared[(id(context), links)] = (context, {})
        known = shared[1]
        var = ""
        try:
            for var in wanted:
                if var in own:
                    parts.append(var.encode() + b"=" + digests.value(own[var]))
                elif var in known:
                    parts.append(known[var])
                elif var in context:
                    known[var] = var.encode() + b"=" + digests.name(var, context[var])
                    parts.append(known[var])
                elif var in glob:
                    known[var] = var.encode() + b":" + digests.value(glob[var])
                    parts.append(known[var])
            if not links:  # the items of the listing pages it shows (others' are left out: _page)
                from .reads import own_pages

                parts.extend(b"items=" + digests.value(page.object_list) for page in own_pages(own))
        except Unknown as err:
            what = f"{var}: {err}"
            self.unknown[what] = self.unknown.get(what, 0) + 1
            return None
        key = _h(*parts)
        key = bytes(((key[0] & ~_ALONE) | (0 if links else _ALONE),)) + key[1:]
        self.keys[name] = key
        return key

    def rendered(self, name: str, template: Any, own: dict, context: dict, links_read: bool) -> None:
        """The page ``name`` was just rendered, its render reading a view's link or not (``links_read``):
        its key is that kind of key. A page keyed before its render with links whose render read none
        gets a key without them (an edit of a view it lists no longer renders it again because of that
        view's neighbours); a page keyed without links whose render read one (a template or a helper
        that reads them only for some values) gets a key with them, which alone is right."""
        key = self.keys.get(name)
        if key is None or bool(key[0] & _ALONE) == links_read:
            self.keys.pop(name, None)  # (a key of the other kind is never kept: none, when it cannot be made)
            self.key(name, template, own, context, links=links_read)

    def output_key(self, name: str, inputs: tuple) -> bytes | None:
        """The key of an output file other than a page (``outputs.write_keyed``): a view among
        ``inputs`` is digested without its links (a file made from one article reads that article)."""
        from .view import ArticleView

        digests = self.digests
        try:
            parts = [digests.own(v) if isinstance(v, ArticleView) else digests.value(v) for v in inputs]
        except Unknown as err:
            what = f"{name}: {err}"
            self.unknown[what] = self.unknown.get(what, 0) + 1
            return None
        key = _h(b"output", name.encode("utf-8", "surrogatepass"), *parts)
        self.keys[name] = key
        return key

    def inputs_digest(self, inputs: tuple) -> bytes | None:
        """A digest of ``inputs`` as ``output_key`` digests them, with this build's fingerprint (code,
        theme, settings), kept by no file: for a cache of the caller's own (``outputs.inputs_digest``)."""
        from .view import ArticleView

        digests = self.digests
        try:
            parts = [digests.own(v) if isinstance(v, ArticleView) else digests.value(v) for v in inputs]
        except Unknown:
            return None
        return _h(b"inputs", self.fingerprint.encode(), *parts)

    def unchanged(self, name: str, key: bytes, previous_file: str) -> bool:
        """Whether the previous output's ``previous_file`` is the page the previous build rendered
        for ``key``."""
        was = self.previous.get(name)
        if was is None or was[:16] != key:
            return False
        try:
            st = os.lstat(previous_file)
        except OSError:
            return False
        return _STAMP.pack(st.st_ino, st.st_size, st.st_mtime_ns) == was[16:]

    def linked(self, name: str) -> None:
        """``name`` is now the previous output's file, linked (``unchanged`` said so): its key is kept with
        that file's inode, size and time, which ``commit`` need not look up again."""
        self.keys[name] = self.previous[name]

    def stamped(self, name: str, key: bytes, path: str) -> None:
        """``path`` was just written from ``key`` in place (the live preview's output): kept with its inode,
        size and time, as ``commit`` keeps a build's."""
        try:
            st = os.lstat(path)
        except OSError:
            self.keys.pop(name, None)
            return
        self.keys[name] = key + _STAMP.pack(st.st_ino, st.st_size, st.st_mtime_ns)

    def stamped_only(self) -> dict[str, bytes]:
        """The keys of files known to hold what they were made from (``linked`` or ``stamped``)."""
        size = 16 + _STAMP.size
        return {name: key for name, key in self.keys.items() if len(key) == size}

    def save_part(self, linked: int) -> None:
        """A forked writer's keys and how many pages it linked, for its parent (``merge_part``)."""
        pending = self.settings.get("PORTAL_PAGE_KEYS")
        if pending:
            _write(Path(f"{pending}.part-{os.getpid()}"), {"pages": self.keys, "linked": linked,
                                                            "unknown": self.unknown})

    def merge_part(self, pid: int) -> None:
        pending = self.settings.get("PORTAL_PAGE_KEYS")
        if not pending:
            return
        path = Path(f"{pending}.part-{pid}")
        part = _read(path)
        with contextlib.suppress(OSError):
            path.unlink()
        if part is None:  # a writer's keys lost: its pages are rendered next time
            return
        self.keys.update(part.get("pages") or {})
        self.linked_elsewhere += part.get("linked", 0)
        for what, n in (part.get("unknown") or {}).items():
            self.unknown[what] = self.unknown.get(what, 0) + n

    def linked_total(self, here: int) -> int:
        return here + self.linked_elsewhere

    def save_pending(self) -> None:
        """This build's keys, for ``commit`` to keep once the build's folder is the output."""
        folder = self.settings.get("PORTAL_PARSE_CACHE")
        pending = self.settings.get("PORTAL_PAGE_KEYS")
        if folder and pending:
            _write(Path(pending), {"fingerprint": self.fingerprint, "pages": self.keys, "templates": self.analysed})
        if folder and len(self.analysed) > self._analysed_before:  # templates no build had analysed
            kept = (_read(Path(folder) / TEMPLATES) or {}).get("templates") or {}
            kept = {**{k: v for k, v in kept.items() if k not in self.analysed}, **self.analysed}
            _write(Path(folder) / TEMPLATES, {"templates": dict(list(kept.items())[-KEPT_TEMPLATES:])})
        if self.unknown:
            log.info("pages without a key (rendered on every build): %s", self.unknown)


TEMPLATES = "templates.analysed"  # in the parse cache: every output's first build reads it
KEPT_TEMPLATES = 400  # the most recent (a theme has about 25; each edit of one adds one)


def pending_file(settings: dict) -> str | None:
    folder = settings.get("PORTAL_PARSE_CACHE")
    if not folder:
        return None
    return str(Path(folder) / f".pages-pending-{os.getpid()}.keys")


def remove_pending(settings: dict) -> None:
    """A build's pending keys and its writers' parts, once it has ended (kept by ``commit`` or not)."""
    pending = settings.get("PORTAL_PAGE_KEYS")
    if pending:
        for path in Path(pending).parent.glob(f"{Path(pending).name}*"):
            with contextlib.suppress(OSError):
                path.unlink()


def commit(settings: dict, output: Path) -> None:
    """Keep the pending keys of the build now swapped in as ``output``, each page with its file's
    inode, size and time (a later change of the file, by the preview or by hand, voids its key)."""
    pending = settings.get("PORTAL_PAGE_KEYS")
    folder = settings.get("PORTAL_PARSE_CACHE")
    if not (pending and folder):
        return
    saved = _read(Path(pending))
    with contextlib.suppress(OSError):
        os.unlink(pending)
    target = keys_file(folder, output)
    sources = settings.get("PORTAL_SOURCES")
    if sources and sources_stamp(settings, settings.get("PORTAL_FINGERPRINT")) != sources:
        saved = None  # a source file saved while the build ran: a page may be of a template as it was before
    if not saved:
        with contextlib.suppress(OSError):
            target.unlink()
        return
    pages = {}
    for name, key in (saved.get("pages") or {}).items():
        if len(key) == 16 + _STAMP.size:  # linked from the previous output (PageKeys.linked): its stamp
            pages[name] = key
            continue
        try:
            st = os.lstat(output / name)
        except OSError:
            continue
        pages[name] = key + _STAMP.pack(st.st_ino, st.st_size, st.st_mtime_ns)  # one small object a page
    _write(target, {"fingerprint": saved.get("fingerprint"), "pages": pages, "templates": saved.get("templates")})
    previous = settings.get("PORTAL_PREVIOUS_OUTPUT")
    if previous and keys_file(folder, previous) != target:  # a release's keys: the next one reads these
        with contextlib.suppress(OSError):
            keys_file(folder, previous).unlink()
    _prune(Path(folder), target)


STALE = 30 * 86400  # seconds: the keys of an output folder no build has replaced for this long go


def _prune(folder: Path, kept: Path) -> None:
    """Keys of other output folders (a test's, a benchmark's) not built for a month: removed."""
    import time

    now = time.time()
    for path in folder.glob("pages-*.keys"):
        with contextlib.suppress(OSError):
            if path != kept and now - path.stat().st_mtime > STALE:
                path.unlink()
