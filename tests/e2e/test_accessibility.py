"""axe-core in Debian's Chromium on every page type at 320, 360 and 1,280 px: zero violations; and at each
width the layout holds: no sideways scroll, nothing moves while the page loads (layout shift under
0.05), no line starting with a "·" separator, no CSP violation (no inline script or style).

Every page type is the sample portal's list (portal.tools.screenshots.PAGE_TYPES, the screenshots' own),
plus a withdrawn warning from the feeds fixture; one browser page per width goes through all of them."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import StaticServer

from portal.tools.screenshots import HEIGHTS, PAGE_TYPES, PageType, open_page

pytestmark = pytest.mark.browser

WIDTHS = (320, 360, 1280)
WITHDRAWN = PageType("warning-withdrawn", "canh-bao/lua-dao-gia-mao-co-quan-thue.html", "a withdrawn warning")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                     "best-practice"]},
               "resultTypes": ["violations"]}
MAX_SHIFT = 0.05

# The layout shift of the load so far (entries kept by the browser, read at once), and every "·" that
# starts a line: the first visible character after a line break (the previous one ends above it).
LAYOUT_SHIFT = """() => {
  const observer = new PerformanceObserver(() => {});
  observer.observe({type: "layout-shift", buffered: true});
  const shifts = observer.takeRecords().filter(e => !e.hadRecentInput);
  observer.disconnect();
  return shifts.reduce((sum, e) => sum + e.value, 0);
}"""
DOTS_STARTING_A_LINE = r"""() => {
  const found = [];
  const rectOf = (node, i) => {
    const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
    const rects = range.getClientRects(); return rects.length && rects[0].width > 0 ? rects[0] : null;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let previous = null;  // the last visible character seen, in document order
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data;
    for (let i = 0; i < text.length; i++) {
      if (/\s/.test(text[i])) continue;
      const wordEnd = i + 1 === text.length || /\s/.test(text[i + 1]);
      if (text[i] !== "\u00b7" && !wordEnd) continue;
      const rect = rectOf(node, i);
      if (!rect) continue;
      if (text[i] === "\u00b7" && (!previous || rect.top >= previous.bottom - 2)) {
        found.push(text.slice(Math.max(0, i - 20), i + 20).trim());
      }
      previous = rect;
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def served(sample_site, site):
    """The sample portal (with its search index) and the feeds fixture (its withdrawn warning)."""
    with StaticServer(sample_site.output) as sample, StaticServer(site.output) as feeds:
        yield [(sample.url, page_type) for page_type in PAGE_TYPES] + [(feeds.url, WITHDRAWN)]


def problems_of(page, width: int) -> list[str]:
    """What is wrong with the page open at this width; [] when nothing is."""
    found = []
    results = Axe().run(page, options=AXE_OPTIONS)
    if results.violations_count:
        found.append(results.generate_report())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        found.append(f"scrolls sideways by {overflow} px")
    shift = page.evaluate(LAYOUT_SHIFT)
    if shift >= MAX_SHIFT:
        found.append(f"layout shift {shift:.3f}")
    dots = page.evaluate(DOTS_STARTING_A_LINE)
    if dots:
        found.append(f"a line starts with a separator: {dots}")
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_has_no_axe_violation_and_holds_its_layout(width, served, browser):
    page = browser.new_page(viewport={"width": width, "height": HEIGHTS[width]})
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    report = {}
    for base_url, page_type in served:
        open_page(page, base_url, page_type)
        found = problems_of(page, width) + csp
        csp.clear()
        if found:
            report[f"/{page_type.path}"] = found
    page.close()
    assert len(served) == len(PAGE_TYPES) + 1 >= 20
    assert report == {}, "\n\n".join(f"{path} at {width} px:\n" + "\n".join(f) for path, f in report.items())


def test_the_layout_checks_find_what_they_look_for(browser):
    """The checks above on a page that moves while it loads and has "·" starting a line, and on one that
    has neither."""
    from urllib.parse import quote

    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto("data:text/html;charset=utf-8," + quote(
        '<div id="late"></div><p>Điện thoại: <a href="#">0214 3822 114</a><br> · Thư điện tử</p>'
        '<p>Đang hiệu lực <span>· Đã cập nhật (2 lần)</span></p>'
        '<p>Cao<span style="display: block">· Đang hiệu lực</span></p>'))
    # the page moves once it has been shown (a change before the first paint is no shift: on a busy machine
    # a timer set at load could fire before it), and the shift is reported after the frame that shows it
    page.wait_for_function("performance.getEntriesByType('paint').length > 0")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.evaluate("document.getElementById('late').style.height = '300px'")
    page.wait_for_function(f"({LAYOUT_SHIFT})() > {MAX_SHIFT}", timeout=10_000)
    assert page.evaluate(DOTS_STARTING_A_LINE) == ["· Thư điện tử", "· Đang hiệu lực"]
    assert page.evaluate(LAYOUT_SHIFT) > MAX_SHIFT
    page.goto("data:text/html;charset=utf-8," + quote("<p>Đang hiệu lực · Đã cập nhật</p>"))
    assert page.evaluate(DOTS_STARTING_A_LINE) == [] and page.evaluate(LAYOUT_SHIFT) == 0
    page.close()


def test_pages_read_without_javascript(fixture_site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with StaticServer(fixture_site.output) as server:
        page.goto(server.url + "/canh-bao/lo-hong-nghiem-trong-exchange-server.html")
        assert page.locator("h1").inner_text().startswith("Cảnh báo lỗ hổng nghiêm trọng")
        assert page.locator(".warning-box").is_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
    context.close()
