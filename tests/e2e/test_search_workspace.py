"""The search index kept between builds (portal.search.Workspace): a rebuild writes only the shadow pages
and Pagefind fragments of what changed, and publishes, file for file, the index a cold build makes."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, ROOT

NOW = "2026-11-26T09:00:00+07:00"


def build(content: Path, output: Path, cache: Path | None, *sets: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "portal", "build", "--content", str(content), "--output", str(output),
         "--set", "SEARCH_INDEX=true", "--set", f'PORTAL_PARSE_CACHE="{cache or ""}"', *sets],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PORTAL_NOW": NOW}, timeout=300)
    assert proc.returncode == 0, proc.stderr


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def stamps(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def site(tmp_path) -> tuple[Path, Path, Path]:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    return content, tmp_path / "out", tmp_path / "cache"


def same_as_cold(content: Path, out: Path, tmp_path: Path, *sets: str) -> None:
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    build(content, cold, None, *sets)
    assert files(out / "pagefind") == files(cold / "pagefind")


def test_an_index_in_parts_indexes_again_only_the_part_that_changed(site, tmp_path):
    """SEARCH_PART_MIB small enough to split the fixture's index: a rebuild after one article's edit runs
    Pagefind for that article's part only (the other parts' files are the files of before), the result is
    the index a cold build makes, and a site that no longer needs parts goes back to one index."""
    from portal import search

    content, out, cache = site
    parts = f"SEARCH_PART_MIB={search.PAGEFIND_OWN_MIB + 0.1}"
    build(content, out, cache, "--set", parts)
    listed = json.loads((out / "pagefind" / search.PARTS_FILE).read_text(encoding="utf-8"))["phan"]
    assert len(listed) >= 2
    assert not (cache / "search" / "index").exists()  # the whole index of one part is not kept beside them
    before = {n: stamps(cache / "search" / "phan" / str(n) / "index") for n in range(len(listed) + 1)}
    edited = content / "tin-tuc" / "2026-11-10-tap-huan.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: Từkhoámới ", 1), encoding="utf-8")
    build(content, out, cache, "--set", parts)
    same_as_cold(content, out, tmp_path, "--set", parts)
    part = search.part_of("tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html", len(listed) + 1)
    after = {n: stamps(cache / "search" / "phan" / str(n) / "index") for n in range(len(listed) + 1)}
    assert [n for n in after if after[n] != before[n]] == [part]

    build(content, out, cache)  # the default budget: one index again, the parts' folders gone
    same_as_cold(content, out, tmp_path)
    assert json.loads((out / "pagefind" / search.PARTS_FILE).read_text(encoding="utf-8")) == {"phan": []}
    assert not (cache / "search" / "phan").exists() and (cache / "search" / "index" / "fragment").is_dir()


def test_a_rebuild_indexes_what_changed_and_publishes_the_cold_index(site, tmp_path):
    content, out, cache = site
    build(content, out, cache)
    workspace = cache / "search"
    fragments = workspace / "index" / "fragment"
    pages = len(list((workspace / "records").rglob("*.html")))
    assert pages > 5 and len(list(fragments.iterdir())) == pages
    served = stamps(out / "pagefind")

    # one article's words: its shadow page and its fragment are new; the others are the files of before
    edited = content / "tin-tuc" / "2026-11-10-tap-huan.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: Từkhoámới ", 1), encoding="utf-8")
    records_before = stamps(workspace / "records")
    build(content, out, cache)
    same_as_cold(content, out, tmp_path)
    records_after = stamps(workspace / "records")
    assert [name for name in records_after if records_after[name] != records_before.get(name)] == \
        [name for name in records_after if name.endswith("tap-huan-nhan-dien-lua-dao-truc-tuyen.html")
         or name.startswith(".")]
    assert len(list(fragments.iterdir())) == pages  # the edited page's old fragment removed
    now = stamps(out / "pagefind")
    shared = [name for name in now if name.startswith("fragment/") and now[name][0] == served.get(name, (0,))[0]]
    assert len(shared) == pages - 1
    assert any(b"Tukhoamoi" in gzip.decompress(p.read_bytes()) for p in fragments.iterdir())  # folded, indexed
    # the output replaced was not written into: its files are as they were
    (previous,) = tmp_path.glob(".out.previous-*")
    assert stamps(previous / "pagefind") == served

    # an article removed: its shadow page and its fragment go
    edited.unlink()
    build(content, out, cache)
    same_as_cold(content, out, tmp_path)
    assert not any("tap-huan" in p.name for p in (workspace / "records").rglob("*"))
    assert len(list(fragments.iterdir())) == pages - 1


def test_a_rebuild_whose_words_did_not_change_does_not_run_pagefind(site, tmp_path, monkeypatch):
    """Nothing changed, or a setting that no shadow page shows: the kept index is served as it is (Pagefind
    would write it again; it rewrites every file but the fragments when it runs). Any other state of the
    workspace runs it: a page changed (even by a build stopped before its run), a file of the index changed
    or added."""
    from portal import search

    content, out, cache = site
    build(content, out, cache)
    shutil.rmtree(cache)  # the index made whole again beside an output with the same files: the swap gives
    build(content, out, cache)  # them that output's times, through the links (a stamp that held them ran it again)
    index = cache / "search" / "index"
    made = stamps(index)
    build(content, out, cache)
    build(content, out, cache, "--set", 'SITENAME="Cổng khác"')
    assert stamps(index) == made
    same_as_cold(content, out, tmp_path, "--set", 'SITENAME="Cổng khác"')

    records = cache / "search" / "records"
    runs: list[Path] = []
    real = search._index_kept
    monkeypatch.setattr(search, "_index_kept", lambda *a, **k: (runs.append(a[1]), real(*a, **k)))

    def index_again() -> Path:
        (records / search.RECORDS_STATUS).write_text("{}", encoding="utf-8")
        target = tmp_path / f"index-{len(list(tmp_path.glob('index-*')))}"
        search.index_records(records, target, kept=index)
        return target

    index_again()
    assert runs == [] and stamps(index) == made
    (index / "stray.js").write_text("added", encoding="utf-8")
    index_again()
    assert len(runs) == 1 and not (index / "stray.js").exists()
    # a fragment damaged since its run (Pagefind never writes one that is there): written again, as it was
    fragment = sorted((index / "fragment").iterdir())[0]
    good = fragment.read_bytes()
    fragment.write_bytes(b"garbage")
    index_again()
    assert len(runs) == 2 and fragment.read_bytes() == good
    index_again()
    assert len(runs) == 2
    fragment.unlink()
    fragment.mkdir()  # (not a file: removed as well)
    index_again()
    assert len(runs) == 3 and fragment.read_bytes() == good
    # what else makes Pagefind's index: a variable it reads, a configuration file where it runs
    monkeypatch.setenv("PAGEFIND_EXCLUDE_SELECTORS", "h1")
    index_again()
    assert len(runs) == 4
    index_again()
    assert len(runs) == 4
    monkeypatch.delenv("PAGEFIND_EXCLUDE_SELECTORS")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pagefind.yml").write_text("exclude_selectors: [h1]\n", encoding="utf-8")
    excluded = index_again()
    assert len(runs) == 5
    (tmp_path / "pagefind.yml").unlink()
    index_again()
    assert len(runs) == 6
    monkeypatch.chdir(ROOT)
    (tmp_path / "pagefind.yml").write_text("exclude_selectors: [h1]\n", encoding="utf-8")  # (not where it runs)
    index_again()
    assert len(runs) == 6
    assert files(excluded) != files(index_again())  # (the file did make another index: the test can tell)
    # a page rewritten (as write_records does) and the build stopped before Pagefind ran: the next one runs it
    page = next(iter(search.shadow_pages(records)))
    edited = (records / page).read_text(encoding="utf-8").replace("<h1>", "<h1>Zebraword ", 1)
    (records / "new.tmp").write_text(edited, encoding="utf-8")
    os.replace(records / "new.tmp", records / page)
    monkeypatch.setattr(search, "_index_kept", lambda *_, **__: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        index_again()
    monkeypatch.setattr(search, "_index_kept", lambda *a, **k: (runs.append(a[1]), real(*a, **k)))
    after = index_again()
    assert len(runs) == 7
    assert any(b"Zebraword" in gzip.decompress(p.read_bytes()) for p in (index / "fragment").iterdir())
    shutil.copytree(records, tmp_path / "records-copy")
    (tmp_path / "records-copy" / search.RECORDS_STATUS).write_text("{}", encoding="utf-8")
    cold = tmp_path / "cold-index"
    search.index_records(tmp_path / "records-copy", cold)
    assert files(after) == files(cold)


def test_an_index_left_unfinished_or_unreadable_is_made_anew(site, tmp_path):
    content, out, cache = site
    build(content, out, cache)
    index = cache / "search" / "index"
    (index / "fragment" / "vi_0000000.pf_fragment").write_bytes(b"left by a run that was killed")
    (index / ".unfinished").write_bytes(b"")
    build(content, out, cache)
    assert not (index / "fragment" / "vi_0000000.pf_fragment").exists()
    same_as_cold(content, out, tmp_path)
    meta = next(index.glob("*.pf_meta"))
    meta.write_bytes(b"not gzip")  # removed before Pagefind runs, like every file but the fragments
    build(content, out, cache)
    same_as_cold(content, out, tmp_path)


def test_a_build_that_finds_the_workspace_held_indexes_on_its_own(site, tmp_path):
    content, out, cache = site
    (cache / "search").mkdir(parents=True)
    held = os.open(cache / "search" / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        build(content, out, cache)
    finally:
        os.close(held)
    assert list((cache / "search" / "records").iterdir()) == []  # not touched: another build holds it
    same_as_cold(content, out, tmp_path)


def _record(i: int) -> dict:
    return {"url": f"/p{i}.html", "title": f"trang {i}", "content": f"noi dung so {i} tu khoa{i}",
            "meta": {"title": f"T{i}"}, "filters": {}}


def _fragment_urls(index: Path) -> dict[str, str]:
    return {p.name: json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])["url"]
            for p in (index / "fragment").iterdir()}


@pytest.mark.parametrize("first, second", [([1, 14228], [1, 36925]), ([36925], [1, 14228, 36925])])
def test_a_fragment_named_like_another_pages_file_is_never_served_for_it(tmp_path, monkeypatch, first, second):
    """Pagefind names a fragment by 7 hex digits of its digest and does not write one whose file is
    there: pages 14228 and 36925 below share a name. Whatever the workspace held, each page's result is
    its own fragment, as in a cold build."""
    from portal import search

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the cold index's folder on the same file system

    records, index = tmp_path / "ws" / "records", tmp_path / "ws" / "index"
    records.mkdir(parents=True)
    for n, ids in enumerate((first, second)):
        search.write_records((_record(i) for i in ids), records)
        search.index_records(records, tmp_path / f"out{n}", kept=index)
    cold = tmp_path / "cold"
    search.write_index((_record(i) for i in second), cold)
    assert sorted(_fragment_urls(tmp_path / "out1").values()) == sorted(f"/p{i}.html" for i in second)
    assert _fragment_urls(tmp_path / "out1") == _fragment_urls(cold)
    assert files(tmp_path / "out1") == files(cold)


@pytest.fixture
def listed_as_made(tmp_path_factory) -> Path:
    """A folder on a file system that lists a folder's files in the order they were made (tmpfs), where
    the machine has one; else the test's own folder (ext4 lists them in an order of their names' hash)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="portal-order-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("order")


@pytest.mark.parametrize("split", [None, 0.05])
def test_the_index_is_the_same_whatever_order_the_workspace_was_filled_in(listed_as_made, monkeypatch, split):
    """Pagefind numbers pages in the order it walks their folder. A workspace filled over two builds (the
    second adds pages, and rewrites one) lists its files in another order than a cold build's new folder
    on a file system that lists them as they were made; the index published is the cold one, byte for
    byte, in one index or in parts."""
    from portal import search

    monkeypatch.setattr(tempfile, "tempdir", str(listed_as_made))
    records, index = listed_as_made / "ws" / "records", listed_as_made / "ws" / "index"
    records.mkdir(parents=True)
    later = [_record(i) for i in range(40)]
    later[3]["content"] += " sua lai"
    for n, batch in enumerate(([_record(i) for i in range(20, 0, -1)], later)):
        search.write_records(iter(batch), records)
        search.index_records(records, listed_as_made / f"out{n}", kept=index, part_mib=split)
    search.write_index(iter(sorted(later, key=lambda r: r["url"])), listed_as_made / "cold", part_mib=split)
    parts = json.loads((listed_as_made / "cold" / search.PARTS_FILE).read_text(encoding="utf-8"))["phan"]
    assert (len(parts) > 0) == (split is not None)
    urls = [url for part in ["", *parts] for url in _fragment_urls(listed_as_made / "out1" / part).values()]
    assert sorted(urls) == sorted(f"/p{i}.html" for i in range(40))
    assert files(listed_as_made / "out1") == files(listed_as_made / "cold")
    assert not list(listed_as_made.glob("**/*-theo-ten*"))  # the folders in name order are gone after each run


def test_parts_left_empty_a_stopped_build_and_planted_links_are_handled(site, tmp_path, monkeypatch):
    """Three cases of an index in parts, run in this process on the fixture's shadow pages: a digest that
    leaves a part without a page (no index made for it, none listed); a build stopped after a part's links
    changed but before Pagefind ran (the next one runs it: the index is the cold one, not the last one); a
    symbolic link planted in the workspace (removed, never written or deleted through)."""
    from portal import search

    content, out, cache = site
    build(content, out, cache)
    records = cache / "search" / "records"
    pages = search.shadow_pages(records)

    def parts_used(part_mib: float) -> set[int]:
        count = search.parts(pages, part_mib)
        return {search.part_of(page, count) for page in pages}

    # the smallest budget at which the fixture's digests leave a part empty (one index before: a rebuild)
    part_mib = next(mib for mib in (search.PAGEFIND_OWN_MIB + n / 1000 for n in range(1, 1000))
                    if len(parts_used(mib)) < search.parts(pages, mib))
    build(content, out, cache, "--set", f"SEARCH_PART_MIB={part_mib}")
    assert search.shadow_pages(records).keys() == pages.keys()
    used, count = parts_used(part_mib), search.parts(pages, part_mib)
    assert 1 < len(used) < count
    listed = json.loads((out / "pagefind" / search.PARTS_FILE).read_text(encoding="utf-8"))["phan"]
    assert len(listed) == len(used) - 1
    assert all((out / "pagefind" / part / "pagefind-entry.json").is_file() for part in listed)
    assert sorted(p.name for p in (cache / "search" / "phan").iterdir()) == sorted(str(n) for n in used)

    def index_again(part_mib: float) -> Path:
        """What the build does after its process has ended, into a fresh folder."""
        (records / search.RECORDS_STATUS).write_text("{}", encoding="utf-8")
        target = tmp_path / f"index-{len(list(tmp_path.glob('index-*')))}"
        search.index_records(records, target, kept=cache / "search" / "index", part_mib=part_mib)
        return target

    def cold(part_mib: float) -> Path:
        (records / search.RECORDS_STATUS).write_text("{}", encoding="utf-8")
        target = tmp_path / f"cold-{len(list(tmp_path.glob('cold-*')))}"
        shutil.copytree(records, tmp_path / "records-copy", dirs_exist_ok=True)
        search.index_records(tmp_path / "records-copy", target, part_mib=part_mib)
        shutil.rmtree(tmp_path / "records-copy")
        return target

    # stopped between a part's links and its Pagefind run
    budget = next(mib for mib in (search.PAGEFIND_OWN_MIB + n / 1000 for n in range(1, 1000))
                  if search.parts(pages, mib) not in (1, count))
    index_again(budget)  # split another way: every part made anew
    page = next(iter(pages))
    edited = (records / page).read_text(encoding="utf-8").replace("<h1>", "<h1>Zebraword ", 1)
    (records / "new.tmp").write_text(edited, encoding="utf-8")
    os.replace(records / "new.tmp", records / page)  # a new file, as write_records writes a changed page
    real = search._index_kept
    monkeypatch.setattr(search, "_index_kept", lambda *_, **__: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        index_again(budget)
    monkeypatch.setattr(search, "_index_kept", real)
    assert files(index_again(budget)) == files(cold(budget))

    # a link planted in the workspace: removed with its part, nothing written or removed where it points
    victim = tmp_path / "victim"
    (victim / "index").mkdir(parents=True)
    (victim / "index" / "precious.txt").write_text("keep", encoding="utf-8")
    planted = cache / "search" / "phan" / str(search.part_of(page, search.parts(pages, budget)))
    shutil.rmtree(planted)
    planted.symlink_to(victim, target_is_directory=True)
    assert files(index_again(budget)) == files(cold(budget))
    assert [p.name for p in victim.rglob("*")] == ["index", "precious.txt"] and not planted.is_symlink()
