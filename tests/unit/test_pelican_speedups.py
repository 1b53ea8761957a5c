"""portal.pelican_speedups: each linear replacement gives what Pelican's own code gives."""

from __future__ import annotations

import datetime as dt
import random

import pelican
import pytest
from pelican import generators
from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Author, Category, Tag

from portal import pelican_speedups

pytestmark = pytest.mark.skipif(not pelican.__version__.startswith(pelican_speedups.VERSIONS),
                                reason="the speedups apply to the Pelican versions they were checked on")

pelican_speedups.apply()
ORIGINALS = pelican_speedups.ORIGINALS  # Pelican's own code, kept when the replacements went in


def articles(count: int, seed: int = 1) -> list[Article]:
    rng = random.Random(seed)
    settings = dict(DEFAULT_CONFIG)
    tags = [Tag(f"the {i}", settings) for i in range(5)]
    cats = [Category(f"muc {i}", settings) for i in range(3)]
    authors = [Author(f"tac gia {i}", settings) for i in range(2)]
    made = []
    for i in range(count):
        slug = f"bai-{i % (count - 3)}"  # a few slugs shared: translations
        meta = {"title": f"Bài {i}", "slug": slug, "lang": "en" if i >= count - 3 else "vi",
                "date": dt.datetime(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 900)),
                "tags": rng.sample(tags, 2), "category": rng.choice(cats), "authors": [rng.choice(authors)]}
        made.append(Article("nội dung", metadata=meta, settings={**settings, "DEFAULT_LANG": "vi"},
                            source_path=f"/c/{i}.md", context={}))
    return made


def test_process_translations_is_the_same():
    one, two = articles(60), None
    two = list(one)
    assert ORIGINALS["process_translations"] is not generators.process_translations
    want = ORIGINALS["process_translations"](one, translation_id="slug")
    got = pelican_speedups.process_translations(two, translation_id="slug")
    assert [list(map(id, x)) for x in got] == [list(map(id, x)) for x in want]
    assert got[1]  # there were translations to find


class _Gen:
    """The attributes the replaced ArticlesGenerator methods read."""

    def __init__(self, items):
        self.articles = items
        self.dates = sorted(items, key=lambda a: a.date, reverse=True)
        self.tags, self.categories, self.authors = {}, {}, {}
        for a in items:
            for t in a.tags:
                self.tags.setdefault(t, []).append(a)
            self.categories.setdefault(a.category, []).append(a)
            for au in a.authors:
                self.authors.setdefault(au, []).append(a)
        self.categories, self.authors = sorted(self.categories.items()), sorted(self.authors.items())
        self.context = {}

    def get_template(self, name):
        return name


def calls(method, gen) -> list[tuple]:
    seen = []

    def write(name, template, context, **kwargs):
        seen.append((name, template, {k: (list(map(id, v)) if isinstance(v, list) else v) for k, v in kwargs.items()}))

    method(gen, write)
    return seen


@pytest.mark.parametrize("name", ["generate_tags", "generate_categories", "generate_authors"])
def test_group_pages_are_written_with_the_same_arguments(name):
    gen = _Gen(articles(80))
    original = ORIGINALS[name]
    assert original is not getattr(pelican_speedups, name)
    assert calls(original, gen) == calls(getattr(pelican_speedups, name), gen)


def test_period_archives_are_the_same():
    items = articles(120)
    dates = sorted(items, key=lambda a: a.date)
    settings = dict(DEFAULT_CONFIG, YEAR_ARCHIVE_SAVE_AS="{date:%Y}/index.html",
                    MONTH_ARCHIVE_SAVE_AS="{date:%Y}/{date:%m}/index.html", DAY_ARCHIVE_SAVE_AS="")
    original = ORIGINALS["_build_period_archives"]
    want = original(None, dates, items, settings)
    got = pelican_speedups._build_period_archives(None, dates, items, settings)
    assert set(want) == set(got)
    for key in want:
        assert [(a["save_as"], a["url"], a["period"], list(map(id, a["dates"])), list(map(id, a["articles"])))
                for a in want[key]] == [(a["save_as"], a["url"], a["period"], list(map(id, a["dates"])),
                                         list(map(id, a["articles"]))) for a in got[key]]


def test_page_addresses_are_the_same_and_remembered():
    from pelican.contents import Content

    original = ORIGINALS["_expand_settings"]
    for a in articles(20):
        for key in ("url", "save_as"):
            assert Content._expand_settings(a, key) == original(a, key)
        assert a.__dict__["_portal_urls"]  # computed once
        a.slug = a.slug + "-moi"  # a changed slug is a new address, never a stale one
        assert Content._expand_settings(a, "url") == original(a, "url")
        assert "-moi" in a.url


def test_a_pattern_with_other_fields_is_never_remembered():
    from pelican.contents import Content

    a = articles(5)[0]
    a.settings = {**a.settings, "ARTICLE_URL": "{title}/{slug}.html"}
    assert Content._expand_settings(a, "url") == ORIGINALS["_expand_settings"](a, "url")
    assert not any(k[0] == "{title}/{slug}.html" for k in a.__dict__.get("_portal_urls", {}))


def test_file_stamps_are_read_only_where_something_is_cached(tmp_path, monkeypatch):
    """With Pelican's content cache off nothing is stat'ed; with it on, a changed file's cached data
    is refused as Pelican's own code refuses it."""
    from pelican.cache import FileStampDataCacher

    source = tmp_path / "a.md"
    source.write_text("x", encoding="utf-8")
    settings = {**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path / "cache"), "CHECK_MODIFIED_METHOD": "mtime"}
    stamps = []
    off = FileStampDataCacher(settings, "off", caching_policy=False, load_policy=False)
    monkeypatch.setattr(off, "_filestamp_func", lambda f: stamps.append(f) or 1.0)
    off.cache_data(str(source), "data")
    assert off.get_cached_data(str(source), "none") == "none" and stamps == []
    on = FileStampDataCacher(settings, "on", caching_policy=True, load_policy=False)
    on.cache_data(str(source), "data")
    assert on.get_cached_data(str(source), "none") == "data"
    import os

    os.utime(source, (1, 1))  # another stamp: the cached data is stale
    assert on.get_cached_data(str(source), "none") == "none"
    assert ORIGINALS["get_cached_data"](on, str(source), "none") == "none"


@pytest.mark.parametrize("path", ["/c", "/c/", "c", "/x/../c", "/"])
def test_relative_source_paths_are_the_same(path, tmp_path, monkeypatch):
    from pelican.contents import Content

    monkeypatch.chdir(tmp_path)
    for a in articles(6):
        a.settings = {**a.settings, "PATH": path}
        for source in (None, a.source_path, "tin-tuc/bai.md", "../ngoai.md", f"{tmp_path}/c/x.md", "c/y.md"):
            assert Content.get_relative_source_path(a, source) == ORIGINALS["get_relative_source_path"](a, source)
    monkeypatch.chdir("/")  # a relative folder is read from the working folder: never remembered across it
    a.settings = {**a.settings, "PATH": "c"}
    assert Content.get_relative_source_path(a, "c/y.md") == ORIGINALS["get_relative_source_path"](a, "c/y.md")


def test_picking_in_order_is_pelicans_membership_scan_even_with_repeats_and_strangers():
    rng = random.Random(5)
    pool = [object() for _ in range(30)]
    for _ in range(300):
        items = [rng.choice(pool) for _ in range(rng.randrange(0, 40))]  # repeats, as a list may hold them
        wanted = [rng.choice(pool) for _ in range(rng.randrange(0, 15))]  # some not in items, some twice
        want = [x for x in items if x in wanted]  # Pelican's own test (objects compare by identity)
        got = pelican_speedups._picked(items, pelican_speedups._positions(items), wanted)
        assert list(map(id, got)) == list(map(id, want))
