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


@task(help={"port": "port on 127.0.0.1", "output": "output folder"})
def serve(c, port=8000, output="output"):
    """Serve the built site at http://127.0.0.1:PORT."""
    c.run(f'"{PY}" -m http.server {port} --bind 127.0.0.1 --directory "{output}"', env=_env())


@task
def run(c, port=8000):
    """Build the sample portal and serve it at http://127.0.0.1:8000."""
    build(c)
    serve(c, port=port)


def _ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("Cài Chromium của Debian cho các bài kiểm thử trình duyệt (apt-get install chromium)…")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        sys.exit("Browser tests need Debian's Chromium: sudo apt-get install chromium")


@task(help={"k": "only tests matching this expression", "args": "extra pytest arguments"})
def test(c, k="", args=""):
    """Run the whole test suite (installs Debian's Chromium first if missing)."""
    _ensure_chromium()
    select = f'-k "{k}"' if k else ""
    c.run(f'"{PY}" -m pytest {select} {args}', env=_env(), pty=False)
