"""`portal deploy-config`, tested against the real thing.

The fixture site is published into a temporary base folder; Debian's nginx runs the generated
portal.conf (with --listen on a free loopback port), and the ratings service runs with the
environment of the generated portal-ratings.service (its database in the test's folder) behind
it. Everything below goes through nginx, as a reader, a feed reader or Chromium would.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import nginx
import psycopg
import pytest
from conftest import FIXTURE_SITE, ROOT, STRICT_CSP, missing_tool
from test_ratings_postgres import NO_CAPS, _totals_equal_votes, cluster  # noqa: F401 (the PostgreSQL fixture)

from ratings.privacy import ip_prefix, voter_id
from ratings.testing import ServiceProcess, free_port

NOW = "2026-11-26T09:00:00+07:00"
BURST = 10  # --api-burst of the generated configuration (rate 5r/s)
REVALIDATE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
NEWS = "tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html"


@dataclass
class Deployed:
    url: str
    base: Path
    conf: Path
    content: Path
    service: ServiceProcess
    articles: list[tuple[str, str]]  # (slug, url) of every article that accepts votes
    env: dict  # what portal publish ran with

    @property
    def release(self) -> Path:
        return (self.base / "current").resolve()


def portal(*args: str, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "portal", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def unit_environment(unit: Path) -> dict[str, str]:
    """The Environment= lines of a systemd unit, unquoted as systemd reads them."""
    env = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        if line.startswith("Environment="):
            for word in shlex.split(line.removeprefix("Environment=")):
                name, _, value = word.partition("=")
                env[name] = value
    return env


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deploy")
    content = tmp / "content"
    shutil.copytree(FIXTURE_SITE, content)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORTAL_NOW": NOW, "PORTAL_SITEURL": url, "RATINGS_API_URL": ""}
    base = tmp / "srv"
    portal("publish", "--base", str(base), "--content", str(content), env=env)
    manifest = base / "current" / "api" / "ratings-manifest.json"
    service = ServiceProcess(tmp / "ratings" / "ratings.sqlite3", manifest)
    conf = tmp / "conf"
    portal("deploy-config", "--out", str(conf), "--base", str(base), "--app", str(ROOT),
           "--listen", f"127.0.0.1:{port}", "--ratings-port", str(service.port), "--api-burst", str(BURST), env=env)
    unit = unit_environment(conf / "portal-ratings.service")
    assert unit["RATINGS_MANIFEST"] == str(manifest) and unit["RATINGS_PORT"] == str(service.port)
    # the unit's environment, but the database and its secret in the test's folder; one voter per
    # network and article a day, so that what counts as "one network" shows after two votes
    service.env.update({k: v for k, v in unit.items() if k not in ("RATINGS_DB", "RATINGS_SECRET_FILE")},
                       RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY="1")
    (tmp / "ratings").mkdir()
    service.start()
    try:
        with nginx.running(tmp / "nginx", f"include {conf}/portal.conf;", url + "/"):
            articles = sorted(json.loads(manifest.read_text(encoding="utf-8"))["articles"].items())
            yield Deployed(url, base, conf, content, service, articles, env)
    finally:
        service.stop()


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def request(base: str, path: str, method: str = "GET", headers: dict | None = None,
            body: bytes | None = None) -> Answer:
    """One request, redirects not followed, bytes as sent (no decompression)."""
    conn = http.client.HTTPConnection(urlsplit(base).netloc, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Answer(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def etag_of(path: Path) -> str:
    """nginx's ETag of a static file: its modification time and size, in hexadecimal."""
    st = path.stat()
    return f'"{int(st.st_mtime):x}-{st.st_size:x}"'


def fingerprint(release: Path, rel: str) -> str:
    """The first 10 hex digits of the SHA-256 of a theme file as the release holds it under its plain name."""
    return hashlib.sha256((release / "theme" / rel).read_bytes()).hexdigest()[:10]


# ---- the files themselves ------------------------------------------------------------------------
def production_files(tmp_path: Path, *options: str) -> Path:
    out = tmp_path / "conf"
    env = {**os.environ, "PORTAL_SITEURL": "https://antoanthongtin.laocai.gov.vn"}
    portal("deploy-config", "--out", str(out), "--app", str(ROOT), *options, env=env)
    return out


def test_the_https_configuration_passes_nginx_t(tmp_path):
    """The production variant (certbot's layout; here a self-signed certificate) passes `nginx -t`
    without a warning."""
    if not shutil.which("openssl"):
        missing_tool("openssl is not installed (apt-get install openssl)")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=portal",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=60)
    out = production_files(tmp_path, "--tls-cert", str(cert), "--tls-key", str(key))
    checked = nginx.check(tmp_path / "nginx", f"include {out}/portal.conf;")
    said = checked.stdout + checked.stderr
    assert checked.returncode == 0 and "[warn]" not in said and "[emerg]" not in said, said
    conf = (out / "portal.conf").read_text(encoding="utf-8")
    assert "listen 443 ssl http2;" in conf and "listen 80;" in conf


@pytest.mark.parametrize("ports", [(), ("--ratings-ports", "8081,8082")], ids=["one instance", "two instances"])
def test_the_units_pass_systemd_analyze_verify(tmp_path, ports):
    """With several instances, the template portal-ratings@.service (verified as an instance of it)."""
    if not shutil.which("systemd-analyze"):
        missing_tool("systemd-analyze is not installed (apt-get install systemd)")
    out = production_files(tmp_path, *ports)
    units = sorted(str(p) for p in out.iterdir() if p.suffix in (".service", ".timer"))
    assert len(units) == 5 and (out / "portal-ratings@.service").exists() == bool(ports)
    verified = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60)
    said = verified.stdout + verified.stderr
    assert verified.returncode == 0 and "Unknown" not in said and "ignoring" not in said, said


# ---- headers, media types, caching ----------------------------------------------------------------
CONTENT_TYPES = [  # (path, Content-Type, Cache-Control)
    ("/", "text/html; charset=utf-8", REVALIDATE),
    (f"/{NEWS}", "text/html; charset=utf-8", REVALIDATE),
    ("/theme/css/site.css", "text/css; charset=utf-8", REVALIDATE),
    ("/theme/js/rating.js", "application/javascript; charset=utf-8", REVALIDATE),
    ("/images/anh-thu.png", "image/png", "public, max-age=86400"),
    ("/nguon-tin/tat-ca.rss.xml", "application/rss+xml; charset=utf-8", REVALIDATE),
    ("/nguon-tin/the/ma-doc.atom.xml", "application/atom+xml; charset=utf-8", REVALIDATE),
    ("/nguon-tin/tat-ca.json", "application/feed+json", REVALIDATE),
    ("/nguon-tin/tat-ca.opml", "text/x-opml; charset=utf-8", REVALIDATE),
    ("/cap/canh-bao/CB-2026-014.xml", "application/cap+xml", REVALIDATE),
    ("/cap/canh-bao/CB-2026-014/CB-2026-014-cap-nhat-1.xml", "application/cap+xml", REVALIDATE),
    ("/cap/index.atom.xml", "application/atom+xml; charset=utf-8", REVALIDATE),
    ("/.well-known/csaf/provider-metadata.json", "application/json", REVALIDATE),
    ("/.well-known/csaf/white/2026/cb-2026-014.json", "application/json", REVALIDATE),
    ("/.well-known/csaf/white/2026/cb-2026-014.json.sha256", "text/plain; charset=utf-8", REVALIDATE),
    ("/lich/su-kien.ics", "text/calendar; charset=utf-8", REVALIDATE),
    ("/.well-known/security.txt", "text/plain; charset=utf-8", REVALIDATE),
]


def assert_security_headers(answer: Answer, what: str) -> None:
    assert answer.headers.get_all("Content-Security-Policy") == [STRICT_CSP], what  # once, the tests' own policy
    assert answer.header("Strict-Transport-Security") == "max-age=31536000", what
    assert answer.header("X-Content-Type-Options") == "nosniff", what
    assert answer.header("X-Frame-Options") == "DENY", what
    assert answer.header("Referrer-Policy") == "strict-origin-when-cross-origin", what
    assert "camera=()" in (answer.header("Permissions-Policy") or ""), what
    assert answer.header("Server") == "nginx", what  # no version


def test_every_kind_of_file_has_its_media_type_caching_and_security_headers(deployed):
    page = request(deployed.url, "/").body.decode("utf-8")
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert css == f"{deployed.url}/theme/css/site.{fingerprint(deployed.release, 'css/site.css')}.css"
    script, logo = fingerprint(deployed.release, "js/search.js"), fingerprint(deployed.release, "img/logo.svg")
    fingerprinted = [
        (urlsplit(css).path, "text/css; charset=utf-8", IMMUTABLE),
        (f"/theme/js/search.{script}.js", "application/javascript; charset=utf-8", IMMUTABLE),
        (f"/theme/img/logo.{logo}.svg", "image/svg+xml", IMMUTABLE),
    ]
    pagefind = next((deployed.release / "pagefind" / "fragment").glob("*.pf_fragment")).name
    for path, media_type, caching in [*CONTENT_TYPES, *fingerprinted, (f"/pagefind/fragment/{pagefind}", None,
                                                                        IMMUTABLE)]:
        answer = request(deployed.url, path)
        assert answer.status == 200, path
        if media_type:
            assert answer.header("Content-Type") == media_type, path
        assert answer.headers.get_all("Cache-Control") == [caching], path
        assert_security_headers(answer, path)
        file = deployed.release / (path.lstrip("/") or "index.html")
        assert answer.body == file.read_bytes(), path
    assert request(deployed.url, urlsplit(css).path).body == (deployed.release / "theme/css/site.css").read_bytes()

    missing = request(deployed.url, "/khong-co-trang-nay.html")
    assert missing.status == 404 and missing.header("Content-Type") == "text/html; charset=utf-8"
    assert missing.body == (deployed.release / "404.html").read_bytes()  # the site's own 404 page
    assert missing.header("Cache-Control") == REVALIDATE
    assert_security_headers(missing, "404")
    assert request(deployed.url, "/api/ratings-manifest.json").status == 404  # for the service only
    openapi = request(deployed.url, "/api/openapi.json")
    assert openapi.header("Content-Type") == "application/json"
    assert_security_headers(openapi, "/api/openapi.json")


def test_revalidation_answers_304_and_gzip_is_the_precompressed_file(deployed):
    for rel in ("nguon-tin/tat-ca.atom.xml", "cap/canh-bao/CB-2026-014.xml",
                "lich/su-kien.ics", ".well-known/csaf/white/2026/cb-2026-014.json"):
        path, file, packed = "/" + rel, deployed.release / rel, deployed.release / (rel + ".gz")
        plain = request(deployed.url, path)
        assert plain.header("ETag") == etag_of(file) and plain.header("Content-Encoding") is None, rel
        again = request(deployed.url, path, headers={"If-None-Match": plain.header("ETag")})
        assert again.status == 304 and again.body == b"", rel
        assert again.header("Cache-Control") == REVALIDATE, rel

        zipped = request(deployed.url, path, headers={"Accept-Encoding": "gzip"})
        assert zipped.header("Content-Encoding") == "gzip", rel
        assert zipped.header("Vary") == "Accept-Encoding", rel
        # nginx sent the file the build wrote, not a compression of its own (which has no length nor strong ETag)
        assert zipped.header("Content-Length") == str(packed.stat().st_size), rel
        assert zipped.header("ETag") == etag_of(packed), rel
        assert zipped.body == packed.read_bytes() and gzip.decompress(zipped.body) == file.read_bytes(), rel
        assert len(zipped.body) < len(plain.body) / 2, rel
        revalidated = request(deployed.url, path, headers={"Accept-Encoding": "gzip",
                                                           "If-None-Match": zipped.header("ETag")})
        assert revalidated.status == 304, rel


def test_pages_are_compressed_as_sent_and_still_revalidate(deployed):
    for rel in ("index.html", NEWS):
        path, file = "/" + rel, deployed.release / rel
        assert not (deployed.release / (rel + ".gz")).exists(), rel  # no copy: nginx compresses pages itself
        plain = request(deployed.url, path)
        assert plain.header("ETag") == etag_of(file) and plain.header("Content-Encoding") is None, rel
        zipped = request(deployed.url, path, headers={"Accept-Encoding": "gzip"})
        assert zipped.header("Content-Encoding") == "gzip" and zipped.header("Vary") == "Accept-Encoding", rel
        assert gzip.decompress(zipped.body) == file.read_bytes(), rel
        assert len(zipped.body) < len(plain.body) / 2, rel
        assert zipped.header("ETag") == "W/" + etag_of(file), rel  # weak: the bytes are nginx's own
        assert zipped.header("Cache-Control") == REVALIDATE, rel
        for validator in ({"If-None-Match": zipped.header("ETag")},
                          {"If-Modified-Since": zipped.header("Last-Modified")}):
            revalidated = request(deployed.url, path, headers={"Accept-Encoding": "gzip", **validator})
            assert revalidated.status == 304 and revalidated.body == b"", (rel, validator)


def test_every_file_software_fetches_has_its_precompressed_copy(deployed):
    text = [p for p in deployed.release.rglob("*") if p.suffix in (".css", ".js", ".xml", ".json", ".ics",
                                                                     ".opml", ".svg", ".txt") and p.is_file()]
    assert len(text) > 40
    for path in text:
        packed = path.with_name(path.name + ".gz")
        if packed.exists():
            assert gzip.decompress(packed.read_bytes()) == path.read_bytes(), path
            assert packed.read_bytes()[4:8] == b"\0\0\0\0", path  # no time in the header: same bytes every build
        else:
            assert len(gzip.compress(path.read_bytes(), 9, mtime=0)) >= path.stat().st_size, path  # too small
    assert not list(deployed.release.rglob("*.html.gz"))


# ---- votes through nginx ------------------------------------------------------------------------------
def numbers(page) -> tuple[str, str]:
    """(count, average) as shown; the average with a decimal point whatever the interface's mark."""
    return (page.locator("section.rating [data-rating-count]").inner_text(),
            page.locator("section.rating [data-rating-average]").inner_text().replace(",", "."))


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


@pytest.mark.browser
def test_a_vote_with_javascript_through_nginx(deployed, browser):
    _, url = deployed.articles[0]
    context = browser.new_context()
    page = context.new_page()
    problems = watch(page)
    page.goto(f"{deployed.url}/{url}")
    assert numbers(page) == ("0", "0.0")
    page.get_by_label("4 sao").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.locator("[data-rating-status]").filter(has_text="Cảm ơn bạn đã đánh giá bài viết.").wait_for()
    assert numbers(page) == ("1", "4.0")
    assert not problems, problems  # nothing refused by the Content-Security-Policy
    context.close()


@pytest.mark.browser
def test_a_vote_without_javascript_lands_on_the_page_with_the_new_count(deployed, browser):
    slug, url = deployed.articles[1]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{deployed.url}/{url}")
    assert numbers(page) == ("0", "0.0")
    page.get_by_label("5 sao").check()
    with page.expect_navigation() as landed:
        page.get_by_role("button", name="Gửi đánh giá").click()
    assert page.url == f"{deployed.url}/{url}?da-danh-gia#danh-gia-cam-on"
    assert page.locator("#danh-gia-cam-on").is_visible()
    assert numbers(page) == ("1", "5.0")  # the page as the ratings service serves it, numbers of now
    headers = landed.value.all_headers()
    assert headers["content-security-policy"] == STRICT_CSP and headers["cache-control"] == REVALIDATE
    context.close()

    # every other view of the article is the static page, with the numbers of the last publish...
    assert re.search(r"data-rating-count>0<", request(deployed.url, f"/{url}").body.decode("utf-8"))
    # ...and the next scheduled publish bakes the vote in (portal-publish.service: RATINGS_API_URL)
    portal("publish", "--base", str(deployed.base), "--content", str(deployed.content),
           env={**deployed.env, "RATINGS_API_URL": deployed.service.url})
    static = request(deployed.url, f"/{url}").body.decode("utf-8")
    assert re.search(r"data-rating-average[^>]*>5[.,]0<", static) and re.search(r"data-rating-count>1<", static)


@pytest.mark.browser
def test_search_works_under_the_policy_through_nginx(deployed, browser):
    """Pagefind compiles WebAssembly ('wasm-unsafe-eval') and fetches its index; Chromium gets the .gz copies."""
    from playwright.sync_api import expect

    page = browser.new_page()
    problems = watch(page)
    page.goto(f"{deployed.url}/tim-kiem.html")
    page.fill("#tu-khoa-tim", "exchange")
    page.click(".search-page-form button")
    expect(page.locator("#search-status")).to_have_text(re.compile(r"^Tìm thấy"))
    hrefs = [a.get_attribute("href") for a in page.locator("#search-results a").all()]
    assert any("lo-hong-nghiem-trong-exchange-server" in (h or "") for h in hrefs), hrefs
    assert not problems, problems
    page.close()


def vote(base: str, slug: str, user_agent: str, forwarded_for: str | None = None) -> Answer:
    headers = {"Content-Type": "application/json", "User-Agent": user_agent}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return request(base, f"/api/ratings/{slug}", "POST", headers, json.dumps({"score": 3}).encode())


def test_a_forged_x_forwarded_for_is_ignored(deployed):
    """The service believes X-Forwarded-For from 127.0.0.1 (RATINGS_TRUSTED_PROXIES): sent straight to it, a
    forged header makes a second voter another network. Through nginx the header is nginx's own view of the
    client, so two voters with two forged addresses are one network and meet its cap (one voter per article
    a day in this test), exactly as without the header."""
    slug, _ = deployed.articles[2]
    assert vote(deployed.url, slug, "lan-1", "203.0.113.9").status == 200
    refused = vote(deployed.url, slug, "lan-2", "198.51.100.7")
    assert refused.status == 429 and refused.header("Retry-After")
    assert vote(deployed.url, slug, "lan-3").status == 429  # the same as without a forged header
    straight = vote(deployed.service.url, slug, "lan-4", "198.51.100.7")
    assert straight.status == 200  # what nginx stands between


@pytest.mark.browser
def test_pages_stay_readable_while_the_ratings_service_is_down(deployed, browser):
    slug, url = deployed.articles[3]
    deployed.service.stop()
    try:
        assert request(deployed.url, f"/{url}").status == 200
        assert request(deployed.url, f"/{url}?da-danh-gia").status == 200  # the static page instead
        down = request(deployed.url, f"/api/ratings/{slug}")
        assert down.status == 503 and down.header("Content-Type") == "text/plain; charset=utf-8"
        assert down.body.decode("utf-8").startswith("Dịch vụ đánh giá đang tạm ngừng") and len(down.body) < 300
        assert_security_headers(down, "api down")

        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{deployed.url}/{url}")
        page.get_by_label("3 sao").check()
        page.get_by_role("button", name="Gửi đánh giá").click()
        status = page.locator("[data-rating-status]")
        status.filter(has_text="Không gửi được đánh giá. Vui lòng thử lại sau.").wait_for()  # rating.js: a failure
        assert page.locator("article h1, main h1").first.is_visible()
        context.close()
    finally:
        deployed.service.start()


def test_the_api_is_rate_limited_per_client_but_pages_are_not(deployed):
    slug, _ = deployed.articles[3]
    time.sleep(BURST / 5 + 0.5)  # 5r/s: what the tests before asked of /api/ is forgotten
    statuses, bodies = [], []
    for _ in range(BURST + 15):
        answer = request(deployed.url, f"/api/ratings/{slug}")
        statuses.append(answer.status)
        bodies.append(answer.body)
    assert statuses[:BURST + 1] == [200] * (BURST + 1), statuses
    assert statuses.count(429) >= 10, statuses
    assert b"too many requests" in bodies[statuses.index(429)]
    assert all(request(deployed.url, f"/{NEWS}").status == 200 for _ in range(40))


# ---- several instances of the ratings service: PostgreSQL, two processes, one killed -------------------
# The same release behind a second nginx, whose configuration deploy-config wrote with --ratings-ports for two
# instances (portal-ratings@.service): both on one PostgreSQL database (RATINGS_DATABASE_URL, which the operator
# puts in /etc/portal/ratings.env) and one secret file. Every test voter reaches the service from 127.0.0.1 (one
# network), so its caps are raised (30 votes an hour per network by default); each vote is a voter of its own
# (its own user agent), so every acknowledged vote adds one to the totals.
@dataclass
class Pair:
    url: str
    services: list[ServiceProcess]
    database: str
    secret: Path
    articles: list[tuple[str, str]]


@pytest.fixture(scope="module")
def pair(deployed, cluster, tmp_path_factory):  # noqa: F811 (cluster: the fixture imported above)
    tmp = tmp_path_factory.mktemp("deploy-pair")
    with psycopg.connect(cluster, autocommit=True) as conn:
        conn.execute("CREATE DATABASE ratings")
    database = cluster.replace("/postgres?", "/ratings?")
    manifest = deployed.base / "current" / "api" / "ratings-manifest.json"
    folder = tmp / "ratings"
    folder.mkdir()
    services = [ServiceProcess(folder / f"instance-{i}.sqlite3", manifest) for i in range(2)]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    conf = tmp / "conf"
    said = portal("deploy-config", "--lang", "en", "--out", str(conf), "--base", str(deployed.base),
                  "--app", str(ROOT), "--listen", f"127.0.0.1:{port}", "--api-rate", "2000r/s", "--api-burst", "2000",
                  "--ratings-ports", ",".join(str(svc.port) for svc in services),
                  env={**deployed.env, "PORTAL_SITEURL": url}).stdout
    units = " ".join(f"portal-ratings@{svc.port}.service" for svc in services)
    assert f"systemctl enable --now {units}" in said
    assert not (conf / "portal-ratings.service").exists()
    unit = unit_environment(conf / "portal-ratings@.service")
    assert unit["RATINGS_PORT"] == "%i"  # the instance name is the port
    secret = folder / "ratings-secret"  # the one file of every instance (the unit's RATINGS_SECRET_FILE)
    for svc in services:
        svc.env.update({k: v.replace("%i", str(svc.port)) for k, v in unit.items()
                        if k not in ("RATINGS_DB", "RATINGS_SECRET_FILE")})
        svc.env.update(RATINGS_SECRET_FILE=str(secret), RATINGS_DATABASE_URL=database, **NO_CAPS)
    try:
        for svc in services:
            svc.start()
        with nginx.running(tmp / "nginx", f"include {conf}/portal.conf;", url + "/"):
            yield Pair(url, services, database, secret, deployed.articles)
    finally:
        for svc in services:
            svc.stop()


def vote_on(conn: http.client.HTTPConnection, pair: Pair, slug: str, score: int, user_agent: str) -> int:
    """A JSON vote from a browser of the site, on a kept-alive connection to nginx: the status."""
    conn.request("POST", f"/api/ratings/{slug}", body=json.dumps({"score": score}), headers={
        "Content-Type": "application/json", "Origin": pair.url, "User-Agent": user_agent})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def histograms_through(base: str) -> dict[str, list[int]]:
    """Every article's stars 1 to 5, as GET /api/ratings answers them."""
    answer = request(base, "/api/ratings")
    assert answer.status == 200, answer.body
    ratings = json.loads(answer.body)["ratings"]
    return {slug: [r["histogram"][str(i)] for i in range(1, 6)] for slug, r in ratings.items()}


def added(after: dict[str, list[int]], before: dict[str, list[int]]) -> dict[str, list[int]]:
    """What the votes since `before` added, article by article."""
    out = {slug: [a - b for a, b in zip(stars, before.get(slug, [0] * 5), strict=True)]
           for slug, stars in after.items()}
    return {slug: stars for slug, stars in out.items() if any(stars)}


def test_two_instances_behind_nginx_count_every_acknowledged_vote_once(pair):
    """Eight browsers at once, through nginx to two instances on one PostgreSQL database; a third of the voters
    change their score (their second vote may reach the other instance). The totals read back through nginx,
    and from each instance, are exactly the acknowledged votes."""
    before = histograms_through(pair.url)
    final: dict[str, tuple[str, int]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []
    slugs = [slug for slug, _ in pair.articles]

    def browser(worker: int) -> None:
        conn = http.client.HTTPConnection(urlsplit(pair.url).netloc, timeout=30)
        try:
            for k in range(25):
                voter = f"concurrent/{worker}/{k}"
                slug, first, second = slugs[(worker + k) % len(slugs)], 1 + k % 5, 1 + (k * 3 + 1) % 5
                assert vote_on(conn, pair, slug, first, voter) == 200
                if k % 3 == 0:
                    assert vote_on(conn, pair, slug, second, voter) == 200
                with lock:
                    final[voter] = (slug, second if k % 3 == 0 else first)
        except BaseException as exc:  # noqa: B036 (reported below)
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=browser, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    expected: dict[str, list[int]] = {}
    for slug, score in final.values():
        expected.setdefault(slug, [0] * 5)[score - 1] += 1
    assert sum(map(sum, expected.values())) == 8 * 25
    assert added(histograms_through(pair.url), before) == expected
    totals, votes = _totals_equal_votes(pair.database)
    assert totals == votes  # the stored totals are the stored votes
    for svc in pair.services:  # each instance answers the same (a vote through the other: within a second)
        end = time.monotonic() + 2
        while added(histograms_through(svc.url), before) != expected and time.monotonic() < end:
            time.sleep(0.05)
        assert added(histograms_through(svc.url), before) == expected, svc.url


def stored_votes(database: str) -> tuple[list[bytes], dict[tuple[str, str], int]]:
    """The day salts, and every stored vote: (article, voter hash) -> score."""
    with psycopg.connect(database) as conn:
        salts = [bytes(s) for (s,) in conn.execute("SELECT salt FROM day_salts")]
        stored = {(slug, voter): score for slug, voter, score in conn.execute("SELECT slug, voter, score FROM votes")}
    return salts, stored


def test_one_instance_killed_nginx_fails_over_and_no_acknowledged_vote_is_lost(pair):
    """Six streams of votes and a reader through nginx; one instance is killed (SIGKILL) mid-stream. nginx
    sends everything to the other: votes keep being acknowledged, pages, the page after a vote and the
    numbers stay 200 throughout, every acknowledged vote is stored and nothing else but the votes in flight
    at the kill. The killed instance is left out for fail_timeout (5 s), then tried again and refused: a
    vote not yet sent to it goes to the other instance, so none fails after the kill itself."""
    victim, survivor = pair.services
    slugs = [slug for slug, _ in pair.articles]
    slug0, url0 = pair.articles[0]
    stored_before = len(stored_votes(pair.database)[1])
    totals_before = histograms_through(pair.url)
    acknowledged: list[tuple[str, int, str, float]] = []  # (article, score, voter's user agent, when)
    unanswered: list[tuple[str, int, str, float]] = []  # in flight at the kill: stored or not
    not_ok: list[tuple[str, int]] = []
    cut: list[tuple[str, float]] = []  # reads whose answer was cut off (the one in flight at the kill)
    reads = 0
    lock = threading.Lock()
    stop = threading.Event()

    def stream(worker: int) -> None:
        conn, n = None, 0
        while not stop.is_set():
            n += 1
            slug, score, voter = slugs[(worker + n) % len(slugs)], 1 + (worker + n) % 5, f"stream/{worker}/{n}"
            try:
                conn = conn or http.client.HTTPConnection(urlsplit(pair.url).netloc, timeout=10)
                status = vote_on(conn, pair, slug, score, voter)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn, status = None, 0
            with lock:
                (acknowledged if status == 200 else unanswered).append((slug, score, voter, time.monotonic()))

    def reader() -> None:
        nonlocal reads
        paths = ["/", f"/{url0}", f"/{url0}?da-danh-gia", f"/api/ratings/{slug0}", f"/{NEWS}"]
        while not stop.is_set():
            for path in paths:
                try:
                    answer = request(pair.url, path)
                except (OSError, http.client.HTTPException):  # cut off: only a read in flight at the kill
                    with lock:
                        cut.append((path, time.monotonic()))
                    continue
                with lock:
                    reads += 1
                    if answer.status != 200:
                        not_ok.append((path, answer.status))

    threads = [threading.Thread(target=stream, args=(w,)) for w in range(6)] + [threading.Thread(target=reader)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)
        victim.kill9()
        killed = time.monotonic()
        time.sleep(6.5)  # past fail_timeout: nginx tries the killed instance again
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    try:
        assert not not_ok, not_ok[:10]
        assert len(cut) <= 1 and all(killed - 0.5 < at < killed + 0.5 for _, at in cut), cut
        assert reads > 50
        assert survivor.proc.poll() is None
        early = sum(1 for *_, at in acknowledged if at < killed)
        late = sum(1 for *_, at in acknowledged if at > killed + 0.5)
        assert early > 30 and late > 100, (early, late)
        # only votes sent at the moment of the kill went unanswered (a vote is never sent to a second instance):
        # the one each stream had in flight, or sent over a connection nginx kept to the killed instance
        # before it noticed the connection had closed
        assert len(unanswered) <= 2 * 6 and all(at < killed + 0.5 for *_, at in unanswered), unanswered

        totals, votes = _totals_equal_votes(pair.database)
        assert totals == votes
        key = pair.secret.read_bytes().strip()  # the one secret both instances read
        salts, stored = stored_votes(pair.database)
        prefix = ip_prefix("127.0.0.1")  # every voter's network, as nginx forwards it

        def found(slug: str, score: int, voter: str, _at: float) -> bool:
            return any(stored.get((slug, voter_id(key, salt, slug, prefix, voter))) == score for salt in salts)

        missing = [v for v in acknowledged if not found(*v)]
        assert not missing, f"{len(missing)} acknowledged votes lost, e.g. {missing[:3]}"
        in_flight_stored = sum(found(*v) for v in unanswered)
        assert len(stored) == stored_before + len(acknowledged) + in_flight_stored  # nothing else
        counted = sum(map(sum, added(histograms_through(pair.url), totals_before).values()))
        assert counted == len(acknowledged) + in_flight_stored  # the totals, read back through nginx
    finally:
        victim.start()
