"""The live preview serves the files of a folder it is writing: each answer is one whole file."""

from __future__ import annotations

import os
import threading

from portal.tools.preview import read_whole


def test_a_file_is_read_whole_and_anything_else_is_not_found(tmp_path):
    (tmp_path / "feed.xml").write_bytes(b"<rss/>")
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "pipe")  # never blocks the server
    assert read_whole(tmp_path / "feed.xml") == b"<rss/>"
    assert read_whole(tmp_path / "folder") is None
    assert read_whole(tmp_path / "pipe") is None
    assert read_whole(tmp_path / "missing.xml") is None
    assert read_whole(tmp_path / ("x" * 300)) is None


def test_a_file_replaced_while_it_is_served_is_one_version_or_the_other(tmp_path):
    target = tmp_path / "feed.xml"
    versions = [b"a" * 70_000, b"b" * 3_000]
    target.write_bytes(versions[0])
    stop = threading.Event()

    def rewrite() -> None:  # as the preview's round writes a feed: a new file put in place
        n = 0
        while not stop.is_set():
            n += 1
            tmp = tmp_path / ".feed.xml.tmp"
            tmp.write_bytes(versions[n % 2])
            os.replace(tmp, target)

    writer = threading.Thread(target=rewrite)
    writer.start()
    try:
        seen = [read_whole(target) for _ in range(400)]
    finally:
        stop.set()
        writer.join()
    assert all(data in versions for data in seen)
