"""assets: the theme's files also under a name that carries their fingerprint, for long caching.

Every file of the theme's static folders (THEME_STATIC_PATHS, which Pelican copies to
THEME_STATIC_DIR) is also written as ``<name>.<10 hex of its SHA-256>.<ext>`` beside the
original, and templates link that name with ``{{ SITEURL }}/{{ theme_asset('css/site.css') }}``.
A file whose bytes change gets a new name, so the web server can tell browsers to keep it for a
year without asking again (``Cache-Control: immutable``, see portal deploy-config), and a reader
still gets the new stylesheet with the next page: pages themselves are always revalidated.

The plain name stays, served with revalidation, for whatever links it directly (the feeds name
the logo; a template not yet converted). Names come from the bytes alone, so the same theme
gives the same names and the same files on every build.

Settings: ASSET_FINGERPRINT (default True; False: ``theme_asset`` gives the plain name and no
copy is written).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals

from portal.outputs import write_file
from portal.paths import SitePaths, fingerprinted
from portal.settings import SettingsError

log = logging.getLogger("assets")
DEFAULTS = {"ASSET_FINGERPRINT": True}


@dataclass
class _State:
    names: dict[str, str] = field(default_factory=dict)  # css/site.css -> css/site.<hash>.css
    sources: dict[str, Path] = field(default_factory=dict)  # css/site.css -> the file in the theme


STATE = _State()


def enabled(settings: dict) -> bool:
    return settings.get("ASSET_FINGERPRINT", DEFAULTS["ASSET_FINGERPRINT"])


def check_settings(pelican) -> None:
    value = enabled(pelican.settings)
    if not isinstance(value, bool):
        raise SettingsError(f"assets: ASSET_FINGERPRINT = {value!r} trong cấu hình: ghi True hoặc False",
                            f"assets: ASSET_FINGERPRINT = {value!r} in the settings; write True or False")


def theme_files(settings: dict) -> dict[str, Path]:
    """Every file Pelican copies from the theme, by its path under THEME_STATIC_DIR ('css/site.css')."""
    theme = Path(settings["THEME"])
    found: dict[str, Path] = {}
    for folder in settings.get("THEME_STATIC_PATHS") or ["static"]:
        root = theme / folder
        if root.is_file():
            found[root.name] = root
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    found[path.relative_to(root).as_posix()] = path
    return found


def start(pelican) -> None:
    """Once per build, before any template runs: read the theme's files and name them."""
    STATE.names, STATE.sources = {}, {}
    if not enabled(pelican.settings):
        return
    for rel, path in theme_files(pelican.settings).items():
        STATE.names[rel] = fingerprinted(rel, hashlib.sha256(path.read_bytes()).hexdigest())
        STATE.sources[rel] = path


def add_helper(generator) -> None:
    folder = SitePaths(generator.settings).theme_folder()
    on = enabled(generator.settings)

    def theme_asset(rel: str) -> str:
        """'css/site.css' -> 'theme/css/site.<hash>.css' (the plain path when fingerprints are off)."""
        if not on:
            return f"{folder}/{rel}"
        if rel not in STATE.names:
            known = ", ".join(sorted(STATE.names)) or "none"
            raise SettingsError(f"assets: theme_asset({rel!r}) trong một khuôn mẫu không chỉ tới tệp nào trong các "
                                f"thư mục tĩnh của giao diện (các tệp: {known}). Cách sửa: sửa tên trong khuôn mẫu",
                                f"assets: theme_asset({rel!r}) in a template names no file of the theme's static "
                                f"folders (files: {known}); fix the name in the template")
        return f"{folder}/{STATE.names[rel]}"

    theme_asset.portal_state = lambda: STATE.names  # the files' fingerprints (portal.renders)
    generator.env.globals["theme_asset"] = theme_asset


def write_copies(pelican) -> None:
    """The fingerprinted copies beside the files Pelican copied, from the very bytes that were hashed."""
    out = Path(pelican.settings["OUTPUT_PATH"]) / SitePaths(pelican.settings).theme_folder()
    for rel, name in STATE.names.items():
        data = STATE.sources[rel].read_bytes()
        if fingerprinted(rel, hashlib.sha256(data).hexdigest()) != name:
            raise SettingsError(f"assets: {STATE.sources[rel]} thay đổi trong lúc xây dựng. Cách sửa: xây dựng lại",
                                f"assets: {STATE.sources[rel]} changed during the build; build again")
        write_file(out / name, data)
    log.debug("assets: %d fingerprinted theme files", len(STATE.names))
    # the names stay until the next build starts: a long-lived process (the live preview) renders
    # pages after this one finished


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.get_generators.connect(start)
    signals.generator_init.connect(add_helper)
    signals.finalized.connect(write_copies)
