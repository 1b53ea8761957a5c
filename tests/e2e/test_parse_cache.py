"""The parse cache (PORTAL_PARSE_CACHE): a second build reads what the first parsed, gives the same
site and the same errors, and never uses a result that no longer fits the file, the settings or
the code."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

NOW = "2026-11-26T09:00:00+07:00"
NEWS = "tin-tuc/2026-11-10-tap-huan.md"


def build(content: Path, output: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "build", "--content", str(content), "--output", str(output),
                           "--set", "SEARCH_INDEX=false", "--set", f'PORTAL_PARSE_CACHE="{cache}"', *extra],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PORTAL_NOW": NOW}, timeout=180)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def cached_files(cache: Path) -> list[Path]:
    return [p for p in cache.glob("*.pack") if p.is_file()]


def test_a_warm_build_is_the_cold_build(fixture_content, tmp_path):
    cache = tmp_path / "cache"
    assert build(fixture_content, tmp_path / "cold", cache).returncode == 0
    first = {p: results(p) for p in cached_files(cache)}
    assert len(first) == 1  # one pack for this content folder, settings and code
    assert build(fixture_content, tmp_path / "warm", cache).returncode == 0
    assert tree(tmp_path / "cold") == tree(tmp_path / "warm")
    # read, not parsed again (the pack may be written again once, to keep the files' times with their keys)
    assert {p: results(p) for p in cached_files(cache)} == first


def results(pack: Path) -> dict:
    """The pack's results: where each is and its digest."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from articles.reader import ParseCache

    from portal import blobs

    try:
        return ParseCache(pack)._index()[0]
    finally:
        blobs.forget(str(pack))  # the next build may replace the pack: never read an old one again


def test_an_edited_file_is_parsed_again(fixture_content, tmp_path):
    cache = tmp_path / "cache"
    assert build(fixture_content, tmp_path / "a", cache).returncode == 0
    path = fixture_content / NEWS
    path.write_text(path.read_text(encoding="utf-8").replace("\n\n", "\n\nCâu mới sau khi sửa. ", 1), encoding="utf-8")
    os.utime(path, ns=(0, 0))  # the time says nothing: the bytes do
    assert build(fixture_content, tmp_path / "b", cache).returncode == 0
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "b" / "tin-tuc").glob("*.html")]
    assert any("Câu mới sau khi sửa." in page for page in pages)


def test_a_broken_file_fails_the_warm_build_too(fixture_content, tmp_path):
    cache = tmp_path / "cache"
    path = fixture_content / NEWS
    path.write_text(path.read_text(encoding="utf-8").replace("Date: 2026-11-10", "Date: 2026-13-10", 1),
                    encoding="utf-8")
    cold = build(fixture_content, tmp_path / "a", cache)
    warm = build(fixture_content, tmp_path / "b", cache)
    assert cold.returncode == warm.returncode == 1
    assert "2026-11-10-tap-huan.md" in warm.stderr and "Ngày giờ không hợp lệ" in warm.stderr
    assert cold.stderr.replace("/a/", "/b/") == warm.stderr  # the same report, but for the folder named


def test_a_damaged_cache_file_counts_as_not_cached(fixture_content, tmp_path):
    cache = tmp_path / "cache"
    assert build(fixture_content, tmp_path / "a", cache).returncode == 0
    for p in cached_files(cache):
        p.write_bytes(b"\x80\x05 not a pickle")
    assert build(fixture_content, tmp_path / "b", cache).returncode == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def results_in(pack: Path) -> dict:
    sys.path.insert(0, str(ROOT / "plugins"))
    reader = importlib.import_module("articles.reader")
    try:
        return reader.ParseCache(pack)._read()
    finally:
        importlib.import_module("portal.blobs").release()


def results_in_bytes(data: bytes, tmp_path: Path) -> dict:
    copy = tmp_path / "copy.pack"
    copy.write_bytes(data)
    return results_in(copy)


def test_a_cut_or_scribbled_pack_counts_as_not_cached(fixture_content, tmp_path):
    """A pack cut short (a full disk) or with a result overwritten: what cannot be read is parsed again,
    the site is the same, and the next pack is whole again."""
    cache = tmp_path / "cache"
    assert build(fixture_content, tmp_path / "a", cache).returncode == 0
    (pack,) = cached_files(cache)
    whole = pack.read_bytes()
    pack.write_bytes(whole[: len(whole) // 2])
    assert build(fixture_content, tmp_path / "b", cache).returncode == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert len(results_in(pack)) == len(results_in_bytes(whole, tmp_path)) > 5  # written again, whole
    middle = len(whole) // 3
    pack.write_bytes(whole[:middle] + b"\x00" * 64 + whole[middle + 64:])
    assert build(fixture_content, tmp_path / "c", cache).returncode == 0
    assert tree(tmp_path / "a") == tree(tmp_path / "c")


def test_results_are_kept_in_files_only_while_building(fixture_content, tmp_path):
    """The parse results go to files in a folder of the build's own while it reads (not held in memory);
    the folder is gone when the build ends. One a killed build left (its lock free) is removed by the
    next build; one whose lock is held (a build still running, maybe on another machine sharing the
    cache) stays, and so does one too young to have its lock yet."""
    import fcntl

    cache = tmp_path / "cache"
    abandoned = cache / "portal-parse-1-abandoned"
    abandoned.mkdir(parents=True)
    (abandoned / ".lock").write_bytes(b"")
    (abandoned / "1.blobs").write_bytes(b"left by a build that was killed")
    running = cache / "portal-parse-2-running"
    running.mkdir()
    (running / ".lock").write_bytes(b"")
    young = cache / "portal-parse-3-young"
    young.mkdir()
    held = os.open(running / ".lock", os.O_WRONLY)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        for run in ("a", "b"):
            assert build(fixture_content, tmp_path / run, cache, "--set", "PORTAL_WORKERS=2").returncode == 0
            left = sorted(p.name for p in cache.iterdir())
            # the pack, the pages' keys, the neighbours' positions, the compiled templates and their names
            kept = [*cached_files(cache), *cache.glob("pages-*.keys"), cache / "neighbours.pickle", cache / "templates",
                    cache / "templates.analysed"]
            assert left == sorted([running.name, young.name, *(p.name for p in kept)])
            compiled = [p.name for p in (cache / "templates").iterdir()]
            assert len(compiled) > 10 and not [name for name in compiled if name.endswith(".tmp")]
    finally:
        os.close(held)
    assert build(fixture_content, tmp_path / "c", cache).returncode == 0
    assert not running.exists() and young.exists()


def test_a_cache_folder_that_cannot_be_written_only_slows_the_build(fixture_content, tmp_path):
    """A read-only cache folder (or a full disk): the build parses every file and succeeds."""
    if os.geteuid() == 0:
        cache = Path("/proc/self")  # root writes any folder: this one takes no new files
    else:
        cache = tmp_path / "cache"
        cache.mkdir()
        cache.chmod(0o500)
    for workers in ("1", "2"):
        done = build(fixture_content, tmp_path / f"out{workers}", cache, "--set", f"PORTAL_WORKERS={workers}")
        assert done.returncode == 0, done.stderr[-2000:]
    assert tree(tmp_path / "out1") == tree(tmp_path / "out2")


def test_other_settings_or_code_use_another_folder():
    sys.path.insert(0, str(ROOT / "plugins"))
    reader = importlib.import_module("articles.reader")
    base = {"PATH": "/x/content", "MARKDOWN": {"extensions": ["markdown.extensions.extra"]}}
    one = reader._fingerprint(base)
    assert reader._fingerprint(dict(base)) == one
    assert reader._fingerprint({**base, "MARKDOWN": {"extensions": []}}) != one
    assert reader._fingerprint({**base, "PATH": "/y/content"}) != one


def test_the_pack_has_one_name_before_and_after_a_reader_exists():
    """Pelican's Markdown reader adds its defaults to MARKDOWN itself when it is created: the pack
    looked for before (to parse the rest on every core) is the pack read and written after."""
    import copy

    from pelican.readers import MarkdownReader

    sys.path.insert(0, str(ROOT / "plugins"))
    reader = importlib.import_module("articles.reader")
    settings = {"PATH": "/x/content", "MARKDOWN": {"extension_configs": {"markdown.extensions.toc": {}},
                                                   "output_format": "html5"}}
    before = reader._fingerprint(copy.deepcopy(settings))
    MarkdownReader(settings)
    assert "markdown.extensions.meta" in settings["MARKDOWN"]["extensions"]  # what Pelican does to it
    assert reader._fingerprint(settings) == before


def ahead(built: subprocess.CompletedProcess) -> int:
    found = re.search(r"Đọc trước (\d+) tệp", built.stderr)
    assert found, built.stderr[-2000:]
    return int(found.group(1))


def test_a_warm_build_parses_nothing_ahead(tmp_path):
    """A corpus large enough to be parsed on every core: built again, only the edited file is parsed
    (the others come from the pack, not from worker processes)."""
    from portal.bench.corpus import generate_articles

    content = tmp_path / "content"
    files = generate_articles(content, 60)
    cache = tmp_path / "cache"
    cold = build(content, tmp_path / "a", cache, "--verbose", "--set", "PORTAL_WORKERS=2")
    assert cold.returncode == 0, cold.stderr
    files_read = list(content.rglob("*.md"))  # the articles', then the pages' (read after them)
    assert ahead(cold) == len(files_read) >= 60, cold.stderr[-2000:]
    edited = files[3]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: Đã sửa ", 1), encoding="utf-8")
    warm = build(content, tmp_path / "b", cache, "--verbose", "--set", "PORTAL_WORKERS=2")
    assert warm.returncode == 0, warm.stderr
    assert ahead(warm) == 0, warm.stderr[-2000:]
    assert len(cached_files(cache)) == 1


def test_an_edit_to_the_code_is_a_new_fingerprint(tmp_path, monkeypatch):
    import shutil

    sys.path.insert(0, str(ROOT / "plugins"))
    reader = importlib.import_module("articles.reader")
    copy = tmp_path / "tree"
    for part in ("portal", "plugins"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("node_modules", "__pycache__"))
    fake = copy / "plugins" / "articles" / "reader.py"
    monkeypatch.setattr(reader, "__file__", str(fake))
    base = {"PATH": "/x/content", "MARKDOWN": {}}
    reader._FINGERPRINTS.clear()
    before = reader._fingerprint(base)
    body = copy / "portal" / "body.py"
    body.write_text(body.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    reader._FINGERPRINTS.clear()
    assert reader._fingerprint(base) != before
    reader._FINGERPRINTS.clear()


def test_keys_hashed_by_the_workers_are_the_files_digests(tmp_path):
    """A cold build hashes each file in the worker process that parses it, not one file after another in
    the build: the pack keeps each result under the SHA-256 of the file's path and bytes, as the build
    itself computes it, and a key hashed from bytes that have changed since is not used."""
    import hashlib

    from portal.bench.corpus import generate_articles

    sys.path.insert(0, str(ROOT / "plugins"))
    from articles.reader import ParseCache

    content = tmp_path / "content"
    generate_articles(content, 60)
    cache = tmp_path / "cache"
    cold = build(content, tmp_path / "a", cache, "--verbose", "--set", "PORTAL_WORKERS=2")
    assert cold.returncode == 0, cold.stderr
    assert ahead(cold) >= 60
    (pack,) = cached_files(cache)
    held = results(pack)
    files = [p for p in content.rglob("*.md")]
    digests = {hashlib.sha256(str(p.resolve()).encode() + b"\0" + p.read_bytes()).hexdigest() for p in files}
    assert set(held) == digests

    one = files[0]
    found = ParseCache.file_key(str(one))
    assert found is not None and found[1] in digests
    fresh = ParseCache(tmp_path / "none.pack")
    assert fresh.key(str(one), hashed=found) == found[1]
    one.write_text(one.read_text(encoding="utf-8") + "\nThêm.\n", encoding="utf-8")
    again = ParseCache(tmp_path / "none.pack")
    stale = (found[0], "0" * 64)
    assert again.key(str(one), hashed=stale) == hashlib.sha256(str(one.resolve()).encode() + b"\0"
                                                               + one.read_bytes()).hexdigest()
    assert not ParseCache(tmp_path / "none.pack").holds_any()
