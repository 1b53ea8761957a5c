"""The swap at the end of `portal build`: unchanged files keep their times, the earlier output goes
(portal.tools.build.keep_unchanged, swap_in). (Comparing and removing on two threads was tried: the
threads fought for the interpreter, 1.5 s became 3.9 s at 10,000 articles.)"""

from __future__ import annotations

import os
from pathlib import Path

from portal.tools.build import keep_unchanged, remove_previous, swap_in


def _tree(root: Path, count: int, changed: set[int] = frozenset()) -> Path:
    for i in range(count):
        path = root / f"muc-{i % 7}" / f"trang-{i}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<p>Trang {i}{' đã sửa' if i in changed else ''}</p>", encoding="utf-8")
    return root


def test_unchanged_files_keep_their_time_and_changed_ones_their_own(tmp_path):
    old = _tree(tmp_path / "old", 300)
    for path in old.rglob("*.html"):
        os.utime(path, ns=(0, 1_000_000_000))
    new = _tree(tmp_path / "new", 301, changed={5, 250})  # one more, two changed
    assert keep_unchanged(old, new) == 298
    times = {p.relative_to(new).as_posix(): p.stat().st_mtime_ns for p in new.rglob("*.html")}
    assert {name for name, t in times.items() if t != 1_000_000_000} == {
        "muc-5/trang-5.html", "muc-5/trang-250.html", "muc-6/trang-300.html"}


def test_swap_in_replaces_the_output_and_the_next_build_removes_the_one_replaced(tmp_path):
    output = _tree(tmp_path / "output", 200)
    fresh = _tree(tmp_path / ".output.new", 150, changed={3})
    swap_in(fresh, output)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".output.previous-{os.getpid()}", "output"]
    assert len(list(output.rglob("*.html"))) == 150
    assert (output / "muc-3" / "trang-3.html").read_text(encoding="utf-8") == "<p>Trang 3 đã sửa</p>"
    swap_in(_tree(tmp_path / ".output.new", 150), output)  # a build after a build that did not remove it
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".output.previous-{os.getpid()}", "output"]
    remove_previous(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_one_listing_tells_linked_files_from_written_ones(tmp_path):
    """portal.outputs.Survey: the build's folder listed once beside the output it replaces, read by the
    .gz copies and the swap; a link to a folder is never followed."""
    from portal.outputs import Survey

    old = _tree(tmp_path / "old", 20)
    new = _tree(tmp_path / "new", 20, changed={4})
    os.unlink(new / "muc-1" / "trang-1.html")
    os.link(old / "muc-1" / "trang-1.html", new / "muc-1" / "trang-1.html")  # linked by the build
    (new / "muc-2" / "sau").mkdir()
    (new / "muc-2" / "sau" / "a.json").write_text("{}", encoding="utf-8")
    (new / "ra-ngoai").symlink_to(tmp_path / "old")  # a link to a folder: not walked
    survey = Survey(new, old)
    folders = {os.path.relpath(folder, new): (sorted(names), shared) for folder, (names, shared) in
               survey.folders.items()}
    assert folders["."] == ([], set())  # the link to a folder is not a file of the site, as for os.walk
    assert folders["muc-1"] == (["trang-1.html", "trang-15.html", "trang-8.html"], {"trang-1.html"})
    assert folders[os.path.join("muc-2", "sau")] == (["a.json"], set())
    assert len(folders) == 9  # the seven folders, one below, the top; nothing of old through the link
    survey.add(new / "muc-2" / "sau" / "a.json.gz")
    survey.add(new / "muc-1" / "trang-1.html.gz", shared=True)
    assert "a.json.gz" in survey.folders[str(new / "muc-2" / "sau")][0]
    assert "trang-1.html.gz" in survey.folders[str(new / "muc-1")][1]
    # the swap reads it: the same files kept as when it lists the folders itself
    again = _tree(tmp_path / "again", 20, changed={4})
    assert keep_unchanged(old, new, survey=Survey(new, old)) == keep_unchanged(old, again) == 19


def test_what_a_killed_build_left_goes_once_its_process_is_gone(tmp_path):
    """A build killed by SIGKILL or for want of memory leaves its new folder (a whole site), the list of its
    .gz copies and its search records beside the output: the next build removes them once their process has
    ended, and leaves a running build's and anything else alone."""
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    running = os.getppid()
    output = _tree(tmp_path / "output", 3)
    left = [f".output.new-{gone.pid}", f".output.search-{gone.pid}", f"..output.search-{gone.pid}-phan"]
    for name in left:
        _tree(tmp_path / name, 5)
    (tmp_path / f".output.new-{gone.pid}.packed").write_text("x\n", encoding="utf-8")
    kept = [f".output.new-{running}", f".output.new-{running}.packed", ".output.new-notanumber", ".other.new-1",
            "output"]
    for name in kept[:-1]:
        (tmp_path / name).write_text("x", encoding="utf-8")
    remove_previous(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)


def test_each_replaced_output_is_taken_whole_by_a_rename_before_it_is_removed(tmp_path):
    """Another build into the same output may take a replaced output as its new folder (a rename) while
    this one removes them: each is first renamed to a name of this process's own, so the two never share
    a folder; a removal that a build killed midway left is finished once that process is gone."""
    out = tmp_path / "out"
    out.mkdir()
    for n in (1, 2):
        (tmp_path / f".out.previous-{n}" / "a").mkdir(parents=True)
        (tmp_path / f".out.previous-{n}" / "a" / "f.html").write_text("x", encoding="utf-8")
    (tmp_path / ".out.removing-999999999-0" / "b").mkdir(parents=True)  # no such process
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / ".out.previous-3").symlink_to(tmp_path / "elsewhere")
    seen = []
    real = Path.rename

    def rename(self, target):
        seen.append((self.name, Path(target).name))
        return real(self, target)

    import pytest

    with pytest.MonkeyPatch.context() as m:
        m.setattr(Path, "rename", rename)
        remove_previous(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.previous-3", "elsewhere", "out"]
    assert sorted(a for a, _ in seen) == [".out.previous-1", ".out.previous-2"]
    assert all(b.startswith(f".out.removing-{os.getpid()}-") for _, b in seen)
