"""A rebuild renders only the pages an edit changes (portal.renders) and publishes, file for file, what
a cold build of the same content at the same clock publishes: after an edit, a tag moved, an article
deleted, a warning that expired, a page of the output changed by hand, a template changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURE_SITE, ROOT

from portal.bench.corpus import generate_articles

NOW = "2026-11-26T09:00:00+07:00"
LATER = "2027-01-05T09:00:00+07:00"  # the fixture's severe warning (CB exchange) has expired


def build(content: Path, output: Path, cache: Path | None, now: str = NOW, *sets: str) -> int | None:
    """Build; returns how many pages were rendered (the others were linked from the previous output), None
    without page keys (no parse cache)."""
    args = [sys.executable, "-m", "portal", "build", "--content", str(content), "--output", str(output),
            "--set", "SEARCH_INDEX=false", "--set", f'PORTAL_PARSE_CACHE="{cache or ""}"', "--verbose", *sets]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PORTAL_NOW": now},
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "without a key" not in proc.stderr  # every page and keyed file (feeds, CAP, CSAF, calendars) has one
    found = re.search(r"pages: \d+ linked from the previous output, (\d+) rendered", proc.stderr)
    return int(found.group(1)) if found else None


def picture(path: Path, width: int, height: int) -> None:
    from PIL import Image

    Image.new("RGB", (width, height), (10, 120, 200)).save(path)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith(".gz")}


def inodes(root: Path, pattern: str = "*.html") -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob(pattern)}


def test_a_rebuild_renders_what_changed_and_publishes_the_cold_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    files = generate_articles(content, 120)  # enough pages for two processes to share them
    picture(content / "images" / "than-bai.png", 50, 40)  # a picture in one body only (not a lead image)
    body_only = content / "tin-tuc" / "2026-11-10-tap-huan.md"
    body_only.write_text(body_only.read_text(encoding="utf-8") + '\n![Ảnh](images/than-bai.png "Ảnh")\n',
                         encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    colds = 0

    def same_as_cold(now: str = NOW, *sets: str) -> dict[str, bytes]:
        nonlocal colds
        colds += 1
        cold = tmp_path / f"cold{colds}"
        build(content, cold, None, now, *sets)
        a, b = tree(out), tree(cold)
        assert sorted(a) == sorted(b)
        assert [name for name in a if a[name] != b[name]] == []
        shutil.rmtree(cold)
        return a

    build(content, out, cache)
    first, made = inodes(out), {pattern: inodes(out, pattern) for pattern in ("*.ics*", "*.xml*", "*.json*")}
    assert len(first) > 150 and all(len(files) > 5 for files in made.values())

    # nothing changed: every page, every event's calendar, CAP message and CSAF document (and their
    # .gz) is the file the previous build wrote
    neighbours = (cache / "neighbours.pickle").stat().st_ino
    build(content, out, cache)
    assert inodes(out) == first
    assert {pattern: inodes(out, pattern) for pattern in made} == made
    assert (cache / "neighbours.pickle").stat().st_ino == neighbours  # found, not worked out and written again

    # one news article's title: its page, its neighbours', its listings; not the rest
    edited = next(p for p in files if "/tin-tuc/" in p.as_posix())
    slug = edited.stem[11:]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: Đã sửa ", 1), encoding="utf-8")
    rendered = build(content, out, cache)
    # a title moves no article and changes no tag: the neighbours' positions are still the ones kept
    # (the parse cache, written again after an edit, leaves them in the folder they share)
    assert (cache / "neighbours.pickle").stat().st_ino == neighbours
    site = same_as_cold()
    now = inodes(out)
    fresh = [name for name in now if now[name] != first.get(name)]
    assert any(name.endswith(f"/{slug}.html") for name in fresh)
    assert all("Đã sửa" in site[name].decode() for name in fresh if name.endswith(f"/{slug}.html"))
    assert 0 < len(fresh) < len(now) // 5
    # and only the pages that print it: not a listing page beside the one that lists it, not every page
    # listing one of its neighbours, not the index of tags or months, not a page of the site's own
    assert rendered == len(fresh)

    # a warning's title: its CAP messages and CSAF document are made again, and the banner on every page
    warning = content / "canh-bao" / "2026-11-20-lo-hong-exchange.md"
    warning.write_text(warning.read_text(encoding="utf-8").replace("Title: ", "Title: Khẩn ", 1), encoding="utf-8")
    cap_before = inodes(out, "cap/canh-bao/*/*.xml")
    build(content, out, cache)
    site = same_as_cold()
    cap_after = inodes(out, "cap/canh-bao/*/*.xml")
    assert any(cap_after[name] != cap_before.get(name) for name in cap_after)
    assert all("Khẩn" in site[name].decode() for name in site if name.endswith(".html") and "site-banner" in
               site[name].decode())

    # the same warning's body: the banner prints none of it, so the pages that only show the banner stay
    before = inodes(out)
    warning.write_text(warning.read_text(encoding="utf-8").replace("\n\n", "\n\nMột câu mới trong cảnh báo. ", 1),
                       encoding="utf-8")
    rendered = build(content, out, cache)
    site = same_as_cold()
    after = inodes(out)
    fresh = [name for name in after if after[name] != before.get(name)]
    assert any("Một câu mới trong cảnh báo." in site[name].decode() for name in fresh)
    assert 0 < len(fresh) <= rendered < len(after) // 5

    # a tag replaced: the article leaves one tag's pages and joins another's
    text = edited.read_text(encoding="utf-8")
    tags_line = next(line for line in text.splitlines() if line.startswith("Tags:"))
    edited.write_text(text.replace(tags_line, "Tags: thẻ mới riêng"), encoding="utf-8")
    rendered = build(content, out, cache)
    site = same_as_cold()
    # a tag used for the first time is in no page's <head> but its own pages' (feed_links): the site is
    # not rendered again
    assert rendered < len(inodes(out)) // 5
    tag_pages = [name for name in site if name.startswith("the/the-moi-rieng")]
    assert tag_pages and slug in site[tag_pages[0]].decode()

    # an article deleted: gone from every page
    gone = next(p for p in files if "/tin-tuc/" in p.as_posix() and p != edited)
    gone.unlink()
    build(content, out, cache)
    site = same_as_cold()
    assert not any(gone.stem[11:] in data.decode("utf-8", "replace") for name, data in site.items()
                   if name.endswith(".html"))

    # the clock passes the severe warning's expiry: the banner leaves every page
    assert "site-banner" in site["index.html"].decode()
    build(content, out, cache, LATER)
    site = same_as_cold(LATER)
    assert not any("site-banner" in data.decode() for name, data in site.items() if name.endswith(".html"))

    # the body's picture replaced by a larger one under the same name: its sizes in the page change
    picture(content / "images" / "than-bai.png", 900, 500)
    build(content, out, cache, LATER)
    site = same_as_cold(LATER)
    assert "than-bai.png.900w.webp" in site["tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html"].decode()

    # a page of the output changed by hand (or by the preview): written again
    page = next(p for p in out.rglob("*.html") if slug in p.name)
    page.write_text("changed by hand", encoding="utf-8")
    build(content, out, cache, LATER)
    same_as_cold(LATER)

    # a stylesheet in a static folder outside the theme: every page names its new fingerprint
    static = tmp_path / "static"
    shutil.copytree(ROOT / "theme" / "static", static)
    outside = ("--set", f'THEME_STATIC_PATHS=["{static}"]')
    build(content, out, cache, LATER, *outside)
    (static / "css" / "site.css").write_text((static / "css" / "site.css").read_text() + "body{color:#321}\n")
    build(content, out, cache, LATER, *outside)
    same_as_cold(LATER, *outside)

    # a template changed: every page rendered with it
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- mẫu mới --></body>"), encoding="utf-8")
    before = inodes(out)
    build(content, out, cache, LATER, "--set", f'THEME="{theme}"')
    site = same_as_cold(LATER, "--set", f'THEME="{theme}"')
    after = inodes(out)
    assert all("mẫu mới" in site[name].decode() for name in after if "</body>" in site[name].decode())
    assert not any(after[name] == before.get(name) for name in after if "</body>" in site[name].decode())
    # each build removed the output the one before it replaced: one is left, beside the output
    assert len(list(tmp_path.glob(".out.previous-*"))) == 1


def test_a_publish_never_writes_into_the_release_it_replaces(fixture_content, tmp_path):
    """The release being served lends the next one its unchanged files by hard links: nothing the next
    publish does (pages, feeds, their .gz copies) may write through such a link, or a reader of the
    live site would see a file change, or half of one, under its feet."""
    base = tmp_path / "www"
    env = {**os.environ, "PORTAL_NOW": NOW, "RATINGS_API_URL": ""}

    def publish() -> Path:
        proc = subprocess.run([sys.executable, "-m", "portal", "publish", "--base", str(base), "--content",
                               str(fixture_content)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return (base / os.readlink(base / "current")).resolve()

    first = publish()
    served = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in first.rglob("*") if p.is_file()}
    assert any(p.name.endswith(".xml.gz") for p in served)
    edited = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: Đã sửa ", 1), encoding="utf-8")
    second = publish()
    assert second != first
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in served} == served
    shared = [p for p in second.rglob("*.gz") if (first / p.relative_to(second)).exists()
              and p.stat().st_ino == (first / p.relative_to(second)).stat().st_ino]
    assert shared  # the unchanged feeds' copies are the served release's files
    assert "Đã sửa" in next(second.rglob("tap-huan*.html")).read_text(encoding="utf-8")


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_a_rebuild_has_the_folders_of_a_cold_build(tmp_path):
    """The build's command makes the previous output's folders in the new one while the build process reads
    (``mirror_folders``); a folder no page of this build is written into (the tag no article has any more,
    an article deleted) is not left behind, empty."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    generate_articles(content, 120)
    article = content / "tin-tuc" / "2026-11-10-tap-huan.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"(?m)^Tags: .*$", "Tags: một thẻ riêng", text, count=1), encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    assert (out / "the" / "mot-the-rieng").is_dir()
    article.write_text(text, encoding="utf-8")  # its own tag is gone, with the tag's page and feed
    (content / "tin-tuc" / "2025-07-04-bai-thu-00003.md").unlink(missing_ok=True)
    build(content, out, cache)
    build(content, tmp_path / "cold", None)
    assert not (out / "the" / "mot-the-rieng").exists()
    assert folders(out) == folders(tmp_path / "cold")
    assert tree(out) == tree(tmp_path / "cold")
    # the next build takes the output the last one replaced as its new folder (its folders kept, its files
    # removed first): a link planted there is removed, never followed, and what it led to is untouched
    (previous,) = out.parent.glob(f".{out.name}.previous-*")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep", encoding="utf-8")
    shutil.rmtree(previous / "the")
    (previous / "the").symlink_to(outside, target_is_directory=True)
    (previous / "index.html").unlink()
    (previous / "index.html").symlink_to(outside / "keep.txt")
    kept = (previous / "tin-tuc").stat().st_ino
    article.write_text(re.sub(r"(?m)^Tags: .*$", "Tags: một thẻ riêng", text, count=1), encoding="utf-8")
    build(content, out, cache)
    assert (out / "tin-tuc").stat().st_ino == kept  # the same folder, not one made again
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "keep"
    assert (out / "the" / "mot-the-rieng").is_dir() and not (out / "the").is_symlink()
    assert not (out / "index.html").is_symlink()
    shutil.rmtree(tmp_path / "cold")
    build(content, tmp_path / "cold", None)
    assert folders(out) == folders(tmp_path / "cold")
    assert tree(out) == tree(tmp_path / "cold")


def test_a_folder_of_the_last_output_where_a_file_goes_now_costs_one_more_run_not_a_failure(tmp_path):
    """A setting changed so that a path which was a folder is now a file (the archives' page): the new
    folder, readied with the last output's folders, has one in the way. The build runs again at once in an
    empty folder and publishes what a cold build does; so does a publish."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    build(content, out, cache)  # the output it replaced is beside it: the next build recycles it
    assert (out / "luu-tru").is_dir()
    moved = ("--set", 'ARCHIVES_SAVE_AS="luu-tru"', "--set", 'MONTH_ARCHIVE_SAVE_AS=""')
    args = [sys.executable, "-m", "portal", "build", "--content", str(content), "--output", str(out), "--set",
            "SEARCH_INDEX=false", "--set", f'PORTAL_PARSE_CACHE="{cache}"', *moved]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PORTAL_NOW": NOW},
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "built again in an empty folder" in proc.stderr and "Is a directory" in proc.stderr
    assert (out / "luu-tru").is_file()
    build(content, tmp_path / "cold", None, NOW, *moved)
    assert tree(out) == tree(tmp_path / "cold") and folders(out) == folders(tmp_path / "cold")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == [
        p.name for p in tmp_path.glob(".out.previous-*")]  # nothing else left beside it
    build(content, out, cache, NOW, *moved)  # and the next build as usual
    assert tree(out) == tree(tmp_path / "cold")


def test_the_build_process_ending_before_its_folder_is_ready_reports_its_own_errors(tmp_path):
    """The build process stops on the content's errors before it waits for its folder (a link out of
    content/); the command, still emptying the recycled folder (slowed here), finds the pipe closed: the
    content's errors are what the person reads, and the live output is untouched."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    build(content, out, cache)
    before = tree(out)
    (content / "tin-tuc" / "ngoai.md").symlink_to("/etc/hostname")
    script = f"""
import sys, time
from pathlib import Path
from portal.model import ContentErrors
from portal.tools import build as b
real = b._empty_or_aside
def slow(output, fresh):
    time.sleep(3)  # the build process has long stopped
    return real(output, fresh)
b._empty_or_aside = slow
try:
    b.build(Path("pelicanconf.py"), Path({str(out)!r}), {{"PATH": {str(content)!r}, "SEARCH_INDEX": False,
            "PORTAL_PARSE_CACHE": {str(cache)!r}}})
except ContentErrors as errors:
    print("CONTENT", errors)
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PORTAL_NOW": NOW}, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("CONTENT") and "ngoai.md" in proc.stdout, proc.stderr
    assert "BrokenPipe" not in proc.stderr and "Broken pipe" not in proc.stderr
    assert "built again" not in proc.stderr  # the content's errors, at once: no second run
    assert tree(out) == before


def test_settings_that_change_no_byte_of_the_output_render_no_page_again(tmp_path):
    """How many Pagefind runs go at once (SEARCH_MEMORY_MIB) or how many processes write (PORTAL_WORKERS)
    changes how the site is made, not what it is: a rebuild with another value renders nothing again."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(content, out, cache)
    assert build(content, out, cache, NOW, "--set", "SEARCH_MEMORY_MIB=2000", "--set", "PORTAL_WORKERS=1") == 0


def test_a_rebuild_on_one_process_links_the_feeds_cap_csaf_and_calendars_it_would_make_alike(tmp_path):
    """On one process (PORTAL_WORKERS = 1, a small server's setting) the feeds, CAP and CSAF documents
    and calendars are keyed as on several: a rebuild with nothing changed makes none of them again (it
    made every one, and the next build on two processes too, when the steps ran before they were keyed)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    out, cache = tmp_path / "out", tmp_path / "cache"

    def keyed(*sets: str) -> tuple[int, int]:
        """The keyed files a build linked and made."""
        args = [sys.executable, "-m", "portal", "build", "--content", str(content), "--output", str(out),
                "--set", "SEARCH_INDEX=false", "--set", f'PORTAL_PARSE_CACHE="{cache}"', "--verbose", *sets]
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PORTAL_NOW": NOW},
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        found = re.search(r"feeds, CAP, CSAF, calendars: (\d+) linked from the previous output, (\d+) made",
                          proc.stderr)
        assert found, proc.stderr
        return int(found.group(1)), int(found.group(2))

    linked, made = keyed()
    assert linked == 0 and made > 20  # cold: every feed, CAP message, advisory and calendar
    assert keyed("--set", "PORTAL_WORKERS=1") == (made, 0)
    assert keyed("--set", "PORTAL_WORKERS=1") == (made, 0)
    assert keyed() == (made, 0)
    edited = content / "tin-tuc" / "2026-11-10-tap-huan.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: Sửa ", 1), encoding="utf-8")
    linked, again = keyed("--set", "PORTAL_WORKERS=1")
    assert linked + again == made and 0 < again < made / 2  # the feeds the news article is in


def test_a_theme_that_reads_further_than_its_page_is_rendered_when_that_changes(tmp_path):
    """A page whose render read no article's neighbours or related articles, and no listing page's items
    but its own, is keyed without them (portal.reads); one whose render read them, even for some values
    only, is keyed with them, and follows an edit of what it read."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    files = generate_articles(content, 60)

    def site_with(name: str, old: str, new: str):
        theme = tmp_path / f"theme-{name}"
        shutil.copytree(ROOT / "theme", theme)
        listing = theme / "templates" / "listing.html"
        text = listing.read_text(encoding="utf-8")
        assert old in text
        listing.write_text(text.replace(old, new, 1), encoding="utf-8")
        out, cache, theme_set = tmp_path / f"out-{name}", tmp_path / f"cache-{name}", ("--set", f'THEME="{theme}"')
        build(content, out, cache, NOW, *theme_set)

        def edit_and_compare(path: Path, mark: str) -> dict[str, bytes]:
            path.write_text(path.read_text(encoding="utf-8").replace("Title: ", f"Title: {mark} ", 1),
                            encoding="utf-8")
            build(content, out, cache, NOW, *theme_set)
            cold = tmp_path / f"cold-{mark}"
            build(content, cold, None, NOW, *theme_set)
            a, b = tree(out), tree(cold)
            assert sorted(a) == sorted(b)
            assert [name for name in a if a[name] != b[name]] == []
            return {name: data.decode() for name, data in a.items() if name.endswith(".html")}
        return edit_and_compare

    # a news article's listing card names the article before it, a drill's none
    edit_and_compare = site_with("older", "{{ card(a.view, 'h2') }}", "{{ card(a.view, 'h2') }}{% if a.view.kind == "
                                 "'tin-tuc' and a.view.older_in_kind %}<p class=older>{{ a.view.older_in_kind.title }}"
                                 "</p>{% endif %}")
    news = sorted(p for p in files if "/tin-tuc/" in p.as_posix())
    site = edit_and_compare(news[len(news) // 2], "Tin-sua")
    assert any("<p class=older>Tin-sua " in text for name, text in site.items() if name.startswith("tin-tuc/"))

    # every listing page names the first article of the page after it
    edit_and_compare = site_with("next", "{{ pagination(", "{% if articles_next_page %}<p class=next>"
                                 "{{ articles_next_page.object_list[0].title }}</p>{% endif %}{{ pagination(")
    first_on = {}
    for name, text in site.items():
        if name.startswith("the/") and "/trang-" in name:
            titles = re.findall(r'<h2[^>]*><a [^>]*>([^<]+)</a>', text)
            if titles:
                first_on[name] = titles[0]
    assert first_on, "a tag with a second page"
    title = sorted(first_on.items())[0][1]
    article = next(p for p in files if f"Title: {title}" in p.read_text(encoding="utf-8"))
    site = edit_and_compare(article, "Dau-trang")
    assert any(f"<p class=next>Dau-trang {title}" in text for text in site.values())
