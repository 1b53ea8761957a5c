"""The parse cache's pack (plugins/articles/reader.py ParseCache): written again after a rebuild, it
holds every result of the build, each under its own digest, whether it was copied from the old pack
by the kernel or parsed in this build."""

from __future__ import annotations

import functools
import os
import random
import sys

import pytest
from conftest import ROOT

from portal import blobs

sys.path.insert(0, str(ROOT / "plugins"))
from articles.reader import ParseCache, Parsed  # noqa: E402


@pytest.fixture
def fresh_blobs():
    yield
    blobs.release()


def parsed(i: int) -> Parsed:
    return Parsed(kind="tin-tuc", content=f"<p>bài {i} " + "x" * (i * 37 % 500) + "</p>", ok=True)


def reopened(pack) -> ParseCache:
    blobs.release()
    return ParseCache(pack)


def test_a_pack_written_again_keeps_old_results_and_new_ones(tmp_path, fresh_blobs, monkeypatch):
    pack = tmp_path / "cache" / ("a" * 32 + ".pack")
    first = ParseCache(pack)
    for i in range(50):
        first.keep(f"k{i}", parsed(i))
    first.save()

    second = reopened(pack)
    # the rebuild reads most of the results, in another order, with gaps (a file deleted, one edited)
    read = [*range(0, 20), *range(21, 35), *range(36, 50)]
    random.Random(4).shuffle(read)
    for i in read:
        assert second.load(f"k{i}").content == parsed(i).content
    second.keep("k20", Parsed(kind="tin-tuc", content="<p>đã sửa</p>", ok=True))
    second.keep("new", parsed(99))
    copies = []
    monkeypatch.setattr(blobs, "copy", lambda ref, out, real=blobs.copy: (copies.append(ref), real(ref, out)))
    second.save()
    assert len(copies) == 3  # the old pack's results in its order: one copy a run between the gaps

    third = reopened(pack)
    assert len(third._read()) == 50  # k35 is gone: this build did not read it
    for i in [*range(0, 20), *range(21, 35), *range(36, 50)]:
        assert third.load(f"k{i}").content == parsed(i).content
    assert third.load("k20").content == "<p>đã sửa</p>"
    assert third.load("new").content == parsed(99).content
    assert third.load("k35") is None
    assert third.hits == 50


@pytest.mark.parametrize("stop", ["refused", "error midway", "nothing midway"])
def test_a_pack_is_copied_without_range_copies_too(tmp_path, fresh_blobs, monkeypatch, stop):
    """Where the kernel cannot copy ranges (another system, an older kernel), or stops copying partway
    (a file system that copies some bytes, then refuses or copies nothing), the bytes are read and
    written: the same pack."""
    pack = tmp_path / ("b" * 32 + ".pack")
    first = ParseCache(pack)
    for i in range(10):
        first.keep(f"k{i}", parsed(i))
    first.save()
    before = pack.read_bytes()

    real, calls = os.copy_file_range, []

    def refuse(src, dst, count, offset_src=None, *args):
        calls.append(count)
        if stop != "refused" and len(calls) % 2:  # the first call of each copy: a few bytes
            return real(src, dst, min(count, 7), offset_src)
        if stop == "nothing midway":
            return 0
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    second = reopened(pack)
    for i in range(10):
        second.load(f"k{i}")
    second.keep("k10", parsed(10))
    second.save()
    third = reopened(pack)
    assert [third.load(f"k{i}").content for i in range(11)] == [parsed(i).content for i in range(11)]
    assert pack.read_bytes().startswith(before[:len(ParseCache.MAGIC) + sum(third._read()[f"k{i}"][1]
                                                                                 for i in range(10))])


def test_a_file_hashed_before_is_known_by_its_times_until_it_changes(tmp_path, fresh_blobs, monkeypatch):
    """A rebuild does not read the files the last build hashed; any write to one (even one that puts
    its size and modification time back) makes it read again."""
    import time
    from pathlib import Path

    monkeypatch.setattr(ParseCache, "SETTLED_NS", 0)  # every file's times are kept, however new
    source = tmp_path / "bai.md"
    source.write_text("Title: Bài\n\nThân bài.\n", encoding="utf-8")
    pack = tmp_path / ("c" * 32 + ".pack")
    first = ParseCache(pack)
    key = first.key(str(source))
    first.keep(key, parsed(1))
    first.save()

    from articles import reader

    reads = []
    real = reader._read_bounded

    def counted(path):
        reads.append(Path(path))
        return real(path)

    monkeypatch.setattr(reader, "_read_bounded", counted)
    second = reopened(pack)
    assert second.key(str(source)) == key and reads == []  # known by its times: not read
    assert second.load(key).content == parsed(1).content

    time.sleep(0.05)  # past the file system's clock tick
    before = source.stat()
    source.write_text("Title: Bày\n\nThân bài.\n", encoding="utf-8")  # the same size
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same modification time
    third = reopened(pack)
    changed = third.key(str(source))
    assert reads == [source] and changed != key  # its change time moved: read and hashed
    assert third.load(changed) is None


def test_on_a_network_file_system_every_file_is_read(tmp_path, fresh_blobs, monkeypatch):
    """Over NFS, SMB or FUSE a file's times may lag another machine's write: the cache then hashes every
    file on every build, as it does when the setting says so on any file system."""
    from pathlib import Path

    from portal import content_tree

    table = tmp_path / "mountinfo"
    table.write_text("27 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                     f"90 27 0:50 / {tmp_path}/nfs\\040share rw - nfs4 server:/export rw\n"
                     f"91 90 0:51 / {tmp_path}/nfs\\040share/local rw - tmpfs tmpfs rw\n", encoding="utf-8")
    kind = functools.partial(content_tree.file_system_type, mountinfo=str(table))
    assert kind(tmp_path / "nfs share" / "bai.md") == "nfs4"
    assert kind(tmp_path / "nfs share" / "local" / "bai.md") == "tmpfs"
    assert kind(tmp_path / "nfs sharex") == "ext4" and kind("/") == "ext4"
    monkeypatch.setattr(content_tree, "file_system_type", kind)
    assert not content_tree.times_can_be_trusted(tmp_path / "nfs share")
    assert content_tree.times_can_be_trusted(tmp_path / "nfs share" / "local")

    monkeypatch.setattr(ParseCache, "SETTLED_NS", 0)
    source = tmp_path / "bai.md"
    source.write_text("Title: Bài\n\nThân bài.\n", encoding="utf-8")
    from articles import reader

    reads = []
    real = reader._read_bounded
    monkeypatch.setattr(reader, "_read_bounded", lambda path: (reads.append(Path(path)), real(path))[1])
    for trusted in (True, False):
        pack = tmp_path / (("d" if trusted else "e") * 32 + ".pack")
        first = ParseCache(pack, trust_times=trusted)
        key = first.key(str(source))
        first.keep(key, parsed(1))
        first.save()
        blobs.release()
        reads.clear()
        again = ParseCache(pack, trust_times=trusted)
        assert again.key(str(source)) == key
        assert reads == ([] if trusted else [source])
        assert again.load(key).content == parsed(1).content

    settings = {"PORTAL_PARSE_CACHE": str(tmp_path / "cache"), "PATH": str(tmp_path / "nfs share")}
    monkeypatch.setattr("articles.reader._fingerprint", lambda settings: "f" * 32)
    ParseCache._open.clear()
    assert ParseCache.of(settings).trust_times is False
    ParseCache._open.clear()
    assert ParseCache.of({**settings, "PORTAL_TRUST_FILE_TIMES": True}).trust_times is True
    ParseCache._open.clear()
    assert ParseCache.of({**settings, "PATH": str(tmp_path / "nfs share" / "local")}).trust_times is True
    ParseCache._open.clear()


def test_a_file_read_once_for_its_key_and_its_parse_reads_as_read_alone(tmp_path):
    """A parse worker hashes a file's bytes and parses those same bytes (``ParseCache.file_key``): the result is
    what reading the file gives (a byte-order mark, Windows and old Mac line ends, a link to the file, its
    folder reached through a link); a file too large or not a regular one is never read for its key."""
    from articles.reader import PortalReader

    from portal.content_tree import MAX_ARTICLE_BYTES
    from portal.settings import load

    content = tmp_path / "content"
    (content / "tin-tuc").mkdir(parents=True)
    settings = load(ROOT / "pelicanconf.py", {"PATH": str(content)})
    reader = PortalReader(settings)
    text = ("Title: Bài thử\nDate: 2026-11-20 08:00\nSummary: Tóm tắt ngắn của bài.\nTags: thử\n\n"
            "Đoạn một.\n\n- mục một\n- mục hai\n")
    cases = {"lf.md": text.encode(), "bom.md": b"\xef\xbb\xbf" + text.encode(),
             "crlf.md": text.replace("\n", "\r\n").encode(), "cr.md": text.replace("\n", "\r").encode(),
             "mixed.md": text.replace("\n", "\r\n", 3).encode(), "bad.md": text.encode() + b"\xff\xfe"}
    for name, data in cases.items():
        path = content / "tin-tuc" / name
        path.write_bytes(data)
        found = ParseCache.file_key(str(path))
        assert found is not None and found[2] == data
        assert reader._parse(str(path), found[2]) == reader._parse(str(path)), name
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "linked.md").write_bytes(text.encode())
    (content / "tin-tuc" / "link.md").symlink_to(tmp_path / "elsewhere" / "linked.md")
    (content / "hoi-nghi").symlink_to(content / "tin-tuc", target_is_directory=True)
    for path in (content / "tin-tuc" / "link.md", content / "hoi-nghi" / "lf.md"):
        read_alone = reader._parse(str(path))
        assert reader._parse(str(path), path.read_bytes()) == read_alone
        assert read_alone.kind == ("tin-tuc" if path.name == "lf.md" else None)
    big = content / "tin-tuc" / "big.md"
    big.write_bytes(text.encode() + b"x" * MAX_ARTICLE_BYTES)
    assert ParseCache.file_key(str(big)) is None and ParseCache(tmp_path / "p.pack").key(str(big)) is None
    assert [p.code for p in reader._parse(str(big)).problems] == ["too_large"]
    os.mkfifo(content / "tin-tuc" / "pipe.md")
    assert ParseCache.file_key(str(content / "tin-tuc" / "pipe.md")) is None  # (never opened: it would block)


def test_a_file_that_grows_past_an_article_after_its_size_was_seen_is_not_read_whole(tmp_path, monkeypatch):
    """The size is looked at, then the file read: what grew in between is read no further than an article may be."""
    import io

    from articles import reader

    from portal.content_tree import MAX_ARTICLE_BYTES

    grown = tmp_path / "bai.md"
    grown.write_bytes(b"x" * 10)
    real_stat, real_read = os.stat, io.BufferedReader.read
    asked: list[int] = []

    def stat_then_grow(path, *args, **kwargs):
        st = real_stat(path, *args, **kwargs)
        if str(path) == str(grown) and st.st_size == 10:
            with open(grown, "ab") as f:
                f.truncate(3 * 2**30)  # (sparse)
        return st

    class Counted(io.BufferedReader):
        def read(self, n=-1):
            asked.append(n)
            return real_read(self, n)

    real_open = open
    monkeypatch.setattr(reader.os, "stat", stat_then_grow)
    monkeypatch.setattr("builtins.open", lambda path, mode="r", *a, **k: Counted(real_open(path, "rb", buffering=0))
                        if str(path) == str(grown) and mode == "rb" else real_open(path, mode, *a, **k))
    assert ParseCache.file_key(str(grown)) is None
    assert asked == [MAX_ARTICLE_BYTES + 1]
    assert reader._read_bounded(str(grown)) is None
    grown.write_bytes(b"y" * MAX_ARTICLE_BYTES)
    assert reader._read_bounded(str(grown)) == b"y" * MAX_ARTICLE_BYTES


def test_a_file_is_read_in_as_many_bytes_as_it_holds_and_on_to_the_bound_only_when_it_grew(tmp_path, monkeypatch):
    """A read of the bound itself would allocate 2 MB for every file; a file that grows between the look at its
    size and the read is still read no further than an article may be."""
    import io

    from articles import reader

    from portal.content_tree import MAX_ARTICLE_BYTES

    path = tmp_path / "bai.md"
    path.write_bytes(b"x" * 10)
    real_read, real_fstat, real_open = io.BufferedReader.read, os.fstat, open
    asked: list[int] = []

    class Counted(io.BufferedReader):
        def read(self, n=-1):
            asked.append(n)
            return real_read(self, n)

    monkeypatch.setattr("builtins.open", lambda p, mode="r", *a, **k: Counted(real_open(p, "rb", buffering=0))
                        if str(p) == str(path) and mode == "rb" else real_open(p, mode, *a, **k))
    assert reader._read_bounded(str(path)) == b"x" * 10
    assert asked == [11]  # (one more byte than it holds: the end is seen)

    def fstat_then_grow(fd):
        st = real_fstat(fd)
        with real_open(path, "ab") as f:
            f.write(b"y" * (MAX_ARTICLE_BYTES + 100))
        return st

    asked.clear()
    monkeypatch.setattr(reader.os, "fstat", fstat_then_grow)
    assert reader._read_bounded(str(path)) is None
    assert asked == [11, MAX_ARTICLE_BYTES + 1 - 11]  # read on to the bound, no further
    path.write_bytes(b"x" * 10)
    monkeypatch.setattr(reader.os, "fstat", lambda fd: (real_fstat(fd), path.write_bytes(b"x" * 20))[0])
    assert reader._read_bounded(str(path)) == b"x" * 20  # grown within the bound: read whole


def test_the_images_a_body_shows_are_found_however_it_writes_their_path():
    from types import SimpleNamespace

    from articles.reader import images_used

    body = ('![a]({static}/images/a.png) <img src="/images/b.jpg"> ![c]({attach}images/c.webp "t")\n'
            "[d](images/d/e.png) {static}{attach}/images/f.png //images/g.gif images/h.png)")
    entry = SimpleNamespace(body=body, values={"image": "images/lead.jpg"})
    assert images_used(entry) == {"images/a.png", "images/b.jpg", "images/c.webp", "images/d/e.png",
                                  "images/f.png", "images/g.gif", "images/h.png", "images/lead.jpg"}
