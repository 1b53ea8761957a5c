"""`portal bench preview`: time from a save to the refreshed page of the live preview.

Generates N articles, runs `portal preview` on them, saves an article several times
in a real browser (Debian's Chromium) and times each save until the page shows it; then
saves the theme's base template (a copy of the theme) as many times, and times each
save until the open page shows it. Then what a member of staff does next, each as many times:
a warning made severe and in force (its page open; then the page of the warnings in force, opened
as a click through, must list it), and a tag added to the article (its page open; then the new
tag's page, which must list the article). A page opened after a save that does not show it is
an error: the preview never serves a stale page.
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


def _set_field(text: str, name: str, value: str) -> str:
    """``text`` with its front matter's field ``name`` set to ``value`` (the line added after the title
    when there is none)."""
    line = f"{name}: {value}"
    found = re.compile(rf"^(?i:{name})[ \t]*:.*$", re.M)
    if found.search(text):
        return found.sub(lambda _: line, text, count=1)
    return re.sub(r"^((?i:title)[ \t]*:.*)$", lambda m: f"{m.group(1)}\n{line}", text, count=1, flags=re.M)


def _follow_up(page, other, base: str, timeout: float, port: int, cases: list) -> tuple[dict, str | None]:
    """Each case (its file, the page showing it, how to change it, what shows the change on that page,
    the page a click leads to and what must be there): saved, timed until the open page shows it, then
    the other page opened and checked (timed from the save), then the file put back as it was."""
    times: dict[str, list[float]] = {}
    for key, path, url, change, shown, click_url, listed in cases:
        text = path.read_text(encoding="utf-8")
        page.goto(base + url)
        started = time.monotonic()
        path.write_text(change(text), encoding="utf-8")
        seen = _until_shown(lambda s=shown: s(page.content()), timeout, started)
        if seen is None:
            return times, f"{key}: the page did not show the save within {timeout:.0f} s"
        other.goto(base + click_url)
        if not listed(other.content()):
            return times, f"{key}: {click_url}, opened after the save, does not show it (a stale page)"
        times.setdefault(f"{key}_to_page_s", []).append(round(seen, 2))
        times.setdefault(f"{key}_click_through_s", []).append(round(time.monotonic() - started, 2))
        _settle(port, timeout, written=True)
        version = _status(port)["version"]
        path.write_text(text, encoding="utf-8")  # as it was, for the next save
        _until_shown(lambda v=version: _status(port)["version"] != v, timeout, time.monotonic())
        _settle(port, timeout, written=True)
        time.sleep(0.5)
    return times, None


def _follow_up_cases(edits: int, warning: tuple[Path, str] | None, article: tuple[Path, str]) -> list:
    """``edits`` saves of a warning (made "nghiêm trọng" and in force until a day of 2099, so the page of
    the warnings in force lists it) and of the article (a new tag each time, whose page lists it)."""
    from ..model import make_slug
    from ..paths import SitePaths
    from ..settings import load

    paths = SitePaths(load(Path("pelicanconf.py"), {}))
    stamp = int(time.time())
    cases = []
    for n in range(edits):
        if warning is not None:
            path, url = warning
            until = f"2099-{1 + n // 28:02d}-{1 + n % 28:02d} 08:00"  # a day of its own for each save
            cases.append(("warning", path, url,
                          lambda t, u=until: _set_field(_set_field(t, "Severity", "nghiêm trọng"), "Expires", u),
                          lambda c, u=until: f'datetime="{u.replace(" ", "T")}:00+07:00"' in c,
                          paths.active_warnings(), lambda c, u=url: f'href="/{u}"' in c))
        tag = f"đo thẻ {n} {stamp}"
        path, url = article

        def add_tag(t: str, tag: str = tag) -> str:
            found = re.search(r"^(?i:tags)[ \t]*:(.*)$", t, re.M)
            tags = found.group(1).strip() if found else ""
            return _set_field(t, "Tags", f"{tags}{'; ' if ';' in tags else ', '}{tag}" if tags else tag)

        tag_url = paths.tag_url(make_slug(tag))
        cases.append(("tag", path, url, add_tag, lambda c, u=tag_url: f'href="/{u}"' in c,
                      tag_url, lambda c, u=url: f'href="/{u}"' in c))
    return cases


def _followed(measured: tuple[dict, str | None]) -> dict:
    """The follow-up saves' times, their medians, and the error that stopped them, if any."""
    times, error = measured
    result = dict(times)
    for key in ("warning", "tag"):
        if f"{key}_to_page_s" in times:
            result[f"{key}_median_s"] = round(statistics.median(times[f"{key}_to_page_s"]), 2)
            result[f"{key}_click_through_median_s"] = round(statistics.median(times[f"{key}_click_through_s"]), 2)
    if error:
        result["error"] = error
    return result


def _content(content: Path, count: int, given) -> tuple[Path, str, tuple[Path, str] | None]:
    """The benchmark's content folder: ``count`` generated articles, or a copy of ``given``'s folder; the
    article saved (its file and page) and a warning (likewise; None when there is none)."""
    if given is None:
        files = generate_articles(content, count)
        target = next(p for p in files if "/tin-tuc/" in p.as_posix())
        warning = next(((p, f"canh-bao/{p.stem.split('-', 3)[3]}.html") for p in files
                        if "/canh-bao/" in p.as_posix()), None)
        return target, f"tin-tuc/{target.stem.split('-', 3)[3]}.html", warning
    shutil.copytree(given.folder, content, symlinks=True)
    article = edited_article(count, articles=given.articles)
    withdrawn = re.compile(r"^(?i:withdrawn)[ \t]*:", re.M)  # in force again by no change of its expiry
    warnings = [a for a in given.articles if a.kind == "canh-bao"
                and not withdrawn.search((content / a.path).read_text(encoding="utf-8-sig"))]
    chosen = warnings[len(warnings) // 2] if warnings else None
    return (content / article.path, f"{article.kind}/{article.slug}.html",
            (content / chosen.path, f"{chosen.kind}/{chosen.slug}.html") if chosen else None)


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
        target, path, warning = _content(work / "content", count, given)
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
            if not result.get("error"):
                result.update(_followed(_follow_up(page, browser.new_page(), f"http://127.0.0.1:{port}/", timeout,
                                                   port, _follow_up_cases(edits, warning, (target, path)))))
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
            out(follow_up_line(r, count, "vi"))
    return results


def follow_up_line(r: dict, count: int, lang: str = "en") -> str:
    """The warning's and the tag's saves, as the benchmark prints them (``lang``: "vi" or "en")."""
    en = lang == "en"
    said = []
    for key, what in (("warning", "a warning made severe and in force → its page; the list of warnings in force"
                       if en else "cảnh báo đổi thành nghiêm trọng, còn hiệu lực → trang của nó; trang các cảnh báo "
                       "đang hiệu lực"),
                      ("tag", "a tag added → the article's page; the tag's page" if en else
                       "thêm từ khóa → trang bài; trang của từ khóa")):
        if f"{key}_median_s" in r:
            saves = ", ".join(f"{x:.2f}" for x in r[f"{key}_to_page_s"])
            said.append(f"{what}: {'median' if en else 'trung vị'} {r[f'{key}_median_s']:.2f} s; "
                        f"{r[f'{key}_click_through_median_s']:.2f} s ({'saves' if en else 'các lần'}: {saves} s)")
    none = "no warning or tag saved" if en else "không lưu cảnh báo hay từ khóa nào"
    return f"  {count} {'articles' if en else 'bài'}: " + ("; ".join(said) if said else none)
