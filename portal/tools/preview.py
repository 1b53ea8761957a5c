"""`portal preview`: live preview while writing.

    portal preview [--port 8000] [--content content]

Keeps the site in memory in this one process (portal.live) and serves it on
http://127.0.0.1:PORT. On every save under content/:

1. the saved article's own page is rendered from its new text at once, in the
   model as it stands, when that is what a rebuild would give it (same address,
   date, status…: ``LiveSite.quick_page``; new tags are shown at once, the
   related articles they choose follow with step 2), and the open browser page
   reloads;
2. the model is brought up to date, reading only the saved file again; every
   other page is then rendered from the new model when asked for (listings, tags,
   the banner…), so a click through never shows a stale page;
3. in the background, the output folder is brought level with a full build (feeds,
   CAP, calendars, every page; only changed files rewritten), stopping as soon
   as another save arrives.

A change of the theme's templates alone reads each page's template anew, in the
model as it stands (``LiveSite.retemplate``: no step that makes the model reads
a template); a change of another theme file rebuilds the model; a change
of the settings or of a plugin's code restarts the process (Python code cannot
be reloaded).
The open page refreshes itself: the server adds one external script
(/__preview/reload.js, no inline code, only in preview; the built files are
not touched) that long-polls /__preview/status and reloads when the version
changes. When the content has errors, the terminal prints the report and every
page shows it instead, until the file is fixed and saved again.
"""

from __future__ import annotations

import asyncio
import errno
import html
import mimetypes
import os
import sys
import threading
import time
from pathlib import Path

from ..settings import SettingsError, load, messages_lang
from . import shown

PREFIX = "/__preview/"

RELOAD_JS = """\
// Live preview only (never published): reload the page when a new build is ready.
(function () {
  var me = document.currentScript;
  var seen = me ? me.getAttribute("data-version") : "";
  function poll() {
    fetch("/__preview/status?since=" + encodeURIComponent(seen), { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (String(s.version) !== String(seen)) { window.location.reload(); } else { poll(); }
      })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"""

PREVIEW_CSS = """\
body.preview-error { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #fff7f5; color: #1a1a1a; }
.preview-error main { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
.preview-error h1 { color: #b00020; font-size: 1.5rem; }
.preview-error pre { white-space: pre-wrap; background: #fff; border: 2px solid #b00020; padding: 1rem;
  font: 14px/1.5 ui-monospace, monospace; overflow-wrap: anywhere; }
"""
ERROR_ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" '
              'fill="#b00020"/><path d="M7 3h2v6H7zM7 11h2v2H7z" fill="#fff"/></svg>')


# Served from the output folder as soon as they are there: what a content save does not change.
# Anything else that is not a page (feeds, CAP, calendars…) waits until the save's files are written.
STATIC_SUFFIXES = {".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".pdf",
                   ".woff", ".woff2", ".map"}


def settle_memory() -> None:
    """Once the folder is written after a save (nothing else to do until the next one): what the models before
    left is collected, and what is left (the model, kept until the next save) is put out of the garbage
    collector's walks. A full collection walks every object: 0.4 s at 10,000 articles, which fell at any
    moment (a template saved waited for one in 0.4 s out of 0.5). It now falls here, once a save, where no
    one waits; the collections between two saves walk what is new."""
    import gc

    gc.unfreeze()
    gc.collect()
    gc.freeze()


def not_watched(problem: Exception, t) -> str:  # noqa: ANN001 (Preview.t)
    """What the terminal says when the system's file notifications fail: the cause in short (watchfiles
    adds the watcher's own debug text), and the fix where it is the system's limit of watches."""
    cause = str(problem).split(" (Error {")[0].strip() or type(problem).__name__
    limit = "limit" in cause.lower() or getattr(problem, "errno", None) in (errno.ENOSPC, errno.EMFILE)
    return f"[{time.strftime('%H:%M:%S')}] " + t(
        f"Không nhận được thông báo thay đổi tệp của hệ thống ({cause}): xem trước dò từng tệp ba lần mỗi giây "
        "(một lần lưu ngay trong cùng giây với lần lưu trước có thể bị bỏ qua: lưu lại)."
        + (" Cách sửa: tăng fs.inotify.max_user_watches (sysctl)." if limit else ""),
        f"the system's file notifications failed ({cause}): the preview looks at every file three times a second "
        "(a save within the same second as the file's last change may be missed: save again)."
        + (" To fix: raise fs.inotify.max_user_watches (sysctl)." if limit else ""))


class Preview:
    """The state shared by the watcher, the finisher and the web server."""

    def __init__(self, settings: Path, overrides: dict, output: Path, watch: list[Path], out=None,
                 content: Path | None = None, restart: list[Path] | None = None, lang: str = "vi"):
        out = out or (lambda text: print(text, flush=True))  # a log file sees each line at once
        self.lang = lang  # of the terminal's lines and the error page (the build's messages: PORTAL_MESSAGES_LANG)
        self.content = content
        self.settings = settings
        self.overrides = overrides
        self.output = output
        self.watch = [p for p in watch if p.exists()]
        self.restart = [p.resolve() for p in restart or []]  # a change here restarts the process
        self.out = out
        self.version = int(time.time() * 1000)  # unique across restarts: an open page always sees a change
        self.ok: bool | None = None
        self.error = ""
        self.last_seconds = 0.0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.site = None  # portal.live.LiveSite, once the settings are read
        self.overlay: dict[str, str] = {}  # page -> text rendered from a save, until the model has it
        self.updating = threading.Event()  # the model is being rebuilt: pages wait for it
        self.finish_wanted = threading.Event()

    def t(self, vi: str, en: str) -> str:
        return en if self.lang == "en" else vi

    # ---- the model -------------------------------------------------------------------------
    def open_site(self) -> None:
        from ..live import LiveSite

        conf = load(self.settings, {**self.overrides, "OUTPUT_PATH": str(self.output)})
        self.site = LiveSite(conf, fresh_output=True)

    def _failed(self, reason: str, error: str) -> None:
        with self.lock:
            self.ok, self.error = False, error
            self.version += 1
        self.out(f"[{time.strftime('%H:%M:%S')}] {reason}" + self.t(
            "LỖI — trang xem trước hiển thị lỗi này cho tới khi bạn sửa và lưu tệp",
            "ERROR — the preview shows it on every page until the file is fixed and saved") + f":\n{error}\n")

    def build(self, reason: str = "", quick: tuple[str, str] | None = None) -> bool:
        """Bring the model up to date; the open page reloads unless the quick page was already right."""
        from ..model import ContentErrors
        from .build import BuildFailed

        started = time.monotonic()
        self.updating.set()
        try:
            if self.site is None:
                self.open_site()
            update = self.site.update()
        except (ContentErrors, BuildFailed, SettingsError) as problem:
            self.overlay = {}
            self._failed(reason, problem.said(self.lang) if isinstance(problem, SettingsError) else str(problem))
            return False
        except Exception as err:  # noqa: BLE001 (a plugin's failure is shown, the server keeps running)
            self.overlay = {}
            self._failed(reason, describe_error(err, self.lang))
            return False
        finally:
            self.updating.clear()
        seconds = time.monotonic() - started
        same = bool(quick) and self.ok is True and self.site.render(quick[0]) == quick[1]
        with self.lock:
            self.overlay = {}
            self.ok, self.error, self.last_seconds = True, "", seconds
            if not same:
                self.version += 1
        self.finish_wanted.set()
        stamp = time.strftime("%H:%M:%S")
        pages, read = len(update.writer.pages), self.site.cache.misses
        self.out(f"[{stamp}] {reason}" + self.t(
            f"Đã xây dựng lại trong {seconds:.1f} giây ({pages} trang, đọc lại {read} tệp) — trình duyệt sẽ tự "
            "tải lại.",
            f"Rebuilt in {seconds:.1f} s ({pages} pages, {read} files read again): the browser reloads by itself."))
        self.site.cache.misses = 0
        return True

    def quick(self, changed: list[Path], reason: str) -> tuple[str, str] | None:
        """A saved article's own page from its new text, served before the model is rebuilt. An
        editor that saves through a temporary file (written, then renamed over the article) reports
        that name too: only the files still there count."""
        if self.site is None or self.ok is not True or self.content is None:
            return None
        present = [p for p in changed if p.exists()]
        if len(present) != 1 or any(p.suffix == ".md" for p in changed if p not in present):
            return None  # a deleted or renamed article: the model must be rebuilt
        path = present[0]
        if path.suffix != ".md" or not path.is_file() or self.content.resolve() not in path.resolve().parents:
            return None
        started = time.monotonic()
        try:
            page = self.site.quick_page(path)
        except Exception:  # noqa: BLE001 (the rebuild that follows reports it)
            return None
        if page is None:
            return None
        with self.lock:
            self.overlay = {page[0]: page[1]}
            self.version += 1
        ms = (time.monotonic() - started) * 1000
        self.out(f"[{time.strftime('%H:%M:%S')}] {reason}" + self.t(
            f"trang {page[0]} cập nhật trong {ms:.0f} ms; đang cập nhật các trang khác…",
            f"page {page[0]} updated in {ms:.0f} ms; updating the other pages…"))
        return page

    def restart_problem(self, paths: list[Path]) -> str:
        """Why restarting now would fail (a settings file that does not load, a plugin that does not
        compile), in the words the page shows; "" when it can restart."""
        import py_compile

        try:
            load(self.settings, self.overrides)
        except SettingsError as problem:
            return self.t("Lỗi cấu hình", "Settings error in") + f" {shown(self.settings)}: {problem.said(self.lang)}"
        except Exception as err:  # noqa: BLE001 (a Python error in the settings file)
            where = self.t(" dòng ", ", line ") + str(err.lineno) if getattr(err, "lineno", None) else ""
            return (self.t("Lỗi trong tệp cấu hình", "Error in the settings file") +
                    f" {shown(self.settings)}{where}: {type(err).__name__}: {err}")
        for path in paths:
            if path.suffix == ".py" and path.is_file():
                try:
                    py_compile.compile(str(path), doraise=True)
                except py_compile.PyCompileError as err:
                    return self.t("Lỗi cú pháp trong", "Syntax error in") + f" {shown(path)}: {err.msg}"
        return ""

    def changed(self, paths: list[Path]) -> None:
        names = sorted({shown(p) for p in paths if p.exists()}) or sorted({shown(p) for p in paths})
        reason = self.t("Đã lưu", "Saved") + f": {', '.join(names[:3])}{' …' if len(names) > 3 else ''} → "
        if any(p.resolve() == r or r in p.resolve().parents for p in paths for r in self.restart
               if p.suffix in (".py", "")):
            problem = self.restart_problem(paths)
            if problem:  # keep serving, show what to fix; the next save tries again
                self._failed(reason, problem)
                return
            self.out(f"[{time.strftime('%H:%M:%S')}] {reason}" + self.t(
                "cấu hình hoặc mã plugin đã đổi: khởi động lại xem trước…",
                "the settings or a plugin's code changed: restarting the preview…"))
            restart_process()
        if self.retemplate(paths, reason):
            return
        quick = self.quick(paths, reason)
        self.build(reason, quick)

    def templates(self) -> list[Path]:
        """The folders the theme's templates are read from."""
        conf = self.site.settings if self.site is not None else {}
        theme = conf.get("THEME")
        folders = [Path(p) for p in conf.get("THEME_TEMPLATES_OVERRIDES") or []]
        return [p.resolve() for p in ([*folders, Path(theme) / "templates"] if theme else folders)]

    def retemplate(self, paths: list[Path], reason: str) -> bool:
        """When every path saved is a template of the theme: each page's template read anew, in the model
        as it stands, and the open page reloaded. False (nothing done) for any other change,
        or when the last update failed (then the model is made again, as for any save)."""
        if self.site is None or self.ok is not True or self.site.current is None:
            return False
        folders = self.templates()
        if not paths or not all(any(f in p.resolve().parents for f in folders) for p in paths):
            return False
        started = time.monotonic()
        self.updating.set()
        try:
            update = self.site.retemplate()
        except Exception as err:  # noqa: BLE001 (a template that does not compile: shown, the server keeps running)
            self.overlay = {}
            self._failed(reason, describe_error(err, self.lang))
            return True
        finally:
            self.updating.clear()
        if update is None:
            return False
        seconds = time.monotonic() - started
        with self.lock:
            self.overlay = {}
            self.ok, self.error, self.last_seconds = True, "", seconds
            self.version += 1
        self.finish_wanted.set()
        pages, ms = len(update.writer.pages), seconds * 1000
        self.out(f"[{time.strftime('%H:%M:%S')}] {reason}" + self.t(
            f"mẫu giao diện đã đổi: {pages} trang dùng mẫu mới sau {ms:.0f} ms — trình duyệt sẽ tự tải lại.",
            f"templates changed: {pages} pages use them after {ms:.0f} ms; the browser reloads by itself."))
        return True

    def watch_loop(self, first=None) -> None:
        """Each save's update, as the watcher sees them. ``first`` (the first build) runs once the watcher
        is armed: a file saved while it runs, or the moment it ends, is seen then (the watcher keeps what
        changes between two of its answers). Armed only after the first build, it missed a save made in
        between: the preview said it was ready and went on showing the old text."""
        from watchfiles import DefaultFilter, watch

        class _Filter(DefaultFilter):
            def __call__(self, change, path: str) -> bool:
                name = os.path.basename(path)
                if name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
                    return False
                return super().__call__(change, path)

        # (an answer at least every 0.1 s, empty when nothing changed: the first comes once the watcher is armed)
        polling = None  # None: watchfiles decides (it polls on WSL, or when WATCHFILES_FORCE_POLLING is set); True:
        # the system's notifications failed (their limit reached…), every file is looked at in turn
        while True:
            paths = [p for p in self.watch if os.path.exists(p)]  # (a plugin folder the settings name, gone)
            answers = None
            while True:
                try:  # only the watcher runs here: a build's or an update's failure is not a watcher's
                    if answers is None:
                        if not paths:
                            raise FileNotFoundError(", ".join(map(str, self.watch)))
                        answers = watch(*paths, watch_filter=_Filter(), debounce=50, step=10, stop_event=self.stop,
                                        yield_on_timeout=True, rust_timeout=100, force_polling=polling,
                                        poll_delay_ms=300)
                    changes = next(answers)
                except StopIteration:
                    return
                except Exception as problem:  # noqa: BLE001 (watchfiles' own errors are RuntimeErrors too)
                    if self.stop.is_set():
                        return
                    if polling or not paths:
                        if first is not None:  # no watcher at all: the site is still built, as before the
                            first()  # watcher was armed first
                        raise
                    polling = True
                    self.out(not_watched(problem, self.t))
                    break
                if first is not None:
                    first, run = None, first
                    run()
                if self.stop.is_set():
                    return
                if changes:
                    self.changed(sorted({Path(p) for _, p in changes}))

    def is_folder(self, name: str) -> bool:
        """A folder of the site (its index.html is a page), asked for without the final "/"."""
        site = self.site
        return site is not None and site.has_page(os.path.join(name, "index.html"))

    def files_ready(self) -> bool:
        """The files of the current model that plugins write (feeds, CAP…) are in the output folder."""
        update = self.site.current if self.site else None
        return update is None or update.files_ready.is_set() or self.ok is not True

    def ready_for(self, name: str):
        """What a file waits for: a picture or a style for the static files (a replaced picture is
        copied first), the sitemap for every page, anything else for the files plugins write."""
        def event(which: str):
            def ready() -> bool:
                update = self.site.current if self.site else None
                return update is None or self.ok is not True or getattr(update, which).is_set()
            return ready

        conf = self.site.settings if self.site else {}
        if name in (conf.get("SITEMAP_SAVE_AS"), conf.get("ROBOTS_SAVE_AS")):
            return event("finished")
        if Path(name).suffix.lower() in STATIC_SUFFIXES:
            return event("static_ready")
        return event("files_ready")

    def finish_loop(self) -> None:
        """Bring the output folder level with a full build after each update, stopping for a save."""
        while not self.stop.is_set():
            if not self.finish_wanted.wait(0.5):
                continue
            self.finish_wanted.clear()
            if self.site is not None and self.ok:
                update = self.site.current
                try:
                    if self.site.finish() and not self.finish_wanted.is_set():
                        settle_memory()
                except Exception as err:  # noqa: BLE001
                    self.out(f"[{time.strftime('%H:%M:%S')}] " + self.t(
                        "Không ghi được thư mục xem trước", "The preview's folder could not be written") +
                        f": {type(err).__name__}: {err}")
                    if update is not None:  # the files wait for nothing more: served as the folder holds them
                        update.static_ready.set()
                        update.files_ready.set()


    # ---- serving ---------------------------------------------------------------------
    def script_tag(self) -> str:
        return f'<script src="{PREFIX}reload.js" data-version="{self.version}" defer></script>'

    def inject(self, page: str) -> str:
        tag = self.script_tag()
        at = page.lower().rfind("</body>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag

    def error_page(self, error: str | None = None) -> str:
        error = self.error if error is None else error
        t = self.t
        advice = t("Có lỗi (trong nội dung hoặc cấu hình). Sửa theo hướng dẫn dưới đây rồi lưu tệp: trang này sẽ "
                   "tự tải lại.",
                   "There is an error. Fix it as said below and save the file: this page reloads by itself.")
        return (
            f'<!doctype html><html lang="{t("vi", "en")}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{t("Lỗi xây dựng trang — xem trước", "Build error — preview")}</title>'
            f'<link rel="stylesheet" href="{PREFIX}preview.css">'
            f'<link rel="icon" href="{PREFIX}icon.svg" type="image/svg+xml">'
            '</head><body class="preview-error"><main>'
            f'<h1>{t("Chưa xây dựng được trang xem trước", "The preview could not be built")}</h1>'
            f"<p>{advice}</p>"
            f'<pre id="preview-error">{html.escape(error)}</pre>'
            f"</main>{self.script_tag()}</body></html>")

    def building_page(self) -> str:
        t = self.t
        return (f'<!doctype html><html lang="{t("vi", "en")}"><head><meta charset="utf-8">'
                f'<title>{t("Đang xây dựng…", "Building…")}</title></head>'
                f'<body><p>{t("Đang xây dựng trang xem trước…", "Building the preview…")}</p>{self.script_tag()}'
                "</body></html>")


def describe_error(err: BaseException, lang: str = "vi") -> str:
    """A template's or a plugin's failure in a line a person can act on: where, then what (in ``lang``)."""
    import traceback

    import jinja2

    if isinstance(err, jinja2.TemplateSyntaxError):
        where = err.filename or err.name or "?"
        if lang == "en":
            return f"Error in the template {shown(Path(where))}, line {err.lineno}: {err.message}"
        return f"Lỗi trong mẫu giao diện {shown(Path(where))}, dòng {err.lineno}: {err.message}"
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.endswith((".html", ".xml", ".j2"))]
    if frames:
        last = frames[-1]
        if lang == "en":
            return (f"Error rendering a page with the template {shown(Path(last.filename))}, line {last.lineno}: "
                    f"{type(err).__name__}: {err}")
        return (f"Lỗi khi dựng trang bằng mẫu {shown(Path(last.filename))}, dòng {last.lineno}: "
                f"{type(err).__name__}: {err}")
    return f"{type(err).__name__}: {err}"


def restart_process() -> None:
    """Start this command again in this process (the port is free again once the socket closes)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "portal", *sys.argv[1:]])


NO_STORE = {"Cache-Control": "no-store"}


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


class Handlers:
    """The preview's web answers (Starlette endpoints)."""

    def __init__(self, preview: Preview):
        self.preview = preview

    async def status(self, request):
        from starlette.responses import JSONResponse

        preview = self.preview
        since = request.query_params.get("since")
        deadline = time.monotonic() + 20
        while since is not None and str(preview.version) == since and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        update = preview.site.current if preview.site else None
        written = bool(update and update.finished.is_set() and preview.ok and not preview.updating.is_set())
        return JSONResponse({"version": preview.version, "ok": preview.ok, "seconds": round(preview.last_seconds, 2),
                             "written": written, "updating": preview.updating.is_set()}, headers=NO_STORE)

    async def asset(self, request):
        from starlette.responses import Response

        found = {"reload.js": (RELOAD_JS, "text/javascript"), "preview.css": (PREVIEW_CSS, "text/css"),
                 "icon.svg": (ERROR_ICON, "image/svg+xml")}.get(request.path_params["asset"])
        if found is None:
            return Response("Not found", status_code=404, headers=NO_STORE)
        return Response(found[0], media_type=found[1], headers=NO_STORE)

    async def page(self, request):
        from starlette.responses import HTMLResponse, Response

        preview = self.preview
        rel = request.path_params.get("path", "")
        root = preview.output.resolve()
        try:
            target = (root / rel).resolve()
            name = str(target.relative_to(root))
            folder = not rel or rel.endswith("/") or target.is_dir() or preview.is_folder(name)
        except (ValueError, OSError):  # outside the site, a NUL byte, a name too long for the disk
            return Response("Not found", status_code=404)
        if folder:
            name = os.path.normpath(os.path.join(name, "index.html"))
        is_html = name.endswith((".html", ".htm"))
        if preview.ok is False and is_html:
            return HTMLResponse(preview.error_page(), status_code=500, headers=NO_STORE)
        if preview.ok is None and is_html:
            return HTMLResponse(preview.building_page(), headers=NO_STORE)
        if is_html:
            return await self.html_page(name)
        return await self.other_file(name, root / name)

    async def rendered(self, name: str) -> str | None:
        from starlette.concurrency import run_in_threadpool

        site = self.preview.site
        return await run_in_threadpool(site.render, name) if site else None

    async def html_page(self, name: str):
        """A page from the model: the page a save just changed, else rendered now from the model
        as it stands once it is up to date (nothing stale is ever shown)."""
        from starlette.responses import HTMLResponse, Response

        preview = self.preview
        code, text = 200, preview.overlay.get(name)
        if text is None:
            while preview.updating.is_set():
                await asyncio.sleep(0.01)
            if preview.ok is False:
                return HTMLResponse(preview.error_page(), status_code=500, headers=NO_STORE)
            try:
                text = await self.rendered(name)
                if text is None:
                    code, text = 404, await self.rendered("404.html")
            except Exception as err:  # noqa: BLE001 (a template's mistake: shown, fixed, reloaded)
                return HTMLResponse(preview.error_page(describe_error(err, preview.lang)), status_code=500,
                                    headers=NO_STORE)
            if text is None:
                return Response("Not found", status_code=404)
        return HTMLResponse(preview.inject(text), status_code=code, headers=NO_STORE)

    async def other_file(self, name: str, target: Path):
        """Pictures, styles and scripts at once; what a save may change (feeds, CAP…) once written."""
        from starlette.responses import HTMLResponse, Response

        preview = self.preview
        if preview.site is not None and preview.site.has_page(name):  # a template's file (the rating script)
            while preview.updating.is_set():
                await asyncio.sleep(0.01)
            text = await self.rendered(name)
            if text is not None:
                kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
                return Response(text, media_type=kind, headers=NO_STORE)
        ready = preview.ready_for(name)
        while preview.updating.is_set() or not ready():
            await asyncio.sleep(0.02)
        from starlette.concurrency import run_in_threadpool
        from starlette.responses import StreamingResponse

        opened = await run_in_threadpool(open_file, target)
        if opened is not None:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            fd, size = opened
            if size > WHOLE:  # the bytes of the file opened, as they are read: never all in memory
                return StreamingResponse(chunks_of(fd, size), media_type=kind,
                                         headers={**NO_STORE, "Content-Length": str(size)})
            data = await run_in_threadpool(lambda: b"".join(chunks_of(fd, size)))
            return Response(data, media_type=kind, headers=NO_STORE)
        text = await self.rendered("404.html")
        if text is None:
            return Response("Not found", status_code=404)
        return HTMLResponse(preview.inject(text), status_code=404, headers=NO_STORE)


def open_file(path: Path) -> tuple[int, int] | None:
    """An open descriptor of the regular file ``path`` and its size, or None (no such file, a folder, a pipe:
    never waited on). The folder is written while it is served: what is sent is the file that was opened,
    whole, with its own size. A file replaced between a look at its size and its reading was sent with the
    old size and the new bytes, which the browser refuses (ERR_CONTENT_LENGTH_MISMATCH)."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:  # none, a folder, a name too long, no permission
        return None
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            return fd, info.st_size
    except OSError:
        pass
    os.close(fd)
    return None


CHUNK = 1 << 16
WHOLE = 1 << 20  # a file up to this size is read at once; a larger one (a PDF) is sent as it is read


def chunks_of(fd: int, size: int):
    """The ``size`` bytes of the open file ``fd`` (fewer, should it be cut short meanwhile), in pieces; the
    descriptor closed at the end."""
    try:
        done = 0
        while done < size:
            piece = os.pread(fd, min(CHUNK, size - done), done)
            if not piece:
                return
            done += len(piece)
            yield piece
    finally:
        os.close(fd)


def make_app(preview: Preview):
    from starlette.applications import Starlette
    from starlette.routing import Route

    handlers = Handlers(preview)
    return Starlette(routes=[
        Route(PREFIX + "status", handlers.status),
        Route(PREFIX + "{asset:str}", handlers.asset),
        Route("/{path:path}", handlers.page),
    ])


def run(port: int = 8000, settings: Path = Path("pelicanconf.py"), overrides: dict | None = None,
        output: Path | None = None, host: str = "127.0.0.1", search: bool = False, now: str = "",
        content_only: bool = False) -> int:
    import uvicorn

    from ..model import parse_datetime

    overrides = dict(overrides or {})
    lang = messages_lang(overrides) if overrides.get("PORTAL_MESSAGES_LANG") else "vi"  # until the settings are read

    def t(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    overrides.setdefault("PORTAL_SITEURL_ABSOLUTE", f"http://{host}:{port}")  # feeds point at this server
    if not search:
        overrides["SEARCH_INDEX"] = False  # Pagefind adds seconds to every save; not needed to proofread
    if now:
        try:
            clock = parse_datetime(now)
        except ValueError:
            print(t(f'Lỗi: thời điểm --now "{now}" không hợp lệ. Cách sửa: viết dạng 2026-12-20 09:00.',
                    f'Error: --now "{now}" is not a valid time. Fix: write it as 2026-12-20 09:00.'), file=sys.stderr)
            return 2
        os.environ["PORTAL_NOW"] = now  # every build sees this clock (scheduled articles, expiries)
        print(t(f"Đồng hồ xem trước: {clock:%Y-%m-%d %H:%M} (bài hẹn giờ trước thời điểm này sẽ hiện)",
                f"Preview clock: {clock:%Y-%m-%d %H:%M} (articles scheduled before it are shown)"))
    try:
        conf = load(settings, overrides)
    except SettingsError as problem:
        lang = problem.lang or lang  # (what the settings file asks for, when it could be read)
        print(t("Lỗi", "Error") + f": {problem.said(lang)}", file=sys.stderr)
        return 2
    lang = messages_lang(conf)  # the site's own language unless one was asked
    content = Path(conf["PATH"])
    overrides["PATH"] = str(content)
    output = output or Path("var/preview/site")
    from .build import check_output_folder

    try:
        check_output_folder(content, output)
    except SettingsError as problem:
        print(t("Lỗi", "Error") + f": {problem.said(lang)}", file=sys.stderr)
        return 2
    watch = [content] if content_only else [content, Path(conf["THEME"]), *map(Path, conf.get("PLUGIN_PATHS", [])),
                                            settings]
    restart = [settings, *map(Path, conf.get("PLUGIN_PATHS", [])), Path(__file__).resolve().parents[1]]
    preview = Preview(settings, overrides, output, watch, content=content, restart=restart, lang=lang)
    print(t("Xem trước", "Preview") + f": http://{host}:{port}/  " + t("(Ctrl+C để dừng)", "(Ctrl+C to stop)"))
    print(t("Theo dõi thay đổi trong", "Watching for changes in") + f": {', '.join(shown(p) for p in preview.watch)}")

    def first_then_watch() -> None:
        preview.watch_loop(first=lambda: preview.build(t("Lần đầu: ", "First build: ")))

    threading.Thread(target=first_then_watch, name="preview-watch", daemon=True).start()
    threading.Thread(target=preview.finish_loop, name="preview-finish", daemon=True).start()
    config = uvicorn.Config(make_app(preview), host=host, port=port, log_level="warning",
                            timeout_graceful_shutdown=1)
    try:
        uvicorn.Server(config).run()
    finally:
        preview.stop.set()
        print(t("Đã dừng xem trước.", "Preview stopped."))
    return 0
