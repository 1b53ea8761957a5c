"""The shadow pages of the search index kept between builds (portal.search.write_records): written only
when they change, listed when they do, never through a link, their keys never outliving them."""

from __future__ import annotations

import json
import os

import pytest

from portal.search import CHANGED, RECORD_KEYS, page_of, write_records


def rec(url: str, words: str = "tu khoa", key: bytes | None = b"k" * 16) -> dict:
    r = {"url": url, "title": "t", "content": words, "meta": {"title": "T"}, "filters": {}}
    if key:
        r["key"] = key
    return r


def changed(folder) -> list[str]:
    return json.loads((folder / CHANGED).read_text(encoding="utf-8"))


def test_only_what_changed_is_written_and_listed(tmp_path):
    write_records([rec("/a.html"), rec("/tin-tuc/b.html"), rec("/c/")], tmp_path)
    assert changed(tmp_path) == ["a.html", "c/index.html", "tin-tuc/b.html"]
    assert (tmp_path / "c" / "index.html").is_file()  # an address ending in / is the folder's index.html
    kept = (tmp_path / "a.html").stat().st_ino
    write_records([rec("/a.html"), rec("/tin-tuc/b.html", "moi")], tmp_path)
    assert sorted(changed(tmp_path)) == ["c/index.html", "tin-tuc/b.html"]  # one rewritten, one removed
    assert (tmp_path / "a.html").stat().st_ino == kept
    assert not (tmp_path / "c").exists()


def test_a_build_stopped_midway_leaves_no_key(tmp_path):
    write_records([rec("/a.html"), rec("/b.html")], tmp_path)
    assert json.loads((tmp_path / RECORD_KEYS).read_text()) == {"/a.html": "6b" * 16, "/b.html": "6b" * 16}

    def stopped():
        yield rec("/a.html", "da sua")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_records(stopped(), tmp_path)
    assert "da sua" in (tmp_path / "a.html").read_text()
    assert not (tmp_path / RECORD_KEYS).exists()  # the next build makes every record again


def test_links_planted_in_the_folder_are_never_followed(tmp_path):
    folder, outside = tmp_path / "records", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    os.symlink(victim, folder / "a.html.tmp")
    os.symlink(outside, folder / "tin-tuc")
    write_records([rec("/a.html"), rec("/tin-tuc/b.html")], folder)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert list(outside.iterdir()) == [victim]
    assert not (folder / "tin-tuc").is_symlink() and (folder / "tin-tuc" / "b.html").is_file()
    assert not (folder / "a.html.tmp").exists() and not (folder / "a.html").is_symlink()


@pytest.mark.parametrize("url, page", [("/a.html", "a.html"), ("/", "index.html"), ("/x/y/", "x/y/index.html"),
                                       ("x//z.html", "x/z.html")])
def test_pages_of_addresses(url, page):
    assert page_of(url) == page


def test_an_address_leaving_the_site_is_refused():
    with pytest.raises(ValueError):
        page_of("/../../etc/passwd")
