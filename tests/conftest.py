"""Shared fixtures: build real sites into temporary folders, as a person would.

`run_build(...)` runs the same command staff run (portal build) in a subprocess
and returns the result: exit code, what was printed, the output dir.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent  # the repository: the tests read its fixtures and content
SAMPLE_NOW = "2026-11-26T09:00:00+07:00"  # the clock the sample-site tests use


@dataclass
class Built:
    returncode: int
    stdout: str
    stderr: str
    output: Path
    content: Path

    def page(self, rel: str) -> BeautifulSoup:
        path = self.output / rel
        assert path.is_file(), f"{rel} was not written; files: {sorted(p.name for p in path.parent.glob('*'))}"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def run_build(content: Path, output: Path, now: str | None = SAMPLE_NOW,
              settings: Path | None = None, extra_env: dict | None = None,
              extra_settings: dict | None = None, search: bool = True, args: tuple[str, ...] = ()) -> Built:
    """Build `content` with the project's settings into `output`, as `portal build` does.

    Settings change only through --set (search=False skips the search index, 3 s a build,
    where a test does not need it)."""
    env = dict(os.environ)
    if now:
        env["PORTAL_NOW"] = now
    env.update(extra_env or {})
    overrides = {"PATH": str(content), **(extra_settings or {}), **({} if search else {"SEARCH_INDEX": False})}
    sets = [arg for name, value in overrides.items() for arg in ("--set", f"{name}={json.dumps(value)}")]
    proc = subprocess.run(
        [sys.executable, "-m", "portal", "build", "--settings", str(settings or ROOT / "pelicanconf.py"),
         "--output", str(output), *sets, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return Built(proc.returncode, proc.stdout, proc.stderr, output, content)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Built:
    """The sample portal (content/) built once for the session, clock fixed."""
    base = tmp_path_factory.mktemp("sample")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    built = run_build(content, base / "output")
    assert built.returncode == 0, built.stderr
    return built


@pytest.fixture
def copy_sample(tmp_path) -> Path:
    """A private copy of content/ to break or change."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return content


FIXTURE_SITE = ROOT / "tests" / "data" / "site"


@pytest.fixture
def fixture_content(tmp_path) -> Path:
    """A private copy of the small fixture site (tests/data/site) as content/."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE, content)
    return content


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Built:
    """The small fixture site built once, clock fixed while CB-2026-014 is active."""
    base = tmp_path_factory.mktemp("fixture")
    content = base / "content"
    shutil.copytree(FIXTURE_SITE, content)
    built = run_build(content, base / "output")
    assert built.returncode == 0, built.stderr
    return built


def tree_digest(folder: Path) -> dict[str, bytes]:
    """Every file under folder with its bytes, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- a static server and a browser ------------------------------------------------
STRICT_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _QuietCSPHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", STRICT_CSP)
        super().end_headers()

    def log_message(self, *args):  # keep test output readable
        pass


class StaticServer:
    """Serves a folder on a free loopback port under a strict CSP; a context manager."""

    def __init__(self, folder: Path):
        import functools
        import http.server
        import threading

        handler = functools.partial(_QuietCSPHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, ended but not yet waited for, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def missing_tool(reason: str) -> None:
    """Outside CI a missing system tool skips its tests; in CI (CI=true) it fails them."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: .ci/run must install it")
    pytest.skip(reason)  # not in CI: see missing_tool's docstring


def npm_installed(source: Path, probe: str) -> Path:
    """A Node tool of tests/ (`source`: its package.json and committed package-lock.json), installed once
    per machine: `npm ci` from the lock into a cache folder named after the lock's hash, then the
    folder's scripts (*.mjs) copied beside node_modules. `probe`: a package the tool imports."""
    import hashlib

    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        missing_tool("Node.js and npm are not installed (apt-get install nodejs npm)")
    lock = (source / "package-lock.json").read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = cache / "laocai-portal" / f"{source.name}-{hashlib.sha256(lock).hexdigest()[:16]}"
    if not (folder / "node_modules" / probe / "package.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(source / name, folder / name)
        done = subprocess.run([npm, "ci", "--include=dev", "--no-audit", "--no-fund", "--prefer-offline"],
                              cwd=folder, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            missing_tool(f"npm ci could not install {probe}: {done.stderr[-500:]}")
    for script in source.glob("*.mjs"):
        shutil.copy(script, folder / script.name)
    return folder


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        missing_tool("Debian's chromium is not installed (apt-get install chromium); `make test` installs it")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


# ---- the feeds fixture site (tests/data/feeds_site), built once per session, as several modules read it ----
@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Built:
    from support import build

    return build(tmp_path_factory, "feeds-base")


@pytest.fixture(scope="session")
def edited(tmp_path_factory) -> Built:
    """The feeds site with titles edited and a revision added (support.edit_titles_and_revise)."""
    from support import build, edit_titles_and_revise

    return build(tmp_path_factory, "feeds-edited", mutate=edit_titles_and_revise)


@pytest.fixture
def previous_output(tmp_path, fixture_content) -> tuple[Path, dict]:
    """A good build already published in output/: it must survive a bad build."""
    output = tmp_path / "output"
    good = run_build(fixture_content, output, search=False)
    assert good.returncode == 0, good.stderr
    return output, tree_digest(output)


@pytest.fixture(scope="session")
def sample_without_search(tmp_path_factory) -> Built:
    """The sample portal (content/) built once for the session without the search index."""
    base = tmp_path_factory.mktemp("sample-no-search")
    shutil.copytree(ROOT / "content", base / "content")
    built = run_build(base / "content", base / "output", search=False)
    assert built.returncode == 0, built.stderr
    return built
