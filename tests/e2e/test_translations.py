"""Every interface string in the templates (pages and the rating script) has an English translation."""

from __future__ import annotations

import json
import re

from conftest import ROOT

CALL = re.compile(r"""_\(\s*(["'])(.+?)\1\s*[,)]""")


def test_every_template_string_is_translated():
    catalogue = json.loads((ROOT / "theme" / "translations" / "en.json").read_text(encoding="utf-8"))
    missing = []
    templates = (ROOT / "theme" / "templates")
    for path in sorted([*templates.rglob("*.html"), *templates.rglob("*.js")]):
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            if match.group(2) not in catalogue:
                missing.append(f"{path.relative_to(ROOT)}: {match.group(2)}")
    assert missing == [], "add these to theme/translations/en.json:\n" + "\n".join(missing)


def test_kind_labels_are_translated():
    from portal import model

    catalogue = json.loads((ROOT / "theme" / "translations" / "en.json").read_text(encoding="utf-8"))
    for kind in model.KINDS.values():
        assert catalogue[kind.label_vi] == kind.label_en


def test_readme_field_reference_follows_the_model():
    """The README's table lists every field with the model's own help text."""
    from portal import model

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for f in model.FIELDS:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{f.name}` ")), None)
        assert row is not None, f"README has no row for {f.name}"
        assert f.help_vi.replace("|", "\\|") in row, f"README row for {f.name} differs from the model"
