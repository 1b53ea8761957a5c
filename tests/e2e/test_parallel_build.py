"""A build on several processes (PORTAL_WORKERS) gives the site one process gives, file for file:
the pages written by two processes from both ends of one list, the feeds, CAP, CSAF and calendars
written meanwhile, and the search index; and a build stopped by SIGTERM leaves nothing behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from portal.bench.corpus import generate_articles
from portal.tools.build import remove_previous

NOW = "2026-11-30T10:00:00+07:00"


def build(content: Path, output: Path, workers: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "build", "--content", str(content), "--output", str(output),
                           "--set", f"PORTAL_WORKERS={workers}", "--set", 'PORTAL_PARSE_CACHE=""'],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PORTAL_NOW": NOW}, timeout=300)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_processes_build_the_site_one_builds(tmp_path):
    content = tmp_path / "content"
    generate_articles(content, 160)  # enough pages for the work to be shared (at least 50 a process)
    one = build(content, tmp_path / "one", 1)
    two = build(content, tmp_path / "two", 2)
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    a, b = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
    assert sum(name.endswith(".html") for name in a) > 200  # the pages are shared from 100 on
    assert any(name.startswith("cap/") for name in a) and any(name.startswith("pagefind/") for name in a)


def test_a_rebuild_links_the_unchanged_pages_and_gives_the_cold_build(tmp_path):
    """Built again in place after one edit, on two processes: each page whose bytes did not change is
    the previous output's file (linked: its time and ETag stay), the others are new, and the folder
    is, file for file, what a cold build of the edited content gives."""
    content = tmp_path / "content"
    files = generate_articles(content, 160)
    output = tmp_path / "out"
    assert build(content, output, 2).returncode == 0
    before = {p.relative_to(output).as_posix(): p.stat() for p in output.rglob("*.html")}
    edited = next(p for p in files if "/tin-tuc/" in p.as_posix())
    edited.write_text(edited.read_text(encoding="utf-8").replace("Title: ", "Title: Đã sửa ", 1), encoding="utf-8")
    rebuilt = build(content, output, 2)
    assert rebuilt.returncode == 0, rebuilt.stderr
    cold = build(content, tmp_path / "cold", 2)
    assert cold.returncode == 0, cold.stderr
    a, b = tree(output), tree(tmp_path / "cold")
    assert sorted(a) == sorted(b) and [name for name in a if a[name] != b[name]] == []
    after = {p.relative_to(output).as_posix(): p.stat() for p in output.rglob("*.html")}
    same = [n for n in after if n in before and after[n].st_ino == before[n].st_ino]
    fresh = [n for n in after if n not in same]
    assert len(same) > 150 and all(after[n].st_mtime_ns == before[n].st_mtime_ns for n in same)
    assert fresh and all("Đã sửa" in a[n].decode("utf-8") for n in fresh if n.endswith(f"/{edited.stem[11:]}.html"))
    assert any(n.endswith(f"{edited.stem[11:]}.html") for n in fresh)  # the edited article's own page
    # the output replaced stays beside it, hidden, until the next build removes it (swap_in): then each
    # file has one name
    assert len([p for p in tmp_path.iterdir() if p.name.startswith(".out.previous-")]) == 1
    remove_previous(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cold", "content", "out"]
    assert all(p.stat().st_nlink == 1 for p in output.rglob("*.html"))


def test_a_build_stopped_by_sigterm_leaves_no_process_and_no_folder(tmp_path):
    import signal
    import time

    content = tmp_path / "content"
    generate_articles(content, 600)
    output = tmp_path / "out"
    build_process = subprocess.Popen(
        [sys.executable, "-m", "portal", "build", "--content", str(content), "--output", str(output),
         "--set", "PORTAL_WORKERS=2", "--set", 'PORTAL_PARSE_CACHE=""'],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PORTAL_NOW": NOW})
    fresh = tmp_path / f".out.new-{build_process.pid}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(fresh.glob("tin-tuc/*.html"))) < 20:
        time.sleep(0.05)  # until pages are being written, by two processes
    assert build_process.poll() is None, "the build ended before it could be stopped"
    build_process.send_signal(signal.SIGTERM)
    _, err = build_process.communicate(timeout=60)
    assert build_process.returncode == 128 + signal.SIGTERM, err
    assert "chưa xuất bản gì" in err
    time.sleep(0.5)
    assert not output.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["content"]
    leftovers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _runs_with(p, str(output))]
    assert leftovers == []


def _runs_with(proc: Path, text: str) -> bool:
    try:
        return text.encode() in (proc / "cmdline").read_bytes()
    except OSError:
        return False
