"""`portal bench preview`: time from a save to the refreshed page of the live preview.

Generates N articles, runs `portal preview` on them, saves an article several times
in a real browser (Debian's Chromium) and times each save until the page shows it; then
saves the theme's base template (a copy of the theme) as many times, and times each
save until the open page shows it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..tools.preview import PREFIX
from .corpus import edited_article, generate_articles


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(port: int) -> dict:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}{PREFIX}status", timeout=5) as r:
        return json.loads(r.read())


def _settle(port: int, timeout: float, written: bool = False) -> None:
    """Wait until the preview's model is up to date after a save (every page it serves is then
    rendered from it); with ``written``, also until its output folder is level with a full build
    (feeds, CAP, every page written: status "written")."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        status = _status(port)
        if not status.get("updating") and (not written or status.get("written")):
            return
        time.sleep(0.05)


def _until_shown(shows, timeout: float, started: float) -> float | None:
    """Seconds from ``started`` until ``shows()`` is true (polled every 20 ms), None after ``timeout``."""
    while time.monotonic() - started < timeout:
        try:
            if shows():
                return time.monotonic() - started
        except Exception:  # noqa: BLE001 - the page is reloading
            pass
        time.sleep(0.02)
    return None


def bench_size(count: int, edits: int, timeout: float, out=print, given=None) -> dict:
    """Generate `count` articles, run the preview server, save an article `edits` times in a
    real browser (Debian's Chromium) and time each save until the page shows the change; then the
    theme's base.html (of a copy of the theme) as many times. ``given`` (``systems.Given``): a copy of that
    corpus instead, the article saved the one the builds' rebuilds edit."""
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix=f"bench-preview-{count}-"))
    result: dict = {"articles": count}
    proc = None
    try:
        t = time.monotonic()
        if given is None:
            files = generate_articles(work / "content", count)
            target = next(p for p in files if "/tin-tuc/" in p.as_posix())
            path = f"tin-tuc/{target.stem.split('-', 3)[3]}.html"
        else:
            shutil.copytree(given.folder, work / "content", symlinks=True)
            article = edited_article(count, articles=given.articles)
            target, path = work / "content" / article.path, f"{article.kind}/{article.slug}.html"
        theme = work / "theme"
        shutil.copytree(Path(__file__).resolve().parents[2] / "theme", theme)
        out(f"  {count} bài: đã tạo nội dung trong {time.monotonic() - t:.1f} giây; xây dựng lần đầu…")
        port = _free_port()
        log = (work / "preview.log").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "portal", "preview", "--port", str(port), "--content",
                                 str(work / "content"), "--output", str(work / "site"),
                                 "--set", f"THEME={json.dumps(str(theme))}"],
                                stdout=log, stderr=subprocess.STDOUT)
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
        url = f"http://127.0.0.1:{port}/{path}"
        timings, builds, folder, templates = [], [], [], []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(url)
            for n in range(edits):
                marker = f"đo-{n}-{int(time.time())}"
                text = target.read_text(encoding="utf-8")
                new_text = re.sub(r"^(?i:title)[ \t]*:.*$", f"Title: Bài thử đã sửa {marker}", text, count=1,
                                  flags=re.M)
                started = time.monotonic()
                target.write_text(new_text, encoding="utf-8")
                seen = _until_shown(lambda m=marker: m in page.title(), timeout, started)
                if seen is None:
                    result["error"] = f"the page did not refresh within {timeout:.0f} s"
                    break
                timings.append(seen)
                _settle(port, timeout)  # the model: every page served from now on shows the save
                builds.append(_status(port)["seconds"])
                _settle(port, timeout, written=True)  # the output folder, as a full build leaves it
                folder.append(round(time.monotonic() - started, 2))
                time.sleep(0.5)
            base = theme / "templates" / "base.html"
            for n in range(edits if not result.get("error") else 0):
                marker = f"mau-{n}-{int(time.time())}"
                text = base.read_text(encoding="utf-8")
                started = time.monotonic()
                base.write_text(text.replace("</title>", f" {marker}</title>", 1), encoding="utf-8")
                seen = _until_shown(lambda m=marker: m in page.title(), timeout, started)
                if seen is None:
                    result["error"] = f"the page did not show the template saved within {timeout:.0f} s"
                    break
                templates.append(seen)
                _settle(port, timeout, written=True)
                version = _status(port)["version"]
                base.write_text(text, encoding="utf-8")  # as it was, for the next save: once the preview has
                _until_shown(lambda v=version: _status(port)["version"] != v, timeout, time.monotonic())  # seen it,
                _settle(port, timeout, written=True)  # its background writing done
                time.sleep(0.5)
            browser.close()
        if timings:
            result.update(save_to_page_s=[round(x, 2) for x in timings], median_s=round(statistics.median(timings), 2),
                          rebuild_s=builds, written_s=folder)
        if templates:
            result.update(template_to_page_s=[round(x, 2) for x in templates],
                          template_median_s=round(statistics.median(templates), 2))
        return result
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


def run(sizes: list[int], edits: int, timeout: float, out=print) -> int:
    results = bench(sizes, edits, timeout, out)
    return 1 if any("error" in r for r in results) else 0


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
                f"trong đó xây dựng lại: {', '.join(f'{x:.2f}' for x in r['rebuild_s'])} giây; "
                f"thư mục xuất đủ như bản dựng đầy đủ sau: {', '.join(f'{x:.1f}' for x in r['written_s'])} giây)")
            if "template_median_s" in r:
                out(f"  {count} bài: lưu base.html → trang đã tải lại: trung vị {r['template_median_s']:.2f} giây "
                    f"(các lần: {', '.join(f'{x:.2f}' for x in r['template_to_page_s'])})")
    return results
