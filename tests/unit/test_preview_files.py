"""The live preview serves the files of a folder it is writing: each answer is one whole file."""

from __future__ import annotations

import os
import threading
import time

import pytest

from portal.tools.preview import chunks_of, open_file


def read_whole(path):
    """What the preview sends of ``path``: the bytes of the file it opened, or None (not found)."""
    opened = open_file(path)
    return None if opened is None else b"".join(chunks_of(*opened))


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


def test_a_large_file_is_sent_as_read_from_the_file_opened(tmp_path):
    from portal.tools.preview import WHOLE

    target = tmp_path / "bao-cao.pdf"
    first = bytes(range(256)) * (WHOLE // 128)  # 2 MiB
    target.write_bytes(first)
    fd, size = open_file(target)
    sent = chunks_of(fd, size)
    head = next(sent)
    replacement = tmp_path / ".new"
    replacement.write_bytes(b"x" * 10)
    os.replace(replacement, target)  # replaced while it is sent: the file opened is sent, whole
    assert head + b"".join(sent) == first and size == len(first)
    with pytest.raises(OSError):
        os.fstat(fd)  # closed once sent
    assert open_file(tmp_path) is None


def test_a_file_of_the_preview_is_put_in_place_whole_even_with_the_longest_name(tmp_path):
    from portal import outputs

    longest = tmp_path / ("a" * 250 + ".ics")  # 254 bytes: the file system's longest name is 255
    outputs.write_whole(longest, b"BEGIN:VCALENDAR")
    assert longest.read_bytes() == b"BEGIN:VCALENDAR"
    before = longest.stat().st_ino
    outputs.write_whole(longest, b"END:VCALENDAR")
    assert longest.read_bytes() == b"END:VCALENDAR" and longest.stat().st_ino != before  # a new file, renamed
    (tmp_path / "thu-muc").mkdir()
    with pytest.raises(OSError):
        outputs.write_whole(tmp_path / "thu-muc", b"x")  # a folder in the way: nothing left beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([longest.name, "thu-muc"])


def test_a_round_that_cannot_write_the_folder_leaves_no_request_waiting(tmp_path):
    """A feed or a picture is served once the round has written it; a round that failed (a full disk, a name
    the file system refuses) says so in the terminal, and the files are served as the folder holds them."""
    from portal.live.site import Update
    from portal.tools.preview import Preview

    class Site:
        settings: dict = {}
        current = Update.__new__(Update)

        def finish(self):
            raise OSError(28, "No space left on device")

    said: list[str] = []
    preview = Preview(tmp_path / "pelicanconf.py", {}, tmp_path / "site", [], out=said.append)
    preview.site, preview.ok = Site(), True
    Site.current.static_ready, Site.current.files_ready = threading.Event(), threading.Event()
    Site.current.finished = threading.Event()
    assert not preview.ready_for("nguon-tin/tat-ca.atom.xml")()
    preview.finish_wanted.set()
    finisher = threading.Thread(target=preview.finish_loop)
    finisher.start()
    try:
        assert Site.current.files_ready.wait(5)
    finally:
        preview.stop.set()
        finisher.join()
    assert preview.ready_for("nguon-tin/tat-ca.atom.xml")() and preview.ready_for("images/anh.png")()
    assert any("No space left on device" in line for line in said)
    assert not Site.current.finished.is_set()


def test_once_a_save_is_written_the_garbage_is_collected_and_the_model_left_out_of_later_walks():
    import gc
    import weakref

    from portal.tools.preview import settle_memory

    class Node:
        pass

    old = Node()
    old.self = old  # a model a save replaced: held only by its own cycles
    gone = weakref.ref(old)
    kept = Node()
    del old
    try:
        settle_memory()
        assert gone() is None  # collected
        assert gc.get_freeze_count() > 0 and gc.is_tracked(kept)  # the rest: out of the collector's walks
    finally:
        gc.unfreeze()


def test_a_save_during_the_first_build_is_seen(tmp_path):
    """The watcher is armed before the first build: a file saved while it runs (or the moment it ends, before
    a watcher armed after it would have been) comes to the preview as a change, not lost."""
    from types import SimpleNamespace

    from portal.tools.preview import Preview

    article = tmp_path / "a.md"
    article.write_text("Title: A\n", encoding="utf-8")
    seen: list = []
    preview = SimpleNamespace(watch=[tmp_path], stop=threading.Event())

    def changed(paths):
        seen.extend(paths)
        preview.stop.set()

    preview.changed = changed
    built = []

    def first_build():
        article.write_text("Title: B\n", encoding="utf-8")  # saved while the first build runs
        built.append(True)

    loop = threading.Thread(target=Preview.watch_loop, args=(preview,), kwargs={"first": first_build})
    loop.start()
    loop.join(20)
    preview.stop.set()
    loop.join(5)
    assert built == [True] and article in seen


def test_no_first_build_once_stopped_and_one_when_nothing_can_be_watched(tmp_path):
    from types import SimpleNamespace

    from portal.tools.preview import Preview

    built = []
    stopped = SimpleNamespace(watch=[tmp_path], stop=threading.Event(), changed=lambda paths: None)
    stopped.stop.set()  # Ctrl-C before the watcher's first answer: no build starts while the preview ends
    Preview.watch_loop(stopped, first=lambda: built.append("stopped"))
    unwatchable = SimpleNamespace(watch=[tmp_path / "gone"], stop=threading.Event(), changed=lambda paths: None)
    with pytest.raises(OSError):  # said, and the site is built all the same
        Preview.watch_loop(unwatchable, first=lambda: built.append("built"))
    assert built == ["built"]


def test_without_the_systems_notifications_the_preview_looks_at_the_files_in_turn(tmp_path, monkeypatch):
    """The limit of inotify watches reached: the watcher used to stop, and the preview served the old text
    for every later save. It now polls the files (and says so, with the fix)."""
    from types import SimpleNamespace

    import watchfiles

    from portal.tools.preview import Preview

    real = watchfiles.watch
    asked = []

    def watch(*paths, force_polling=None, **options):
        asked.append(force_polling)
        if not force_polling:
            raise RuntimeError("OS file watch limit reached. (Error { kind: MaxFilesWatch, paths: [] })")
        return real(*paths, force_polling=True, **options)

    monkeypatch.setattr(watchfiles, "watch", watch)
    article = tmp_path / "a.md"
    article.write_text("Title: A\n", encoding="utf-8")
    os.utime(article, (time.time() - 5,) * 2)  # (the poller keeps whole seconds: a save in the same one is not seen)
    said, seen, built = [], [], []
    preview = SimpleNamespace(watch=[tmp_path], stop=threading.Event(), out=said.append,
                              t=lambda vi, en: en)

    def changed(paths):
        seen.extend(paths)
        preview.stop.set()

    preview.changed = changed

    def first_build():
        built.append(True)
        time.sleep(0.8)  # (a build takes its time: the poller has looked at every file once meanwhile)
        article.write_text("Title: B, a little longer\n", encoding="utf-8")

    loop = threading.Thread(target=Preview.watch_loop, args=(preview,), kwargs={"first": first_build})
    loop.start()
    loop.join(20)
    preview.stop.set()
    loop.join(5)
    assert asked == [None, True] and built == [True] and article in seen  # (None: watchfiles decides, WSL…)
    assert "fs.inotify.max_user_watches" in said[0] and "Error {" not in said[0]


def test_an_updates_own_failure_is_not_taken_for_the_watchers(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import watchfiles

    from portal.tools.preview import Preview

    real = watchfiles.watch
    asked = []

    def watch(*paths, force_polling=None, **options):
        asked.append(force_polling)
        return real(*paths, force_polling=force_polling, **options)

    monkeypatch.setattr(watchfiles, "watch", watch)

    def changed(paths):
        raise OSError("No space left on device")  # writing the output, not watching

    preview = SimpleNamespace(watch=[tmp_path], stop=threading.Event(), out=lambda text: None,
                              t=lambda vi, en: en, changed=changed)
    failed = []

    def loop():
        try:
            Preview.watch_loop(preview, first=lambda: (tmp_path / "a.md").write_text("x", encoding="utf-8"))
        except OSError as err:
            failed.append(str(err))

    thread = threading.Thread(target=loop)
    thread.start()
    thread.join(20)
    preview.stop.set()
    thread.join(5)
    assert failed == ["No space left on device"] and asked == [None]  # raised as it is, no polling


def test_a_watcher_that_cannot_start_at_all_still_lets_the_site_be_built(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import watchfiles

    from portal.tools.preview import Preview

    def watch(*paths, **options):  # too many inotify instances, and no polling either: watchfiles' own error
        raise RuntimeError("Too many open files (os error 24)")
        yield  # (a generator, as watchfiles' is)

    monkeypatch.setattr(watchfiles, "watch", watch)
    built, said = [], []
    preview = SimpleNamespace(watch=[tmp_path], stop=threading.Event(), out=said.append, t=lambda vi, en: en,
                              changed=lambda paths: None)
    with pytest.raises(RuntimeError):
        Preview.watch_loop(preview, first=lambda: built.append(True))
    assert built == [True] and len(said) == 1 and "sysctl" not in said[0]  # (not the watch limit: no such fix)
