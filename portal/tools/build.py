"""`portal build`: build the site into a fresh folder and swap it in only when all went well.

With any content error, every problem is printed at once, the exit status is
1 and the previous output folder is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

from .. import blobs, outputs, renders
from ..clock import build_time
from ..model import ContentErrors
from ..outputs import same_bytes
from ..search import IndexFailed
from ..settings import SettingsError, load, messages_lang

log = logging.getLogger("portal.build")


class BuildFailed(Exception):
    pass


class SettingsFailed(BuildFailed):
    """A plugin's check of the settings failed, in the build's own process (said in the language of the
    build's messages): building again in an empty folder would fail the same way."""


class _ErrorCounter(logging.Handler):
    """Pelican logs some failures instead of raising: any ERROR fails the build."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _CoveredByOurReport(logging.Filter):
    """Pelican's English warnings about what the portal reports itself, in Vietnamese,
    with file, line and fix (a missing image, a dead {filename} link, a duplicate slug)."""

    COVERED = ("Cannot get modification stamp", "Unable to find '", 'There are %s items "%s" with lang',
               "There are %s original (not translated) items")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("pelican") and str(record.msg).startswith(self.COVERED))


class _SayWhatFailed(logging.Filter):
    """Pelican's bare "Could not process <file>" becomes the portal's message: the file, the cause,
    the fix (the reader reports its own problems; this covers whatever fails after it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("pelican") and str(record.msg).startswith("Could not process"):
            from ..model import Problem

            path = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            failure = sys.exc_info()[1]  # Pelican logs inside its except block, without the cause
            cause = f"{type(failure).__name__}: {failure}" if failure else "?"
            record.msg = Problem(str(path), None, None, None, "could_not_process", {"error": cause[:300]}).format()
            record.args = ()
        return True


def setup_logging(verbose: bool = False) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_portal", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.addFilter(_SayWhatFailed())
        handler.addFilter(_CoveredByOurReport())
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler._portal = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)


def keep_unchanged(old: Path, new: Path, link: bool = False, known_same: set[Path] | None = None,
                   survey: outputs.Survey | None = None) -> int:
    """Every file of `new` whose bytes equal the same file in `old` keeps `old`'s modification time
    (so its Last-Modified and ETag stay, and subscribers' conditional GETs answer 304); with `link`,
    it becomes a hard link to `old`'s file (releases share unchanged files). Returns how many.
    `known_same`: files of `new` already compared equal (by precompress), not read again; `survey`:
    `new` as listed beside `old` (``portal.outputs.Survey``), not listed again."""
    if not old.is_dir():
        return 0
    kept = 0
    if survey is None:
        survey = outputs.Survey(new, old)
    for folder, (names, linked) in survey.folders.items():
        for name in names:
            if name in linked:  # linked by the build: the same file, its time with it
                kept += 1
                continue
            fresh = Path(folder, name)
            before = old / fresh.relative_to(new)
            if fresh.is_symlink() or not before.is_file() or before.is_symlink():
                continue
            if not (known_same and fresh in known_same) and not same_bytes(fresh, before):
                continue
            if link:
                tmp = fresh.with_name(f".{name}.link")
                try:
                    os.link(before, tmp)
                    os.replace(tmp, fresh)
                    kept += 1
                    continue
                except OSError:  # another filesystem: keep the time instead
                    tmp.unlink(missing_ok=True)
            stat = before.stat()
            os.utime(fresh, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            kept += 1
    return kept


def swap_in(fresh: Path, output: Path, known_same: set[Path] | None = None,
            survey: outputs.Survey | None = None) -> None:
    """Replace output by fresh with two renames on one filesystem (unchanged files keep their times).

    The output replaced stays beside it, hidden (``.output.previous-<pid>``), until the next build
    removes it while its own build process works (``remove_previous``): removing 30,000 files and
    4,000 folders at 10,000 articles takes most of a second, which no build then waits for. It holds
    only what changed: its unchanged files are the new output's, linked."""
    if output.exists():
        keep_unchanged(output, fresh, known_same=known_same, survey=survey)
        old = output.with_name(f".{output.name}.previous-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        output.rename(old)
        fresh.rename(output)
    else:
        fresh.rename(output)


def recycle_previous(output: Path, fresh: Path) -> bool:
    """An output an earlier build replaced (``swap_in``: ``.output.previous-<pid>``, beside ``output``)
    renamed to be this build's new folder ``fresh``: its folders are kept, its files removed
    (``empty_files``) before the build process writes any. Removing its 5,000 folders at 10,000
    articles, then making as many again in the new folder, is no longer done at each rebuild (on ext4
    without a journal, with discard, each folder removed and made is seconds of the kernel's time
    in all). True when one was."""
    for old in sorted(output.parent.glob(f".{output.name}.previous-*")):
        if old.is_symlink() or not old.is_dir():
            continue
        try:
            old.rename(fresh)
            return True
        except OSError:
            continue
    return False


def empty_files(folder: Path) -> list[str]:
    """Every file under ``folder`` removed, and every link (to a file or a folder: never followed), its
    folders kept; those folders, parents first."""
    folders: list[str] = []
    todo = [os.fspath(folder)]
    while todo:
        top = todo.pop()
        folders.append(top)
        with os.scandir(top) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                else:
                    os.unlink(entry.path)
    return folders


def _in_build_process(settings: dict, ready: tuple[int, int] | None, records: tuple[int, int] | None) -> None:
    if ready is not None:  # only the command writes on it: were it killed, the read ends, and the build fails
        os.close(ready[1])
    if records is not None:  # only this process writes on it
        os.close(records[0])
    _run_pelican(settings)


def _records_written(settings: dict) -> None:
    """In the build process, once every page and output step is written, or as soon as the search step has
    written its records when there is memory for Pagefind beside the pages being written
    (``outputs.records_whole``): tell the command, on the pipe PORTAL_RECORDS_READY_FD, that the search
    records are whole (it indexes them while this process goes on, or ends). Said once."""
    fd = settings.get("PORTAL_RECORDS_READY_FD")
    if isinstance(fd, int):
        settings["PORTAL_RECORDS_READY_FD"] = None
        try:
            with contextlib.suppress(OSError):  # the command stopped: its end of the pipe is closed
                os.write(fd, b"1")
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)


class _EarlyIndex:
    """The search index made in a thread of the command (``index``: a call of ``index_records``), started
    as soon as the build process says its records are whole (``_records_written``): Pagefind's runs then
    go on while that process ends (the pages' ``content_written``, the sitemap, its exit: 1.5 s of one
    core at 10,000 articles). ``wait`` gives its error; ``discard`` stops its runs and waits for them (a
    build that failed or was stopped: nothing of it may outlive the folders it writes into).

    Waiting is on an event the thread sets as it ends, never on ``Thread.join``: on Python 3.11 a join
    interrupted by a signal (Ctrl-C, SIGTERM) marks the thread ended while it still runs."""

    def __init__(self, index) -> None:
        self._index, self._thread, self._error = index, None, None
        self._done = threading.Event()
        self.started = 0.0

    def start(self) -> None:
        from ..search import allow_indexing

        def run() -> None:
            try:
                self._index()
            except BaseException as problem:  # raised again by wait(), in the command's thread
                self._error = problem
            finally:
                self._done.set()

        allow_indexing()
        self.started = time.monotonic()
        self._done.clear()
        self._thread = threading.Thread(target=run, name="search-index", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread is not None

    def wait(self) -> None:
        self._until_done(stop=False)
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def discard(self) -> None:
        self._until_done(stop=True)

    def reset(self) -> None:
        """Not started, as before its first run (a build run again in an empty folder)."""
        self.discard()
        self._error = None

    def _until_done(self, stop: bool) -> None:
        """Until the thread has ended; with ``stop``, or once this wait is interrupted (the interruption
        raised after), its Pagefind runs ended first and no other started."""
        from ..search import allow_indexing, stop_indexing

        if self._thread is None:
            return
        if stop:
            stop_indexing()
        interrupted: BaseException | None = None
        while not self._done.is_set():
            try:
                self._done.wait(0.5)
            except BaseException as problem:  # Ctrl-C, SIGTERM: Pagefind stopped, and its thread waited for
                interrupted = interrupted or problem
                stop_indexing()
        self._thread = None
        if stop or interrupted is not None:
            allow_indexing()  # (this process's next build)
        if interrupted is not None:
            raise interrupted


def _fresh_ready(generators) -> None:
    """In the build process, before anything is written into its new folder: wait until the command has
    emptied it of a recycled output's files (``recycle_previous``); PORTAL_FRESH_READY_FD, the pipe it says
    so on (b"1"; anything else: it could not)."""
    settings = generators[0].settings if generators else {}
    fd = settings.get("PORTAL_FRESH_READY_FD")
    if not isinstance(fd, int):
        return
    if os.read(fd, 1) != b"1":
        raise BuildFailed("Không dọn được thư mục mới của bản dựng (the build's new folder could not be emptied "
                          "of the earlier output's files): xem thông báo lỗi phía trên")


def mirror_folders(previous: Path | None, fresh: Path) -> list[str]:
    """Every folder of the output ``previous`` made in ``fresh`` (a build's new folder), parents first;
    the folders made. This process does it while the build process reads the content, on a core that
    would wait: the build process then finds its folders there (at 10,000 articles, 5,000 of them,
    each a new inode, which ext4 makes slowly while the folders of the output before are removed).
    Those the build leaves empty are removed once it has ended (``build``): the output is a cold
    build's. A link to a folder is not followed."""
    made: list[str] = []
    if previous is None or not previous.is_dir():
        return made
    root, target = os.fspath(previous), os.fspath(fresh)
    todo = [root]
    while todo:
        folder = todo.pop()
        copy = target + folder[len(root):]
        try:
            os.mkdir(copy)
            made.append(copy)
        except FileExistsError:
            pass
        except OSError:
            continue
        try:
            with os.scandir(folder) as listing:
                todo.extend(e.path for e in listing if e.is_dir(follow_symlinks=False))
        except OSError:
            continue
    return made


def remove_previous(output: Path) -> None:
    """The outputs earlier builds replaced (``swap_in``), removed, and what builds killed before their end
    left beside ``output`` (``remove_abandoned``). Each is first renamed to a name of this process's own
    (``.output.removing-<pid>``): another build into the same output that takes one as its new folder
    (``recycle_previous``, a rename too) has it whole, or not at all."""
    for n, old in enumerate(output.parent.glob(f".{output.name}.previous-*")):
        if old.is_symlink() or not old.is_dir():
            continue
        mine = output.with_name(f".{output.name}.removing-{os.getpid()}-{n}")
        try:
            old.rename(mine)
        except OSError:  # taken by another build meanwhile
            continue
        shutil.rmtree(mine, ignore_errors=True)
    remove_abandoned(output)


def remove_abandoned(output: Path) -> None:
    """A build's own files beside ``output``, named with its process number: its new folder
    (``.output.new-<pid>``), the list of the .gz copies its process made (``….packed``), its search
    records (``.output.search-<pid>``) and their parts (``..output.search-<pid>-phan``). A build killed
    by SIGKILL, or by the kernel for want of memory, removes none of them (a whole site's copy, each
    time); they are removed once their build's process is gone. A running build's are left alone."""
    mine = re.compile(r"\.?\." + re.escape(output.name) + r"\.(?:new|search|removing)-(\d+)(?:\.packed|-phan|-\d+)?")
    for path in output.parent.glob(f"*.{output.name}.*"):
        found = mine.fullmatch(path.name)
        if found is None or int(found.group(1)) == os.getpid() or _running(int(found.group(1))):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's process; a number no process can have
        return True
    return True


def check_output_folder(content: Path, output: Path) -> None:
    """The output folder is replaced whole: it must be neither the content folder, nor inside it
    (every build would read its own output), nor around it (the swap would remove the articles)."""
    content, output = Path(content).resolve(), Path(output).resolve()
    if output == content or content in output.parents or output in content.parents:
        raise SettingsError(f"Thư mục xuất {output} trùng, nằm trong hoặc chứa thư mục nội dung {content}. "
                            "Cách sửa: chọn thư mục khác, ví dụ --output output",
                            f"The output folder {output} is the content folder {content}, or is inside it, or "
                            "holds it. Fix: choose another, e.g. --output output")


def build(settings_file: Path, output: Path, overrides: dict | None = None, previous: Path | None = None) -> dict:
    """Build; raise ContentErrors or BuildFailed, leaving ``output`` untouched.

    The output this build replaces (``output`` itself, or ``previous``: the release a publish replaces)
    lends it every page and file it would make again with the same bytes, or from the same inputs.

    The build clock is fixed once here (PORTAL_NOW), so every plugin agrees on it. Pelican runs in
    a process of its own when this one runs no thread. Pagefind, the other large user of memory, indexes
    the search records it left as soon as they are whole when the memory allows it beside the pages being
    written (a small site: ``plugins/search``), else once that process has written every page (its
    page-writing processes have ended), while it ends and gives back the model's memory (``_EarlyIndex``)."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fresh = output.with_name(f".{output.name}.new-{os.getpid()}")
    records = output.with_name(f".{output.name}.search-{os.getpid()}")
    for folder in (fresh, records):
        shutil.rmtree(folder, ignore_errors=True)
    packed_listing(fresh).unlink(missing_ok=True)  # a build of the same number, stopped before its end
    settings = load(settings_file, {**(overrides or {}), "OUTPUT_PATH": str(fresh)})
    _SAID[0] = messages_lang(settings)  # the command's own lines in the language of the build's messages
    check_output_folder(settings["PATH"], output)
    settings["PORTAL_NOW"] = build_time(settings).isoformat()
    previous = output if output.is_dir() else previous
    if previous is not None and previous.is_dir():
        settings["PORTAL_PREVIOUS_OUTPUT"] = str(previous)  # unchanged pages linked, not written (BuildWriter)
    settings["PORTAL_PAGE_KEYS"] = renders.pending_file(settings)  # pages not rendered again (portal.renders)
    if settings["PORTAL_PAGE_KEYS"]:
        # code, theme and settings before Pelican reads a template: the page keys stand for these, and are
        # not kept when a source file changed before the build ends (renders.commit)
        settings["PORTAL_FINGERPRINT"], settings["PORTAL_TEMPLATE_FINGERPRINT"] = renders.fingerprints(settings)
        settings["PORTAL_SOURCES"] = renders.sources_stamp(settings, settings["PORTAL_FINGERPRINT"])
    apart = threading.active_count() == 1 and settings.get("PORTAL_WORKERS") != 1
    workspace = None  # the search index's folder kept between builds (portal.search.Workspace)
    if apart and settings.get("SEARCH_INDEX", True) and "search" in (settings.get("PLUGINS") or ()):
        from ..search import Workspace

        workspace = Workspace.take(settings.get("PORTAL_PARSE_CACHE"))
        if workspace is None:  # no parse cache, or another build holds its workspace
            records.mkdir(parents=True)
        settings["PORTAL_SEARCH_RECORDS"] = str(workspace.records if workspace else records)
    same: set[Path] = set()  # files precompress found equal to the previous output's
    early = None  # the search index, started while the build process ends (_EarlyIndex)
    try:
        if settings.get("PORTAL_SEARCH_RECORDS"):
            from ..search import MEMORY_MIB, PART_MIB, index_records

            # the parts of a large index on as many cores as the build's pages were (PORTAL_WORKERS)
            early = _EarlyIndex(functools.partial(
                index_records, Path(settings["PORTAL_SEARCH_RECORDS"]), fresh / "pagefind",
                kept=workspace.index if workspace else None, part_mib=settings.get("SEARCH_PART_MIB", PART_MIB),
                runs=int(settings.get("PORTAL_WORKERS") or os.cpu_count() or 1),
                memory_mib=settings.get("SEARCH_MEMORY_MIB", MEMORY_MIB)))
        made = _run_build(settings, output, fresh, previous, apart, early)
        if early is not None:
            if not early.running:  # the build process did not say its records were whole: indexed now
                early.start()
            try:
                early.wait()
            except IndexFailed as problem:
                raise BuildFailed(str(problem)) from problem
            log.info("search: Pagefind's index made in %.1f s", time.monotonic() - early.started)
        # the output this one replaces (``output`` itself, or the release a publish replaces): the build
        # linked its unchanged files, and the .gz steps must know them as its own (never written through)
        before = Path(settings["PORTAL_PREVIOUS_OUTPUT"]) if settings.get("PORTAL_PREVIOUS_OUTPUT") else None
        for folder in reversed(made):  # the folders made ahead that this build left empty: as a cold build
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        survey = outputs.Survey(fresh, before)  # listed once for both steps
        if settings.get("PRECOMPRESS", True):
            from ..deploy.compress import precompress

            try:  # before swap_in: an unchanged file's .gz is unchanged too, and keeps its time
                precompress(fresh, previous=before, same=same, survey=survey,
                            done=outputs.packed_files(packed_listing(fresh)))
            except OSError as err:
                raise BuildFailed(f"Không ghi được bản nén .gz (could not write the .gz copies): {err}") from err
        swap_in(fresh, output, known_same=same, survey=survey)
        renders.commit(settings, output)
    finally:
        if early is not None:  # a build that failed while Pagefind ran: its runs end before the folders go
            early.discard()
        renders.remove_pending(settings)
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(records, ignore_errors=True)
        packed_listing(fresh).unlink(missing_ok=True)
        if workspace is not None:
            workspace.release()
        blobs.remove_all_abandoned(settings.get("PORTAL_PARSE_CACHE"))  # a build process killed midway
    return settings


def _run_build(settings: dict, output: Path, fresh: Path, previous: Path | None, apart: bool,
               early: _EarlyIndex | None = None) -> list[str]:
    """Pelican's run (in a process of its own when ``apart``), into ``fresh`` readied with the last output's
    folders (``recycle_previous``, ``mirror_folders``); the folders readied. A build so readied that fails
    for another reason than the content or the settings runs again at once in an empty folder: a path that
    was a folder and is a file now (a setting changed) finds the old folder in its way."""
    recycled = previous is not None and recycle_previous(output, fresh)
    try:
        return _run_once(settings, output, fresh, previous, apart, recycled, early)
    except (ContentErrors, SettingsError, SettingsFailed, KeyboardInterrupt, SystemExit):
        raise
    except BaseException as failure:
        if previous is None:
            raise
        if early is not None:  # its runs wrote into the folder put aside: they end first, and run again
            early.reset()
        log.warning("Bản dựng lỗi trong thư mục dùng lại của bản trước, nên đã xây dựng lại trong thư mục trống (the "
                    "build failed in the folder reused from the last output: built again in an empty folder). Lỗi "
                    "lần đầu: %s", str(failure)[:300])
        _put_aside(output, fresh)
        return _run_once(settings, output, fresh, None, apart, False, early)


def _run_once(settings: dict, output: Path, fresh: Path, previous: Path | None, apart: bool,
              recycled: bool, early: _EarlyIndex | None = None) -> list[str]:
    if apart:
        return _run_apart(settings, output, fresh, previous, recycled, early)
    made = _empty_or_aside(output, fresh) if recycled else []
    remove_previous(output)
    _run_pelican(settings)
    return made


def _put_aside(output: Path, fresh: Path) -> None:
    """``fresh`` renamed as an output earlier builds replaced (removed by ``remove_previous``, or recycled
    again), an empty folder made in its place."""
    if fresh.exists() or fresh.is_symlink():
        fresh.rename(output.with_name(f".{output.name}.previous-{os.getpid()}-{time.monotonic_ns()}"))
    fresh.mkdir()


def _empty_or_aside(output: Path, fresh: Path) -> list[str]:
    """The recycled folder ``fresh`` emptied of its files (``empty_files``); one that cannot be (a file or a
    folder its owner made undeletable) put aside whole, and ``fresh`` an empty folder (nothing readied)."""
    try:
        return empty_files(fresh)
    except OSError as problem:
        log.warning("Không dọn được thư mục cũ, dùng thư mục trống (the old output's folder could not be "
                    "emptied: %s)", problem)
        _put_aside(output, fresh)
        return []


def _run_apart(settings: dict, output: Path, fresh: Path, previous: Path | None, recycled: bool,
               early: _EarlyIndex | None = None) -> list[str]:
    """Pelican's run in a process of its own, while this one readies the new folder ``fresh`` (emptied of
    the recycled output's files, or given the previous output's folders) and removes the outputs earlier
    builds replaced; the folders readied (``build`` removes those the build left empty). The build process
    waits to write until the folder is ready (``_fresh_ready``); should this process stop meanwhile (Ctrl-C,
    SIGTERM), the build process and its own stop with it. ``early``: started once the build process says
    its search records are whole (``_records_written``), while it ends."""
    from ..live.jobs import _fork, _stop, _wait

    ready = os.pipe() if recycled else None
    records = os.pipe() if early is not None else None
    settings.pop("PORTAL_FRESH_READY_FD", None)  # (a first attempt's)
    settings.pop("PORTAL_RECORDS_READY_FD", None)
    if ready is not None:
        settings["PORTAL_FRESH_READY_FD"] = ready[0]
    if records is not None:
        settings["PORTAL_RECORDS_READY_FD"] = records[1]
    try:
        child = _fork(lambda: _in_build_process(settings, ready, records), pages_only=False, own_group=True)
    finally:
        if records is not None:
            os.close(records[1])
    try:
        if ready is not None:  # emptied while the build process reads the content; it waits before writing
            os.close(ready[0])
            said = b"0"
            try:
                made = _empty_or_aside(output, fresh)
                said = b"1"
            finally:
                with contextlib.suppress(BrokenPipeError):  # it ended already (its content's errors): _wait says
                    os.write(ready[1], said)
                os.close(ready[1])
        else:
            made = mirror_folders(previous, fresh)  # while the build process reads the content
        remove_previous(output)  # while the build process works
        if records is not None:  # b"1": the records are whole; nothing (the pipe closed): it ended without
            if os.read(records[0], 1) == b"1":
                early.start()
    except BaseException:
        _stop(child[0])
        os.close(child[1])
        raise
    finally:
        if records is not None:
            os.close(records[0])
    failure = _wait(child)
    if failure is not None:
        raise as_build_failure(failure)
    return made


def as_build_failure(failure: BaseException) -> BaseException:
    """What the build's own process raised, as the person should read it: the content's errors and
    the build's reports as they are; anything else (a process killed for want of memory, a plugin's
    bug) as a build failure that says what happened and what to try."""
    if isinstance(failure, ContentErrors | BuildFailed | SettingsError):
        return failure
    return BuildFailed(f"Quá trình xây dựng dừng bất thường: {failure}. Cách thử: chạy lại; nếu máy thiếu bộ nhớ, "
                       "đặt PORTAL_WORKERS = 1 trong cấu hình (the build process failed; on a small server set "
                       "PORTAL_WORKERS = 1)")


def _run_pelican(settings: dict) -> None:
    """Pelican's run, with every logged ERROR failing it (Pelican logs some failures instead of raising)."""
    from pelican import Pelican, signals

    counter = _ErrorCounter()
    counter.addFilter(_SayWhatFailed())
    logging.getLogger().addHandler(counter)
    signals.all_generators_finalized.connect(_fresh_ready)  # before anything is written: connected first
    outputs.when_written(functools.partial(_records_written, settings))  # the command may index them already
    outputs.when_records_whole(functools.partial(_records_written, settings))  # or sooner, memory allowing
    signals.all_generators_finalized.connect(_freeze_model)  # before the plugins' receivers
    outputs.link_unchanged(settings["OUTPUT_PATH"], settings.get("PORTAL_PREVIOUS_OUTPUT"),
                           packed=settings.get("PRECOMPRESS", True))
    outputs.pack_as_written(settings.get("PRECOMPRESS", True))  # the output steps' .gz copies, as they write
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], 1_000_000)  # young garbage only: see _freeze_model
    try:
        try:
            Pelican(settings).run()
        except SettingsError as problem:  # a plugin's: in the language of the build's messages
            raise SettingsFailed(problem.said(messages_lang(settings))) from problem
        except IndexFailed as problem:
            raise BuildFailed(str(problem)) from problem
        if counter.records:
            raise BuildFailed("\n".join(r.getMessage() for r in counter.records))
        if settings.get("PRECOMPRESS", True):
            outputs.save_packed(packed_listing(Path(settings["OUTPUT_PATH"])))
    finally:
        _stop_parsing_ahead()  # a build stopped while reading: its worker processes too
        signals.all_generators_finalized.disconnect(_freeze_model)
        signals.all_generators_finalized.disconnect(_fresh_ready)
        outputs.when_written(None)
        outputs.when_records_whole(None)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        logging.getLogger().removeHandler(counter)
        outputs.defer_steps(False)  # a build that stopped early leaves no output step kept back
        outputs.link_unchanged(None, None)
        outputs.pack_as_written(False)


def packed_listing(fresh: Path) -> Path:
    """Where the build's process names the files it compressed as it wrote them (beside its folder)."""
    return fresh.with_name(f"{fresh.name}.packed")


def _freeze_model(generators) -> None:
    """Every file is read: what Pelican and the plugins made of them lives until the build ends. The
    garbage collector no longer walks it at each full collection (10,000 articles are millions of
    objects, walked several times a build); ``_run_pelican`` gives it back at the end. A build makes no
    full collection at all (``_run_pelican``): what reading and the views make lives on, so the full
    collections (each walking more of the model) found next to nothing to free and took 0.4 s at 10,000
    articles (0.3 s when they came back once the model was frozen, with the same peak memory); the
    young generations are still collected."""
    gc.freeze()


def _stop_parsing_ahead() -> None:
    import importlib

    try:
        importlib.import_module("articles.reader").stop_prefetch()
    except ImportError:
        pass  # the articles plugin was never loaded


_SAID = ["vi"]  # the language of the build's messages (settings.messages_lang), once its settings are read


def run(settings_file: Path, output: Path, overrides: dict | None = None, verbose: bool = False) -> int:
    """The command: build, print what happened, return the exit status."""
    setup_logging(verbose)
    _SAID[0] = str((overrides or {}).get("PORTAL_MESSAGES_LANG") or "vi")  # (settings not read yet)
    started = time.monotonic()
    if threading.current_thread() is threading.main_thread():
        from ..live.jobs import stop_children_on_terminate

        stop_children_on_terminate()
    try:
        build(settings_file, output, overrides)
    except SystemExit as stop:  # SIGTERM: every build process stopped, the unfinished folders removed
        print(stopped(_SAID[0], output), file=sys.stderr)
        return int(stop.code or 1)
    except ContentErrors as errors:
        print(errors, file=sys.stderr)
        print(stopped(errors.lang, output), file=sys.stderr)
        return 1
    except (BuildFailed, SettingsError) as failed:
        lang = (isinstance(failed, SettingsError) and failed.lang) or _SAID[0]  # (settings not read: what they ask)
        said = failed.said(lang) if isinstance(failed, SettingsError) else str(failed)
        print(f"{said}\n{stopped(lang, output)}", file=sys.stderr)
        return 1
    took = time.monotonic() - started
    print(f"Built the site into {output}/ in {took:.1f} s." if _SAID[0] == "en" else
          f"Đã xây dựng trang vào {output}/ trong {took:.1f} giây.")
    return 0


def stopped(lang: str, output: Path) -> str:
    if lang == "en":
        return f"\nBuild stopped: nothing was published; {output}/ is unchanged."
    return f"\nĐã dừng: chưa xuất bản gì; thư mục {output}/ giữ nguyên như trước."
