"""Every output path from the settings."""

from __future__ import annotations

from types import SimpleNamespace

from portal import model
from portal.paths import SitePaths

SETTINGS = {"ARTICLE_SAVE_AS": "{category}/{slug}.html", "PAGE_SAVE_AS": "{slug}.html", "CATEGORY_URL": "{slug}/",
            "CATEGORY_SAVE_AS": "{slug}/index.html", "TAG_URL": "the/{slug}/", "TAG_SAVE_AS": "the/{slug}/index.html",
            "TAGS_SAVE_AS": "the/index.html", "ARCHIVES_SAVE_AS": "luu-tru/index.html", "STATIC_PATHS": ["images"],
            "PLUGINS": ["articles", "cap_alerts"]}


def test_pages_follow_pelicans_url_settings():
    paths = SitePaths(SETTINGS)
    assert paths.article("canh-bao", "x") == "canh-bao/x.html"
    assert SitePaths({**SETTINGS, "ARTICLE_SAVE_AS": "{date:%Y}/{slug}/index.html"}).article(
        "canh-bao", "x", model.parse_datetime("2026-01-02")) == "2026/x/index.html"
    assert paths.page("gioi-thieu") == "gioi-thieu.html"
    assert paths.tag_url("lo-hong") == "the/lo-hong/" and paths.tag_folder_url() == "the/"
    assert {"index.html", "404.html", "the/index.html", "canh-bao/index.html"} <= paths.fixed_pages()


def test_feeds_and_cap_paths():
    paths = SitePaths(SETTINGS)
    assert paths.feed("canh-bao", "atom") == "nguon-tin/canh-bao.atom.xml"
    assert SitePaths({**SETTINGS, "FEEDS_PATH": "/feeds/"}).feed("x", "json") == "feeds/x.json"
    assert paths.opml() == "nguon-tin/tat-ca.opml"
    assert paths.cap_message("canh-bao", "CB-2026-001", "CB-2026-001-thu-hoi") == \
        "cap/canh-bao/CB-2026-001/CB-2026-001-thu-hoi.xml"
    warning = SimpleNamespace(kind=model.WARNING, identifier="CB-2026-001", slug="x", public_alert=None)
    drill = SimpleNamespace(kind=model.DRILL, identifier=None, slug="d", public_alert=False)
    assert paths.cap_alert(warning) == "cap/canh-bao/CB-2026-001.xml"
    assert paths.cap_alert(drill) is None
    assert SitePaths({**SETTINGS, "PLUGINS": ["articles"]}).cap_alert(warning) is None
    assert paths.ratings_manifest() == "api/ratings-manifest.json"
