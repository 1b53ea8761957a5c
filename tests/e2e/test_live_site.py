"""The live preview's model (portal.live): after each save, what it serves and what it leaves in
the output folder are byte for byte what a cold build of the same content gives.

Each case edits the fixture site the way a member of staff would (text, a tag, a deletion, the
clock passing a warning's expiry), brings the model up to date in one long-lived process, renders
pages on demand, finishes the output folder, and compares every file with `portal build` of the
same content into a fresh folder (its .gz copies aside: the preview does not precompress).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

from portal.settings import load

NOW = "2026-11-26T09:00:00+07:00"
NEWS = "tin-tuc/2026-11-10-tap-huan.md"
WARNING = "canh-bao/2026-11-20-lo-hong-exchange.md"


def cold_build(content: Path, output: Path, now: str, *sets: str) -> None:
    done = subprocess.run([sys.executable, "-m", "portal", "build", "--content", str(content), "--output",
                           str(output), "--set", "SEARCH_INDEX=false", *(a for s in sets for a in ("--set", s))],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PORTAL_NOW": now}, timeout=120)
    assert done.returncode == 0, done.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix != ".gz"}


def assert_same_as_cold(live_out: Path, content: Path, tmp_path: Path, now: str, *sets: str) -> None:
    cold = tmp_path / f"cold-{len(list(tmp_path.iterdir()))}"
    cold_build(content, cold, now, *sets)
    got, want = tree(live_out), tree(cold)
    assert sorted(got) == sorted(want), (set(got) ^ set(want))
    different = [name for name in want if got[name] != want[name]]
    assert different == []


@pytest.fixture
def live(fixture_content, tmp_path, monkeypatch):
    from portal.live import LiveSite

    monkeypatch.setenv("PORTAL_NOW", NOW)
    monkeypatch.chdir(ROOT)
    out = tmp_path / "live"
    settings = load(ROOT / "pelicanconf.py", {"PATH": str(fixture_content), "OUTPUT_PATH": str(out),
                                               "SEARCH_INDEX": False})
    site = LiveSite(settings)
    site.update()
    assert site.finish()
    return site, fixture_content, out


def retag(path: Path, new_line) -> None:
    """Save the article with its Tags line replaced by new_line(old line)."""
    text = path.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("Tags:"))
    path.write_text(text.replace(line, new_line(line)), encoding="utf-8")


def slug_of(path: Path) -> str:
    return next(line.split(":", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("Slug:"))


def test_first_update_leaves_what_a_cold_build_leaves(live, tmp_path):
    site, content, out = live
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_saved_article_is_served_at_once_and_the_rest_follows(live, tmp_path):
    site, content, out = live
    path = content / NEWS
    page = f"tin-tuc/{slug_of(path)}.html"
    path.write_text(path.read_text(encoding="utf-8").replace("\n\n", "\n\nĐoạn mới thêm khi xem trước. ", 1),
                    encoding="utf-8")
    name, text = site.quick_page(path)
    assert name == page and "Đoạn mới thêm khi xem trước." in text
    site.update()
    assert site.cache.misses >= 1
    assert site.render(page) == text  # the quick page is exactly what the model renders
    site.finish()
    assert "Đoạn mới thêm khi xem trước." in (out / page).read_text(encoding="utf-8")
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_changed_title_reaches_the_listings(live, tmp_path):
    site, content, out = live
    path = content / NEWS
    path.write_text(path.read_text(encoding="utf-8").replace("Title: ", "Title: [Đã sửa] ", 1), encoding="utf-8")
    site.update()
    listing = BeautifulSoup(site.render("tin-tuc/index.html"), "html.parser").get_text()
    assert "[Đã sửa]" in listing
    site.finish()
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_changed_tag_moves_the_article_between_tag_pages(live, tmp_path):
    site, content, out = live
    path = content / NEWS
    page = f"tin-tuc/{slug_of(path)}.html"
    before = BeautifulSoup(site.render(page), "html.parser")
    retag(path, lambda line: "Tags: Chủ đề hoàn toàn mới")
    # the page with its new tag at once; the related articles (chosen by tags) follow with the update
    name, text = site.quick_page(path)
    quick = BeautifulSoup(text, "html.parser")
    assert name == page and [a["href"] for a in quick.select(".tags a")] == ["/the/chu-de-hoan-toan-moi/"]
    assert quick.select(".related a") == before.select(".related a")
    site.update()
    new_tag = site.render("the/chu-de-hoan-toan-moi/index.html")
    assert new_tag and slug_of(path) in new_tag
    after = BeautifulSoup(site.render(page), "html.parser")
    assert [a.get_text() for a in after.select(".tags a")] == ["Chủ đề hoàn toàn mới"]
    assert after.select(".related a") != before.select(".related a")  # no other article has that tag
    site.finish()
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_deleted_article_disappears_everywhere(live, tmp_path):
    site, content, out = live
    path = content / NEWS
    slug = slug_of(path)
    path.unlink()
    site.update()
    assert site.render(f"tin-tuc/{slug}.html") is None
    site.finish()
    assert not (out / f"tin-tuc/{slug}.html").exists()
    assert not [p for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json")
                and slug in p.read_text(encoding="utf-8", errors="replace")]
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_warning_that_expires_leaves_the_banner(live, tmp_path, monkeypatch):
    site, content, out = live
    assert "site-banner" in site.render("index.html")
    later = "2027-01-02T09:00:00+07:00"  # after the Exchange warning's expiry (2026-12-31 23:59)
    monkeypatch.setenv("PORTAL_NOW", later)
    site.update()
    home = BeautifulSoup(site.render("index.html"), "html.parser")
    assert home.select_one(".site-banner") is None
    site.finish()
    assert_same_as_cold(out, content, tmp_path, later)


def test_a_broken_save_reports_the_file_and_a_fix_brings_the_site_back(live, tmp_path):
    from portal.model import ContentErrors

    site, content, out = live
    path = content / NEWS
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("Date: 2026-11-10", "Date: 2026-13-10", 1), encoding="utf-8")
    assert site.quick_page(path) is None
    with pytest.raises(ContentErrors) as raised:
        site.update()
    assert "2026-11-10-tap-huan.md" in str(raised.value)
    path.write_text(good, encoding="utf-8")
    site.update()
    site.finish()
    assert_same_as_cold(out, content, tmp_path, NOW)


def live_with_own_theme(content: Path, tmp_path: Path, monkeypatch):
    """A live site of ``content`` with a copy of the theme (that a test edits), updated once: (site, theme, out)."""
    import shutil

    from portal.live import LiveSite

    monkeypatch.setenv("PORTAL_NOW", NOW)
    monkeypatch.chdir(ROOT)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    out = tmp_path / "out"
    settings = load(ROOT / "pelicanconf.py", {"PATH": str(content), "OUTPUT_PATH": str(out),
                                               "SEARCH_INDEX": False, "THEME": str(theme)})
    site = LiveSite(settings)
    site.update()
    return site, theme, out


def test_a_template_edit_shows_on_the_next_page_asked_for_and_leaves_no_stale_page(fixture_content, tmp_path,
                                                                                    monkeypatch):
    """Templates saved after the update read them (the top one, article.html) or before it does (base.html,
    read at the first render): the round's background writing makes pages of the templates as the update
    had them, so none of their keys is kept, and the next round (the watcher's, for the saves) renders
    every page from the new ones."""
    site, theme, out = live_with_own_theme(fixture_content, tmp_path, monkeypatch)
    assert "Dấu mẫu giao diện" not in site.render("index.html")
    assert site.finish()
    site.update()  # reads article.html
    for name, old, new in (("base.html", "</footer>", "<p>Dấu mẫu giao diện</p></footer>"),
                           ("article.html", "{% block content %}", "{% block content %}<p>Dấu mới</p>")):
        template = theme / "templates" / name
        template.write_text(template.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert site.finish()  # the pages of the templates as the update had them
    site.update()
    assert "Dấu mẫu giao diện" in site.render("index.html")
    assert "Dấu mẫu giao diện" in site.render("tin-tuc/index.html")
    assert site.finish()
    assert site.rendered == len(site.current.writer.pages)
    assert_same_as_cold(out, fixture_content, tmp_path, NOW, f"THEME={json.dumps(str(theme))}")


def test_templates_saved_alone_are_rendered_in_the_model_as_it_stands(fixture_content, tmp_path, monkeypatch):
    """A change of the theme's templates alone (LiveSite.retemplate, what the preview does for such a save):
    each recorded page's template is read anew without making the model again (no file read, the same
    generators), every page then renders what a full update gives, and the round that follows leaves the
    folder of a cold build with the new theme (its sitemap too, after a round stopped midway)."""
    site, theme, out = live_with_own_theme(fixture_content, tmp_path, monkeypatch)
    assert site.finish()
    before = site.current
    article = next(name for name in before.writer.pages if name.startswith("tin-tuc/") and name != "tin-tuc/index.html")
    for name, old, new in (("base.html", "</footer>", "<p>Dấu mẫu giao diện</p></footer>"),
                           ("article.html", "{% block content %}", "{% block content %}<p>Dấu bài mới</p>")):
        template = theme / "templates" / name
        template.write_text(template.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    site.cache.misses = 0
    after = site.retemplate()
    assert after is site.current and after is not before and after.generators is before.generators
    assert site.cache.misses == 0  # no content file read again
    assert sorted(after.writer.pages) == sorted(before.writer.pages)
    # the styles and the feeds the last round wrote are served at once: no template makes them
    assert after.static_ready.is_set() and after.files_ready.is_set() and not after.finished.is_set()
    assert "Dấu mẫu giao diện" in site.render("index.html") and "Dấu mẫu giao diện" in site.render(article)
    assert "Dấu bài mới" in site.render(article) and "Dấu bài mới" not in site.render("tin-tuc/index.html")
    retemplated = {name: site.render(name) for name in after.writer.pages}
    # a round stopped midway (a save), then one that completes: the folder of a cold build
    pages_written = []
    original = after.writer.write

    def write_then_stop(name):
        pages_written.append(name)
        if len(pages_written) == 3:
            site.stop_finishing.set()
        return original(name)

    after.writer.write = write_then_stop
    assert site.finish() is False
    site.retemplate()
    assert site.finish()
    # every page has the new base.html: rendered again, but for those the stopped round wrote from it
    assert site.rendered == len(site.current.writer.pages) - len(pages_written)
    assert_same_as_cold(out, fixture_content, tmp_path, NOW, f"THEME={json.dumps(str(theme))}")
    site.update()  # a full update gives the same pages
    assert {name: site.render(name) for name in site.current.writer.pages} == retemplated


def test_a_template_saved_in_the_preview_is_served_without_making_the_model_again(fixture_content, tmp_path,
                                                                                   monkeypatch):
    """The preview's path for a save: a template of the theme alone is retemplated (the open page reloads);
    any other theme file, or a template with a mistake, goes the way it went."""
    import shutil

    from portal.tools.preview import Preview

    monkeypatch.setenv("PORTAL_NOW", NOW)
    monkeypatch.chdir(ROOT)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    said: list[str] = []
    preview = Preview(ROOT / "pelicanconf.py", {"PATH": str(fixture_content), "SEARCH_INDEX": False,
                                                "THEME": str(theme)}, tmp_path / "out", [fixture_content, theme],
                      out=said.append, content=fixture_content)
    assert preview.build("Lần đầu: ")
    first = preview.site.current
    version = preview.version
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<p>Dấu xem trước</p></footer>", 1),
                    encoding="utf-8")
    preview.changed([base])
    assert preview.site.current.generators is first.generators and preview.version > version
    assert preview.ok and "Dấu xem trước" in preview.site.render("index.html")
    assert "mẫu giao diện đã đổi" in said[-1]
    article = theme / "templates" / "article.html"  # read by the recording (base.html: by each page rendered)
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("{% block content %}", "{% block content %}{% if %}", 1), encoding="utf-8")
    preview.changed([article])
    assert preview.ok is False and "article.html" in preview.error
    article.write_text(good, encoding="utf-8")
    preview.changed([article])  # after a failure: the model made again, as for any save
    assert preview.ok and preview.site.current.generators is not first.generators
    css = next((theme / "static" / "css").glob("*.css"))
    kept = preview.site.current.generators
    css.write_text(css.read_text(encoding="utf-8") + "\n/* đổi */\n", encoding="utf-8")
    preview.changed([css])  # not a template: the model made again
    assert preview.ok and preview.site.current.generators is not kept


def test_a_finish_renders_only_the_pages_a_save_changed(live, tmp_path):
    """The page keys (portal.renders) kept between rounds: a round with nothing new renders no page;
    after one article's text changed, its own page and the few that show its words, not the site."""
    site, content, out = live
    pages = len(site.current.writer.pages)
    feed, calendar = out / "nguon-tin" / "tat-ca.atom.xml", next(out.rglob("*.ics"))
    made = [(f.stat().st_ino, f.stat().st_mtime_ns) for f in (feed, calendar)]
    site.update()
    assert site.finish() and site.rendered == 0
    assert [(f.stat().st_ino, f.stat().st_mtime_ns) for f in (feed, calendar)] == made  # not made again
    path = content / NEWS
    page = f"tin-tuc/{slug_of(path)}.html"
    path.write_text(path.read_text(encoding="utf-8").replace("\n\n", "\n\nCâu mới của biên tập viên. ", 1),
                    encoding="utf-8")
    site.update()
    rendered = []
    original = site.current.writer.write
    site.current.writer.write = lambda name: rendered.append(name) or original(name)
    assert site.finish()
    assert "Câu mới của biên tập viên." in (out / page).read_text(encoding="utf-8")
    # the pages that show the article (listings, tags, its neighbours' links), not the others, nor the
    # pages whose banner shows a warning the article is related to (the banner prints none of it)
    other = "hoi-nghi/hoi-nghi-phoi-hop-an-ninh-mang-quy-4-2026.html"
    assert "site-banner" in (out / other).read_text(encoding="utf-8")
    assert page in rendered and other not in rendered and "404.html" not in rendered
    assert len(rendered) == site.rendered < pages / 2
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_file_changed_by_hand_in_the_output_is_made_again(live, tmp_path):
    """A key holds only while the file is the one the round left (inode, size, time): a page or a feed
    changed in the folder by anything else is made again by the next round."""
    site, content, out = live
    feed = out / "nguon-tin" / "tat-ca.atom.xml"
    home = out / "index.html"
    for path in (feed, home):
        path.write_text(path.read_text(encoding="utf-8").replace("Lào Cai", "Sửa tay", 1), encoding="utf-8")
    site.update()
    assert site.finish()
    assert site.rendered == 1
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_finish_stopped_midway_leaves_nothing_behind(live, tmp_path):
    """A save that interrupts the background writing: what that writing had put in the output
    folder (the feed of a mistyped tag) goes when a later round completes."""
    site, content, out = live
    path = content / NEWS
    good = path.read_text(encoding="utf-8")
    retag(path, lambda line: line + ", Zz gõ nhầm")
    site.update()
    pages_written = []
    original = site.current.writer.write

    def write_then_stop(name):
        pages_written.append(name)
        if len(pages_written) == 3:
            site.stop_finishing.set()  # as a new save does
        return original(name)

    site.current.writer.write = write_then_stop
    assert site.finish() is False
    assert any("zz-go-nham" in p.name for p in (out / "nguon-tin" / "the").iterdir())
    path.write_text(good, encoding="utf-8")
    site.update()
    assert site.finish()
    assert not [p for p in out.rglob("*") if "zz-go-nham" in p.as_posix()]
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_save_stops_the_background_writing_between_two_feeds(live, tmp_path, monkeypatch):
    """The feeds, CAP, CSAF and calendar files are written one at a time: a save that lands while they
    are (seconds at 10,000 articles) stops the round after the file being written, not after the whole
    step; the next round makes the rest, and the folder is a cold build's."""
    from portal import outputs

    site, content, out = live
    path = content / NEWS
    retag(path, lambda line: line + ", Thẻ mới")
    site.update()
    written: list[Path] = []
    original = outputs.write_file

    def write_then_stop(target, data):
        written.append(Path(target))
        if len(written) == 2:
            site.stop_finishing.set()  # as a new save does
        return original(target, data)

    monkeypatch.setattr(outputs, "write_file", write_then_stop)
    assert site.finish() is False
    assert len(written) == 2 and all("nguon-tin" in p.as_posix() for p in written)  # no third file, no CAP
    assert not site.current.finished.is_set() and site.rendered == 0  # no page rendered
    monkeypatch.setattr(outputs, "write_file", original)
    site.update()
    assert site.finish()
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_picture_no_longer_used_leaves_with_its_copies(live, tmp_path):
    """The pictures' resized copies are written while the model is made (responsive_images), not in the
    background writing: once no article shows a picture, its copies go too, as a cold build has none."""
    from PIL import Image

    site, content, out = live
    Image.new("RGB", (900, 500), (10, 120, 200)).save(content / "images" / "rieng.png")
    path = content / WARNING
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '\n![Ảnh riêng](images/rieng.png "Ảnh riêng")\n', encoding="utf-8")
    site.update()
    assert site.finish()
    assert list((out / "images").glob("rieng.*w.webp"))
    path.write_text(text, encoding="utf-8")
    site.update()
    assert site.finish()
    assert not list((out / "images").glob("rieng.*w.webp"))
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_a_quick_page_of_a_warning_in_the_banner(live, tmp_path):
    site, content, out = live
    path = content / WARNING
    path.write_text(path.read_text(encoding="utf-8").replace("\n\n", "\n\nCâu bổ sung khẩn. ", 1), encoding="utf-8")
    name, text = site.quick_page(path)
    assert "Câu bổ sung khẩn." in text
    site.update()
    assert site.render(name) == text  # the banner of its own page still leaves it out


def test_a_quick_page_of_a_warning_made_severe_and_in_force(live, tmp_path):
    """A warning's state and severity are in the lists of warnings in force: its own page's banner counts
    them ("Xem tất cả 2 cảnh báo…"). The page from the saved text has them made again: what the rebuild
    renders, in milliseconds (it waited for the rebuild: 1.4 s at 10,000 articles)."""
    site, content, out = live
    path = content / "canh-bao/2025-03-02-ma-doc-usb.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("Severity: trung bình", "Severity: cao").replace(
        "Expires: 2025-06-30 23:59", "Expires: 2099-01-01 08:00"), encoding="utf-8")
    name, text = site.quick_page(path)
    banner = BeautifulSoup(text, "html.parser").select_one(".site-banner")
    assert banner is not None and banner.select_one(".banner-more") is not None  # two in force now
    site.update()
    assert site.render(name) == text
    path.write_text(good, encoding="utf-8")  # and back: out of force, the banner's count with it
    name, text = site.quick_page(path)
    assert BeautifulSoup(text, "html.parser").select_one(".banner-more") is None
    site.update()
    assert site.render(name) == text
    site.finish()
    assert_same_as_cold(out, content, tmp_path, NOW)


def test_the_output_folder_is_never_the_content_folder(fixture_content, tmp_path):
    from portal.settings import SettingsError
    from portal.tools.build import check_output_folder

    for bad in (fixture_content, fixture_content / "out", tmp_path):
        with pytest.raises(SettingsError, match="thư mục nội dung"):
            check_output_folder(fixture_content, bad)
    check_output_folder(fixture_content, tmp_path / "output")


def test_pages_rendered_before_the_background_writing_are_the_built_pages(fixture_content, tmp_path, monkeypatch):
    """The page a browser gets right after an update (a body picture's sizes and copies included)
    is the page the build writes, not a first draft the background writing corrects later."""
    import importlib

    from portal.live import LiveSite

    monkeypatch.setenv("PORTAL_NOW", NOW)
    monkeypatch.chdir(ROOT)
    settings = load(ROOT / "pelicanconf.py", {"PATH": str(fixture_content), "OUTPUT_PATH": str(tmp_path / "live"),
                                               "SEARCH_INDEX": False})
    site = LiveSite(settings)
    importlib.import_module("responsive_images").BODY_IMAGES.clear()  # nothing left from another build
    site.update()
    cold = tmp_path / "cold"
    cold_build(fixture_content, cold, NOW)
    page = f"canh-bao/{slug_of(fixture_content / WARNING)}.html"
    assert "<picture" in (cold / page).read_text(encoding="utf-8")
    assert site.render(page) == (cold / page).read_text(encoding="utf-8")


@pytest.mark.hostile
def test_a_kind_folder_swapped_for_a_link_outside_between_the_scan_and_the_reading_is_refused(live, tmp_path,
                                                                                                monkeypatch):
    """The links are looked for when an update starts (``link_problems``); a kind's folder replaced by a link to
    a folder outside content/ just after that is still caught where each file is read (its real path is
    outside: ``outside_kind``). A process that remembered a folder's real path from an earlier update
    published the outside files (an independent review)."""
    import articles

    from portal.model import ContentErrors

    site, content, out = live
    outside = tmp_path / "outside" / "tin-tuc"
    outside.parent.mkdir()
    (content / "tin-tuc").rename(outside)
    (content / "tin-tuc").mkdir()
    for page in outside.glob("*.md"):
        (content / "tin-tuc" / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
        page.write_text(page.read_text(encoding="utf-8").replace("Title: ", "Title: BÍ-MẬT-NGOÀI ", 1),
                        encoding="utf-8")
    site.update()
    assert site.finish()  # (the folders' real paths known, as a long-lived process would know them)
    scan = articles.link_problems

    def then_swapped(folder):
        found = scan(folder)
        if not (content / "tin-tuc").is_symlink():
            (content / "tin-tuc").rename(tmp_path / "tin-tuc-cu")
            (content / "tin-tuc").symlink_to(outside, target_is_directory=True)
        return found

    monkeypatch.setattr(articles, "link_problems", then_swapped)
    with pytest.raises(ContentErrors) as refused:
        site.update()
    assert "outside_kind" in {p.code for p in refused.value.problems}
    assert not any("BÍ-MẬT-NGOÀI" in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
