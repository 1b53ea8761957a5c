"""The search index is made while the build process ends: the command starts Pagefind as soon as that
process says its pages and search records are whole (portal.tools.build, _EarlyIndex), not once it has
exited. A build that fails after that point still publishes nothing and leaves no folder behind, and
Pagefind's own failure still fails the build with its message."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, ROOT, process_alive

from portal.bench.corpus import generate_articles

NOW = "2026-11-26T09:00:00+07:00"

PRELUDE = """
import os, sys, time
from pathlib import Path
from portal import search
from portal.live import jobs
from portal.tools import build as b

OUT, CONTENT, CACHE = Path({out!r}), Path({content!r}), Path({cache!r})
MARK = OUT.parent / "index-started"
EXTRA = {{}}  # more settings (a test's)

def alive(pid):
    try:
        with open(f"/proc/{{pid}}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

def run():
    b.build(Path("pelicanconf.py"), OUT, {{"PATH": str(CONTENT), "PORTAL_PARSE_CACHE": str(CACHE),
                                         "PORTAL_WORKERS": 2, **EXTRA}})

def run_failing():
    try:
        run()
    except b.BuildFailed as failure:
        print("FAILED", failure)

def wait_for_mark():  # in the build process: the command starts the index meanwhile
    deadline = time.monotonic() + 30
    while not MARK.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
"""


def _site(tmp_path: Path) -> tuple[Path, Path, Path]:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    return content, tmp_path / "out", tmp_path / "cache"


def _run(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PORTAL_NOW": NOW}, timeout=300)


def _failed_with(proc: subprocess.CompletedProcess, text: str) -> None:
    """The build failed (BuildFailed, printed by run_failing) with ``text`` in its message."""
    assert proc.returncode == 0 and "\nFAILED " in "\n" + proc.stdout and text in proc.stdout, proc.stdout + proc.stderr


def _edit(content: Path) -> None:
    page = content / "tin-tuc" / "2026-11-10-tap-huan.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nThêm một câu.\n", encoding="utf-8")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_pagefind_starts_while_the_build_process_is_still_running(tmp_path):
    """The build process, once it has said its records are whole, waits (here) until the command has
    started the index: were the index started only after that process exited, it would wait in vain and
    the index would find it ended."""
    content, out, cache = _site(tmp_path)
    script = PRELUDE.format(out=str(out), content=str(content), cache=str(cache)) + """
seen = []
real_index, real_told = search.index_records, b._records_written
def index_records(*args, **kwargs):
    seen.append(any(alive(pid) for pid in list(jobs._CHILDREN)))
    MARK.write_text("x")
    return real_index(*args, **kwargs)
def told(settings):
    real_told(settings)
    wait_for_mark()
search.index_records, b._records_written = index_records, told
run()
print("SEEN", seen)
"""
    proc = _run(script)
    assert proc.returncode == 0, proc.stderr
    assert "SEEN [True]" in proc.stdout, proc.stdout + proc.stderr  # once, the build process still there
    assert (out / "pagefind" / "pagefind-entry.json").is_file()


@pytest.mark.parametrize("extra", ["{}", "{'SEARCH_MEMORY_MIB': 31}"], ids=["beside-the-pages", "after-them"])
def test_a_build_that_fails_after_its_records_publishes_nothing_and_leaves_no_folder(tmp_path, extra):
    """The build process fails after Pagefind has started on its records (beside the pages being written, as
    for a small site, or once they are: too little memory for both): the command waits for Pagefind's
    runs to end before it removes the new folder, the failure is reported, the live output is the last
    one, and nothing of the failed build is left beside it."""
    content, out, cache = _site(tmp_path)
    first = _run(PRELUDE.format(out=str(out), content=str(content), cache=str(cache)) + "run()\n")
    assert first.returncode == 0, first.stderr
    before = _tree(out)
    _edit(content)
    script = PRELUDE.format(out=str(out), content=str(content), cache=str(cache)) + """
real_index, real_told = search.index_records, b._records_written
def index_records(*args, **kwargs):
    MARK.write_text("x")
    time.sleep(1)  # still indexing when the build process fails
    return real_index(*args, **kwargs)
def told(settings):
    real_told(settings)
    wait_for_mark()
    raise RuntimeError("hỏng sau khi ghi")
search.index_records, b._records_written = index_records, told
""" + f"EXTRA.update({extra})\nrun_failing()\n"
    _failed_with(_run(script), "hỏng sau khi ghi")
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == \
        sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out.previous-"))  # only a recyclable one
    assert not list(tmp_path.glob(".out.new-*")) and not list(tmp_path.glob(".out.search-*"))


def test_pagefind_failing_while_the_build_process_ends_fails_the_build_with_its_message(tmp_path):
    content, out, cache = _site(tmp_path)
    script = PRELUDE.format(out=str(out), content=str(content), cache=str(cache)) + """
def index_records(*args, **kwargs):
    raise search.IndexFailed("Pagefind không lập được chỉ mục (thử)")
search.index_records = index_records
run_failing()
"""
    _failed_with(_run(script), "(thử)")
    assert not out.exists() and not list(tmp_path.glob(".out*"))


SLOW_PAGEFIND = """#!/bin/sh
echo $$ >> {log}
exec sleep 60
"""


def test_a_build_stopped_while_pagefind_runs_ends_its_runs_and_starts_no_other(tmp_path):
    """SIGTERM to `portal build` while the index (in parts) is made: the command ends Pagefind's runs
    before it removes its folders and exits, no part starts after the signal, and the live output is the
    last build's. (A Pagefind left running would write into the workspace the live output links to.)"""
    import signal
    import time

    content, out, cache = _site(tmp_path)
    parts = ["--set", "SEARCH_PART_MIB=30.1"]  # three parts of the fixture's pages
    command = [sys.executable, "-m", "portal", "build", "--content", str(content), "--output", str(out),
               "--set", f'PORTAL_PARSE_CACHE="{cache}"', *parts]
    env = {**os.environ, "PORTAL_NOW": NOW}
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    before = _tree(out)
    log, fake = tmp_path / "runs.log", tmp_path / "slow-pagefind"
    fake.write_text(SLOW_PAGEFIND.format(log=log))
    fake.chmod(0o755)
    _edit(content)
    proc = subprocess.Popen([*command, "--set", "PORTAL_WORKERS=2"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**env, "PAGEFIND_BINARY_PATH": str(fake)})
    deadline = time.monotonic() + 120
    while not (log.exists() and log.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert log.exists(), "Pagefind never started"
    time.sleep(0.3)
    started = log.read_text().split()
    proc.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    proc.communicate(timeout=30)
    assert proc.returncode != 0 and time.monotonic() - stopped < 10  # not after every part's 60 s
    runs = log.read_text().split()
    assert runs == started and 1 <= len(runs) <= 2  # two at once at most, none after the signal
    assert not [pid for pid in runs if process_alive(int(pid))]  # none left running
    assert _tree(out) == before
    assert not list(tmp_path.glob(".out.new-*")) and not list(tmp_path.glob(".out.search-*"))


def test_a_small_sites_index_starts_beside_its_pages_and_a_large_ones_after_them_alike(tmp_path):
    """The records of a site whose index fits in memory beside the build's processes are indexed while the
    pages are still being written (by the page-writing processes: enough pages for two); with too little
    memory for that (SEARCH_MEMORY_MIB), once every page is written, as a large site's are. The two
    builds publish the same bytes."""
    content, out, cache = _site(tmp_path)
    generate_articles(content, 120)
    script = PRELUDE.format(out=str(out), content=str(content), cache=str(cache)) + """
from portal import outputs
real_index, real_written = search.index_records, outputs.written
def index_records(*args, **kwargs):
    MARK.write_text("x")
    return real_index(*args, **kwargs)
def written():  # in the build process, every page written: had the command started the index already?
    deadline = time.monotonic() + (20 if not EXTRA else 2)
    while not MARK.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    (OUT.parent / "started-before-the-last-page").write_text(str(MARK.exists()))
    real_written()
search.index_records, outputs.written = index_records, written
"""
    said = tmp_path / "started-before-the-last-page"
    for extra, expected in (("{}", "True"), ("{'SEARCH_MEMORY_MIB': 31}", "False")):
        shutil.rmtree(out, ignore_errors=True)
        (tmp_path / "index-started").unlink(missing_ok=True)
        proc = _run(script + f"EXTRA.update({extra})\nrun()\n")
        assert proc.returncode == 0, proc.stderr
        assert said.read_text() == expected, (extra, proc.stdout + proc.stderr)
        if expected == "True":
            early = _tree(out)
    assert _tree(out) == early
