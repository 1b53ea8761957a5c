"""Release names, their order, pruning, rollback and the release's symlink check, on folders made by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portal.tools import publish as tool

MADE = dt.datetime(2026, 11, 26, 3, 15, 42, tzinfo=dt.UTC)


def make_releases(base: Path, *names: str) -> list[Path]:
    made = []
    for name in names:
        folder = tool.releases_dir(base) / name
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(name, encoding="utf-8")
        made.append(folder)
    return made


def new_release(base: Path, made: dt.datetime = MADE) -> Path:
    release = tool.new_release_path(base, made)
    make_releases(base, release.name)
    return release


def served(base: Path) -> str:
    return tool.current_release(base).name


@pytest.mark.hostile
def test_names_made_in_one_second_are_unique_readable_and_in_creation_order(tmp_path):
    made = [new_release(tmp_path) for _ in range(12)]
    assert [p.name for p in made[:3]] == ["0001-20261126T031542Z", "0002-20261126T031542Z", "0003-20261126T031542Z"]
    assert [p.name for p in made[-2:]] == ["0011-20261126T031542Z", "0012-20261126T031542Z"]
    assert tool.all_releases(tmp_path) == made


@pytest.mark.hostile
def test_the_sequence_not_the_clock_orders_releases(tmp_path):
    later = new_release(tmp_path, MADE)
    clock_set_back = new_release(tmp_path, MADE - dt.timedelta(days=400))
    assert clock_set_back.name == "0002-20251022T031542Z"
    assert tool.all_releases(tmp_path) == [later, clock_set_back]
    # past 9999 the number only grows wider: still after 9999, though "10000" < "9999" as text
    wide = make_releases(tmp_path, "9999-20261126T031542Z")[0]
    assert new_release(tmp_path).name == "10000-20261126T031542Z"
    assert tool.all_releases(tmp_path)[-2:] == [wide, tool.releases_dir(tmp_path) / "10000-20261126T031542Z"]


def test_old_format_releases_come_first_and_in_their_own_order(tmp_path):
    old = make_releases(tmp_path, "20261126-101500", "20261126-101500-2", "20261126-101500-10", "20991231-235959")
    make_releases(tmp_path, "ban-chep-tay")  # a folder publish did not make: never served by rollback, never pruned
    new = new_release(tmp_path)
    assert new.name == "0001-20261126T031542Z"
    assert tool.all_releases(tmp_path) == [*old, new]


@pytest.mark.hostile
def test_a_name_being_built_or_taken_is_not_reused(tmp_path):
    (tool.releases_dir(tmp_path) / ".0001-20261126T031542Z.new-4242").mkdir(parents=True)
    (tool.releases_dir(tmp_path) / "0002-20261126T031542Z").write_text("not a folder", encoding="utf-8")
    assert tool.new_release_path(tmp_path, MADE).name == "0003-20261126T031542Z"


def test_rollback_goes_back_one_release_at_a_time_into_old_format_ones(tmp_path):
    old = make_releases(tmp_path, "20261126-101500", "20261126-101500-2")
    new = [new_release(tmp_path) for _ in range(6)]
    tool.switch_to(tmp_path, new[-1])
    lines: list[str] = []
    for expected in [*reversed(new[:-1]), *reversed(old)]:
        before = served(tmp_path)
        assert tool.rollback(tmp_path, out=lines.append) == expected
        assert served(tmp_path) == expected.name
        assert lines[-2] == f"Đã quay lại bản phát hành {expected.name} (trước đó: {before})."
    with pytest.raises(tool.PublishError) as oldest:
        tool.rollback(tmp_path)
    names = ", ".join(p.name for p in [*old, *new])
    assert str(oldest.value) == (
        "Không có bản phát hành nào cũ hơn bản đang phục vụ (20261126-101500) để quay lại. "
        f"Các bản đang giữ: {names}. Cách sửa: chọn một bản bằng invoke rollback --to TÊN.")
    assert tool.rollback(tmp_path, to=new[2].name) == new[2]
    assert served(tmp_path) == new[2].name
    with pytest.raises(tool.PublishError) as unknown:
        tool.rollback(tmp_path, to="../../etc")
    assert str(unknown.value) == f'Không có bản phát hành "../../etc". Các bản đang giữ: {names}.'


def test_rollback_with_nothing_published(tmp_path):
    with pytest.raises(tool.PublishError) as nothing:
        tool.rollback(tmp_path)
    assert str(nothing.value) == "Chưa có bản phát hành nào để quay lại. Cách sửa: chạy invoke publish."


@pytest.mark.hostile
def test_prune_spares_the_served_release_and_the_one_before_it_after_a_rollback(tmp_path):
    releases = [new_release(tmp_path) for _ in range(8)]
    tool.switch_to(tmp_path, releases[2])  # rolled back to the third
    removed = tool.prune(tmp_path, keep=2)
    assert removed == [releases[0], *releases[3:6]]
    assert tool.all_releases(tmp_path) == [releases[1], releases[2], releases[6], releases[7]]
    assert tool.rollback(tmp_path) == releases[1]  # the rollback target survived


def test_prune_spares_what_publish_names_and_keep_zero_removes_nothing(tmp_path):
    releases = [new_release(tmp_path) for _ in range(6)]
    tool.switch_to(tmp_path, releases[-1])
    assert tool.prune(tmp_path, keep=0) == []
    assert tool.prune(tmp_path, keep=1, also_keep=(releases[1],)) == [releases[0], *releases[2:4]]
    assert tool.all_releases(tmp_path) == [releases[1], releases[4], releases[5]]


def test_a_second_publish_waits_for_none_and_says_why(tmp_path):
    with tool._Lock(tmp_path):
        with pytest.raises(tool.PublishError) as busy:
            tool._Lock(tmp_path).__enter__()
    assert str(busy.value) == "Một lần xuất bản khác đang chạy. Cách sửa: đợi lần đó xong rồi chạy lại."


# ---- symbolic links: a release must hold only its own files ------------------------------------
FIX = "Cách sửa: xóa liên kết đó khỏi content/ (cần đăng tệp thì chép chính tệp vào) rồi xuất bản lại."


@pytest.mark.hostile
def test_every_link_in_a_release_is_refused_and_named(tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:x", encoding="utf-8")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x", encoding="utf-8")
    release = make_releases(tmp_path / "www", "0001-20261126T031542Z")[0]
    (release / "images").mkdir()
    (release / "images" / "evil.png").symlink_to(secret)
    (release / "cau-hinh").symlink_to(tmp_path / "etc", target_is_directory=True)
    (release / "trang-chu.html").symlink_to("index.html")
    (release / "mat.txt").symlink_to(tmp_path / "khong-co")  # dangling
    (release / "vong-a").symlink_to("vong-b")  # a loop: reported, no traceback
    (release / "vong-b").symlink_to("vong-a")
    assert tool.links_in_release(release) == [
        f"cau-hinh: là liên kết (symlink) trỏ ra ngoài bản phát hành, tới {tmp_path / 'etc'}: máy chủ web sẽ "
        f"phục vụ tệp đó. {FIX}",
        f"mat.txt: là liên kết (symlink) trỏ ra ngoài bản phát hành, tới {tmp_path / 'khong-co'}: máy chủ web sẽ "
        f"phục vụ tệp đó. {FIX}",
        "trang-chu.html: là liên kết (symlink) tới index.html: trang tĩnh không cần liên kết nào, bản phát hành "
        f"không được chứa liên kết. {FIX}",
        "vong-a: là liên kết (symlink) tới vong-b: trang tĩnh không cần liên kết nào, bản phát hành "
        f"không được chứa liên kết. {FIX}",
        "vong-b: là liên kết (symlink) tới vong-a: trang tĩnh không cần liên kết nào, bản phát hành "
        f"không được chứa liên kết. {FIX}",
        f"images/evil.png: là liên kết (symlink) trỏ ra ngoài bản phát hành, tới {secret}: máy chủ web sẽ "
        f"phục vụ tệp đó. {FIX}",
    ]  # the linked folder is reported once, not walked into (no cau-hinh/passwd)


def test_a_release_without_links_passes(tmp_path):
    release = make_releases(tmp_path, "0001-20261126T031542Z")[0]
    (release / "images").mkdir()
    (release / "images" / "anh.png").write_bytes(b"png")
    assert tool.links_in_release(release) == []


@pytest.mark.hostile
def test_a_content_link_leaving_content_is_refused(tmp_path):
    """One rule for content/ (portal.content_tree): the check at step 1 and the build apply it."""
    from portal.content_tree import link_problems

    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "anh.png").write_bytes(b"png")
    (content / "images" / "cung-anh.png").symlink_to("anh.png")  # stays inside: allowed
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x", encoding="utf-8")
    (content / "images" / "evil.png").symlink_to(secret)
    (content / "images" / "vong").symlink_to("vong")  # a loop of links: no traceback
    found = [(p.path, p.code) for p in link_problems(content)]
    assert found == [("content/images/evil.png", "link_outside"), ("content/images/vong", "link_broken")]
