"""Debian's nginx on a free loopback port, for tests that need the production server.

- ``serving(root, workdir)``: a minimal server for a folder (or the publish symlink);
- ``running(workdir, http_body, probe)``: any http { } content, e.g. an ``include`` of the file
  ``portal deploy-config`` wrote; ``check(workdir, http_body)`` runs ``nginx -t`` on it.

The top-level nginx.conf is the test's own (pid, logs and temporary files in ``workdir``, the
http defaults of Debian's /etc/nginx/nginx.conf); ``user root;`` only there, and only when the
tests run as root, so the workers can read the test's private folders.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from conftest import missing_tool

from ratings.testing import die_with_parent, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def write_conf(workdir: Path, http_body: str) -> Path:
    """nginx.conf in workdir around `http_body` (the content of http { })."""
    if not Path(NGINX).exists():
        missing_tool("nginx is not installed (apt-get install nginx)")
    workdir.mkdir(parents=True, exist_ok=True)
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
  default_type application/octet-stream;
  sendfile on;
  gzip on;
  access_log off;
  client_body_temp_path {workdir}/body;
  proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi;
  uwsgi_temp_path {workdir}/uwsgi;
  scgi_temp_path {workdir}/scgi;
{http_body}
}}
""", encoding="utf-8")
    return conf


def check(workdir: Path, http_body: str) -> subprocess.CompletedProcess:
    """`nginx -t` of that configuration: exit status and what nginx said."""
    conf = write_conf(workdir, http_body)
    return subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(workdir)], capture_output=True, text=True,
                          timeout=30)


def _error_log(workdir: Path) -> str:
    log = workdir / "error.log"
    return log.read_text(errors="replace") if log.exists() else ""


@contextlib.contextmanager
def running(workdir: Path, http_body: str, probe: str) -> Iterator[subprocess.Popen]:
    """nginx with that configuration, once `probe` (a URL) answers anything; stopped afterwards."""
    conf = write_conf(workdir, http_body)
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(workdir)], preexec_fn=die_with_parent,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(probe, timeout=1)  # noqa: S310 (loopback)
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {proc.stdout.read().decode()} "
                                       f"{_error_log(workdir)}") from None
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def serving(root: Path, workdir: Path, server_extra: str = "") -> Iterator[str]:
    """nginx serving `root` (a folder or the publish symlink) at the returned base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = f"""
  server {{
    listen 127.0.0.1:{port};
    root {root};
    {server_extra}
  }}"""
    with running(workdir, server, base + "/"):
        yield base
