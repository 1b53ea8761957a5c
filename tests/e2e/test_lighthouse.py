"""Lighthouse 12, mobile, on the sample portal as production serves it: the issue's budgets.

The home page, a warning, a listing and search, each run once by Lighthouse (tests/lighthouse, installed
by `npm ci` from its committed lock on first use) in Debian's Chromium, one Node process for all of them;
the site is the sample portal built at the fixed clock, served by Debian's nginx as in production: the
build's precompressed .gz files (gzip_static), pages compressed as sent, and the security headers of
portal.deploy.policy.

- performance at least 98; accessibility, best practices and SEO 100;
- cumulative layout shift under 0.05;
- an article page with its CSS and JS at most 30 KB over the wire (gzip, headers included), and no page
  asks another host for anything.

Lighthouse's mobile settings simulate a mid-range phone on slow 4G with a 4x slower CPU from the trace
of one load, so the scores hold on a loaded 2-core machine (measured: 100 in every category on every
page, also with both cores kept busy). The full HTML reports and a summary.json go to
var/test-artifacts/lighthouse/. (tests/lighthouse/package.json pins by "overrides" the two packages
Lighthouse's trace engine asks for as "latest", so `npm ci` keeps accepting the committed lock.)
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import nginx
import pytest
from conftest import ROOT, missing_tool, npm_installed

from portal.deploy.policy import security_headers

pytestmark = [pytest.mark.browser, pytest.mark.alone]  # its scores are timed: not beside other tests

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "var" / "test-artifacts" / "lighthouse"
WARNING = "/canh-bao/canh-bao-lo-hong-nghiem-trong-may-chu-exchange.html"  # CB-2026-031: lead image, updated
PAGES = {
    "home": "/",
    "warning": WARNING,
    "listing": "/canh-bao/",
    "search": "/tim-kiem.html?q=exchange",
}
MIN_PERFORMANCE = 98
MAX_CLS = 0.05
ARTICLE_BUDGET = 30 * 1024  # bytes over the wire: the page, its stylesheets and scripts


@pytest.fixture(scope="module")
def production_like(sample_site, tmp_path_factory):
    """The sample portal behind nginx as in production: the build's .gz copies sent as they are, pages
    compressed as sent (gzip level 6), the security headers (a strict Content-Security-Policy), utf-8,
    the 404 page."""
    headers = "\n    ".join(f"add_header {name} \"{value}\" always;" for name, value in security_headers())
    extra = f"""
    charset utf-8;
    gzip_static on;
    gzip_comp_level 6;
    gzip_vary on;
    error_page 404 /404.html;
    {headers}"""
    with nginx.serving(sample_site.output, tmp_path_factory.mktemp("lighthouse-nginx"), extra) as url:
        yield url


@pytest.fixture(scope="module")
def reports(production_like) -> dict[str, dict]:
    """What Lighthouse said of each page, by name (one Node process, one Chromium, one page after the other)."""
    if not CHROMIUM.exists():
        missing_tool("Debian's chromium is not installed (apt-get install chromium); `make test` installs it")
    folder = npm_installed(ROOT / "tests" / "lighthouse", "lighthouse")
    done = subprocess.run(
        ["node", str(folder / "run.mjs"), production_like, str(ARTIFACTS), *(f"{n}={p}" for n, p in PAGES.items())],
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)
    (ARTIFACTS / "summary.json").write_text(json.dumps(found, indent=1, ensure_ascii=False), encoding="utf-8")
    for name, report in found.items():
        print(f"\nLighthouse {report['lighthouse']} {report['formFactor']} {name}: {report['scores']}, "
              f"CLS {report['metrics']['cumulative-layout-shift']:.3f}, "
              f"LCP {report['metrics']['largest-contentful-paint']:.0f} ms, {report['seconds']:.1f} s")
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_lighthouse_mobile_scores(name, reports):
    report = reports[name]
    assert report["runtimeError"] is None, report  # (its warnings, e.g. a slow machine, are in the report)
    assert (report["formFactor"], report["throttling"]) == ("mobile", "simulate")
    assert report["lighthouse"].startswith("12.")
    scores, failed = report["scores"], report["failed"]
    assert scores["performance"] >= MIN_PERFORMANCE, failed["performance"]
    for category in ("accessibility", "best-practices", "seo"):
        assert scores[category] == 100, f"{category}: {failed[category]}"


@pytest.mark.parametrize("name", list(PAGES))
def test_nothing_moves_while_the_page_loads(name, reports):
    assert reports[name]["metrics"]["cumulative-layout-shift"] < MAX_CLS


@pytest.mark.parametrize("name", list(PAGES))
def test_every_request_goes_to_the_site_itself_and_text_comes_compressed(name, reports, production_like):
    report = reports[name]
    own = urlsplit(production_like).netloc
    hosts = {urlsplit(r["url"]).netloc for r in report["requests"] if not r["url"].startswith("data:")}
    assert hosts == {own}, f"{name} asked {hosts - {own}}"
    assert all(r["statusCode"] == 200 for r in report["requests"]), report["requests"]
    assert report["textCompression"] == 1


def test_an_article_page_with_its_css_and_js_is_at_most_30kb_over_the_wire(reports):
    requests = reports["warning"]["requests"]
    code = [r for r in requests if r["resourceType"] in ("Document", "Stylesheet", "Script")]
    kinds = sorted({r["resourceType"] for r in code})
    assert kinds == ["Document", "Script", "Stylesheet"], kinds  # what the budget is about was measured
    assert all(0 < r["transferSize"] < r["resourceSize"] for r in code), code  # sent compressed
    total = sum(r["transferSize"] for r in code)
    assert total <= ARTICLE_BUDGET, f"{total} bytes: " + ", ".join(
        f"{urlsplit(r['url']).path} {r['transferSize']}" for r in code)
