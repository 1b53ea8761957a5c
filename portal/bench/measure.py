"""Run one command and measure it: wall time, CPU time and peak memory of its whole process tree.

The command runs under a small Python runner of its own, so the runner's
`getrusage(RUSAGE_CHILDREN)` holds that command alone:

- CPU time: user + sys of the command and every descendant it waited for (Pagefind,
  run by the portal build, counts);
- `max_rss_mib`: ru_maxrss of RUSAGE_CHILDREN, the largest resident set of any ONE
  process of the tree (Linux reports the maximum, not a sum);
- `tree_rss_mib`: the largest SUM of the tree's proportional set sizes (PSS, from
  /proc/<pid>/smaps_rollup; VmRSS where PSS cannot be read) seen by sampling every 0.2 s.
  The build process still holds its memory while Pagefind runs, and the build's forked
  workers share most of their pages with it: PSS counts a shared page once across the
  processes that share it, where a sum of resident sets would count it in each. So this is
  the figure a machine must have; a short spike between two samples can be missed, and it
  is never less than `max_rss_mib`.

The wall time is measured by the runner around the command (its own start-up excluded).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

RUNNER = r'''
import json, os, resource, subprocess, sys, threading, time

report, log, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]


def tree_kib(root):
    """The summed VmRSS of `root` and its descendants (KiB), from /proc."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    parents[int(name)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [p for p, pp in parents.items() if pp == pid and p not in tree]
    total = 0
    for pid in tree:
        total += _pss_kib(pid)
    return total


def _pss_kib(pid):
    """The process's proportional set size (a page shared by n processes counts 1/n), else VmRSS."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


with open(log, "wb") as out:
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample():
        while True:
            try:
                peak[0] = max(peak[0], tree_kib(proc.pid))
            except OSError:
                pass
            if done.wait(0.2):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    rc = proc.wait()
    wall = time.monotonic() - started
    done.set()
    sampler.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(report, "w") as f:
    json.dump({"rc": rc, "wall_s": wall, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
               "max_rss_kib": usage.ru_maxrss, "tree_rss_kib": peak[0]}, f)
'''


@dataclass
class Run:
    """One measured run of a command."""

    rc: int
    wall_s: float
    cpu_s: float
    max_rss_mib: float
    tree_rss_mib: float
    log_tail: str = ""

    def as_dict(self) -> dict:
        d = {"wall_s": round(self.wall_s, 3), "cpu_s": round(self.cpu_s, 3), "max_rss_mib": round(self.max_rss_mib, 1),
             "tree_rss_mib": round(self.tree_rss_mib, 1)}
        if self.rc:
            d.update(rc=self.rc, log_tail=self.log_tail)
        return d


def measure(cmd: list[str], cwd: Path | None = None, env: dict | None = None, timeout: float = 7200) -> Run:
    """Run `cmd` under the runner and return what it measured."""
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        report, log = Path(tmp) / "report.json", Path(tmp) / "log.txt"
        subprocess.run([sys.executable, "-c", RUNNER, str(report), str(log), *cmd], cwd=cwd, env=env,
                       timeout=timeout, check=True)
        r = json.loads(report.read_text())
        tail = log.read_bytes()[-3000:].decode("utf-8", "replace") if r["rc"] else ""
    # the tree's sum is at least its largest process, whatever the samples missed
    tree = max(r["tree_rss_kib"], r["max_rss_kib"])
    return Run(r["rc"], r["wall_s"], r["user_s"] + r["sys_s"], r["max_rss_kib"] / 1024, tree / 1024, tail)


def tree_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) of every regular file under `folder`."""
    total = files = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            files += 1
    return total, files
