"""Tasks for staff, developers and the operator: `invoke --list`.

The Makefile sets up .venv and calls these; run them as `make run`, `make test`
or `.venv/bin/invoke TASK`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))
PY = sys.executable
CHROMIUM = Path("/usr/bin/chromium")


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "plugins"), str(ROOT), env.get("PYTHONPATH")]))
    return env


@task(help={"settings": "settings file (pelicanconf.py or publishconf.py)", "output": "output folder"})
def build(c, settings="pelicanconf.py", output="output"):
    """Build the portal into output/ (swapped in only if the build succeeds)."""
    c.run(f'"{PY}" -m portal.build --settings "{settings}" --output "{output}"', env=_env(), pty=False)


# ---- serving and the ratings service (ratings/, docs/ratings.md) ---------------------------
DEV_RATINGS_DB = "var/ratings-dev.sqlite3"
RATINGS_SNAPSHOT = "var/ratings-snapshot.json"


def _ratings_env(**extra: str) -> dict:
    env = _env()
    env.setdefault("RATINGS_DB", str(ROOT / DEV_RATINGS_DB))
    env.update(extra)
    return env


@task(help={"port": "port on 127.0.0.1", "output": "output folder"})
def serve(c, port=8000, output="output"):
    """Serve the built site AND the ratings service at http://127.0.0.1:PORT (one port)."""
    out = Path(output).resolve()
    env = _ratings_env(RATINGS_SITE_DIR=str(out), RATINGS_MANIFEST=str(out / "api" / "ratings-manifest.json"),
                       RATINGS_HOST="127.0.0.1", RATINGS_PORT=str(port))
    print(f"Trang và dịch vụ đánh giá: http://127.0.0.1:{port}/  (Ctrl+C để dừng)")
    c.run(f'"{PY}" -m ratings serve', env=env, pty=False)


@task
def run(c, port=8000):
    """Build the sample portal and serve it with the ratings service at http://127.0.0.1:8000."""
    ratings_export(c, out=str(ROOT / RATINGS_SNAPSHOT))  # counts baked in = the development database's
    build(c)
    serve(c, port=port)


@task(name="ratings-serve", help={"port": "port", "host": "address to listen on"})
def ratings_serve(c, port=8081, host="127.0.0.1"):
    """Run the ratings service alone (settings from RATINGS_* environment variables)."""
    c.run(f'"{PY}" -m ratings serve', env=_ratings_env(RATINGS_PORT=str(port), RATINGS_HOST=host), pty=False)


@task(name="ratings-backup", help={"dest": "where to write the copy (default var/backups/ratings-<time>.sqlite3)"})
def ratings_backup(c, dest=""):
    """Consistent copy of the ratings database while the service runs (SQLite online backup)."""
    import time as _time

    dest = dest or str(ROOT / "var" / "backups" / _time.strftime("ratings-%Y%m%d-%H%M%S.sqlite3"))
    c.run(f'"{PY}" -m ratings backup "{dest}"', env=_ratings_env(), pty=False)


@task(name="ratings-export", help={"out": "JSON file (default: print)"})
def ratings_export(c, out=""):
    """All aggregates from the ratings database (what the build bakes in)."""
    c.run(f'"{PY}" -m ratings export {out and repr(str(out))}', env=_ratings_env(), pty=False)


@task(name="bench-ratings", help={"seconds": "time per phase", "requests": "max requests per phase",
                                  "concurrency": "parallel clients"})
def bench_ratings(c, seconds=5, requests=5000, concurrency=16):
    """Load benchmark of the ratings service on loopback: requests/s and p99 for GET and POST."""
    c.run(f'"{PY}" -m ratings.bench --seconds {seconds} --requests {requests} --concurrency {concurrency}',
          env=_env(), pty=False)


def _missing_system_packages() -> list[str]:
    """Debian packages the tests drive: Chromium (browser tests), PostgreSQL (ratings store)."""
    import glob

    missing = [] if CHROMIUM.exists() else ["chromium"]
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        missing.append("postgresql")
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


@task(name="bench-build", help={"sizes": "article counts, comma-separated", "search": "include the search index"})
def bench_build(c, sizes="1000,3000", search=False):
    """Benchmark: full build time and peak memory at N generated articles."""
    c.run(f'"{PY}" -m portal.bench_build --sizes {sizes}{" --search" if search else ""}', env=_env(), pty=False)


@task(help={"k": "only tests matching this expression", "args": "extra pytest arguments"})
def test(c, k="", args=""):
    """Run the whole test suite (installs Debian's Chromium and PostgreSQL first if missing)."""
    _ensure_system_packages()
    select = f'-k "{k}"' if k else ""
    c.run(f'"{PY}" -m pytest {select} {args}', env=_env(), pty=False)


# ---- staff workflow (issue 5): new, check, preview, import, publish ---------------------
# Each task is a thin wrapper around a module in plugins/portal/ that can also run alone
# (python -m portal.scaffold|checker|preview|importer|publish).
def _portal(c, module: str, *args: str, pty: bool = False) -> None:
    """Run one staff command; its own Vietnamese message is the whole output (no invoke noise)."""
    from invoke import Exit

    quoted = " ".join(_quote(a) for a in args)
    result = c.run(f'"{PY}" -m portal.{module} {quoted}', env=_env(), pty=pty, warn=True)
    if result is not None and result.exited:
        raise Exit(code=result.exited)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(str(arg))


def _gather_import_paths() -> None:
    """`invoke import A.txt B.html …`: invoke gives a task one value per argument, so the
    paths after "import" are joined into one --paths value here (the task splits them).
    It reads invoke's parser state; should invoke change, `invoke import --paths "A B"` still works."""
    import inspect

    try:
        for info in inspect.stack()[1:]:
            prog = info.frame.f_locals.get("self")
            if type(prog).__name__ != "Program" or not hasattr(prog, "core"):
                continue
            args = list(prog.core.unparsed)
            if not args or args[0] != "import":  # only `invoke import …` itself, never another task
                return
            at = 0
            keep, paths, rest = [], [], args[at + 1:]
            i = 0
            while i < len(rest):
                token = rest[i]
                if token.startswith("-"):
                    keep.append(token)
                    if token in ("--kind", "-k", "--content", "-c", "--paths", "-p") and i + 1 < len(rest):
                        keep.append(rest[i + 1])
                        i += 1
                else:
                    paths.append(token)
                i += 1
            if paths:
                prog.core.unparsed = args[:at + 1] + keep + ["--paths", "\n".join(paths)]
            return
    except Exception:  # noqa: BLE001 - never stop invoke from loading; one path still works
        return


_gather_import_paths()


@task(help={"kind": "tin-tuc, hoi-nghi, dien-tap or canh-bao", "title": "the article's title",
            "content": "content folder (default: content)"})
def new(c, kind, title, content=""):
    """Create a new article with every field of its kind: invoke new tin-tuc "Tiêu đề"."""
    _portal(c, "scaffold", kind, title, *(["--content", content] if content else []))


@task(help={"content": "content folder (default: content)", "lang": "vi or en"})
def check(c, content="", lang="vi"):
    """Report every problem in all content, grouped by file (exit 1 on any error)."""
    _portal(c, "checker", *(["--content", content] if content else []), "--lang", lang)


@task(help={"kind": "print only this kind"})
def fields(c, kind=""):
    """Print a complete front-matter example for each kind, generated from the content model."""
    from portal import model, scaffold

    for key in [kind] if kind else list(model.KINDS):
        print(f"# {key} — {model.KINDS[key].label_vi}\n{scaffold.example_front_matter(key)}")


@task(help={"port": "port on 127.0.0.1", "content": "content folder (default: content)",
            "search": "also build the search index on every save (slower)",
            "now": 'preview as if it were this time, e.g. "2026-12-20 09:00" (to see a scheduled article)'})
def preview(c, port=8000, content="", search=False, now=""):
    """Live preview at http://127.0.0.1:PORT: rebuilds on save and refreshes the browser."""
    args = ["--port", str(port), *(["--content", content] if content else []), *(["--search"] if search else []),
            *(["--now", now] if now else [])]
    _portal(c, "preview", *args, pty=sys.stdout.isatty())


@task(name="bench-preview", help={"sizes": "article counts, comma-separated", "edits": "saves measured per size",
                                  "timeout": "seconds allowed per size"})
def bench_preview(c, sizes="1000,10000", edits=3, timeout=1800):
    """Measure save-to-refreshed-page time of the live preview with generated articles."""
    _portal(c, "preview", "--bench", sizes, "--edits", str(edits), "--timeout", str(timeout))


@task(name="import", help={"paths": "old-portal files (.txt export or saved .html); several may follow 'import'",
                           "kind": "force this kind instead of the proposed one", "content": "content folder",
                           "force": "import even if the article seems to exist", "dry_run": "only report"})
def import_(c, paths="", kind="", content="", force=False, dry_run=False):
    """Import old-portal pages: invoke import FILE.txt PAGE.html … (ends with a report of guesses)."""
    files = [p for p in paths.split("\n") if p]
    if not files:
        sys.exit('Cách dùng: invoke import TỆP.txt TRANG.html … (ví dụ: invoke import ../shared/legacy-samples/*.txt)')
    args = [*files, *(["--kind", kind] if kind else []), *(["--content", content] if content else []),
            *(["--force"] if force else []), *(["--dry-run"] if dry_run else [])]
    _portal(c, "importer", *args)


@task(help={"base": "folder holding releases/ and the current symlink (nginx root: BASE/current)",
            "keep": "releases to keep"})
def publish(c, base="", keep=5):
    """Check, build with publishconf.py into a new release, verify, then swap it in atomically."""
    _portal(c, "publish", *(["--base", base] if base else []), "--keep", str(keep))


@task(help={"base": "folder holding releases/ and current", "to": "a release name (default: the previous one)"})
def rollback(c, base="", to=""):
    """Serve the previous release again (atomic swap)."""
    _portal(c, "publish", "--rollback", *(["--base", base] if base else []), *(["--to", to] if to else []))
