"""portal.live.jobs.BuildWriter: pages written on several cores are the pages written on one, and a
failure in another process stops the build with the same error."""

from __future__ import annotations

import jinja2
import pytest
from pelican import signals
from pelican.settings import DEFAULT_CONFIG

from portal.live.jobs import BuildWriter

ENV = jinja2.Environment()


class Broken(Exception):
    pass


def raise_broken(message):
    raise Broken(message)


ENV.globals["fail"] = raise_broken


def writer(out, count: int, broken: int | None = None) -> BuildWriter:
    w = BuildWriter(str(out), settings=dict(DEFAULT_CONFIG))
    good = ENV.from_string("<p>{{ n }} {{ output_file }}</p>")
    bad = ENV.from_string("{{ fail('trang hỏng ' ~ n) }}")
    for n in range(count):
        w.write_file(f"p/{n}.html", bad if n == broken else good, {"SITEURL": ""}, n=n)
    return w


def files(root) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_two_processes_write_what_one_writes(tmp_path):
    seen: list[str] = []

    def written(path, context):
        seen.append(context["output_file"])

    signals.content_written.connect(written)
    try:
        writer(tmp_path / "one", 300).write_all(1)
        one = sorted(seen)
        seen.clear()
        writer(tmp_path / "two", 300).write_all(2)
    finally:
        signals.content_written.disconnect(written)
    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert len(files(tmp_path / "two")) == 300
    assert sorted(seen) == one  # content_written once per page, in this process


@pytest.mark.parametrize("broken", [0, 1, 299])  # a page of this process, of the other, the last
def test_a_page_that_fails_in_any_process_fails_the_build(tmp_path, broken):
    with pytest.raises(Broken, match=f"trang hỏng {broken}"):
        writer(tmp_path / "out", 300, broken=broken).write_all(2)


def test_a_build_process_that_dies_is_reported_in_words():
    from portal.model import ContentErrors
    from portal.tools.build import BuildFailed, as_build_failure

    killed = as_build_failure(RuntimeError("a build process ended with status -9"))
    assert isinstance(killed, BuildFailed) and "PORTAL_WORKERS = 1" in str(killed) and "status -9" in str(killed)
    content = ContentErrors([], "vi")
    assert as_build_failure(content) is content


def pid_writer(out, count: int) -> BuildWriter:
    import os

    env = jinja2.Environment()
    env.globals["pid"] = os.getpid
    w = BuildWriter(str(out), settings=dict(DEFAULT_CONFIG))
    page = env.from_string("{{ pid() }}")
    for n in range(count):
        w.write_file(f"p/{n}.html", page, {"SITEURL": ""}, n=n)
    return w


def test_the_other_steps_run_here_while_another_process_writes_the_pages(tmp_path):
    import os
    import time

    ran: list[int] = []

    def slow_step():  # the feeds, say: the pages are written meanwhile by the other process
        time.sleep(0.5)
        ran.append(os.getpid())

    seen: list[str] = []

    def written(path, context):
        seen.append(context["output_file"])

    signals.content_written.connect(written)
    try:
        assert pid_writer(tmp_path, 300).write_all(2, meanwhile=[slow_step]) == 300
    finally:
        signals.content_written.disconnect(written)
    assert ran == [os.getpid()]
    assert (tmp_path / "p/0.html").read_text() != str(os.getpid())  # the first pages: the other process
    assert seen == [f"p/{n}.html" for n in range(300)]  # once each, in the pages' order, whoever wrote it


def test_a_step_that_fails_stops_the_other_processes_and_is_raised(tmp_path):
    import time

    def failing_step():
        raise Broken("nguồn tin hỏng")

    started = time.monotonic()
    env = jinja2.Environment()
    env.globals["nap"] = lambda: time.sleep(0.01) or ""
    w = BuildWriter(str(tmp_path), settings=dict(DEFAULT_CONFIG))
    page = env.from_string("{{ nap() }}")
    for n in range(1000):  # 10 s of pages for the other process alone
        w.write_file(f"p/{n}.html", page, {"SITEURL": ""}, n=n)
    with pytest.raises(Broken, match="nguồn tin hỏng"):
        w.write_all(2, meanwhile=[failing_step])
    assert time.monotonic() - started < 5  # the other process was stopped, not waited for


def test_output_steps_wait_while_deferred_and_run_otherwise():
    from portal import outputs

    calls: list[str] = []

    @outputs.output_step
    def write_something(name):
        calls.append(name)

    assert outputs.is_output_step(write_something) and write_something.__name__ == "write_something"
    write_something("now")
    outputs.defer_steps(True)
    try:
        write_something("later")
        assert calls == ["now"]
        steps = outputs.take_steps()
        write_something("after taking")  # taking the kept steps stops keeping
    finally:
        outputs.defer_steps(False)
    assert calls == ["now", "after taking"]
    for step in steps:
        step()
    assert calls == ["now", "after taking", "later"]


def test_a_page_failing_in_the_other_process_stops_this_one_too(tmp_path):
    import os
    import time

    parent = os.getpid()
    env = jinja2.Environment()

    def page(n):
        if n == 0 and os.getpid() != parent:
            raise Broken("trang hỏng 0")
        time.sleep(0.01)
        return str(n)

    env.globals["page"] = page
    w = BuildWriter(str(tmp_path), settings=dict(DEFAULT_CONFIG))
    template = env.from_string("{{ page(n) }}")
    for n in range(300):  # 3 s of pages for this process alone
        w.write_file(f"p/{n}.html", template, {"SITEURL": ""}, n=n)
    started = time.monotonic()
    with pytest.raises(Broken, match="trang hỏng 0"):
        w.write_all(2)
    assert time.monotonic() - started < 1.5  # it stopped at the other's failure, not at the last page
    assert len(list((tmp_path / "p").glob("*.html"))) < 150


def test_a_process_killed_while_it_holds_the_list_does_not_hang_the_others():
    import os

    from portal.live.jobs import _Shared

    shared = _Shared(100)
    shared.WAIT = 0.1
    pid = os.fork()
    if pid == 0:  # takes the lock and dies holding it (the kernel's memory killer, say)
        shared.lock.acquire()
        os._exit(9)
    try:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # it has died (and is still to be waited for)
        assert shared.take(8, from_front=False, children=[pid]) is None  # the lock is never freed: no hang
    finally:
        os.waitpid(pid, 0)


def test_a_pool_worker_forked_by_a_build_process_dies_of_sigterm_as_before(tmp_path):
    """The build's SIGTERM handler is inherited by every fork; in a process the build did not make
    (the parsing pool's workers) it must act as the default, or Pool.terminate can hang."""
    import subprocess
    import sys

    script = """
import multiprocessing, os, signal, sys, time
from portal.live.jobs import stop_children_on_terminate
stop_children_on_terminate()
context = multiprocessing.get_context("fork")
worker = context.Process(target=time.sleep, args=(30,))
worker.start()
time.sleep(0.3)
started = time.monotonic()
worker.terminate()
worker.join(10)
print(worker.exitcode, round(time.monotonic() - started, 1))
"""
    from conftest import ROOT

    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    code, seconds = done.stdout.split()
    assert int(code) == -15 and float(seconds) < 2, done.stderr


@pytest.mark.hostile
def test_a_page_claiming_a_file_another_page_claims_is_a_content_error_naming_its_file(tmp_path):
    """Where the checks cannot know a page's address (a theme's own page, a setting's address), two pages
    for one file stop the build on the article's or page's Slug, naming its file (it said "Failed to
    overwrite" and advised running again with less memory). Two pages of the theme's own keep the
    error they had."""
    from types import SimpleNamespace

    from portal import model
    from portal.live.jobs import JobConflict

    entry = model.validate("Title: Liên hệ\nSlug: lien-he\n\nVăn bản.\n", "content/pages/lien-he.md", model.PAGE, None)
    assert entry.ok
    w = BuildWriter(str(tmp_path), settings={**DEFAULT_CONFIG, "PORTAL_LANG": "en"})
    w.write_file("lien-he.html", ENV.from_string("x"), {}, template_name="lien-he")  # the theme's own page
    with pytest.raises(model.ContentErrors) as stopped:
        w.write_file("lien-he.html", ENV.from_string("y"), {}, page=SimpleNamespace(entry=entry))
    assert str(stopped.value).splitlines()[3].strip() == (
        'content/pages/lien-he.md:2: [error] field "Slug" value "lien-he": This slug gives the address of '
        "/lien-he.html, a page the portal makes itself. Fix: give it another Slug.")
    w.write_file("khac.html", ENV.from_string("x"), {})
    with pytest.raises(JobConflict):
        w.write_file("khac.html", ENV.from_string("y"), {})
