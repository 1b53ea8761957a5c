"""docs/threat-model.md's table of hostile cases is the tests marked `hostile`, with their true count."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "threat-model.md"
ROW = re.compile(r"^\|[^|]*\|\s*`([^`]+::[A-Za-z0-9_]+)`\s*\|\s*(\d+)\s*\|\s*$", re.MULTILINE)
TOTAL = re.compile(r"\*\*(\d+) hostile cases\*\* in (\d+) tests")


def collected() -> Counter:
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "hostile",
                           "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ids = [line for line in proc.stdout.splitlines() if "::" in line]
    return Counter(re.sub(r"\[.*\]$", "", i) for i in ids)


def test_the_table_names_every_hostile_test_with_its_cases():
    text = DOC.read_text(encoding="utf-8")
    table = {name: int(count) for name, count in ROW.findall(text)}
    found = collected()
    rows = "\n".join(f"| … | `{name}` | {n} |" for name, n in sorted(found.items()))
    assert table == dict(found), f"docs/threat-model.md is out of date; the tests hold:\n{rows}"
    total = TOTAL.search(text)
    assert total, "docs/threat-model.md must say '**N hostile cases** in M tests'"
    assert (int(total.group(1)), int(total.group(2))) == (sum(found.values()), len(found))
