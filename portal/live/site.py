"""The site kept in memory by one long-lived process: the live preview's model.

``LiveSite.update()`` runs what ``pelican.Pelican.run`` runs (the same generators, the same
plugins, the same signals), with three differences:

- files are read through a ``ReadCache``: after a save, only the saved file is read again;
  an article's view is rebuilt only when its text, links, tags or clock-dependent state changed;
- the pages are recorded, not rendered (``RecordingWriter``): ``render(name)`` renders the one
  page a browser asks for, at once;
- what only writes files (feeds, CAP, CSAF, calendars, image copies, the static files, every
  page, the sitemap) is left to ``finish()``, which the preview runs after answering, so the
  output folder ends up as a full build would have left it (only changed files rewritten).

Each update starts from a fresh Pelican context, as a build does: nothing of one update leaks
into the next except the cached reads and views, which are keyed by what they depend on.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import outputs, reads, renders
from ..clock import build_time
from .cache import ReadCache
from .jobs import Job, RecordingWriter

log = logging.getLogger("portal.live")

# finalized receivers that read the pages written (the sitemap): run after them; the others
# (fingerprinted copies, withheld images) before, so pictures and styles are there early
PAGE_READERS = {"sitemap_xml"}


@dataclass
class Update:
    """One state of the site: its generators and its recorded pages."""

    generators: list
    writer: RecordingWriter
    deferred: list
    now: object
    seconds: float = 0.0
    finished: threading.Event = field(default_factory=threading.Event)
    static_ready: threading.Event = field(default_factory=threading.Event)  # static files and picture copies
    files_ready: threading.Event = field(default_factory=threading.Event)  # what plugins write is written
    finish_seconds: float = 0.0
    stamp: str = ""  # code, theme and settings before the update read a template (renders.sources_stamp)
    made: set[Path] = field(default_factory=set)  # the files the update wrote itself (the pictures' copies)


class LiveSite:
    def __init__(self, settings: dict, pinned_now: bool = False, fresh_output: bool = False):
        """``fresh_output``: empty the output folder first (what it held came from another run)."""
        from pelican import Pelican

        if fresh_output:
            shutil.rmtree(settings["OUTPUT_PATH"], ignore_errors=True)
        self.settings = settings
        self.pinned_now = pinned_now or bool(os.environ.get("PORTAL_NOW"))
        self.pelican = Pelican(settings)  # loads the plugins once; they connect their signals
        self.state = importlib.import_module("articles.state").STATE
        self.state.long_lived = True  # views kept with what they were built from, reused by the next update
        self.cache = ReadCache(self.state)
        self.current: Update | None = None
        self._urls: dict[str, str] = {}
        self._known: set[int] = set()
        self._written: set[Path] = set()  # what the last complete round wrote
        self._partial: set[Path] = set()  # what rounds stopped midway wrote since
        # the page keys (portal.renders) of the files earlier rounds wrote or found unchanged: name ->
        # key with the file's inode, size and time, under the fingerprint of code, theme and settings
        self._keys: tuple[str, dict[str, bytes], dict] = ("", {}, {})
        self.rendered = 0  # pages the last finish() rendered (the others' keys were unchanged)
        self.lock = threading.RLock()  # one update or finish at a time
        self.quick_lock = threading.Lock()  # update() and quick_page() one at a time
        self.stop_finishing = threading.Event()  # set by whoever waits for the lock while finish() runs

    # ---- updating the model ------------------------------------------------------------------
    def update(self) -> Update:
        """Read what changed, rebuild the model, record every page. Raises what a build raises."""
        with self.quick_lock, self._taken():
            started = time.monotonic()
            settings = self.pelican.settings
            if not self.pinned_now:
                settings["PORTAL_NOW"] = build_time({}).isoformat()
            # what the update itself writes (the pictures' copies) is this round's, kept by finish(); that of
            # an update that failed, or whose round never finished, goes with the next round not making it again
            with outputs.recording() as made:
                try:
                    update = self._update(settings, started)
                finally:
                    self._partial |= made
            update.made = made
            self.current = update
            return update

    def _update(self, settings: dict, started: float) -> Update:
        from pelican import signals

        now = build_time(settings)
        context = settings.copy()
        context.update(generated_content={}, static_links=set(), static_content={},
                       localsiteurl=settings["SITEURL"])
        classes = self.pelican._get_generator_classes()  # sends get_generators: the plugins' "build starts"
        outputs.defer_steps(False)  # the output steps are this class's to defer (see below), not a build's
        generators = [cls(context=context, settings=settings, path=self.pelican.path, theme=self.pelican.theme,
                          output_path=self.pelican.output_path) for cls in classes]
        # before any template is read (the generators have read none; their readers have set the settings
        # Markdown adds to): a page rendered from a template saved after this has no key kept
        stamp = renders.sources_stamp(settings)
        for g in generators:
            if hasattr(g, "readers"):
                self.cache.install(g, now)
        for g in generators:
            if hasattr(g, "generate_context"):
                g.generate_context()
            if hasattr(g, "check_disabled_readers"):
                g.check_disabled_readers()
        self._links_changed(generators)
        deferred = []
        for receiver in signals.all_generators_finalized.receivers_for(generators):
            # the steps that only write files (portal.outputs.output_step: feeds, CAP, CSAF,
            # calendars, search) wait for finish(), after the answer
            if outputs.is_output_step(receiver):
                deferred.append(receiver)
            else:
                receiver(generators)
        fresh = self._fresh_objects(generators)
        for g in generators:
            for item in _contents(g):
                if id(item) in fresh and hasattr(item, "refresh_metadata_intersite_links"):
                    item.refresh_metadata_intersite_links()
        writer = RecordingWriter(self.pelican.output_path, settings=settings)
        for g in generators:
            if hasattr(g, "generate_output") and type(g).__name__ != "StaticGenerator":
                g.generate_output(writer)
        self.cache.forget_missing()
        # the parse cache on disk helps the first reading of every file; later updates read one
        # file at a time, which this process's own cache (ReadCache) serves
        settings["PORTAL_PARSE_CACHE"] = ""
        return Update(generators, writer, deferred, now, seconds=time.monotonic() - started, stamp=stamp)

    def retemplate(self) -> Update | None:
        """After a change of the theme's templates alone: the model as it stands, each recorded page's
        template read anew. What an update would give, in a few milliseconds instead of the seconds of
        making the model again (about 4 s at 10,000 articles): no step that makes the model reads a
        template, and Pelican's generators only name the template of each page they record (a page names
        its partials when it is rendered). The clock stays the model's. None when there is no model (no
        update succeeded), or when a page's template has no name to read it again by (then the model is
        made again). Raises what Jinja raises for a template it cannot read."""
        with self.quick_lock, self._taken():
            update = self.current
            if update is None:
                return None
            started = time.monotonic()
            settings = self.pelican.settings
            stamp = renders.sources_stamp(settings)  # before any template is read, as in _update
            jobs = {id(job): job for job, _ in update.writer.pages.values()}
            if any(getattr(job.template, "name", None) is None for job in jobs.values()):
                return None
            for g in update.generators:
                if hasattr(g, "_templates"):
                    g._templates.clear()  # Pelican's own cache of the templates a generator loaded
            cleared: set[int] = set()
            fresh_templates: dict[tuple[int, str], object] = {}

            def again(template):
                env = template.environment
                if id(env) not in cleared:
                    cleared.add(id(env))
                    if env.cache is not None:
                        env.cache.clear()  # Jinja's (auto_reload is off: plugins/articles)
                key = (id(env), template.name)
                if key not in fresh_templates:
                    fresh_templates[key] = env.get_template(template.name)
                return fresh_templates[key]

            renewed = {key: dataclasses.replace(job, template=again(job.template)) for key, job in jobs.items()}
            from pelican import signals

            # what reads the pages as they are written (the sitemap) starts again, as at an update's start:
            # a round stopped midway left it half a list
            for receiver in signals.get_generators.receivers_for(self.pelican):
                if getattr(receiver, "__module__", "") in PAGE_READERS:
                    receiver(self.pelican)
            writer = RecordingWriter(self.pelican.output_path, settings=settings)
            writer.pages = {name: (renewed[id(job)], num) for name, (job, num) in update.writer.pages.items()}
            writer._overridden = set(update.writer._overridden)
            fresh = Update(update.generators, writer, update.deferred, update.now,
                           seconds=time.monotonic() - started, stamp=stamp)
            fresh.made = update.made
            # a template makes no static file and no file a plugin writes (feeds, CAP, CSAF, calendars: none
            # reads one): what the last round wrote of them is still right, and is served (a page's styles,
            # which it is not shown without) while this round writes them again
            if update.static_ready.is_set():
                fresh.static_ready.set()
            if update.files_ready.is_set():
                fresh.files_ready.set()
            self.current = fresh
            return fresh

    def _taken(self):
        """The lock, after asking a running finish() to stop (what it left is redone by the next one)."""
        self.stop_finishing.set()
        lock = self.lock

        class _Held:
            def __enter__(self_inner):
                lock.acquire()
                self.stop_finishing.clear()

            def __exit__(self_inner, *exc):
                lock.release()

        return _Held()

    def _fresh_objects(self, generators) -> set[int]:
        """Content objects read in this update (the others were set up by an earlier one)."""
        current = {id(i) for g in generators for i in _contents(g)}
        fresh = current - self._known
        self._known = current
        return fresh

    def _links_changed(self, generators) -> None:
        """When any page's or file's address changed, links to it in other bodies read differently:
        forget every resolved body (Pelican memoises them per object); views compare their text."""
        from pelican.contents import Content

        urls = {}
        for g in generators:
            for item in _contents(g):
                urls[item.source_path] = getattr(item, "url", "")
            for item in getattr(g, "staticfiles", []):
                urls[item.source_path] = item.url
        memo_content = Content.get_content.cache
        memo_summary = Content.get_summary.cache
        if urls != self._urls:
            memo_content.clear()
            memo_summary.clear()
        else:  # forget the objects no longer in the site
            alive = {id(i) for g in generators for i in _contents(g)}
            for memo in (memo_content, memo_summary):
                for key in [k for k in memo if id(k[0]) not in alive]:
                    del memo[key]
        self._urls = urls

    # ---- the saved page first ---------------------------------------------------------------------
    def quick_page(self, saved: Path) -> tuple[str, str] | None:
        """The page of a saved article or page, from its new text, in the model as it stands: what
        the next update will render for it, in a few milliseconds instead of a rebuild. None when
        that cannot be known without the rebuild: a new or broken file, or a change of what places
        the article (address, date, status, authors, kind).

        A warning whose state or severity changed (made severe and in force, withdrawn…) gets its page
        with the lists of warnings in force made again with its new view (the banner's count on its
        own page): 1.4 s at 10,000 articles, waiting for the rebuild, before.

        Changed tags alone still give the page, with its new tags and the related articles it had
        (which tags choose): the person sees the tags they wrote at once, and the update that
        follows reloads the page when its related articles changed (``portal.tools.preview``)."""
        with self.quick_lock:  # beside a running finish(), which reads the model but changes none of it
            update = self.current
            if update is None:
                return None
            found = self._find(update, str(saved.resolve()))
            if found is None:
                return None
            generator, old, name, job = found
            state = self.state
            problems_before = len(state.problems)
            new = generator.readers.read_file(base_path=generator.path, path=str(saved.resolve()),
                                              content_class=type(old), context=generator.context)
            if len(state.problems) > problems_before or not new.is_valid() or _placing(new) != _placing(old):
                return None
            articles = importlib.import_module("articles")
            if hasattr(new, "refresh_metadata_intersite_links"):
                new.refresh_metadata_intersite_links()
            if articles.attach_view(new, self.pelican.settings, articles.translator(self.pelican.settings)):
                return None
            view, was = new.view, getattr(old, "view", None)
            if was is None:
                return None
            view.newer_in_kind = getattr(was, "newer_in_kind", None)
            view.older_in_kind = getattr(was, "older_in_kind", None)
            view.related = list(getattr(was, "related", []))
            key = "article" if job.kwargs.get("article") is old else "page"
            context = _swapped(job.context, was, view)  # the banner and lists show the new view (and hide it here)
            if (view.status, view.values.get("severity")) != (was.status, was.values.get("severity")):
                if "articles_by_kind" not in context or "latest_by_kind" not in context:
                    return None
                context.update(articles.warning_lists(context["articles_by_kind"], context["latest_by_kind"]))
            quick = Job(name, job.template, context, {**job.kwargs, key: new}, job.relative_urls, job.override)
            local = quick.local_context(name, None)
            return name, job.template.render(local)

    @staticmethod
    def _find(update: Update, source: str):
        for g in update.generators:
            for attr in ("articles", "pages"):
                for item in getattr(g, attr, None) or []:
                    if item.source_path == source:
                        name = os.path.normpath(item.save_as)
                        job, page_num = update.writer.pages.get(name, (None, None))
                        if job is None or page_num is not None or item not in (job.kwargs.get("article"),
                                                                                job.kwargs.get("page")):
                            return None
                        return g, item, name, job
        return None

    # ---- answering -----------------------------------------------------------------------------
    def has_page(self, name: str) -> bool:
        return bool(self.current) and os.path.normpath(name) in self.current.writer.pages

    def render(self, name: str) -> str | None:
        """The page ``name`` (e.g. "tin-tuc/abc.html") as the build would write it, or None."""
        update = self.current
        if update is None:
            return None
        name = os.path.normpath(name)
        if name not in update.writer.pages:
            return None
        text, _ = update.writer.render(name)
        return text

    # ---- finishing the output -----------------------------------------------------------------
    def finish(self, update: Update | None = None) -> bool:
        """Write everything the update left out, as a build would, in the order a reader needs it:
        the static files (``static_ready``; the update wrote the picture copies), the files plugins
        write (feeds, CAP…: ``files_ready``), every page (only those whose bytes changed), the
        sitemap (``finished``). What an earlier round wrote and this one does not is removed, with the
        folders it leaves empty. Stops early, returning False, when an update or a quick page asks
        for the lock; what it wrote so far is remembered, so nothing it wrote is left behind."""
        from pelican import signals

        with self.lock:
            update = update or self.current
            if update is None or update is not self.current or update.finished.is_set():
                return update is not None and update.finished.is_set()
            started = time.monotonic()
            out = Path(self.pelican.output_path).resolve()
            static = [g for g in update.generators if type(g).__name__ == "StaticGenerator"]
            final = list(signals.finalized.receivers_for(self.pelican))
            after_pages = [r for r in final if getattr(r, "__module__", "") in PAGE_READERS]
            first = [lambda g=g: g.generate_output(update.writer) for g in static]
            then = [lambda r=r: r(update.generators) for r in update.deferred]
            then += [lambda r=r: r(self.pelican) for r in final if r not in after_pages]
            names = list(update.writer.pages)
            pages = {out / os.path.normpath(n) for n in names}
            keys = renders.PageKeys(self.pelican.settings, None, stamp=update.stamp)
            self._reuse_keys(keys)
            self.rendered = 0
            # feeds, CAP, CSAF, calendars: made when changed, and stopped between two files for a save
            outputs.keyed_by(keys, str(out), in_place=True, stop=self.stop_finishing.is_set)
            done = False
            with outputs.recording() as written:
                written |= update.made
                try:
                    if not self._steps(first):
                        return False
                    written |= {out / sf.save_as for g in static for sf in getattr(g, "staticfiles", [])}
                    update.static_ready.set()
                    if not self._steps(then):
                        return False
                    self._remove_stale(written | pages, keep_pages=True)  # a feed nobody uses any more
                    update.files_ready.set()
                    for name in names:
                        if self.stop_finishing.is_set():
                            return False
                        self._write_page(update.writer, keys, name)
                        written.add(out / os.path.normpath(name))
                    for receiver in after_pages:
                        receiver(self.pelican)
                    done = True
                finally:
                    outputs.keyed_by(None)
                    self._keep_keys(keys, out, written | pages if done else None)
                    self._partial |= written  # what this round wrote, even when it stopped midway
            self._remove_stale(written | pages)
            self._written, self._partial = written | pages, set()
            update.finish_seconds = time.monotonic() - started
            update.finished.set()
            return True

    def _reuse_keys(self, keys) -> None:
        """The files earlier rounds left, for this round's keys: when code, theme and settings are the
        same (their stamp) and each file is still the one written (its inode, size and time)."""
        stamp, files, analysed = self._keys
        keys.analysed = analysed  # each template's names, by its source's digest
        if stamp == keys.fingerprint:
            keys.previous = files

    def _keep_keys(self, keys, out: Path, complete: set[Path] | None) -> None:
        """What this round wrote or found unchanged, over what earlier rounds left (a page this round did
        not reach, stopped midway, is still the file its old key says), for the next round; nothing when
        a source file changed since the update began (a page may have been made from a template read
        after it: every page is rendered next time). ``complete``: every file of a round that finished,
        the only names kept."""
        stamp, files, _ = self._keys
        if renders.sources_stamp(self.pelican.settings) != keys.fingerprint:
            self._keys = ("", {}, keys.analysed)
            return
        kept = {**files, **keys.stamped_only()} if stamp == keys.fingerprint else keys.stamped_only()
        if complete is not None:
            names = {os.path.relpath(path, out) for path in complete}
            kept = {name: key for name, key in kept.items() if name in names}
        self._keys = (keys.fingerprint, kept, keys.analysed)

    def _write_page(self, writer: RecordingWriter, keys, name: str) -> None:
        """The page ``name`` rendered into the output folder, unless its key is the one its file there was
        rendered from: then only announced (``content_written``), as a build does for a linked page."""
        from pelican import signals
        from pelican.utils import sanitised_join

        job, page_num = writer.pages[name]
        key = keys.key(name, job.template, job.own_context(name, page_num), job.context) if name in keys.previous \
            else None
        path = sanitised_join(writer.output_path, name)
        if key is not None and keys.unchanged(name, key, path):
            keys.linked(name)
            signals.content_written.send(path, context=job.announced_context(name, page_num))
            return
        writer.write(name)
        self.rendered += 1
        own = job.own_context(name, page_num)
        keys.rendered(name, job.template, own, job.context, reads.beyond(own))
        key = keys.keys.get(name)
        if key is not None:
            keys.stamped(name, key, path)

    def _steps(self, steps: list) -> bool:
        """Each of ``steps`` run; False once a save asks this round to stop, between two steps or between two
        files of one (``outputs.Stopped``: the step's other files are made by the next round)."""
        for step in steps:
            if self.stop_finishing.is_set():
                return False
            try:
                step()
            except outputs.Stopped:
                return False
        return True

    def _remove_stale(self, keep: set[Path], keep_pages: bool = False) -> None:
        """A file an earlier round wrote (completed or not) that this one does not (a deleted
        article's page, the feed of a tag nobody uses any more) goes, as a fresh build would not have
        it, with the folders it leaves empty. Files no round wrote (the search index) stay."""
        out = Path(self.pelican.output_path).resolve()
        for path in (self._written | self._partial) - keep:
            if keep_pages and path.suffix in (".html", ".htm"):
                continue  # pages are judged once they are all written
            path.unlink(missing_ok=True)
            folder = path.parent
            while folder != out and out in folder.parents:
                try:
                    folder.rmdir()  # only when empty
                except OSError:
                    break
                folder = folder.parent


def _swapped(context: dict, was, view) -> dict:
    """The context with ``view`` wherever a list (or a dict of lists) held ``was``."""
    def swap(items):
        return [view if v is was else v for v in items] if any(v is was for v in items) else items

    out = dict(context)
    for key, value in context.items():
        if isinstance(value, list):
            out[key] = swap(value)
        elif isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
            out[key] = {k: swap(v) for k, v in value.items()}
    return out


def _placing(item) -> tuple:
    """What places an article in the site's lists and addresses, but its tags (see quick_page)."""
    meta = item.metadata
    authors = tuple(str(a) for a in meta.get("authors") or [])
    return (type(item).__name__, item.slug, item.url, item.save_as, item.status, getattr(item, "date", None),
            str(getattr(item, "category", "")), authors, item.lang, getattr(item, "template", ""),
            meta.get("kind"), getattr(item, "translation", None))


def _contents(generator):
    for attr in ("articles", "translations", "drafts", "drafts_translations", "hidden_articles",
                 "hidden_translations", "pages", "hidden_pages", "draft_pages"):
        yield from getattr(generator, attr, None) or []
