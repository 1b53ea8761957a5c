"""WebSub as a subscriber and a hub see it: with WEBSUB_HUB set, every feed names the
hub and itself; without it, nothing changes; after a release, the hub (on loopback,
tests/websub_hub.py) is told exactly the feeds whose bytes changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from lxml import etree
from support import BASE, NOW, build, feed_files
from websub_hub import RecordingHub

from portal.websub import changed_feeds, ping

ATOM = "http://www.w3.org/2005/Atom"
A = {"a": ATOM}


def json_feeds(output: Path) -> list[Path]:
    return sorted(output.glob("nguon-tin/**/*.json"))


def all_feeds(output: Path) -> list[Path]:
    """The feeds that name a hub: RSS, Atom, JSON Feed and the CAP index."""
    return sorted([*feed_files(output), *json_feeds(output)])


def topics(output: Path) -> list[Path]:
    """Every feed a hub is told about: those above and the CSAF provider's ROLIE feeds."""
    return sorted([*all_feeds(output), *output.glob(".well-known/csaf/**/*feed*.json")],
                  key=lambda p: p.relative_to(output).as_posix())


def url_of(output: Path, path: Path) -> str:
    return f"{BASE}/{path.relative_to(output).as_posix()}"


def hub_and_self(output: Path, path: Path) -> tuple[list[str], list[str]]:
    """The hub and self links a subscriber's software finds in a feed."""
    if path.suffix == ".json":
        feed = json.loads(path.read_text(encoding="utf-8"))
        return [h["url"] for h in feed.get("hubs", []) if h.get("type") == "WebSub"], [feed["feed_url"]]
    root = etree.parse(str(path)).getroot()
    links = root.findall("a:link", A) if root.tag == f"{{{ATOM}}}feed" else root.findall("channel/a:link", A)
    return ([x.get("href") for x in links if x.get("rel") == "hub"],
            [x.get("href") for x in links if x.get("rel") == "self"])


def revise_chrome_warning(content: Path) -> None:
    """Staff publish a revision of CB-2026-020 (thấp, no tag): a few feeds change, most do not."""
    md = content / "canh-bao" / "cb-2026-020.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("Expires: 2026-12-25 23:59\n", "Expires: 2026-12-25 23:59\n"
                               "Revisions: 2026-11-26 08:00 | Bổ sung phiên bản Chrome bị ảnh hưởng\n"),
                  encoding="utf-8")


@pytest.fixture(scope="module")
def hub():
    with RecordingHub() as running:
        yield running


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build(tmp_path_factory, "feeds-base")


@pytest.fixture(scope="module")
def hub_site(tmp_path_factory, hub):
    return build(tmp_path_factory, "websub-hub", extra_settings={"WEBSUB_HUB": hub.url})


@pytest.fixture(scope="module")
def hub_site_revised(tmp_path_factory, hub):
    return build(tmp_path_factory, "websub-hub-revised", mutate=revise_chrome_warning,
                 extra_settings={"WEBSUB_HUB": hub.url})


# ---- discovery ----------------------------------------------------------------------------
def test_with_a_hub_every_feed_names_the_hub_and_itself(hub_site, hub):
    feeds = all_feeds(hub_site.output)
    names = {p.relative_to(hub_site.output).as_posix() for p in feeds}
    assert {"cap/index.atom.xml", "nguon-tin/tat-ca.rss.xml", "nguon-tin/tat-ca.atom.xml",
            "nguon-tin/tat-ca.json", "nguon-tin/canh-bao.json"} <= names
    for path in feeds:
        hubs, selves = hub_and_self(hub_site.output, path)
        assert hubs == [hub.url], path
        assert selves == [url_of(hub_site.output, path)], path


def test_without_a_hub_no_feed_names_one(site):
    for path in all_feeds(site.output):
        hubs, selves = hub_and_self(site.output, path)
        assert hubs == [], path
        assert selves == [url_of(site.output, path)], path  # the topic is always there
        assert b'rel="hub"' not in path.read_bytes() and b'"hubs"' not in path.read_bytes(), path


def test_the_hub_adds_its_link_and_nothing_else(site, hub_site, hub):
    """Without the hub the feeds are byte for byte what they are with it, less the hub."""
    for path in all_feeds(hub_site.output):
        rel = path.relative_to(hub_site.output)
        without = (site.output / rel).read_bytes()
        if path.suffix == ".json":
            feed = json.loads(path.read_bytes())
            assert feed.pop("hubs") == [{"type": "WebSub", "url": hub.url}]
            assert feed == json.loads(without), rel
        else:
            lines = path.read_bytes().splitlines(keepends=True)
            kept = [line for line in lines if f'href="{hub.url}" rel="hub"'.encode() not in line]
            assert len(lines) - len(kept) == 1, rel
            assert b"".join(kept) == without, rel


def test_a_bad_hub_setting_stops_the_build_with_the_fix(tmp_path_factory):
    built = build(tmp_path_factory, "websub-bad-hub", extra_settings={"WEBSUB_HUB": "hub.example"},
                  expect_ok=False)
    said = built.stdout + built.stderr
    assert built.returncode != 0
    assert "WEBSUB_HUB = 'hub.example'" in said and "https://hub.example/" in said, said
    assert "Traceback" not in said


# ---- notification -------------------------------------------------------------------------
def test_the_hub_is_told_exactly_the_feeds_that_changed(hub_site, hub_site_revised, hub):
    old, new = hub_site.output, hub_site_revised.output
    changed = changed_feeds(old, new, BASE)
    differ = [url_of(new, p) for p in topics(new) if (old / p.relative_to(new)).read_bytes() != p.read_bytes()]
    assert changed == differ
    assert {f"{BASE}/nguon-tin/canh-bao.atom.xml", f"{BASE}/nguon-tin/canh-bao.rss.xml",
            f"{BASE}/nguon-tin/canh-bao.json", f"{BASE}/nguon-tin/canh-bao-muc-thap-tro-len.atom.xml",
            f"{BASE}/nguon-tin/tat-ca.atom.xml", f"{BASE}/cap/index.atom.xml"} <= set(changed)
    assert f"{BASE}/nguon-tin/tin-tuc.atom.xml" not in changed
    assert f"{BASE}/nguon-tin/canh-bao-muc-cao-tro-len.atom.xml" not in changed

    discovered, _ = hub_and_self(new, new / "nguon-tin" / "tat-ca.atom.xml")  # where subscribers subscribe
    before = len(hub.received)
    assert ping(discovered[0], changed, backoff=0.01) == []
    sent = hub.received[before:]
    assert [n.topic for n in sent] == changed
    assert all(n.fields["hub.mode"] == ["publish"] for n in sent)


def test_a_rebuild_that_changes_nothing_tells_the_hub_nothing(site, tmp_path_factory):
    later = build(tmp_path_factory, "feeds-later", now="2026-11-26T10:00:00+07:00")
    assert changed_feeds(site.output, later.output, BASE) == []


def test_the_first_release_tells_the_hub_every_feed(site):
    every = [url_of(site.output, p) for p in topics(site.output)]
    assert changed_feeds(None, site.output, BASE) == every
    assert f"{BASE}/nguon-tin/tat-ca.json" in every and f"{BASE}/cap/index.atom.xml" in every


# ---- portal publish tells the hub ----------------------------------------------------------------------
def _publish(base: Path, content: Path, hub: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_NOW": NOW, "RATINGS_API_URL": "", "PORTAL_WEBSUB_HUB": hub,
           "PORTAL_SITEURL": "https://antoanthongtin.laocai.gov.vn"}
    return subprocess.run([sys.executable, "-m", "portal", "publish", "--base", str(base), "--content", str(content)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_publish_tells_the_hub_of_the_feeds_that_changed_and_never_fails_for_it(fixture_content, tmp_path):
    base = tmp_path / "www"
    with RecordingHub() as hub:
        first = _publish(base, fixture_content, hub.url)
        assert first.returncode == 0, first.stderr
        every = set(hub.topics)
        assert "https://antoanthongtin.laocai.gov.vn/nguon-tin/tat-ca.atom.xml" in every
        assert "https://antoanthongtin.laocai.gov.vn/cap/index.atom.xml" in every
        feed = etree.parse(str(base / "current" / "nguon-tin" / "tat-ca.atom.xml"))
        assert feed.xpath("//*[local-name()='link'][@rel='hub']/@href") == [hub.url]
        before = len(hub.received)
        again = _publish(base, fixture_content, hub.url)  # nothing changed
        assert again.returncode == 0 and len(hub.received) == before
        assert "không nguồn tin nào thay đổi" in again.stdout
    down = _publish(base, fixture_content.parent / "khong-co", hub.url)  # content missing: refused, no ping
    assert down.returncode != 0
    path = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Nội dung tin.", "Nội dung tin, đã sửa."),
                    encoding="utf-8")
    dead = _publish(base, fixture_content, hub.url)  # the hub is gone now: the publish still stands
    assert dead.returncode == 0, dead.stderr
    assert "CẢNH BÁO: WebSub: hub" in dead.stdout and "Trang vẫn được xuất bản bình thường" in dead.stdout
    assert (base / "current").resolve().name == sorted((base / "releases").iterdir())[-1].name
