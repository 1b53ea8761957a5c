"""Benchmark: full build time and peak memory at N generated articles.

    python -m portal.bench_build --sizes 1000,3000 [--search]

Each size is built twice in a fresh process (a cold and a warm run); the peak
resident memory is the build process's own (getrusage of the child).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .preview import generate_articles

ROOT = Path(__file__).resolve().parents[2]


def build_once(content: Path, output: Path, search: bool) -> tuple[float, float]:
    conf = content.parent / "bench-conf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\nPATH = {str(content)!r}\n"
        + ("" if search else "PORTAL_POST_BUILD = []\n"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)]),
           "PORTAL_NOW": "2026-11-26T09:00:00+07:00"}
    code = ("import resource, sys, time; from portal.build import main; t = time.monotonic(); rc = main(sys.argv[1:]); "
            "print('BENCH', time.monotonic() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code, "--settings", str(conf), "--output", str(output)],
                          env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    line = next(x for x in proc.stdout.splitlines() if x.startswith("BENCH"))
    _, seconds, kib = line.split()
    return float(seconds), int(kib) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000")
    parser.add_argument("--search", action="store_true", help="include the Pagefind index")
    args = parser.parse_args(argv)
    search = "yes" if args.search else "no"
    print(f"{'articles':>9} {'cold s':>8} {'warm s':>8} {'peak MiB':>9}  (search index: {search})")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
            content = Path(tmp) / "content"
            generate_articles(content, size)
            cold, _ = build_once(content, Path(tmp) / "output", args.search)
            warm, peak = build_once(content, Path(tmp) / "output", args.search)
            print(f"{size:>9} {cold:>8.1f} {warm:>8.1f} {peak:>9.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
