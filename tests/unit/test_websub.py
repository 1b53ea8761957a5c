"""portal.websub: which feeds a release changed, and the notification a hub receives,
against a hub on loopback (tests/websub_hub.py) that records what it is sent."""

from __future__ import annotations

import time
from pathlib import Path

from websub_hub import RecordingHub, SilentHub, closed_port_url

from portal.websub import changed_feeds, hub_problem, hub_url, ping

SITE = "https://antoanthongtin.laocai.gov.vn"
A = f"{SITE}/nguon-tin/canh-bao.atom.xml"
B = f"{SITE}/nguon-tin/canh-bao.rss.xml"
C = f"{SITE}/nguon-tin/canh-bao.json"
QUICK = {"backoff": 0.01, "timeout": 2.0}


# ---- the notification ----------------------------------------------------------------------
def test_each_topic_is_posted_once_as_a_form_that_every_kind_of_hub_reads():
    with RecordingHub() as hub:
        assert ping(hub.url, [A, B, A], **QUICK) == []
    assert hub.topics == [A, B]
    for note in hub.received:
        assert note.content_type == "application/x-www-form-urlencoded"
        assert note.fields["hub.mode"] == ["publish"]
        assert note.fields["hub.url"] == [note.topic]  # Google's hub, Superfeedr (PubSubHubbub 0.4)
        assert note.fields["hub.topic"] == [note.topic]  # WebSubHub and newer hubs
        assert note.path == "/"


def test_a_hub_that_answers_500_then_204_is_asked_again():
    with RecordingHub([500, 204]) as hub:
        assert ping(hub.url, [A], **QUICK) == []
    assert hub.topics == [A, A]


def test_backoff_grows_between_attempts():
    with RecordingHub([503, 503, 204]) as hub:
        started = time.monotonic()
        assert ping(hub.url, [A], attempts=3, backoff=0.1) == []
        assert time.monotonic() - started >= 0.3  # 0.1 then 0.2 seconds
    assert hub.topics == [A, A, A]


def test_a_hub_that_keeps_failing_is_reported_after_every_attempt():
    with RecordingHub([503, 503, 503]) as hub:
        problems = ping(hub.url, [A, B], attempts=3, **QUICK)
    assert hub.topics == [A, A, A, B]  # B went through (204) after A's three tries
    assert len(problems) == 1
    assert "HTTP 503" in problems[0] and "sau 3 lần thử" in problems[0] and A in problems[0]
    assert B not in problems[0]
    assert "WEBSUB_HUB" in problems[0]  # the fix, for the operator


def test_a_refusal_is_final_and_not_asked_again():
    with RecordingHub([400]) as hub:
        problems = ping(hub.url, [A], **QUICK)
    assert hub.topics == [A]
    assert len(problems) == 1 and "HTTP 400" in problems[0] and "không thử lại" in problems[0]


def test_what_did_not_reach_the_hub_is_said_in_english_when_asked():
    with RecordingHub([503, 503, 400]) as hub:
        problems = ping(hub.url, [A, B], attempts=2, lang="en", **QUICK)
    assert len(problems) == 2, problems
    assert "the hub answered HTTP 503 (after 2 attempts)" in problems[0] and A in problems[0]
    assert "the hub answered HTTP 400 (not tried again)" in problems[1] and B in problems[1]
    down = closed_port_url()
    problems += ping(down, [C], lang="en", **QUICK) + ping("ftp://hub", [C], lang="en")
    assert "the hub could not be reached" in problems[2] and "not told of 1 feeds" in problems[2]
    assert "WEBSUB_HUB" in problems[2] and "changed feeds were not told to the hub" in problems[3]
    for said in problems:
        assert not any(word in said for word in ("chưa", "lần thử", "không thử lại", "Trang vẫn")), said


def test_a_hub_that_is_down_is_reported_not_raised():
    down = closed_port_url()
    problems = ping(down, [A, B, C], attempts=2, **QUICK)
    assert len(problems) == 1
    message = problems[0]
    assert "không kết nối được tới hub" in message and down in message
    assert all(topic in message for topic in (A, B, C)) and "3 nguồn tin" in message


def test_a_hub_that_never_answers_times_out_and_is_reported():
    with SilentHub() as hub:
        started = time.monotonic()
        problems = ping(hub.url, [A, B], attempts=2, timeout=0.3, backoff=0.01)
        took = time.monotonic() - started
    assert len(problems) == 1 and "không trả lời trong 0.3 giây" in problems[0]
    assert A in problems[0] and B in problems[0]
    assert took < 3  # B is not waited for again once the hub is known to be unreachable


def test_nothing_is_sent_without_a_usable_hub_or_without_topics():
    assert ping("https://hub.example/", []) == []
    for hub in ("", "hub.example", "ftp://hub.example/"):
        problems = ping(hub, [A])
        assert len(problems) == 1 and "chưa báo cho hub 1 nguồn tin" in problems[0], hub


# ---- the setting ---------------------------------------------------------------------------
def test_the_hub_setting():
    assert hub_url({}) is None and hub_url({"WEBSUB_HUB": None}) is None and hub_url({"WEBSUB_HUB": " "}) is None
    assert hub_url({"WEBSUB_HUB": "https://hub.example/"}) == "https://hub.example/"
    assert hub_problem(None) is None and hub_problem("") is None
    assert hub_problem("https://hub.example/") is None and hub_problem("http://127.0.0.1:8080/hub") is None
    for bad in ("hub.example", "ftp://hub.example/", "https://", "https://hub.example/ a", 5):
        vi, en = hub_problem(bad)
        assert "WEBSUB_HUB" in vi and "https://hub.example/" in vi and "địa chỉ hub" in vi, bad
        assert "WEBSUB_HUB" in en and "https://hub.example/" in en and "absolute" in en, bad


# ---- which feeds changed -------------------------------------------------------------------
def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


OLD = {
    "index.html": "old",
    "nguon-tin/canh-bao.rss.xml": "same",
    "nguon-tin/canh-bao.atom.xml": "old",
    "nguon-tin/the/lo-hong.rss.xml": "old",
    "nguon-tin/tat-ca.opml": "old",
    "cap/index.atom.xml": "old",
    "cap/canh-bao/CB-2026-014.xml": "old",
    "nguon-tin/bo-di.atom.xml": "a feed the new release no longer has",
}
NEW = {
    "index.html": "new",  # a page, not a feed
    "nguon-tin/canh-bao.rss.xml": "same",
    "nguon-tin/canh-bao.atom.xml": "new",
    "nguon-tin/canh-bao.json": "new feed",
    "nguon-tin/the/lo-hong.rss.xml": "new",
    "nguon-tin/tat-ca.opml": "new",  # the list of feeds is no feed
    "cap/index.atom.xml": "new",
    "cap/canh-bao/CB-2026-014.xml": "new",  # a CAP alert, not a feed
    ".well-known/csaf/provider-metadata.json": "new",  # not a feed
    ".well-known/csaf/white/csaf-feed-tlp-white.json": "new",  # a ROLIE feed
}


def test_changed_feeds_are_the_new_and_the_different(tmp_path):
    old, new = _tree(tmp_path / "old", OLD), _tree(tmp_path / "new", NEW)
    assert changed_feeds(old, new, SITE + "/") == [
        f"{SITE}/.well-known/csaf/white/csaf-feed-tlp-white.json",
        f"{SITE}/cap/index.atom.xml",
        f"{SITE}/nguon-tin/canh-bao.atom.xml",
        f"{SITE}/nguon-tin/canh-bao.json",
        f"{SITE}/nguon-tin/the/lo-hong.rss.xml",
    ]
    assert changed_feeds(new, new, SITE) == []


def test_the_first_release_changes_every_feed(tmp_path):
    new = _tree(tmp_path / "new", NEW)
    assert changed_feeds(None, new, SITE) == [
        f"{SITE}/.well-known/csaf/white/csaf-feed-tlp-white.json",
        f"{SITE}/cap/index.atom.xml",
        f"{SITE}/nguon-tin/canh-bao.atom.xml",
        f"{SITE}/nguon-tin/canh-bao.json",
        f"{SITE}/nguon-tin/canh-bao.rss.xml",
        f"{SITE}/nguon-tin/the/lo-hong.rss.xml",
    ]


def test_feed_folders_follow_the_settings(tmp_path):
    new = _tree(tmp_path / "new", {"feeds/all.atom.xml": "x", "alerts/index.atom.xml": "x",
                                   "nguon-tin/canh-bao.atom.xml": "x"})
    settings = {"FEEDS_PATH": "feeds", "CAP_PATH": "alerts"}
    assert changed_feeds(None, new, SITE, settings) == [f"{SITE}/alerts/index.atom.xml", f"{SITE}/feeds/all.atom.xml"]
