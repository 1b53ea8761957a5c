"""Screenshots of every page type of the sample portal, at a phone's width and a desktop's, for people to look at.

`invoke screenshots` builds the sample portal (content/) at the clock the tests use, serves it on a free
loopback port and writes into docs/screenshots/: each page type at 360 px (the first screen, and the whole
page) and at 1,280 px (the whole page), reduced to a palette of 64 colours so the folder stays small, and
docs/screenshots/README.md listing them. The test suite writes the same screenshots, unreduced, into
var/test-artifacts/screenshots/ (tests/e2e/test_citizen_warning.py). The browser is Debian's Chromium,
driven by Playwright, as in the browser tests.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SAMPLE_NOW = "2026-11-26T09:00:00+07:00"  # three severe warnings in force, one expired: every state shows
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE, DESKTOP = 360, 1280
HEIGHTS = {320: 640, PHONE: 740, DESKTOP: 800}  # the first screen at each width


@dataclass(frozen=True)
class PageType:
    name: str  # the screenshot's name: 360-<name>.png
    path: str  # in the sample portal, after the site's root
    what: str  # what a reviewer is looking at


# Every page type of the sample portal at SAMPLE_NOW (the axe test checks the same list at 320, 360 and 1,280 px).
PAGE_TYPES = (
    PageType("home", "", "home: the active warnings first, the banner, the latest of each kind"),
    PageType("warning-updated", "canh-bao/canh-bao-lo-hong-nghiem-trong-may-chu-exchange.html",
             "an active severe warning, updated twice, with a lead image"),
    PageType("warning-active", "canh-bao/lua-dao-gia-danh-cong-an-cai-ung-dung-dich-vu-cong-gia.html",
             "an active warning never updated"),
    PageType("warning-expired", "canh-bao/ma-doc-botnet-chiem-quyen-camera-ip-dau-ghi-hinh.html",
             "an expired warning"),
    PageType("news", "tin-tuc/ngan-chan-tan-cong-he-thong-thong-tin-10-thang-2026.html",
             "a news article with a captioned picture in its body"),
    PageType("drill", "dien-tap/dien-tap-ung-cuu-su-co-ma-hoa-du-lieu-2026.html", "a drill and its facts"),
    PageType("meeting", "hoi-nghi/so-ket-phoi-hop-bao-dam-an-ninh-mang-10-thang-2026.html",
             "a coordination meeting and its facts"),
    PageType("listing", "canh-bao/", "a kind's listing (warnings)"),
    PageType("active-list", "canh-bao/dang-hieu-luc.html", "the severe warnings in force"),
    PageType("tag", "the/lua-dao-truc-tuyen/", "a tag's listing"),
    PageType("tags", "the/", "every tag"),
    PageType("archives", "luu-tru/", "the archive by month"),
    PageType("month", "luu-tru/2026/11/", "one month"),
    PageType("search", "tim-kiem.html?q=exchange", "search, with its results"),
    PageType("feeds", "nguon-tin.html", "the feeds page for subscribers"),
    PageType("about", "gioi-thieu.html", "a page with the identity from the settings (about)"),
    PageType("contact", "lien-he.html", "the contact page"),
    PageType("accessibility", "tuyen-bo-tiep-can.html", "the accessibility statement, a plain page"),
    PageType("404", "404.html", "the page for an address that does not exist"),
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """The folder on a free loopback port; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def open_page(page, base_url: str, page_type: PageType) -> None:
    """Go to a page type and wait until it shows what it is for (search: its results); a page type
    the site does not have is an error, never a screenshot of the server's "not found"."""
    response = page.goto(f"{base_url}/{page_type.path}", wait_until="load")
    if response is None or not response.ok:
        raise RuntimeError(f"/{page_type.path}: {response.status if response else 'no answer'}")
    if page_type.name == "search":
        page.wait_for_selector("#search-results li", timeout=10_000)


def shoot(browser, base_url: str, folder: Path, page_types=PAGE_TYPES) -> list[Path]:
    """Every page type at 360 px (first screen and whole page) and 1,280 px (whole page), one browser
    page per width; the files written, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for width in (PHONE, DESKTOP):
        page = browser.new_page(viewport={"width": width, "height": HEIGHTS[width]})
        try:
            for page_type in page_types:
                open_page(page, base_url, page_type)
                if width == PHONE:
                    written.append(folder / f"{width}-{page_type.name}-first-screen.png")
                    page.screenshot(path=str(written[-1]))
                written.append(folder / f"{width}-{page_type.name}.png")
                page.screenshot(path=str(written[-1]), full_page=True)
        finally:
            page.close()
    return written


def reduce(path: Path, colours: int = 64) -> None:
    """The screenshot in a palette of 64 colours, optimised: about a fifth of its size, the text as sharp
    (a photo shows some banding)."""
    from PIL import Image

    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=colours, method=Image.Quantize.MEDIANCUT,
                                             dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def index(folder: Path, shots: list[Path], page_types=PAGE_TYPES) -> Path:
    """folder/README.md: what each screenshot shows."""
    names = {p.name for p in shots}
    lines = [
        "# Screenshots of every page type",
        "",
        f"The sample portal (`content/`) at {SAMPLE_NOW}, in Debian's Chromium: at 360 px (a cheap phone: the",
        "first screen, then the whole page) and at 1,280 px (the whole page). Made by `.venv/bin/invoke screenshots`",
        "(`portal/tools/screenshots.py`); the test suite writes the same set into `var/test-artifacts/screenshots/`.",
        "",
        "| page type | what it shows | 360 px, first screen | 360 px | 1,280 px |",
        "|---|---|---|---|---|",
    ]
    for page_type in page_types:
        cells = [f"[{n}]({n})" if n in names else "" for n in (
            f"{PHONE}-{page_type.name}-first-screen.png", f"{PHONE}-{page_type.name}.png",
            f"{DESKTOP}-{page_type.name}.png")]
        lines.append(f"| `/{page_type.path}` | {page_type.what} | " + " | ".join(cells) + " |")
    readme = folder / "README.md"
    readme.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return readme


def run(out: Path, settings_file: Path, content: Path) -> list[Path]:
    """Build the sample portal at SAMPLE_NOW, take every screenshot into `out` (its old PNGs removed),
    reduce them and write the README; the files written."""
    from playwright.sync_api import sync_playwright

    from .build import build

    if not CHROMIUM.exists():
        raise SystemExit("Debian's Chromium is needed: sudo apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="portal-screenshots-") as tmp:
        site = Path(tmp) / "content"
        shutil.copytree(content, site)  # a copy, as the tests build it: no local ratings or image cache
        build(settings_file, Path(tmp) / "output", {"PATH": str(site), "PORTAL_NOW": SAMPLE_NOW,
                                                     "SEARCH_INDEX": True})
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.png"):
            old.unlink()
        with serving(Path(tmp) / "output") as base_url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                shots = shoot(browser, base_url, out)
            finally:
                browser.close()
    for shot in shots:
        reduce(shot)
    return [*shots, index(out, shots)]
