"""docs/architecture.md stays true: every module, folder and function it names exists."""

from __future__ import annotations

import re

from conftest import ROOT

DOC = ROOT / "docs" / "architecture.md"


def test_every_path_the_page_names_exists():
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:portal|plugins|theme|ratings|tests)/[\w./-]*)`", text))
    named |= {f"portal/{m}" for m in re.findall(r"`(\w+\.py)`", text) if (ROOT / "portal" / m).exists()}
    assert len(named) > 20
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names what is not there: {missing}"


def test_the_functions_it_names_exist():
    from portal import facts, model
    from portal.paths import SitePaths
    from portal.view import ArticleView

    for obj, name in ((facts, "rows_html"), (facts, "rows_text"), (model, "validate"), (model, "published_events"),
                      (ArticleView, "__init__"), (SitePaths, "cap_alert")):
        assert hasattr(obj, name)
    assert "PARSERS" in (ROOT / "portal" / "model" / "values.py").read_text(encoding="utf-8")
