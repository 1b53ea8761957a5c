"""Pages as jobs: what Pelican asks its writer for, kept so any page can be rendered on demand.

Pelican's generators call ``writer.write_file(name, template, context, **kwargs)`` once per
page (once per listing, which it paginates itself). ``RecordingWriter`` keeps each call as a
``Job`` instead of rendering it, and knows every file name the call stands for (each page of a
paginated listing). ``render(name)`` then gives exactly the text Pelican's ``Writer`` would have
written to that file: the same local context, the same paginators, the same template. Recording
every page of a site of 10,000 articles takes a fraction of a second; rendering them all takes
most of a build. The live preview renders the page the browser asks for, at once, and the rest
afterwards.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import sys
from dataclasses import dataclass, field
from typing import Any

from pelican import signals
from pelican.paginator import Paginator
from pelican.utils import get_relative_path, path_to_url, posixize_path, sanitised_join
from pelican.writers import Writer

from .. import outputs, reads

reads.install()  # Pelican's listing pages say when their items are read

log = logging.getLogger("portal.build")


class JobConflict(RuntimeError):
    """Two pages claim one file name (Pelican's FileOverwriteFailedError)."""


@dataclass(eq=False)
class Job:
    """One ``write_file`` call."""

    name: str
    template: Any
    context: dict
    kwargs: dict
    relative_urls: bool
    override: bool
    paginators: dict[str, Paginator] = field(default_factory=dict)

    def local_context(self, name: str, page_num: int | None, names: tuple[str, ...] | None = None,
                      own: dict | None = None) -> dict:
        """What Pelican's Writer passes to the template for the file ``name`` (``page_num`` from 0).

        ``names``: every name the template (with all it extends, includes and imports) can look up
        (``portal.renders.TemplateNames``, which the page keys rest on): only those of the shared
        context are passed, not its hundreds of settings, which Jinja would copy again for the page.
        ``own``: ``own_context``'s answer, when the caller has it already."""
        if names is None:
            local = self.context.copy()
        else:
            context = self.context
            local = {n: context[n] for n in names if n in context}
        local.update(self.own_context(name, page_num) if own is None else own)
        return local

    def announced_context(self, name: str, page_num: int | None) -> collections.ChainMap:
        """The local context as ``content_written`` receivers read it: the page's own entries over the
        shared context, without copying the shared one (hundreds of settings) for each page."""
        return collections.ChainMap(self.own_context(name, page_num), self.context)

    def own_context(self, name: str, page_num: int | None) -> dict:
        """What the page's local context holds over the shared ``context`` (``local_context``)."""
        own = {"localsiteurl": self.context.get("localsiteurl", None)}
        if self.relative_urls:
            relative = path_to_url(get_relative_path(name))
            own["SITEURL"] = relative
            own["localsiteurl"] = relative
        own["output_file"] = name
        own.update(self.kwargs)
        if page_num is not None:
            for key, paginator in self.paginators.items():
                own.update({
                    f"{key}_paginator": paginator,
                    f"{key}_page": paginator.page(page_num + 1),
                    f"{key}_previous_page": paginator.page(page_num) if page_num > 0 else None,
                    f"{key}_next_page": paginator.page(page_num + 2) if page_num + 1 < paginator.num_pages else None,
                })
        return own


class RecordingWriter(Writer):
    """A Pelican writer that records pages instead of writing them (feeds are written at once)."""

    def __init__(self, output_path: str, settings: dict):
        super().__init__(output_path, settings=settings)
        self.pages: dict[str, tuple[Job, int | None]] = {}  # file name -> (job, page number or None)
        self._overridden: set[str] = set()

    def write_file(self, name, template, context, relative_urls=False, paginated=None, template_name=None,
                   override_output=False, url=None, **kwargs):
        if not name:
            return
        job = Job(name, template, context, kwargs, relative_urls, override_output)
        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            per_page = self.settings["PAGINATED_TEMPLATES"][template_name] or self.settings["DEFAULT_PAGINATION"]
            job.paginators = {key: Paginator(name, url, val, self.settings, per_page) for key, val in paginated.items()}
            first = next(iter(job.paginators.values()))
            for page_num in range(first.num_pages):
                self._claim(first.page(page_num + 1).save_as, job, page_num)
        else:
            self._claim(name, job, None)

    def _claim(self, name: str, job: Job, page_num: int | None) -> None:
        """Pelican's rule: a file is written once, unless exactly one of the writes overrides it."""
        name = os.path.normpath(name)
        if name in self._overridden:
            if job.override:
                raise JobConflict(f'Failed to overwrite "{name}" a second time (was previously overwritten)')
            return
        if name in self.pages and not job.override:
            self._clash(name, job, self.pages[name][0])
            raise JobConflict(f'Failed to overwrite "{name}" as Pelican has already written to it previously')
        if job.override:
            self._overridden.add(name)
        self.pages[name] = (job, page_num)

    def _clash(self, name: str, job: Job, other: Job) -> None:
        """Two pages named one file, where at least one is an article's or a page's (a theme's own page, a
        setting's address the checks cannot know): a content error on that file's Slug, naming the file."""
        from ..model import ContentErrors, Problem
        from ..settings import messages_lang

        def entry_of(j: Job):
            return getattr(j.kwargs.get("article") or j.kwargs.get("page"), "entry", None)

        mine, theirs = entry_of(job), entry_of(other)
        if mine is None and theirs is None:
            return
        if mine is None:
            mine, theirs = theirs, None
        what = theirs.path if theirs is not None else "/" + name
        raise ContentErrors([Problem(mine.path, mine.lines.get("slug", 1), "Slug", mine.get("slug"),
                                     "slug_reserved" if theirs is None else "duplicate_slug", {"other": what})],
                            messages_lang(self.settings))

    # ---- rendering -----------------------------------------------------------------------
    def render(self, name: str, names: tuple[str, ...] | None = None, own: dict | None = None) -> tuple[str, dict]:
        """The text of the page ``name`` (a key of ``pages``) and its local context (``names``, ``own``: see
        ``Job.local_context``)."""
        job, page_num = self.pages[name]
        local = job.local_context(name, page_num, names, own)
        if local["localsiteurl"]:
            job.context["localsiteurl"] = local["localsiteurl"]
        reads.start()  # what the template reads beyond the page's own values (portal.reads)
        try:
            return job.template.render(local), local
        finally:
            reads.stop()

    def write(self, name: str, announce: bool = True) -> bool:
        """Render ``name`` into the output folder as Pelican would, sending ``content_written``
        (unless ``announce`` is False); the file is left untouched when its bytes are the same.
        Returns whether it changed."""
        text, local = self.render(name)
        path = sanitised_join(self.output_path, name)
        changed = True
        try:
            with open(path, encoding="utf-8", newline="") as old:
                changed = old.read() != text
        except (FileNotFoundError, UnicodeDecodeError, IsADirectoryError):
            pass
        if changed:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            outputs.write_whole(path, text.encode("utf-8"))
        if announce:
            signals.content_written.send(path, context=local)
        return changed


class BuildWriter(RecordingWriter):
    """The writer of a build: pages recorded while Pelican's generators run, then written all at
    once by ``write_all`` on every core (forked processes share the finished model).

    The other processes take pages from the front of the list while this one first does what
    else there is (``meanwhile``: the feeds, CAP, calendars), then takes pages from the back
    until they meet: both cores stay busy to the end. (A third process for the feeds while two
    wrote pages was tried: each process copies much of the model as it reads it, so it cost more
    CPU and memory than it saved time.)"""

    CHUNK = 8  # pages taken at a time from the shared list

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._folders: set[str] = set()  # made already (one mkdir per folder, not per page)
        # the output this build replaces (portal build sets it): a page whose bytes are the same
        # is a hard link to its file, with its time, not a copy that the swap reads and compares
        self.previous = self.settings.get("PORTAL_PREVIOUS_OUTPUT") or ""
        self.keys = None  # portal.renders.PageKeys, when the build keeps them (PORTAL_PAGE_KEYS)
        self.linked = 0  # pages this process linked without rendering them
        self._joined: dict[str, tuple[str, str | None]] = {}  # name -> its file here, and in the previous output
        self._bases = (posixize_path(os.path.abspath(self.output_path)),
                       posixize_path(os.path.abspath(self.previous)) if self.previous else "")

    def _files(self, name: str) -> tuple[str, str | None]:
        """The page's file in this build's folder and in the output it replaces (None without one), as
        Pelican's ``sanitised_join`` makes them (RuntimeError for a name outside the folder): joined once per
        page, not again for its key, its link, its write and its announcement (14,000 pages at 10,000
        articles)."""
        found = self._joined.get(name)
        if found is None:
            path = sanitised_join(self.output_path, name)
            here, there = self._bases
            if not there:
                before = None
            elif path.startswith(here + "/"):  # (the same path below either folder)
                before = there + path[len(here):]
            else:  # what sanitised_join lets through beside the folder ("../out2/x"): its own answer
                before = sanitised_join(self.previous, name)
            found = self._joined[name] = (path, before)
        return found

    def _folder_of(self, path: str) -> None:
        folder = os.path.dirname(path)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)

    def _kept(self, name: str) -> bool:
        """Whether the page's key is the one the previous build rendered into the previous output's
        file, now linked here (``portal.renders``); its key is noted either way."""
        if not self.previous or name not in self.keys.previous:  # rendered: keyed then (PageKeys.rendered)
            return False
        job, page_num = self.pages[name]
        key = self.keys.key(name, job.template, job.own_context(name, page_num), job.context)
        if key is None:
            return False
        try:
            path, before = self._files(name)
        except RuntimeError:  # a name outside the folder
            return False
        if before is None or not self.keys.unchanged(name, key, before):
            return False
        self._folder_of(path)
        try:
            outputs.link_file(before, path)
        except OSError:  # another file system: rendered instead
            return False
        self.keys.linked(name)
        self.linked += 1
        return True

    def _link_unchanged(self, name: str, data: bytes, path: str) -> bool:
        """Whether the previous output's ``name`` holds exactly ``data`` and is now linked at ``path``."""
        try:
            before = self._files(name)[1]
        except RuntimeError:  # a name outside the folder
            return False
        return before is not None and outputs.link_if_same(before, path, data)

    def write(self, name: str, announce: bool = True) -> bool:
        """As ``RecordingWriter.write``, into a build's own new folder, as Pelican's writer writes
        (one mkdir per folder: no failing mkdir, 42,000 of them at 10,000 articles). A page whose
        bytes are those of the output the build replaces is linked to that file, keeping its time;
        any other is written at once."""
        if self.keys is not None and self._kept(name):
            if announce:
                job, page_num = self.pages[name]
                signals.content_written.send(self._files(name)[0], context=job.announced_context(name, page_num))
            return True
        job, page_num = self.pages[name]
        names = own = None
        if self.keys is not None:  # the page's own values once, for its render and its key
            names, own = self.keys.names_read(job.template), job.own_context(name, page_num)
        text, local = self.render(name, names, own)
        if self.keys is not None:
            self.keys.rendered(name, job.template, own, job.context, reads.beyond(own))
        path = self._files(name)[0]
        self._folder_of(path)
        data = text.encode("utf-8")
        if not (self.previous and self._link_unchanged(name, data, path)):
            with open(path, "wb") as out:
                out.write(data)
        if announce:
            if names is not None:  # the receivers read the whole context, as Pelican gives it
                local = job.announced_context(name, page_num)
            signals.content_written.send(path, context=local)
        return True

    def write_all(self, workers: int, meanwhile: list | tuple = ()) -> int:
        """Render and write every recorded page, and run each of ``meanwhile``; ``content_written``
        is sent for each page, in this process and in the pages' order, as Pelican's writer sends
        it. Returns how many pages. A failure in another process is raised here as it was raised
        there."""
        names = list(self.pages)
        if self.settings.get("PORTAL_PAGE_KEYS"):
            from .. import renders

            self.keys = renders.PageKeys(self.settings, self.previous or None)
            self.keys.share_names(names)
            self.keys.analyse({id(job): job for job, _ in self.pages.values()}.values())  # once, before the fork
            outputs.keyed_by(self.keys, self.output_path)  # the output steps' files too
        try:
            count = self._write_all(names, workers, meanwhile)
            if self.keys is not None:
                log.info("feeds, CAP, CSAF, calendars: %d linked from the previous output, %d made",
                         *outputs.keyed_files())
            return count
        finally:
            outputs.keyed_by(None)

    def _write_all(self, names: list[str], workers: int, meanwhile) -> int:
        if workers < 2 or len(names) < 50 * workers:
            for step in meanwhile:
                step()
            for name in names:
                self.write(name)
            self._keep_keys(())
            return len(names)
        shared = _Shared(len(names))
        frozen = gc.get_freeze_count()  # a build froze its model already (portal.tools.build): keep it so
        gc.freeze()  # the children inherit the model; the collector walking it would copy every page of it
        try:
            children = [_fork(lambda: self._take(shared, names, from_front=True, failing=shared.fail, part=True))
                        for _ in range(workers - 1)]
        finally:
            if not frozen:
                gc.unfreeze()
        failures: list[BaseException] = []
        try:
            for step in meanwhile:
                step()
            self._take(shared, names, from_front=False, children=[pid for pid, _ in children])
        except BaseException:
            shared.fail()  # they stop at their next pages even if a SIGTERM comes too early to kill one (a
            # process forked with SIGTERM ignored, before it set the default back)
            for pid, _ in children:  # what they write would be thrown away with the build
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            raise
        finally:
            failures = [failure for failure in (_wait(child) for child in children) if failure is not None]
        if failures:
            raise failures[0]
        self._keep_keys([pid for pid, _ in children])
        for name in names:
            job, page_num = self.pages[name]
            signals.content_written.send(self._files(name)[0], context=job.announced_context(name, page_num))
        return len(names)

    def _keep_keys(self, children) -> None:
        """This build's page keys, this process's and those ``children`` found (``_take(part=True)``),
        kept for the build to save once its folder is the output."""
        if self.keys is None:
            return
        for pid in children:
            self.keys.merge_part(pid)
        self.keys.save_pending()
        log.info("pages: %d linked from the previous output, %d rendered", self.keys.linked_total(self.linked),
                 len(self.pages) - self.keys.linked_total(self.linked))

    def _take(self, shared: _Shared, names: list[str], from_front: bool, failing=None, children=(),
              part: bool = False) -> None:
        """Write pages taken from one end of the shared list until it is empty, or until another
        process failed (it says so, ``failing``; or it ended, among ``children``, while the list
        was locked): its error is raised once it has been waited for, without writing the rest.
        ``part``: a forked process, which leaves the keys it found for its parent."""
        try:
            while True:
                span = shared.take(self.CHUNK, from_front, children)
                if span is None:
                    break
                for k in span:
                    self.write(names[k], announce=False)
            if part and self.keys is not None:
                self.keys.save_part(self.linked)
        except BaseException:
            if failing is not None:
                failing()
            raise


class _Shared:
    """The pages not yet taken, as two counters in memory shared with the forked processes (the
    next from the front, one past the last from the back), and a flag a failing process raises
    so that the others stop."""

    WAIT = 1.0  # seconds between two looks at the other processes while the list is locked

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self.lock = context.Lock()
        self.ends = context.RawArray("q", [0, count, 0])

    def fail(self) -> None:
        self.ends[2] = 1  # one word written: no lock needed (the lock may be why it failed)

    def take(self, count: int, from_front: bool, children=()) -> range | None:
        """The next ``count`` pages from one end; None when none is left, or when a process failed.
        ``children``: processes whose end, while the lock stays taken, means it never will be freed
        (a process killed while it held it)."""
        while not self.lock.acquire(timeout=self.WAIT):
            if self.ends[2] or any(_ended(pid) for pid in children):
                return None
        try:
            front, back = self.ends[0], self.ends[1]
            if front >= back or self.ends[2]:
                return None
            if from_front:
                self.ends[0] = end = min(back, front + count)
                return range(front, end)
            self.ends[1] = start = max(front, back - count)
            return range(start, back)
        finally:
            self.lock.release()


def _ended(pid: int) -> bool:
    """Whether the child ``pid`` has ended, leaving it to be waited for (WNOWAIT)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


class ErrorsLogged(logging.Handler):
    """The ERRORs logged while it is attached (Pelican logs some failures instead of raising): in a child made by
    ``_fork`` they fail it; ``portal check`` refuses a plugin Pelican could not load."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_CHILDREN: set[int] = set()  # this process's build processes not yet waited for
_GROUPS: set[int] = set()  # those of them that lead a process group of their own (_fork(own_group=True))
_REPORT: list[int] = []  # in a process made by _fork: the pipe its parent reads what it raised from


def _forget_report() -> None:
    """In every process forked from one made by ``_fork`` (its parse workers, its page writers): its parent's
    pipe closed. Held by them, the parent would read no end of it until they had all exited: a build
    process killed would be noticed only once its workers had done their work, printing broken pipes."""
    for fd in _REPORT:
        with contextlib.suppress(OSError):
            os.close(fd)
    _REPORT.clear()


os.register_at_fork(after_in_child=_forget_report)

_COMMAND: list[int] = []  # the process of the command that stops on SIGTERM (stop_children_on_terminate)


def stop_children_on_terminate() -> None:
    """On SIGTERM (``kill``, a service stopped) this process stops as on Ctrl-C: SystemExit, the
    build's cleanup runs, and ``_wait`` stops the process it waits for with all of its own (a build
    process has a process group of its own, ``_fork(own_group=True)``). No other process runs
    Python code on SIGTERM: each forked process dies of it at once, as by default. Main thread only."""
    _COMMAND[:] = [os.getpid()]
    signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum, frame) -> None:
    if _COMMAND != [os.getpid()]:  # forked, before _fork set the default back: die as by default
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise SystemExit(128 + signum)


def _fork(work, pages_only: bool = True, own_group: bool = False) -> tuple[int, int]:
    """A child process that does ``work`` and exits; what it raised comes back on a pipe (pickled).
    ``pages_only``: it writes pages whose ``content_written`` the parent sends (not sent here).
    ``own_group``: it and every process it makes are one process group, stopped together."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the build (its cleanup would remove the output)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if own_group:
            os.setpgid(0, 0)
        _CHILDREN.clear()  # its parent's other children are not its own
        _GROUPS.clear()
        os.close(read_end)
        _REPORT.append(write_end)  # (not held by what it forks: _forget_report)
        code = 0
        try:
            if pages_only:
                signals.content_written.receivers.clear()  # the parent sends these, once per page
            errors = ErrorsLogged()
            logging.getLogger().addHandler(errors)
            work()
            if errors.messages:
                raise RuntimeError("\n".join(errors.messages))
        except BaseException as err:  # noqa: BLE001 (raised again by the parent)
            code = 1
            try:
                data = pickle.dumps(err)
            except Exception:  # noqa: BLE001 (an exception that cannot travel: its text does)
                import traceback

                data = pickle.dumps(RuntimeError("".join(traceback.format_exception(err))[-4000:]))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)
    os.close(write_end)
    if own_group:
        with contextlib.suppress(OSError):  # the child may have done it already, or ended
            os.setpgid(pid, pid)
        _GROUPS.add(pid)
    _CHILDREN.add(pid)
    return pid, read_end


def _end_group(pid: int) -> None:
    """Once the child ``pid`` has ended and been waited for: if it led a process group of its own
    (``_fork(own_group=True)``), whatever it left running in it is killed. A build process killed (``kill
    -9``, the kernel out of memory) leaves its parse workers and page writers behind: they would go on
    writing into a folder the command removes or builds in again, and print their broken pipes on the
    person's screen. (The group keeps its number while any of it runs: no other process can have it.)"""
    if pid in _GROUPS:
        _GROUPS.discard(pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def _stop(pid: int) -> None:
    """This process is stopping (SIGTERM, Ctrl-C, a failure): the child and its own stop too, and it is
    waited for."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGTERM)
        else:
            os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    _CHILDREN.discard(pid)
    _end_group(pid)


def _wait(child: tuple[int, int]) -> BaseException | None:
    pid, read_end = child
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # this process is stopping (SIGTERM, Ctrl-C): the child and its own stop too
        _stop(pid)
        raise
    _, status = os.waitpid(pid, 0)
    _CHILDREN.discard(pid)
    _end_group(pid)
    code = os.waitstatus_to_exitcode(status)
    if data:
        try:
            return pickle.loads(data)
        except Exception as err:  # noqa: BLE001
            return RuntimeError(f"a build process failed: {err}")
    return RuntimeError(f"a build process ended with status {code}") if code != 0 else None
