"""Builds shared by tests/e2e/test_feeds.py and tests/e2e/test_cap.py.

Each variant of the small fixture site (tests/data/feeds_site) is built once
per test session, however many test modules ask for it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from conftest import ROOT, Built, run_build

FIXTURE = ROOT / "tests" / "data" / "feeds_site"
NOW = "2026-11-26T09:00:00+07:00"
BASE = "http://127.0.0.1:8000"  # PORTAL_SITEURL_ABSOLUTE in pelicanconf.py
FAST = {"SEARCH_INDEX": False}  # the search index is not what these tests look at
CONTROL_FILE = "tin-tuc/ky-tu-dieu-khien.md"

_built: dict[str, Built] = {}


def add_control_characters(content: Path) -> None:
    """A news article pasted from an office document: XML-forbidden characters."""
    (content / CONTROL_FILE).write_text(
        "Title: Hướng dẫn\x1b sao lưu dữ liệu\x08 an toàn\n"
        "Date: 2026-11-19 09:00\n"
        "Slug: huong-dan-sao-luu-du-lieu\n"
        "Summary: Cách sao lưu\x1f dữ liệu theo quy tắc 3-2-1.\n"
        "Authors: Tin: Phòng An toàn thông tin\n"
        "Tags: sao lưu\n\n"
        "Giữ ba bản sao\x01 trên hai loại thiết bị, một bản ngoài cơ quan.\n",
        encoding="utf-8")


def edit_titles_and_revise(content: Path) -> None:
    """Staff edit every title and publish a revision of CB-2026-020."""
    for md in content.rglob("*.md"):
        text = md.read_text(encoding="utf-8")
        text = re.sub(r"^Title: ", "Title: (Sửa) ", text, count=1, flags=re.MULTILINE)
        if "Identifier: CB-2026-020" in text:
            text = text.replace("Expires: 2026-12-25 23:59\n",
                                "Expires: 2026-12-25 23:59\n"
                                "Revisions: 2026-11-26 08:00 | Bổ sung phiên bản Chrome bị ảnh hưởng\n")
        md.write_text(text, encoding="utf-8")


def build(tmp_path_factory, name: str, mutate: Callable[[Path], None] | None = None,
          now: str = NOW, extra_settings: dict | None = None, expect_ok: bool = True) -> Built:
    if name in _built:
        return _built[name]
    base = tmp_path_factory.mktemp(name)
    content = base / "content"
    shutil.copytree(FIXTURE, content)
    add_control_characters(content)
    if mutate:
        mutate(content)
    built = run_build(content, base / "output", now=now, extra_settings={**FAST, **(extra_settings or {})})
    if expect_ok:
        assert built.returncode == 0, built.stderr
    _built[name] = built
    return built


def feed_files(output: Path) -> list[Path]:
    """Every RSS and Atom file the site publishes."""
    return sorted([*output.glob("nguon-tin/**/*.xml"), *output.glob("cap/*.atom.xml")])


def cap_files(output: Path) -> list[Path]:
    return sorted(p for p in output.glob("cap/**/*.xml") if not p.name.endswith(".atom.xml"))
