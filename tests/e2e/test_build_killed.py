"""A build process killed from outside (``kill -9``, or the kernel out of memory) while its workers parse
or write pages: the command reports it at once and publishes nothing, and nothing of that process is left
running. Its parse workers, left behind, would go on writing into the cache and print their broken pipes
on the person's screen; its page writers would go on writing into the folder the command removes (or, with
an earlier output, builds in again) (portal.live.jobs: _forget_report, _end_group)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import ROOT, process_alive

from portal.bench.corpus import generate_articles

NOW = "2026-11-26T09:00:00+07:00"

# Run as the command: the parse workers (forked from the build process) note their process and take
# their time; the build process, once both have started, kills itself as the kernel would.
SCRIPT = """
import os, signal, sys, time
from pathlib import Path

sys.path.insert(0, "plugins")
import articles
import articles.reader as reader
from portal.tools import build as b

OUT, CONTENT, CACHE, PIDS = map(Path, sys.argv[1:5])
real_parse, real_prefetch = reader._parse_share, articles.prefetch

def slow_parse(chunk):
    with open(PIDS, "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(2)  # still parsing when the build process is killed
    return real_parse(chunk)

def prefetch_then_killed(*args, **kwargs):
    given = real_prefetch(*args, **kwargs)
    deadline = time.monotonic() + 30
    while len(PIDS.read_text().split() if PIDS.exists() else []) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(os.getpid(), signal.SIGKILL)
    return given

reader._parse_share, articles.prefetch = slow_parse, prefetch_then_killed
sys.exit(b.run(Path("pelicanconf.py"), OUT, {"PATH": str(CONTENT), "PORTAL_PARSE_CACHE": str(CACHE),
                                            "PORTAL_WORKERS": 2, "SEARCH_INDEX": False}))
"""


def test_a_build_process_killed_while_parsing_leaves_no_worker_and_no_traceback(tmp_path):
    content, out, cache, pids = tmp_path / "content", tmp_path / "out", tmp_path / "cache", tmp_path / "pids"
    generate_articles(content, 60)  # enough files for the workers to parse ahead (10 a worker at least)
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(out), str(content), str(cache), str(pids)], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PORTAL_NOW": NOW}, timeout=120)
    workers = [int(pid) for pid in pids.read_text().split()]
    assert len(workers) >= 2, proc.stderr
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "status -9" in proc.stderr and "chưa xuất bản gì" in proc.stderr, proc.stderr  # said, nothing published
    assert not out.exists()
    time.sleep(2.5)  # as long as a worker, left running, would still take to parse its files and answer
    assert not [pid for pid in workers if process_alive(pid)]
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr


# The build process writes pages with a second process (its page writer, forked once every page is
# recorded); each notes its process for every page and takes its time; as the writer starts, the build
# process is killed.
WRITING = """
import os, signal, sys, time
from pathlib import Path

from portal.live import jobs
from portal.tools import build as b

OUT, CONTENT, CACHE, PIDS = map(Path, sys.argv[1:5])
real_write = jobs.BuildWriter.write

def slow_write(self, name, announce=True):
    first = not PIDS.exists() or str(os.getpid()) not in PIDS.read_text().split()
    with open(PIDS, "a") as f:
        f.write(f"{os.getpid()}\\n")
    if first and os.getpgid(0) != os.getpid():  # the page writer (the build process leads the group)
        os.kill(os.getppid(), signal.SIGKILL)  # its build process, killed as it starts writing
    time.sleep(0.05)
    return real_write(self, name, announce)

jobs.BuildWriter.write = slow_write
sys.exit(b.run(Path("pelicanconf.py"), OUT, {"PATH": str(CONTENT), "PORTAL_PARSE_CACHE": str(CACHE),
                                            "PORTAL_WORKERS": 2, "SEARCH_INDEX": False}))
"""


def test_a_build_process_killed_while_writing_pages_leaves_no_writer(tmp_path):
    content, out, cache, pids = tmp_path / "content", tmp_path / "out", tmp_path / "cache", tmp_path / "pids"
    generate_articles(content, 60)  # pages enough to be written by two processes (50 a process at least)
    proc = subprocess.run([sys.executable, "-c", WRITING, str(out), str(content), str(cache), str(pids)],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PORTAL_NOW": NOW},
                          timeout=120)
    noted = [int(pid) for pid in pids.read_text().split()]
    writers = set(noted)
    assert writers, proc.stderr
    assert proc.returncode == 1 and "status -9" in proc.stderr, proc.stdout + proc.stderr
    assert not out.exists()
    assert not [pid for pid in writers if process_alive(pid)]
    # stopped at once: left running, the page writer would have written every page left (over a hundred)
    assert max(noted.count(pid) for pid in writers) < 20, {pid: noted.count(pid) for pid in writers}
    assert "Traceback" not in proc.stderr, proc.stderr
