"""Debian's nginx on a free loopback port, serving a folder, for tests that need the production server."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from conftest import missing_tool

from ratings.testing import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextlib.contextmanager
def serving(root: Path, workdir: Path, server_extra: str = "") -> Iterator[str]:
    """nginx serving `root` (a folder or the publish symlink) at the returned base URL."""
    if not Path(NGINX).exists():
        missing_tool("nginx is not installed (apt-get install nginx)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's private folders
    conf = workdir / "nginx.conf"
    conf.write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path {workdir}/body;
  proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi;
  uwsgi_temp_path {workdir}/uwsgi;
  scgi_temp_path {workdir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    {server_extra}
  }}
}}
""", encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(workdir)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=1)  # noqa: S310 (loopback)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (workdir / "error.log").read_text() if (workdir / "error.log").exists() else ""
                    raise RuntimeError(f"nginx did not start: {proc.stdout.read().decode()} {log}") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
