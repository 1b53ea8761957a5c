"""`invoke preview`: live preview while writing.

    python -m portal.preview [--port 8000] [--content content]

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

import argparse
import asyncio
import html
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
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


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "plugins"), str(ROOT), env.get("PYTHONPATH")]))
    return env


def settings_file(settings: Path, content: Path | None, workdir: Path, search: bool = False) -> Path:
    """A small wrapper around the settings: another content folder, and no search index
    (Pagefind adds seconds to every save and is not needed to proofread an article)."""
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "preview-conf.py"
    lines = [f"import sys\nsys.path.insert(0, {str(settings.resolve().parent)!r})",
             f"from {settings.stem} import *  # noqa"]
    if content is not None:
        lines.append(f"PATH = {str(content.resolve())!r}")
    if not search:
        lines.append("PORTAL_POST_BUILD = []")
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return conf


# A full rebuild of a large site takes minutes: above this many seconds per build, a saved
# article is first checked alone (seconds) so its mistakes show at once, without a rebuild.
QUICK_CHECK_AFTER = float(os.environ.get("PORTAL_PREVIEW_QUICK_CHECK_AFTER", "10"))


class Preview:
    """The state shared by the builder thread and the web server."""

    def __init__(self, settings: Path, output: Path, watch: list[Path], out=None, content: Path | None = None):
        out = out or (lambda text: print(text, flush=True))  # a log file sees each line at once
        self.content = content
        self.settings = settings
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
            [sys.executable, "-m", "portal.build", "--settings", str(self.settings), "--output", str(self.output)],
            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
            names = sorted({_shown(Path(p)) for _, p in changes if Path(p).exists()}) \
                or sorted({_shown(Path(p)) for _, p in changes})
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
        proc = subprocess.run([sys.executable, "-m", "portal.checker", "--content", str(self.content),
                               "--build-errors-only", "--only", *map(str, articles)],
                              cwd=ROOT, env=_env(), capture_output=True, text=True)
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


def _shown(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


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


def run(port: int = 8000, settings: Path = ROOT / "pelicanconf.py", content: Path | None = None,
        output: Path | None = None, host: str = "127.0.0.1", search: bool = False, now: str = "",
        content_only: bool = False) -> None:
    import uvicorn

    work = ROOT / "var" / "preview"
    output = output or work / "site"
    content = (content or ROOT / "content").resolve()  # absolute: the wrapper settings live elsewhere
    if now:
        from .model import parse_datetime

        os.environ["PORTAL_NOW"] = now  # every build sees this clock (scheduled articles, expiries)
        print(f"Đồng hồ xem trước: {parse_datetime(now):%Y-%m-%d %H:%M} (bài hẹn giờ trước thời điểm này sẽ hiện)")
    conf = settings_file(settings, content, Path(tempfile.mkdtemp(prefix="preview-conf-")), search)
    watch = [content] if content_only else [content, ROOT / "theme", ROOT / "plugins", settings]
    preview = Preview(conf, output, watch, content=content)
    print(f"Xem trước: http://{host}:{port}/  (Ctrl+C để dừng)")
    print(f"Theo dõi thay đổi trong: {', '.join(_shown(p) for p in preview.watch)}")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="invoke preview", description="Xem trước trực tiếp khi soạn bài.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--settings", type=Path, default=ROOT / "pelicanconf.py")
    parser.add_argument("--content", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--search", action="store_true", help="dựng cả chỉ mục tìm kiếm (chậm hơn mỗi lần lưu)")
    parser.add_argument("--now", default="", help='xem như đang là thời điểm này, ví dụ "2026-12-20 09:00"')
    parser.add_argument("--content-only", action="store_true", help="chỉ theo dõi thư mục nội dung")
    parser.add_argument("--bench", default=None, metavar="SIZES", help="đo hiệu năng: số bài, ví dụ 1000,10000")
    parser.add_argument("--edits", type=int, default=3, help="với --bench: số lần lưu đo mỗi cỡ")
    parser.add_argument("--timeout", type=float, default=1800, help="với --bench: giây tối đa mỗi cỡ")
    args = parser.parse_args(argv)
    if args.bench:
        results = bench([int(x) for x in args.bench.split(",") if x.strip()], args.edits, args.timeout)
        return 1 if any("error" in r for r in results) else 0
    try:
        run(args.port, args.settings, args.content, args.output, search=args.search, now=args.now,
            content_only=args.content_only)
    except ValueError:  # a --now that is not a date
        print(f'Lỗi: thời điểm --now "{args.now}" không hợp lệ. Cách sửa: viết dạng 2026-12-20 09:00.', file=sys.stderr)
        return 2
    return 0



# --------------------------------------------------------------------------
# Benchmark: time from a save to the refreshed page (invoke bench-preview)
# --------------------------------------------------------------------------
BENCH_TAGS = ("an ninh mạng", "lừa đảo trực tuyến", "mã độc", "phối hợp liên ngành", "tập huấn", "diễn tập",
              "chữ ký số", "bảo mật", "học sinh", "thư điện tử", "dịch vụ công", "camera", "mạng xã hội")
BENCH_PARAGRAPH = ("Sở Thông tin và Truyền thông phối hợp với Công an tỉnh Lào Cai tiếp tục triển khai các biện "
                   "pháp bảo đảm an toàn thông tin mạng cho hệ thống chính quyền điện tử của tỉnh, hướng dẫn cán "
                   "bộ, công chức nhận diện thủ đoạn lừa đảo trực tuyến và báo cáo sự cố kịp thời.")


def generate_articles(content: Path, count: int) -> list[Path]:
    """A content folder with `count` valid generated articles of every kind (plus the sample's pages/images)."""
    import datetime as dt
    import shutil

    from . import model
    from .scaffold import example_front_matter

    for sub in ("images", "pages"):
        if (ROOT / "content" / sub).is_dir():
            shutil.copytree(ROOT / "content" / sub, content / sub, dirs_exist_ok=True)
    kinds = [model.NEWS] * 7 + [model.MEETING, model.DRILL, model.WARNING]
    start = dt.datetime(2021, 1, 1, 8, 0, tzinfo=model.TZ)
    written = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        date = start + dt.timedelta(hours=4 * i % (5 * 365 * 24), minutes=i % 60)
        fields = {}
        for line in example_front_matter(kind).splitlines():
            name, _, value = line.partition(": ")
            if name.startswith("Image") or name in ("Modified", "Revisions"):
                continue
            fields[name] = value
        slug = f"bai-thu-{i:05d}"
        fields.update({
            "Title": f"Bài thử số {i}: {BENCH_TAGS[i % len(BENCH_TAGS)]} trên địa bàn tỉnh",
            "Date": f"{date:%Y-%m-%d %H:%M}", "Slug": slug,
            "Tags": ", ".join({BENCH_TAGS[i % len(BENCH_TAGS)], BENCH_TAGS[(i * 7) % len(BENCH_TAGS)]}),
        })
        if kind == model.WARNING:
            fields["Identifier"] = f"CB-{date.year}-{i:04d}"
            fields["Expires"] = f"{date + dt.timedelta(days=30):%Y-%m-%d %H:%M}"
        if kind == model.DRILL:
            fields["Start"] = f"{date:%Y-%m-%d %H:%M}"
            fields["End"] = f"{date + dt.timedelta(hours=8):%Y-%m-%d %H:%M}"
        if kind == model.MEETING:
            fields["Held"] = f"{date:%Y-%m-%d %H:%M}"
        path = content / kind / f"{date:%Y-%m-%d}-{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join([BENCH_PARAGRAPH] * 4)
        path.write_text("\n".join(f"{k}: {v}" for k, v in fields.items()) + f"\n\n{body}\n", encoding="utf-8")
        written.append(path)
    return written


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(port: int) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}{PREFIX}status", timeout=5) as r:
        return json.loads(r.read())


def bench_size(count: int, edits: int, timeout: float, out=print) -> dict:
    """Generate `count` articles, run the preview server, save an article `edits` times in a
    real browser (Debian's Chromium) and time each save until the page shows the change."""
    import shutil
    import statistics

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix=f"bench-preview-{count}-"))
    result: dict = {"articles": count}
    proc = None
    try:
        t = time.monotonic()
        files = generate_articles(work / "content", count)
        out(f"  {count} bài: đã tạo nội dung trong {time.monotonic() - t:.1f} giây; xây dựng lần đầu…")
        port = _free_port()
        log = (work / "preview.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "portal.preview", "--port", str(port), "--content",
                                 str(work / "content"), "--output", str(work / "site"), "--content-only"],
                                cwd=ROOT, env=_env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        status = {}
        while time.monotonic() < deadline:
            try:
                status = _status(port)
                if status.get("ok") is not None:
                    break
            except OSError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"preview stopped: {(work / 'preview.log').read_text()[-2000:]}")
            time.sleep(0.5)
        if not status.get("ok"):
            result["error"] = f"first build did not finish within {timeout:.0f} s" if status.get("ok") is None \
                else "first build failed"
            return result
        result["first_build_s"] = status["seconds"]
        target = next(p for p in files if "/tin-tuc/" in p.as_posix())
        url = f"http://127.0.0.1:{port}/tin-tuc/{target.stem.split('-', 3)[3]}.html"
        timings, builds = [], []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(url)
            for n in range(edits):
                marker = f"đo-{n}-{int(time.time())}"
                text = target.read_text(encoding="utf-8")
                new_text = re.sub(r"^Title: .*$", f"Title: Bài thử đã sửa {marker}", text, count=1, flags=re.M)
                started = time.monotonic()
                target.write_text(new_text, encoding="utf-8")
                seen = False
                while time.monotonic() - started < timeout:
                    try:
                        if marker in page.title():
                            seen = True
                            break
                    except Exception:  # noqa: BLE001 - the page is reloading
                        pass
                    time.sleep(0.02)
                if not seen:
                    result["error"] = f"the page did not refresh within {timeout:.0f} s"
                    break
                timings.append(time.monotonic() - started)
                builds.append(_status(port)["seconds"])
                time.sleep(0.5)
            browser.close()
        if timings:
            result.update(save_to_page_s=[round(x, 2) for x in timings], median_s=round(statistics.median(timings), 2),
                          rebuild_s=builds)
        return result
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def bench(sizes: list[int], edits: int, timeout: float, out=print) -> list[dict]:
    out(f"Đo thời gian từ lúc lưu tệp tới lúc trang đã tải lại (Chromium, {os.cpu_count()} CPU).")
    results = []
    for count in sizes:
        r = bench_size(count, edits, timeout, out)
        results.append(r)
        if "error" in r:
            out(f"  {count} bài: KHÔNG ĐO XONG — {r['error']}" + (
                f" (xây dựng lần đầu {r['first_build_s']:.1f} giây)" if "first_build_s" in r else ""))
        else:
            out(f"  {count} bài: xây dựng lần đầu {r['first_build_s']:.1f} giây; lưu → trang đã tải lại: "
                f"trung vị {r['median_s']:.2f} giây (các lần: {', '.join(f'{x:.2f}' for x in r['save_to_page_s'])}; "
                f"trong đó xây dựng lại: {', '.join(f'{x:.2f}' for x in r['rebuild_s'])} giây)")
    return results


if __name__ == "__main__":
    sys.exit(main())
