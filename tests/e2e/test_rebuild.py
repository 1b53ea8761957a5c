"""Rebuilding unchanged content gives byte-identical output."""

from __future__ import annotations

import shutil

from conftest import ROOT, run_build, tree_digest


def test_fixture_site_rebuilds_byte_identical(fixture_site, tmp_path):
    again = run_build(fixture_site.content, tmp_path / "again")
    assert again.returncode == 0, again.stderr
    first, second = tree_digest(fixture_site.output), tree_digest(again.output)
    assert sorted(first) == sorted(second)
    changed = [name for name in first if first[name] != second[name]]
    assert not changed, f"files differ between two builds: {changed}"


def test_sample_portal_rebuilds_byte_identical_in_place(tmp_path):
    """Two builds of content/ into the same output folder (the swap path)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    output = tmp_path / "output"
    assert run_build(content, output).returncode == 0
    first = tree_digest(output)
    rebuilt = run_build(content, output)
    assert rebuilt.returncode == 0, rebuilt.stderr
    second = tree_digest(output)
    assert sorted(first) == sorted(second)
    assert [n for n in first if first[n] != second[n]] == []
