"""Reading the site's settings, with overrides from the command line.

One mechanism for every tool: ``--set KEY=VALUE`` (the value read as JSON
when it parses, else as text, like Pelican's own ``--extra-settings``)
goes into Pelican's settings; no tool writes a settings file.
"""

from __future__ import annotations

import json
from pathlib import Path

DEFAULT_SETTINGS = Path("pelicanconf.py")
PUBLISH_SETTINGS = Path("publishconf.py")


class SettingsError(ValueError):
    """A settings file or an override a person must fix (the message says how)."""


def parse_override(pair: str) -> tuple[str, object]:
    """'SEARCH_INDEX=false' -> ('SEARCH_INDEX', False); 'PATH=content' -> ('PATH', 'content')."""
    key, sep, text = pair.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier() or not key.isupper():
        raise SettingsError(f'--set "{pair}": viết TÊN=GIÁ_TRỊ, tên viết hoa, ví dụ --set SEARCH_INDEX=false '
                            f'(write NAME=VALUE, e.g. --set SEARCH_INDEX=false)')
    try:
        return key, json.loads(text)
    except ValueError:
        return key, text


def parse_overrides(pairs: list[str] | None) -> dict:
    return dict(parse_override(p) for p in pairs or [])


def load(settings_file: Path = DEFAULT_SETTINGS, overrides: dict | None = None) -> dict:
    """Pelican's settings from the file, overrides last (relative paths resolved from here)."""
    from pelican.settings import read_settings

    if not Path(settings_file).is_file():
        raise SettingsError(f"Không có tệp cấu hình {settings_file} (settings file not found). "
                            "Cách sửa: chạy lệnh trong thư mục dự án, hoặc chỉ rõ --settings TỆP.")
    overrides = dict(overrides or {})
    for key in ("PATH", "OUTPUT_PATH"):
        if isinstance(overrides.get(key), str | Path):
            overrides[key] = str(Path(overrides[key]).resolve())
    return read_settings(str(settings_file), override=overrides)
