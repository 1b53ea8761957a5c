"""`portal preview`: live preview while writing.

    portal preview [--port 8000] [--content content]

Builds the site into var/preview/site, serves it on http://127.0.0.1:PORT and
rebuilds on every save under content/, theme/, plugins/ (and the settings).
The open browser page refreshes itself: the server adds one external script
(/__preview/reload.js, no inline code, only in preview; the built files are
not touched) that long-polls /__preview/status and reloads when a new build
is ready. When a build fails, the terminal prints the report and every page
shows it instead, until the file is fixed and saved again; the server keeps
running. Each build runs in a fresh process, so edits to plugins take effect.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..settings import SettingsError, load
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


def set_args(overrides: dict) -> list[str]:
    """--set KEY=VALUE arguments for a `portal` subprocess."""
    return [arg for key, value in overrides.items() for arg in ("--set", f"{key}={json.dumps(value)}")]


# A full rebuild of a large site takes minutes: above this many seconds per build, a saved
# article is first checked alone (seconds) so its mistakes show at once, without a rebuild.
QUICK_CHECK_AFTER = float(os.environ.get("PORTAL_PREVIEW_QUICK_CHECK_AFTER", "10"))


class Preview:
    """The state shared by the builder thread and the web server."""

    def __init__(self, settings: Path, overrides: dict, output: Path, watch: list[Path], out=None,
                 content: Path | None = None):
        out = out or (lambda text: print(text, flush=True))  # a log file sees each line at once
        self.content = content
        self.settings = settings
        self.overrides = overrides
        self.output = output
        self.watch = [p for p in watch if p.exists()]
        self.out = out
        self.version = 0
        self.ok: bool | None = None
        self.error = ""
        self.last_seconds = 0.0
        self.lock = threading.Lock()
        self.stop = threading.Event()

    # ---- building --------------------------------------------------------------------
    def start_build(self) -> tuple[subprocess.Popen, float]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "portal", "build", "--settings", str(self.settings), "--output", str(self.output),
             *set_args(self.overrides)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return proc, time.monotonic()

    def build(self, reason: str = "", running: tuple[subprocess.Popen, float] | None = None) -> bool:
        proc, started = running or self.start_build()
        stdout, stderr = proc.communicate()
        seconds = time.monotonic() - started
        ok = proc.returncode == 0
        with self.lock:
            self.ok = ok
            self.error = "" if ok else (stderr.strip() or stdout.strip() or "Không rõ lỗi.")
            self.last_seconds = seconds
            self.version += 1
        stamp = time.strftime("%H:%M:%S")
        if ok:
            self.out(f"[{stamp}] {reason}Đã xây dựng lại trong {seconds:.1f} giây — trình duyệt sẽ tự tải lại.")
        else:
            self.out(f"[{stamp}] {reason}LỖI — trang xem trước hiển thị lỗi này cho tới khi bạn sửa và lưu tệp:\n"
                     f"{self.error}\n")
        return ok

    def watch_loop(self) -> None:
        from watchfiles import DefaultFilter, watch

        class _Filter(DefaultFilter):
            def __call__(self, change, path: str) -> bool:
                name = os.path.basename(path)
                if name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
                    return False
                return super().__call__(change, path)

        for changes in watch(*self.watch, watch_filter=_Filter(), debounce=80, step=20, stop_event=self.stop,
                             yield_on_timeout=False, rust_timeout=500):
            if self.stop.is_set():
                break
            names = sorted({shown(Path(p)) for _, p in changes if Path(p).exists()}) \
                or sorted({shown(Path(p)) for _, p in changes})
            reason = f"Đã lưu: {', '.join(names[:3])}{' …' if len(names) > 3 else ''} → "
            running = self.start_build()
            self.quick_check([Path(p) for _, p in changes], reason)  # while the full build runs
            self.build(reason, running)

    def quick_check(self, changed: list[Path], reason: str) -> None:
        """On a large site, check the saved articles alone while the full build runs: a broken save
        shows its error in seconds instead of after the rebuild. Only what would stop the build counts,
        so the quick answer never contradicts the build's."""
        if self.content is None or self.last_seconds < QUICK_CHECK_AFTER:
            return
        articles = [p for p in changed if p.suffix == ".md" and p.exists() and self.content.resolve() in
                    p.resolve().parents]
        if not articles or len(articles) != len(changed):
            return
        proc = subprocess.run([sys.executable, "-m", "portal", "check", "--settings", str(self.settings),
                               *set_args(self.overrides), "--build-errors-only", "--only", *map(str, articles)],
                              capture_output=True, text=True)
        stamp = time.strftime("%H:%M:%S")
        if proc.returncode != 1:
            self.out(f"[{stamp}] {reason}tệp hợp lệ; đang xây dựng lại toàn bộ (lần trước mất {self.last_seconds:.0f} "
                     "giây)…")
            return
        with self.lock:
            self.ok = False
            self.error = (proc.stdout.strip()
                          + "\n\n(Kiểm tra nhanh tệp vừa lưu, trong khi trang đang được xây dựng lại.)")
            self.version += 1
        self.out(f"[{stamp}] {reason}LỖI (kiểm tra nhanh):\n{self.error}\n")

    # ---- serving ---------------------------------------------------------------------
    def script_tag(self) -> str:
        return f'<script src="{PREFIX}reload.js" data-version="{self.version}" defer></script>'

    def inject(self, page: str) -> str:
        tag = self.script_tag()
        at = page.lower().rfind("</body>")
        return page[:at] + tag + page[at:] if at >= 0 else page + tag

    def error_page(self) -> str:
        return (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>Lỗi xây dựng trang — xem trước</title><link rel="stylesheet" href="{PREFIX}preview.css">'
            f'<link rel="icon" href="{PREFIX}icon.svg" type="image/svg+xml">'
            '</head><body class="preview-error"><main>'
            "<h1>Chưa xây dựng được trang xem trước</h1>"
            "<p>Có lỗi trong nội dung. Sửa theo hướng dẫn dưới đây rồi lưu tệp: trang này sẽ tự tải lại.</p>"
            f'<pre id="preview-error">{html.escape(self.error)}</pre>'
            f"</main>{self.script_tag()}</body></html>")


def make_app(preview: Preview):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    no_store = {"Cache-Control": "no-store"}

    async def status(request: Request) -> Response:
        since = request.query_params.get("since")
        deadline = time.monotonic() + 20
        while since is not None and str(preview.version) == since and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return JSONResponse({"version": preview.version, "ok": preview.ok, "seconds": round(preview.last_seconds, 2)},
                            headers=no_store)

    async def reload_js(request: Request) -> Response:
        return Response(RELOAD_JS, media_type="text/javascript", headers=no_store)

    async def css(request: Request) -> Response:
        return Response(PREVIEW_CSS, media_type="text/css", headers=no_store)

    async def icon(request: Request) -> Response:
        return Response(ERROR_ICON, media_type="image/svg+xml", headers=no_store)

    async def page(request: Request) -> Response:
        rel = request.path_params.get("path", "")
        root = preview.output.resolve()
        target = (root / rel).resolve()
        try:
            target.relative_to(root)
        except ValueError:
            return Response("Not found", status_code=404)
        if target.is_dir():
            target = target / "index.html"
        is_html = target.suffix in (".html", ".htm") or not rel or rel.endswith("/")
        if preview.ok is False and is_html:
            return HTMLResponse(preview.error_page(), status_code=500, headers=no_store)
        if preview.ok is None and is_html:
            return HTMLResponse('<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Đang xây dựng…'
                                f'</title></head><body><p>Đang xây dựng trang xem trước…</p>{preview.script_tag()}'
                                "</body></html>", headers=no_store)
        code = 200
        if not target.is_file():
            target, code = root / "404.html", 404
            if not target.is_file():
                return Response("Not found", status_code=404)
            is_html = True
        if is_html:
            try:
                text = target.read_text(encoding="utf-8")
            except FileNotFoundError:  # swapped away between two reads: the next poll reloads
                return HTMLResponse(preview.error_page(), status_code=503, headers=no_store)
            return HTMLResponse(preview.inject(text), status_code=code, headers=no_store)
        return FileResponse(target, headers=no_store)

    return Starlette(routes=[
        Route(PREFIX + "status", status),
        Route(PREFIX + "reload.js", reload_js),
        Route(PREFIX + "preview.css", css),
        Route(PREFIX + "icon.svg", icon),
        Route("/{path:path}", page),
    ])


def run(port: int = 8000, settings: Path = Path("pelicanconf.py"), overrides: dict | None = None,
        output: Path | None = None, host: str = "127.0.0.1", search: bool = False, now: str = "",
        content_only: bool = False) -> int:
    import uvicorn

    from ..model import parse_datetime

    overrides = dict(overrides or {})
    overrides.setdefault("PORTAL_SITEURL_ABSOLUTE", f"http://{host}:{port}")  # feeds point at this server
    if not search:
        overrides["SEARCH_INDEX"] = False  # Pagefind adds seconds to every save; not needed to proofread
    if now:
        try:
            clock = parse_datetime(now)
        except ValueError:
            print(f'Lỗi: thời điểm --now "{now}" không hợp lệ. Cách sửa: viết dạng 2026-12-20 09:00.', file=sys.stderr)
            return 2
        os.environ["PORTAL_NOW"] = now  # every build sees this clock (scheduled articles, expiries)
        print(f"Đồng hồ xem trước: {clock:%Y-%m-%d %H:%M} (bài hẹn giờ trước thời điểm này sẽ hiện)")
    try:
        conf = load(settings, overrides)
    except SettingsError as problem:
        print(f"Lỗi: {problem}", file=sys.stderr)
        return 2
    content = Path(conf["PATH"])
    overrides["PATH"] = str(content)
    output = output or Path("var/preview/site")
    watch = [content] if content_only else [content, Path(conf["THEME"]), *map(Path, conf.get("PLUGIN_PATHS", [])),
                                            settings]
    preview = Preview(settings, overrides, output, watch, content=content)
    print(f"Xem trước: http://{host}:{port}/  (Ctrl+C để dừng)")
    print(f"Theo dõi thay đổi trong: {', '.join(shown(p) for p in preview.watch)}")
    preview.build("Lần đầu: ")
    watcher = threading.Thread(target=preview.watch_loop, name="preview-watch", daemon=True)
    watcher.start()
    config = uvicorn.Config(make_app(preview), host=host, port=port, log_level="warning",
                            timeout_graceful_shutdown=1)
    try:
        uvicorn.Server(config).run()
    finally:
        preview.stop.set()
        print("Đã dừng xem trước.")
    return 0
