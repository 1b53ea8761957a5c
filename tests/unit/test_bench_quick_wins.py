"""The speed-ups the benchmark measured change no byte: feed entries reused across feeds, search text folded
with a table (docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import DRILL, WARNING, view_of
from unidecode import unidecode

from portal import model
from portal.bench.corpus import bench_articles
from portal.feeds import catalogue, writer
from portal.feeds.catalogue import ATOM, RSS
from portal.feeds.items import build_item
from portal.search import _FOLD_BLOCKS, fold

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"SITENAME": "Cổng", "SITE_SHORTNAME": "Cổng", "PORTAL_SITEURL_ABSOLUTE": "https://example.vn",
            "TAG_URL": "the/{slug}/", "CATEGORY_URL": "{slug}/", "PLUGINS": ["articles", "feeds", "cap_alerts"],
            "SITE_CONTACT": {"email": "a@example.vn"}, "SITE_OWNER": "Sở <TT&TT>"}
BASE = "https://example.vn"


def _feedgen_bytes(settings: dict, feed, fmt: str, items) -> bytes:
    """What feedgen writes for the whole feed, entry by entry (the way before the reuse)."""
    fg = writer.feed_generator(settings, feed, fmt, items)
    return fg.rss_str(pretty=True) if fmt == RSS else fg.atom_str(pretty=True)


@pytest.mark.parametrize("hub", [None, "https://hub.example/"])
def test_feeds_built_from_reused_entries_are_feedgens_bytes(hub):
    settings = {**SETTINGS, "WEBSUB_HUB": hub}
    views = [view_of(WARNING, model.WARNING), view_of(DRILL, model.DRILL, body_html="<p>a<br>b</p><pre>  x\n</pre>")]
    cat = catalogue.build_catalogue(settings, views)
    items = [build_item(settings, BASE, v, cap_url=f"{BASE}/cap/{v.slug}.xml") for v in views]
    for feed in cat.feeds:
        chosen = [i for i in items if feed.select(i.view)]
        for fmt in (RSS, ATOM):
            if fmt in feed.formats:
                render = writer.render_rss if fmt == RSS else writer.render_atom
                expected = _feedgen_bytes(settings, feed, fmt, chosen)
                assert render(settings, feed, chosen) == expected, (feed.key, fmt)
    for i in items:  # one entry per format and kind of feed (whole text, or summary: tags), made once, reused
        assert len(i.serialised) == 2 * len({f.full_content for f in cat.feeds if f.select(i.view)})
    assert any(len(i.serialised) == 4 for i in items)


def test_an_entry_is_serialised_once_per_format(monkeypatch):
    views = [view_of(WARNING, model.WARNING), view_of(DRILL, model.DRILL)]
    cat = catalogue.build_catalogue(SETTINGS, views)
    items = [build_item(SETTINGS, BASE, v) for v in views]
    made = []
    original = writer.add_entry
    monkeypatch.setattr(writer, "add_entry", lambda fg, fmt, item, full=True: made.append((fmt, full, item.id)) or
                        original(fg, fmt, item, full))
    for feed in cat.feeds:
        chosen = [i for i in items if feed.select(i.view)]
        for fmt in feed.formats:
            if fmt in (RSS, ATOM):
                writer._render(SETTINGS, feed, fmt, chosen)
    # once per format and kind of feed (whole text; summary: a tag's)
    assert sorted(made) == sorted({(fmt, f.full_content, i.id) for f in cat.feeds for i in items if f.select(i.view)
                                   for fmt in (RSS, ATOM)})


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for folder in ("content", "tests/data")
             for p in (ROOT / folder).rglob("*.md")]
    texts += [f"{a.title} {a.summary} {a.byline} {' '.join(a.tags)} {a.body}" for a in bench_articles(30)]
    return texts


def test_folding_with_the_table_is_unidecode_on_the_sample_and_the_corpus():
    texts = _texts()
    assert len(texts) > 30
    assert [fold(t) for t in texts] == [unidecode(t) for t in texts]


def test_folding_with_the_table_is_unidecode_for_every_character_it_holds_and_others():
    for low, high in _FOLD_BLOCKS:
        chars = "".join(chr(c) for c in range(low, high))
        assert fold(chars) == unidecode(chars)
    for text in ("Đồng Văn", "diễn tập", "Nguyễn Thị Ánh", "a\u0301", "“Bảo mật” – 2026…", "Привет, Đà Lạt",
                 "東京 và Hà Nội", "\U0001F600 ok", "\u00a0\u200b"):
        assert fold(text) == unidecode(text), text
    assert fold("Đồng") == "Dong" and fold("diễn tập") == "dien tap"
