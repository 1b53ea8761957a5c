"""The swap at the end of `portal build`: unchanged files keep their times, the earlier output goes,
on several threads (portal.tools.build.keep_unchanged, remove_tree)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.tools.build import keep_unchanged, remove_tree, swap_in


def _tree(root: Path, count: int, changed: set[int] = frozenset()) -> Path:
    for i in range(count):
        path = root / f"muc-{i % 7}" / f"trang-{i}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<p>Trang {i}{' đã sửa' if i in changed else ''}</p>", encoding="utf-8")
    return root


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_unchanged_files_keep_their_time_and_changed_ones_their_own(tmp_path, workers):
    old = _tree(tmp_path / "old", 300)
    for path in old.rglob("*.html"):
        os.utime(path, ns=(0, 1_000_000_000))
    new = _tree(tmp_path / "new", 301, changed={5, 250})  # one more, two changed
    assert keep_unchanged(old, new, workers=workers) == 298
    times = {p.relative_to(new).as_posix(): p.stat().st_mtime_ns for p in new.rglob("*.html")}
    assert {name for name, t in times.items() if t != 1_000_000_000} == {
        "muc-5/trang-5.html", "muc-5/trang-250.html", "muc-6/trang-300.html"}


@pytest.mark.parametrize("workers", [1, 2])
def test_the_earlier_output_is_removed_whole_and_nothing_else(tmp_path, workers):
    keep = tmp_path / "keep.txt"
    keep.write_text("không xoá")
    old = _tree(tmp_path / "old", 500)
    (old / "muc-1" / "sau" / "sau-nua").mkdir(parents=True)
    (old / "muc-1" / "sau" / "sau-nua" / "a.xml").write_text("<a/>")
    os.symlink(keep, old / "lien-ket")  # a link is removed, never followed
    remove_tree(old, workers)
    assert not old.exists() and keep.read_text() == "không xoá"
    remove_tree(tmp_path / "khong-co", workers)  # nothing there: nothing to do


def test_swap_in_replaces_the_output_and_leaves_no_folder_behind(tmp_path):
    output = _tree(tmp_path / "output", 200)
    fresh = _tree(tmp_path / ".output.new", 150, changed={3})
    swap_in(fresh, output, workers=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    assert len(list(output.rglob("*.html"))) == 150
    assert (output / "muc-3" / "trang-3.html").read_text(encoding="utf-8") == "<p>Trang 3 đã sửa</p>"
