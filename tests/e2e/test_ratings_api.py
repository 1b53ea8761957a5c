"""The ratings API in-process, with fake client addresses (httpx ASGITransport)."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from ratings.app import create_app  # noqa: E402
from ratings.config import ConfigError, Settings  # noqa: E402
from ratings.privacy import ip_prefix  # noqa: E402
from ratings.testing import AsgiClient, write_manifest  # noqa: E402

SLUG = "canh-bao-lua-dao"
OTHER = "dien-tap-2026"
DAY = 86400


class Clock:
    def __init__(self, t: float = 1_795_000_000.0):  # 2026-11-18
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def env(tmp_path):
    def make(**overrides):
        manifest = write_manifest(tmp_path / "output" / "api" / "ratings-manifest.json", [SLUG, OTHER])
        settings = Settings(db_path=str(tmp_path / "r.sqlite3"), manifest_path=str(manifest), **overrides)
        clock = Clock()
        app = create_app(settings, clock=clock)
        return AsgiClient(app), clock, settings
    return make


def one_line(resp) -> str:
    text = resp.text.strip()
    assert text and "\n" not in text, f"not a one-line reason: {resp.text!r}"
    return text


def test_get_unknown_and_known(env):
    c, _, _ = env()
    r = c.request("GET", f"/api/ratings/{SLUG}")
    assert r.status_code == 200
    assert r.json() == {"slug": SLUG, "count": 0, "average": 0.0,
                        "histogram": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}}
    r = c.request("GET", "/api/ratings/khong-co-bai-nay")
    assert r.status_code == 404 and "no such article" in one_line(r)
    assert c.request("GET", "/api/ratings").json() == {"ratings": {}}
    doc = c.request("GET", "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.") and "/api/ratings/{slug}" in doc["paths"]


def test_form_post_redirects_to_thank_you_anchor(env):
    c, _, _ = env()
    r = c.vote(SLUG, 4, form=True)
    assert r.status_code == 303
    assert r.headers["location"] == f"/tin-tuc/{SLUG}.html#danh-gia-cam-on"
    assert c.request("GET", f"/api/ratings/{SLUG}").json()["count"] == 1


def test_json_post_answers_the_new_aggregate_and_second_vote_changes(env):
    c, _, _ = env()
    r = c.vote(SLUG, 5)
    assert r.status_code == 200
    assert r.json() == {"slug": SLUG, "count": 1, "average": 5.0, "score": 5, "replaced": False,
                        "histogram": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}}
    r = c.vote(SLUG, 2)  # same voter, same day: changes, does not add
    assert r.json()["count"] == 1 and r.json()["average"] == 2.0 and r.json()["replaced"] is True
    assert r.json()["histogram"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0}
    # same /24, same browser: the same voter
    assert c.vote(SLUG, 3, ip="203.0.113.99").json()["count"] == 1
    # another browser, another network: other voters
    assert c.vote(SLUG, 4, ua="Other browser").json()["count"] == 2
    assert c.vote(SLUG, 4, ip="198.51.100.7").json()["count"] == 3
    agg = c.request("GET", f"/api/ratings/{SLUG}").json()
    assert agg["histogram"] == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 0}
    assert agg["average"] == 3.7  # 11/3 = 3.666… rounded half up
    assert c.request("GET", "/api/ratings").json()["ratings"][SLUG] == agg


def test_one_vote_per_day_a_new_day_is_a_new_vote(env):
    c, clock, _ = env()
    c.vote(SLUG, 5)
    clock.t += DAY
    assert c.vote(SLUG, 1).json()["count"] == 2


def test_ipv6_prefix_is_48_bits():
    assert ip_prefix("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert ip_prefix("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert ip_prefix("203.0.113.250") == "203.0.113.0/24"
    assert ip_prefix("not an address") == "unknown" and ip_prefix(None) == "unknown"


@pytest.mark.hostile
def test_no_raw_ip_in_database_or_logs_and_old_rows_purged(env, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    c, clock, settings = env()
    for i, ip in enumerate(["203.0.113.7", "198.51.100.23", "2001:db8:abcd:12::1"]):
        assert c.vote(SLUG, 1 + i, ip=ip).status_code == 200
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("r.sqlite3*"))
    for needle in ("203.0.113", "198.51.100", "2001:db8", "Mozilla"):
        assert needle.encode() not in raw, needle
        assert needle not in caplog.text
    db = sqlite3.connect(settings.db_path)
    assert db.execute("SELECT count(*) FROM votes").fetchone()[0] == 3
    assert all(t % 3600 == 0 for row in db.execute("SELECT created, updated FROM votes") for t in row)
    clock.t += 49 * 3600
    c.vote(OTHER, 5)  # any write purges what is older than 48 h
    assert db.execute("SELECT count(*) FROM votes WHERE slug = ?", (SLUG,)).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM day_salts WHERE created < ?", (clock.t - 48 * 3600,)).fetchone()[0] == 0
    assert c.request("GET", f"/api/ratings/{SLUG}").json()["count"] == 3  # aggregates kept


@pytest.mark.parametrize("headers, status", [
    ({"Origin": None}, 200),  # not a browser: no forgery possible; the caps apply
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "http://portal.test.evil.example"}, 403),
    ({"Origin": "https://portal.test:8443"}, 403),
    ({"Origin": "null"}, 403),
    ({"Origin": "http://portal.test", "Sec-Fetch-Site": "cross-site"}, 403),
    ({"Origin": None, "Sec-Fetch-Site": "cross-site"}, 403),
    ({"Origin": None, "Sec-Fetch-Site": "same-origin"}, 200),
    ({"Origin": "http://portal.test", "Sec-Fetch-Site": "same-origin"}, 200),
])
@pytest.mark.hostile
def test_post_only_from_the_sites_own_origin(env, headers, status):
    c, _, _ = env()
    origin = headers.pop("Origin")
    r = c.vote(SLUG, 3, origin=origin, headers=headers)
    assert r.status_code == status, r.text
    if status == 403:
        one_line(r)


@pytest.mark.hostile
def test_strict_mode_refuses_requests_without_origin(env):
    c, _, _ = env(require_origin=True)
    r = c.vote(SLUG, 3, origin=None)
    assert r.status_code == 403 and "missing Origin" in r.text
    assert c.vote(SLUG, 3, origin=None, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_allowed_origins_setting(env):
    c, _, _ = env(allowed_origins=("https://antoanthongtin.laocai.gov.vn",))
    assert c.vote(SLUG, 3, origin="https://antoanthongtin.laocai.gov.vn").status_code == 200
    assert c.vote(SLUG, 3, origin="http://portal.test").status_code == 403  # the Host alone is not enough


@pytest.mark.hostile
def test_body_larger_than_1_kib_is_refused(env):
    c, _, _ = env()
    big = "score=4&pad=" + "x" * 1100
    h = {"Origin": c.origin, "Content-Type": "application/x-www-form-urlencoded"}
    r = c.request("POST", f"/api/ratings/{SLUG}", content=big, headers=h)
    assert r.status_code == 413 and "1 KiB" in one_line(r)

    async def chunks():  # no Content-Length: streamed, cut at 1 KiB
        for _ in range(4):
            yield b"score=4&" + b"x" * 400

    r = c.request("POST", f"/api/ratings/{SLUG}", content=chunks(), headers=h)
    assert r.status_code == 413
    ok = '{"score": 4' + " " * 1012 + "}"  # exactly at the cap is fine
    assert len(ok) == 1024
    h["Content-Type"] = "application/json"
    assert c.request("POST", f"/api/ratings/{SLUG}", content=ok, headers=h).status_code == 200
    assert c.request("POST", f"/api/ratings/{SLUG}", content=ok + " ", headers=h).status_code == 413


@pytest.mark.parametrize("ctype, body, status", [
    ("application/json", '{"score": 0}', 400),
    ("application/json", '{"score": 6}', 400),
    ("application/json", '{"score": 4.5}', 400),
    ("application/json", '{"score": true}', 400),
    ("application/json", '{"score": "4"}', 400),
    ("application/json", '{"score": null}', 400),
    ("application/json", "{}", 400),
    ("application/json", "[4]", 400),
    ("application/json", "{not json", 400),
    ("application/json", '{"score": 1e999}', 400),
    ("application/json", "[" * 510 + "]" * 510, 400),
    ("application/x-www-form-urlencoded", "score=abc", 400),
    ("application/x-www-form-urlencoded", "score=", 400),
    ("application/x-www-form-urlencoded", "score=%FF", 400),
    ("application/x-www-form-urlencoded", "nothing=1", 400),
    ("application/x-www-form-urlencoded", "score=-1", 400),
    ("application/x-www-form-urlencoded", "score=4&score=5", 400),
    ("application/x-www-form-urlencoded", "score=4&extra=1", 400),
    ("application/json", '{"score": 4, "extra": 1}', 400),
    ("application/x-www-form-urlencoded", "score=\u0664", 400),
    ("text/plain", "score=4", 415),
    ("multipart/form-data; boundary=x", "--x--", 415),
    ("", "score=4", 415),
])
@pytest.mark.hostile
def test_junk_gets_a_4xx_with_a_one_line_reason(env, ctype, body, status):
    c, _, _ = env()
    h = {"Origin": c.origin}
    if ctype:
        h["Content-Type"] = ctype
    r = c.request("POST", f"/api/ratings/{SLUG}", content=body.encode("utf-8"), headers=h)
    assert r.status_code == status, r.text
    one_line(r)
    assert c.request("GET", f"/api/ratings/{SLUG}").json()["count"] == 0


@pytest.mark.hostile
def test_invalid_utf8_and_unknown_routes(env):
    c, _, _ = env()
    h = {"Origin": c.origin, "Content-Type": "application/json"}
    assert c.request("POST", f"/api/ratings/{SLUG}", content=b'{"score": "\xff"}', headers=h).status_code == 400
    assert c.request("POST", "/api/ratings/khong-co", json={"score": 3}, headers=h).status_code == 404
    assert c.request("DELETE", f"/api/ratings/{SLUG}").status_code == 405
    assert c.request("GET", "/api/khong-co").status_code == 404
    r = c.request("POST", f"/api/ratings/{SLUG}", json={"score": 3},
                  headers={"Origin": c.origin, "Content-Length": "abc"})
    assert 400 <= r.status_code < 500


@pytest.mark.hostile
def test_cap_votes_per_hour_answers_429_with_retry_after(env):
    c, clock, _ = env(max_votes_per_hour=3)
    for score in (1, 2, 3):
        assert c.vote(SLUG, score).status_code == 200
    r = c.vote(OTHER, 4)
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= 3601
    one_line(r)
    assert c.vote(OTHER, 4, ip="198.51.100.1").status_code == 200  # another network is not capped
    clock.t += 3601
    assert c.vote(OTHER, 4).status_code == 200


@pytest.mark.hostile
def test_cap_distinct_voters_per_article_per_day(env):
    c, clock, _ = env(max_voters_per_article_per_day=2)
    assert c.vote(SLUG, 5, ua="A").status_code == 200
    assert c.vote(SLUG, 5, ua="B").status_code == 200
    r = c.vote(SLUG, 5, ua="C")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert c.vote(SLUG, 1, ua="A").status_code == 200  # an existing voter may still change
    assert c.vote(OTHER, 5, ua="C").status_code == 200  # another article is fine
    r = c.vote(SLUG, 5, ua="C", form=True)
    assert r.status_code == 429 and "text/plain" in r.headers["content-type"]
    r = c.vote(SLUG, 5, ua="C", form=True, headers={"Accept": "text/html,*/*"})  # a browser without JS
    assert r.status_code == 429 and "text/html" in r.headers["content-type"]
    assert "giới hạn" in r.text and f'href="/tin-tuc/{SLUG}.html#danh-gia"' in r.text


def test_manifest_is_reloaded_when_the_build_changes_it(env, tmp_path):
    c, _, settings = env()
    assert c.vote("bai-moi", 4).status_code == 404
    write_manifest(Path(settings.manifest_path), {SLUG: f"tin-tuc/{SLUG}.html", "bai-moi": "tin-tuc/bai-moi.html"},
                   siteurl="https://antoanthongtin.laocai.gov.vn")
    assert c.vote("bai-moi", 4).status_code == 200
    r = c.vote("bai-moi", 4, form=True)
    assert r.headers["location"] == "https://antoanthongtin.laocai.gov.vn/tin-tuc/bai-moi.html#danh-gia-cam-on"


def test_json_errors_for_json_clients(env):
    c, _, _ = env()
    r = c.vote(SLUG, 9)
    assert r.status_code == 400 and set(r.json()) == {"error"}


def test_settings_from_environment_are_checked():
    s = Settings.from_env({"RATINGS_DB": "/tmp/x.db", "RATINGS_ALLOWED_ORIGINS": "https://a.vn, https://b.vn/",
                           "RATINGS_MAX_VOTES_PER_HOUR": "5"})
    assert s.allowed_origins == ("https://a.vn", "https://b.vn") and s.max_votes_per_hour == 5
    for bad in ({"RATINGS_MAX_VOTES_PER_HOUR": "many"}, {"RATINGS_TIMEZONE": "Mars/Base"},
                {"RATINGS_ALLOWED_ORIGINS": "a.vn"}, {"RATINGS_SYNCHRONOUS": "OFF"},
                {"RATINGS_DATABASE_URL": "mysql://x"}, {"RATINGS_REQUIRE_ORIGIN": "maybe"}):
        with pytest.raises(ConfigError, match="RATINGS_"):
            Settings.from_env(bad)


def test_one_port_site_serves_pages_with_live_numbers(tmp_path):
    site = tmp_path / "output"
    (site / "tin-tuc").mkdir(parents=True)
    page = ('<html><head><script type="application/ld+json" id="article-jsonld">'
            '{"@type": "NewsArticle", "headline": "x"}</script></head><body>'
            '<span class="rating-average" data-rating-average>0.0</span>/5 '
            '<span class="rating-count" data-rating-count>0</span></body></html>')
    (site / "tin-tuc" / f"{SLUG}.html").write_text(page, encoding="utf-8")
    (site / "404.html").write_text("<h1>Không tìm thấy trang</h1>", encoding="utf-8")
    (site / "index.html").write_text("<h1>Trang chủ</h1>", encoding="utf-8")
    manifest = write_manifest(site / "api" / "ratings-manifest.json", [SLUG])
    settings = Settings(db_path=str(tmp_path / "r.sqlite3"), manifest_path=str(manifest), site_dir=str(site))
    c = AsgiClient(create_app(settings))
    home = c.request("GET", "/")
    assert home.status_code == 200 and "Trang chủ" in home.text
    assert "script-src 'self'" in home.headers["content-security-policy"]
    missing = c.request("GET", "/khong-co.html")
    assert missing.status_code == 404 and "Không tìm thấy trang" in missing.text
    c.vote(SLUG, 4)
    c.vote(SLUG, 5, ua="B")
    html = c.request("GET", f"/tin-tuc/{SLUG}.html").text
    assert "data-rating-average>4.5<" in html and "data-rating-count>2<" in html
    ld = json.loads(html.split('id="article-jsonld">')[1].split("</script>")[0])
    assert ld["aggregateRating"]["ratingValue"] == 4.5 and ld["aggregateRating"]["ratingCount"] == 2
    assert c.request("GET", "/api/ratings-manifest.json").status_code == 200


def test_one_port_site_serves_feeds_and_alerts_with_their_media_types(tmp_path):
    site = tmp_path / "output"
    for rel in ("cap/canh-bao/CB-2026-014.xml", "cap/index.atom.xml", "nguon-tin/tat-ca.json",
                "nguon-tin/tat-ca.opml", "nguon-tin/tat-ca.rss.xml"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text("<x/>", encoding="utf-8")
    (site / "index.html").write_text("<h1>Trang chủ</h1>", encoding="utf-8")
    manifest = write_manifest(site / "api" / "ratings-manifest.json", [SLUG])
    settings = Settings(db_path=str(tmp_path / "r.sqlite3"), manifest_path=str(manifest), site_dir=str(site))
    c = AsgiClient(create_app(settings))
    expected = {
        "cap/canh-bao/CB-2026-014.xml": "application/cap+xml",
        "cap/index.atom.xml": "application/atom+xml; charset=utf-8",
        "nguon-tin/tat-ca.json": "application/feed+json",
        "nguon-tin/tat-ca.opml": "text/x-opml; charset=utf-8",
        "nguon-tin/tat-ca.rss.xml": "application/rss+xml; charset=utf-8",
    }
    assert {rel: c.request("GET", "/" + rel).headers["content-type"] for rel in expected} == expected


@pytest.mark.hostile
def test_duplicate_json_keys_are_refused(env):
    """{"score":9,"score":5}: which value a reader believes is not defined, so neither is taken."""
    c, _, _ = env()
    r = c.request("POST", f"/api/ratings/{SLUG}", content=b'{"score":9,"score":5}',
                  headers={"Content-Type": "application/json", "Origin": c.origin})
    assert r.status_code == 400 and "duplicate key" in r.json()["error"]
    assert c.vote(SLUG, 5).status_code == 200


@pytest.mark.hostile
def test_content_length_with_transfer_encoding_is_refused_on_the_wire(tmp_path):
    """Both framings in one request (request smuggling): 400 from the real server, nothing counted."""
    import socket

    from ratings.testing import ServiceProcess

    manifest = write_manifest(tmp_path / "m.json", [SLUG])
    with ServiceProcess(tmp_path / "r.sqlite3", manifest) as svc:
        body = b"score=5"
        head = (f"POST /api/ratings/{SLUG} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1:{svc.port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        request = head.encode() + b"7\r\n" + body + b"\r\n0\r\n\r\n"
        with socket.create_connection(("127.0.0.1", svc.port), timeout=10) as s:
            s.sendall(request)
            answer = b""
            while chunk := s.recv(4096):
                answer += chunk
        assert answer.split(b"\r\n", 1)[0].split()[1] == b"400", answer[:200]
        import urllib.request

        with urllib.request.urlopen(f"{svc.url}/api/ratings/{SLUG}", timeout=10) as r:
            assert json.loads(r.read())["count"] == 0
        # without "Connection: close" from the client, the server closes it itself: a request smuggled
        # after the refused one is never answered (RFC 9112 6.1)
        smuggled = head.replace("Connection: close\r\n", "").encode() + b"0\r\n\r\n" + (
            f"GET /api/ratings/{SLUG} HTTP/1.1\r\nHost: x\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", svc.port), timeout=10) as s:
            s.sendall(smuggled)
            answer = b""
            while chunk := s.recv(4096):
                answer += chunk
        assert answer.count(b"HTTP/1.1 ") == 1 and b" 400 " in answer.split(b"\r\n", 1)[0], answer[:300]
        assert b"connection: close" in answer.lower()


# ---- X-Forwarded-For: believed only from a configured proxy, and only its own hop --------------
def _statuses(c: AsgiClient, n: int, xff=None, ip: str | None = None) -> list[int]:
    """n votes from one client, each from "another browser" (the per-article cap applies too)."""
    out = []
    for i in range(n):
        headers = {"X-Forwarded-For": xff(i)} if xff else {}
        out.append(c.vote(SLUG if i % 2 else OTHER, 1 + i % 5, ip=ip, ua=f"browser {i}", headers=headers).status_code)
    return out


@pytest.mark.hostile
def test_rotating_x_forwarded_for_is_capped_exactly_like_none_by_default(env, tmp_path):
    assert Settings().trusted_proxies == () and Settings.from_env({}).trusted_proxies == ()
    caps = {"max_votes_per_hour": 7, "max_voters_per_article_per_day": 3}
    plain, _, _ = env(**caps)
    expected = _statuses(plain, 12)
    assert expected.count(200) == 6 and set(expected) == {200, 429}  # 3 voters on each article, then capped
    (tmp_path / "r.sqlite3").unlink()
    for f in tmp_path.glob("r.sqlite3-*"):
        f.unlink()
    rotating, _, _ = env(**caps)
    assert _statuses(rotating, 12, xff=lambda i: f"10.{i}.{i * 7 % 250}.{i + 1}") == expected
    loopback, _, _ = env(max_votes_per_hour=5)  # a local client, where the old default trusted loopback
    got = _statuses(loopback, 8, xff=lambda i: f"198.51.{i}.1, 203.0.{i}.9", ip="127.0.0.1")
    assert got.count(200) <= 5 and got[-1] == 429


@pytest.mark.hostile
def test_with_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client(env):
    c, _, _ = env(trusted_proxies=("127.0.0.1", "10.0.0.0/8"), max_votes_per_hour=3)
    # a forged leftmost value changes nothing: the proxy's own hop (the rightmost) is the client
    got = [c.vote(SLUG, 3, ip="127.0.0.1", ua=f"b{i}", headers={"X-Forwarded-For": f"1.2.{i}.3, 198.51.100.7"})
           .status_code for i in range(5)]
    assert got == [200, 200, 200, 429, 429]
    # the same client seen directly (not through the proxy) is the same network: capped as well
    assert c.vote(OTHER, 3, ip="198.51.100.9").status_code == 429
    # a chain of trusted proxies is walked from the right: 10.x is ours, 192.0.2.4 is the client
    assert c.vote(OTHER, 3, ip="127.0.0.1", headers={"X-Forwarded-For": "198.51.100.7, 192.0.2.4, 10.1.2.3"}
                  ).status_code == 200
    # a peer that is not a trusted proxy: its X-Forwarded-For is not read at all
    assert c.vote(OTHER, 3, ip="203.0.113.5", headers={"X-Forwarded-For": "192.0.2.99"}).status_code == 200
    for i in range(3):
        c.vote(SLUG, 2, ip="203.0.113.5", ua=f"c{i}", headers={"X-Forwarded-For": f"192.0.{i + 10}.1"})
    assert c.vote(SLUG, 2, ip="203.0.113.200", ua="d").status_code == 429  # all counted on 203.0.113.0/24


@pytest.mark.parametrize("trusted", [(), ("127.0.0.1",)])
@pytest.mark.parametrize("value", [
    "", ",", " , ,", "unknown", "not an address", "999.1.1.1", "203.0.113.7, junk", "junk, 203.0.113.7",
    "[2001:db8::1]:443", "[2001:db8::1", "203.0.113.7:99999", "::ffff:999.1.1.1", "fe80::1%eth0", "1" * 4000,
    ", ".join(["10.0.0.1"] * 500), "\u00e9\u00e8", "203.0.113.7\t", '"[::1]"', "%00",
])
@pytest.mark.hostile
def test_junk_x_forwarded_for_never_fails(env, trusted, value):
    c, _, _ = env(trusted_proxies=trusted)
    r = c.vote(SLUG, 4, ip="127.0.0.1", headers={"X-Forwarded-For": value.encode("utf-8")})
    assert r.status_code == 200, r.text
    two = [("Content-Type", "application/json"), ("Origin", c.origin), ("X-Forwarded-For", value.encode()),
           ("X-Forwarded-For", "192.0.2.1")]
    r = c.request("POST", f"/api/ratings/{SLUG}", ip="127.0.0.1", content=b'{"score": 4}', headers=two)
    assert r.status_code == 200, r.text


@pytest.mark.hostile
@pytest.mark.parametrize("value", ["localhost", "10.0.0.0/33", "10.0.0.1/8/1", "2001:db8::/129", "*"])
def test_malformed_trusted_proxies_are_refused_with_the_fix(value):
    with pytest.raises(ConfigError, match=r"RATINGS_TRUSTED_PROXIES entry .* e\.g\. RATINGS_TRUSTED_PROXIES="):
        Settings.from_env({"RATINGS_TRUSTED_PROXIES": f"127.0.0.1, {value}"})
    s = Settings.from_env({"RATINGS_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8 ,::1,, 192.168.1.7/24"})
    assert s.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128", "192.168.1.0/24")


@pytest.mark.hostile
def test_on_the_wire_uvicorn_does_not_believe_x_forwarded_for_by_default(tmp_path):
    """The real server: the old default believed loopback, so any local client chose its own address."""
    import http.client

    from ratings.testing import ServiceProcess

    manifest = write_manifest(tmp_path / "m.json", [SLUG])
    with ServiceProcess(tmp_path / "r.sqlite3", manifest, RATINGS_MAX_VOTES_PER_HOUR="4") as svc:
        conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10)
        statuses = []
        for i in range(10):
            conn.request("POST", f"/api/ratings/{SLUG}", body=json.dumps({"score": 5}), headers={
                "Content-Type": "application/json", "User-Agent": f"b{i}", "X-Forwarded-For": f"10.{i}.0.1"})
            resp = conn.getresponse()
            resp.read()
            statuses.append(resp.status)
        assert statuses == [200] * 4 + [429] * 6
        assert "ratings-secret (RATINGS_SECRET_FILE)" in svc.log() and "X-Forwarded-For is believed" not in svc.log()
    with ServiceProcess(tmp_path / "r2.sqlite3", manifest, RATINGS_MAX_VOTES_PER_HOUR="4",
                        RATINGS_TRUSTED_PROXIES="127.0.0.1") as svc:
        conn = http.client.HTTPConnection("127.0.0.1", svc.port, timeout=10)
        statuses = []
        for i in range(10):  # behind a trusted proxy: one client per forwarded /24, forged left parts ignored
            conn.request("POST", f"/api/ratings/{SLUG}", body=json.dumps({"score": 5}), headers={
                "Content-Type": "application/json", "User-Agent": f"b{i}",
                "X-Forwarded-For": f"192.0.2.{i}, 10.{i % 2}.0.1"})
            resp = conn.getresponse()
            resp.read()
            statuses.append(resp.status)
        assert statuses == [200] * 8 + [429] * 2
        assert "X-Forwarded-For is believed from 127.0.0.1/32 (RATINGS_TRUSTED_PROXIES)" in svc.log()
