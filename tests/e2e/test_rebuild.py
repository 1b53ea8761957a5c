"""Rebuilding unchanged content gives byte-identical output."""

from __future__ import annotations

import shutil

import pytest
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


@pytest.mark.hostile
def test_same_bytes_whatever_the_time_zone_locale_hash_seed_and_folder(fixture_site, tmp_path):
    """A build on another machine (another zone, locale, hash seed, folder) publishes the same bytes."""
    content = tmp_path / "elsewhere" / "noi-dung"
    shutil.copytree(fixture_site.content, content)
    other = run_build(content, tmp_path / "khac" / "output", extra_env={
        "TZ": "America/New_York", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "12345"})
    assert other.returncode == 0, other.stderr
    first, second = tree_digest(fixture_site.output), tree_digest(other.output)
    assert sorted(first) == sorted(second)
    assert [n for n in first if first[n] != second[n]] == []
