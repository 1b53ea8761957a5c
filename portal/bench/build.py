"""`portal bench build`: full build time and peak memory at N generated articles.

    portal bench build --sizes 1000,3000 [--search]

Each size is built twice in a fresh process (a cold and a warm run); the peak
resident memory is the build process's own (getrusage of the child).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .corpus import generate_articles


def build_once(content: Path, output: Path, search: bool) -> tuple[float, float]:
    env = {**os.environ, "PORTAL_NOW": "2026-11-26T09:00:00+07:00"}
    code = ("import resource, sys, time; from portal.cli import main; t = time.monotonic(); rc = main(sys.argv[1:]); "
            "print('BENCH', time.monotonic() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, "build", "--output", str(output),
                           "--set", f"PATH={json.dumps(str(content))}", "--set", f"SEARCH_INDEX={json.dumps(search)}"],
                          env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    line = next(x for x in proc.stdout.splitlines() if x.startswith("BENCH"))
    _, seconds, kib = line.split()
    return float(seconds), int(kib) / 1024


def run(sizes: list[int], search: bool = False) -> int:
    print(f"{'articles':>9} {'cold s':>8} {'warm s':>8} {'peak MiB':>9}  (search index: {'yes' if search else 'no'})")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
            content = Path(tmp) / "content"
            generate_articles(content, size)
            cold, _ = build_once(content, Path(tmp) / "output", search)
            warm, peak = build_once(content, Path(tmp) / "output", search)
            print(f"{size:>9} {cold:>8.1f} {warm:>8.1f} {peak:>9.0f}", flush=True)
    return 0
