"""Bad input: the message a person reads, a non-zero exit, and output/ untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import run_build, tree_digest

pytestmark = pytest.mark.hostile

NEWS = "tin-tuc/2026-11-10-tap-huan.md"
WARNING = "canh-bao/2026-11-20-lo-hong-exchange.md"


def edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def duplicate(content: Path, rel: str, new_rel: str, old: str = "", new: str = "") -> None:
    shutil.copy(content / rel, content / new_rel)
    if old:
        edit(content, new_rel, old, new)


def link_to_unpublished(content: Path, change: tuple[str, str]) -> None:
    """A copy of the news article, made a draft or scheduled (``change``), linked from the article itself."""
    duplicate(content, NEWS, "tin-tuc/2026-11-12-chua-dang.md", "Slug: tap-huan-nhan-dien-lua-dao-truc-tuyen",
              "Slug: bai-chua-dang")
    edit(content, "tin-tuc/2026-11-12-chua-dang.md", *change)
    edit(content, NEWS, "Nội dung tin.", "Nội dung tin. Xem [bài sau]({filename}2026-11-12-chua-dang.md).")


# (id, how to break the fixture, expected lines: every fragment must appear in one line)
CASES = [
    ("missing-title",
     lambda c: edit(c, NEWS, "Title: Tập huấn kỹ năng nhận diện lừa đảo trực tuyến cho cán bộ xã\n", ""),
     [f"content/{NEWS}:1: [lỗi] trường \"Title\": Thiếu trường bắt buộc. Cách sửa: thêm một dòng, ví dụ \"Title: "]),
    ("bad-date",
     lambda c: edit(c, NEWS, "Date: 2026-11-10 14:00", "Date: 31/11/2026"),
     [f"content/{NEWS}:2: [lỗi] trường \"Date\" giá trị \"31/11/2026\": Ngày giờ không hợp lệ. "
      "Cách sửa: viết dạng năm-tháng-ngày giờ:phút, ví dụ 2026-11-26 09:30."]),
    ("date-far-in-the-past",  # Vietnam's old local mean time (+07:06:30) would reach the feeds and CAP
     lambda c: edit(c, NEWS, "Date: 2026-11-10 14:00", "Date: 1900-01-01 00:00"),
     [f"content/{NEWS}:2: [lỗi] trường \"Date\" giá trị \"1900-01-01 00:00\": Năm nằm ngoài khoảng cổng thông tin "
      "chấp nhận (1990–2099). Cách sửa: kiểm tra lại năm (thường do gõ nhầm)."]),
    ("revision-far-ahead",
     lambda c: edit(c, WARNING, "2026-11-21 10:00 |", "3026-11-21 10:00 |"),
     ["[lỗi] trường \"Revisions\"", "Năm nằm ngoài khoảng cổng thông tin chấp nhận (1990–2099)."]),
    ("unknown-severity",
     lambda c: edit(c, WARNING, "Severity: nghiêm trọng", "Severity: rất cao"),
     [f"content/{WARNING}:12: [lỗi] trường \"Severity\" giá trị \"rất cao\": Mức độ không hợp lệ. "
      "Cách sửa: dùng một trong các giá trị: thấp, trung bình, cao, nghiêm trọng."]),
    ("malformed-cve",
     lambda c: edit(c, WARNING, "CVE-2026-21002", "CVE-26-1"),
     [f"content/{WARNING}:13: [lỗi] trường \"CVE\"", "Mã CVE \"CVE-26-1\" không đúng dạng. Cách sửa: viết CVE-năm-số"]),
    ("duplicate-slug",
     lambda c: duplicate(c, NEWS, "tin-tuc/2026-11-11-ban-sao.md"),
     ["content/tin-tuc/2026-11-11-ban-sao.md:3: [lỗi] trường \"Slug\" "
      "giá trị \"tap-huan-nhan-dien-lua-dao-truc-tuyen\": "
      f"Đường dẫn này đã được dùng ở content/{NEWS}. Cách sửa: đặt một Slug khác cho một trong hai bài."]),
    ("duplicate-identifier",
     lambda c: duplicate(c, WARNING, "canh-bao/2026-11-21-trung-so-hieu.md",
                         "Slug: lo-hong-nghiem-trong-exchange-server", "Slug: canh-bao-khac"),
     ["content/canh-bao/2026-11-21-trung-so-hieu.md:11: [lỗi] trường \"Identifier\" giá trị \"CB-2026-014\": "
      f"Số hiệu này đã được dùng ở content/{WARNING}."]),
    ("expiry-before-publication",
     lambda c: edit(c, WARNING, "Expires: 2026-12-31 23:59", "Expires: 2026-11-01 00:00"),
     [f"content/{WARNING}:22: [lỗi] trường \"Expires\" giá trị \"2026-11-01 00:00\": "
      "Hạn hiệu lực không sau ngày đăng (2026-11-20 09:30). Cách sửa: đặt Expires sau ngày đăng."]),
    ("unknown-field",
     lambda c: edit(c, WARNING, "Severity: nghiêm trọng", "Severty: nghiêm trọng"),
     [f"content/{WARNING}:12: [lỗi] trường \"Severty\" giá trị \"nghiêm trọng\": Không có trường này. "
      "Có phải bạn muốn viết \"Severity\"? Cách sửa: sửa tên trường thành \"Severity\".",
      f"content/{WARNING}:1: [lỗi] trường \"Severity\": Thiếu trường bắt buộc."]),
    ("missing-image-file",
     lambda c: edit(c, NEWS, "Image: images/anh-thu.png", "Image: images/khong-co.png"),
     [f"content/{NEWS}:9: [lỗi] trường \"Image\" giá trị \"images/khong-co.png\": "
      "Không tìm thấy tệp ảnh content/images/khong-co.png. Cách sửa: chép ảnh vào đúng chỗ đó hoặc sửa đường dẫn."]),
    ("tags-differing-only-in-accents",
     lambda c: edit(c, WARNING, "Tags: lỗ hổng, Microsoft", "Tags: lỗ hổng, Microsoft, lua dao"),
     [f"content/{NEWS}:6: [lỗi] trường \"Tags\" giá trị \"lừa đảo\": Từ khóa \"lừa đảo\" trùng đường dẫn "
      f"với \"lua dao\" ở content/{WARNING} (chỉ khác dấu hoặc chữ hoa). Cách sửa: viết thống nhất là \"lua dao\"."]),
    ("slug-of-a-kinds-listing",  # the build stopped on two pages for one file, with advice about memory
     lambda c: edit(c, NEWS, "Slug: tap-huan-nhan-dien-lua-dao-truc-tuyen", "Slug: index"),
     [f"content/{NEWS}:3: [lỗi] trường \"Slug\" giá trị \"index\": Đường dẫn này trùng với trang "
      "/tin-tuc/index.html mà cổng tự tạo. Cách sửa: đặt một Slug khác."]),
    ("slug-of-the-active-warnings",
     lambda c: edit(c, WARNING, "Slug: lo-hong-nghiem-trong-exchange-server", "Slug: dang-hieu-luc"),
     [f"content/{WARNING}:3: [lỗi] trường \"Slug\" giá trị \"dang-hieu-luc\": Đường dẫn này trùng với trang "
      "/canh-bao/dang-hieu-luc.html mà cổng tự tạo."]),
    ("page-slug-of-the-feeds-page",
     lambda c: edit(c, "pages/gioi-thieu.md", "Slug: gioi-thieu", "Slug: nguon-tin"),
     ["content/pages/gioi-thieu.md:2: [lỗi] trường \"Slug\" giá trị \"nguon-tin\": Đường dẫn này trùng với trang "
      "/nguon-tin.html mà cổng tự tạo."]),
    ("slug-too-long-for-a-file-name",  # the build failed on the file system's "File name too long"
     lambda c: edit(c, NEWS, "Slug: tap-huan-nhan-dien-lua-dao-truc-tuyen",
                    "Slug: " + "-".join(["tap-huan-nhan-dien-lua-dao-truc-tuyen"] * 7)),
     [f"content/{NEWS}:3: [lỗi] trường \"Slug\"", "Đường dẫn dài 265 ký tự, quá 150",
      "Cách sửa: dùng \"tap-huan-nhan-dien-lua-dao-truc-tuyen-tap-huan-nhan-dien-lua-dao-truc-tuyen-tap\"."]),
    ("tag-without-letters",  # its page was the tags' own folder
     lambda c: edit(c, NEWS, "Tags: lừa đảo, Microsoft", "Tags: lừa đảo, Microsoft, 🔒"),
     [f"content/{NEWS}:6: [lỗi] trường \"Tags\"", "Từ khóa \"🔒\" không có chữ cái hay chữ số nào"]),
    ("two-tags-sharing-an-address",  # not "the same tag spelt two ways": the fix said would merge them
     lambda c: (edit(c, NEWS, "Tags: lừa đảo, Microsoft", "Tags: lừa đảo, C++"),
                edit(c, WARNING, "Tags: lỗ hổng, Microsoft", "Tags: lỗ hổng, C#")),
     [f"content/{NEWS}:6: [lỗi] trường \"Tags\" giá trị \"C++\": Từ khóa \"C++\" có cùng đường dẫn \"c\" với "
      f"từ khóa khác \"C#\" ở content/{WARNING}."]),
    ("link-to-a-draft",  # was a link to /drafts/bai-chua-dang.html, never written, naming the hidden article
     lambda c: link_to_unpublished(c, ("Date: 2026-11-10 14:00", "Date: 2026-11-10 14:00\nStatus: draft")),
     [f"content/{NEWS}:13: [lỗi] Liên kết \"{{filename}}2026-11-12-chua-dang.md\" dẫn tới một bản nháp"]),
    ("link-to-a-scheduled-article",
     lambda c: link_to_unpublished(c, ("Date: 2026-11-10 14:00", "Date: 2026-12-24 08:00")),
     [f"content/{NEWS}:13: [lỗi] Liên kết \"{{filename}}2026-11-12-chua-dang.md\" dẫn tới một bài hẹn đăng lúc "
      "2026-12-24 08:00"]),
    ("scheduled-article-linking-to-one-scheduled-later",  # passed the check, then stopped every build from its date
     lambda c: (link_to_unpublished(c, ("Date: 2026-11-10 14:00", "Date: 2026-12-24 08:00")),
                edit(c, NEWS, "Date: 2026-11-10 14:00", "Date: 2026-12-01 08:00")),
     [f"content/{NEWS}:13: [lỗi] Liên kết \"{{filename}}2026-11-12-chua-dang.md\" dẫn tới một bài hẹn đăng lúc "
      "2026-12-24 08:00"]),
    ("revision-before-publication",
     lambda c: edit(c, WARNING, "2026-11-21 10:00 | Bổ sung", "2026-11-19 10:00 | Bổ sung"),
     [f"content/{WARNING}:24: [lỗi] trường \"Revisions\" giá trị \"2026-11-19 10:00 | Bổ sung mã CVE-2026-21003.\"",
      "Lần cập nhật 2026-11-19 10:00 không sau ngày đăng"]),
    ("not-a-field-line",
     lambda c: edit(c, NEWS, "Authors: Tin, ảnh: Tuấn Anh\n", "Authors: Tin, ảnh: Tuấn Anh\nđây không phải trường\n"),
     [f"content/{NEWS}:6: [lỗi] giá trị \"đây không phải trường\": Dòng này trong phần thông tin đầu bài"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_and_output_untouched(case, fixture_content, previous_output):
    _, breaker, expected = case
    output, before = previous_output
    breaker(fixture_content)
    built = run_build(fixture_content, output, search=False)
    assert built.returncode == 1
    lines = built.stderr.splitlines()
    for fragment in expected:
        assert any(fragment in line for line in lines), f"{fragment!r} not in:\n{built.stderr}"
    assert "Traceback" not in built.stderr
    assert "Đã dừng: chưa xuất bản gì" in built.stderr
    assert tree_digest(output) == before
    assert not list(output.parent.glob(".output.*")), "a temporary build folder was left behind"


def test_every_problem_in_every_file_is_reported_together(fixture_content, tmp_path):
    edit(fixture_content, NEWS, "Date: 2026-11-10 14:00", "Date: hôm qua")
    edit(fixture_content, WARNING, "Severity: nghiêm trọng", "Severity: cực cao")
    edit(fixture_content, WARNING, "CVE-2026-21002", "CVE-2026-1")
    built = run_build(fixture_content, tmp_path / "output")
    assert built.returncode == 1
    assert "Tìm thấy 3 lỗi và 0 cảnh báo trong 2 tệp:" in built.stderr
    report = built.stderr
    # grouped by file, each file named once as a heading, then its problems
    assert report.index(f"\ncontent/{WARNING}\n") < report.index(f"\ncontent/{NEWS}\n")
    assert not (tmp_path / "output").exists()


def test_messages_in_english_by_a_setting(fixture_content, tmp_path):
    edit(fixture_content, WARNING, "Severity: nghiêm trọng", "Severity: huge")
    built = run_build(fixture_content, tmp_path / "output", extra_settings={"PORTAL_LANG": "en"})
    assert built.returncode == 1
    assert (f"content/{WARNING}:12: [error] field \"Severity\" value \"huge\": Unknown severity. "
            "Fix: use one of: thấp, trung bình, cao, nghiêm trọng.") in built.stderr
    assert "Build stopped: nothing was published" in built.stderr


@pytest.mark.parametrize("asked", [{"args": ("--lang", "en")}, {"extra_env": {"PORTAL_LANG": "en"}}])
def test_a_build_asked_in_english_says_its_content_errors_in_english_and_keeps_the_site_vietnamese(
        fixture_content, tmp_path, asked):
    """An operator who reads English builds a Vietnamese site: `portal build --lang en` (or PORTAL_LANG=en in
    the environment) tells what is wrong in English; the pages stay in the site's language."""
    edit(fixture_content, WARNING, "Severity: nghiêm trọng", "Severity: huge")
    built = run_build(fixture_content, tmp_path / "output", search=False, **asked)
    assert built.returncode == 1
    assert (f"content/{WARNING}:12: [error] field \"Severity\" value \"huge\": Unknown severity. "
            "Fix: use one of: thấp, trung bình, cao, nghiêm trọng.") in built.stderr, built.stderr
    assert "Build stopped: nothing was published" in built.stderr and "[lỗi]" not in built.stderr
    edit(fixture_content, WARNING, "Severity: huge", "Severity: nghiêm trọng")
    built = run_build(fixture_content, tmp_path / "output", search=False, **asked)
    assert built.returncode == 0, built.stderr
    assert f"Built the site into {tmp_path / 'output'}/ in " in built.stdout, built.stdout
    page = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi"' in page and "Cảnh báo" in page


def test_a_file_outside_the_kind_folders_is_an_error(fixture_content, tmp_path):
    (fixture_content / "tin-tuc" / "nhap").mkdir()
    shutil.copy(fixture_content / NEWS, fixture_content / "tin-tuc" / "nhap" / "x.md")
    built = run_build(fixture_content, tmp_path / "output")
    # nested folders inside a kind folder still belong to that kind: a duplicate slug
    assert built.returncode == 1
    assert "Đường dẫn này đã được dùng ở" in built.stderr


def test_a_missing_body_image_or_dead_link_stops_the_build(fixture_content, previous_output):
    output, before = previous_output
    edit(fixture_content, NEWS, "Nội dung tin.",
         "Nội dung tin.\n\n![Sơ đồ](images/khong-co.png \"Sơ đồ. Nguồn ảnh: Sở\")\n\n"
         "Xem [bài cũ]({filename}/tin-tuc/khong-ton-tai.md).")
    built = run_build(fixture_content, output, search=False)
    assert built.returncode == 1
    assert f"content/{NEWS}:15: [lỗi]" in built.stderr and "content/images/khong-co.png" in built.stderr
    assert f"content/{NEWS}:17: [lỗi]" in built.stderr and "{filename}/tin-tuc/khong-ton-tai.md" in built.stderr
    assert tree_digest(output) == before
