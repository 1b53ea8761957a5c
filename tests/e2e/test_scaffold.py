"""`invoke new KIND "Tiêu đề"`: what a member of staff sees and gets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from portal import model
from portal.tools import new as scaffold

NOW = "2026-11-26 10:15"


def new(content: Path, kind: str, title: str, now: str = NOW) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_NOW": now}
    return subprocess.run([sys.executable, "-m", "portal", "new", kind, title, "--content", str(content)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def check(content: Path, now: str = NOW) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_NOW": now}
    return subprocess.run([sys.executable, "-m", "portal", "check", "--content", str(content)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("kind", list(model.KINDS))
def test_new_file_has_every_field_of_its_kind_explained(fixture_content, kind):
    done = new(fixture_content, kind, "Đợt kiểm tra an toàn thông tin 12/2025")
    assert done.returncode == 0, done.stderr
    path = fixture_content / kind / "2026-11-26-dot-kiem-tra-an-toan-thong-tin-12-2025.md"
    assert "Đã tạo bài" in done.stdout and path.name in done.stdout
    text = path.read_text(encoding="utf-8")
    front = text.split("\n\n")[0].splitlines()
    for f in model.fields_for(kind):
        assert any(line.startswith((f"{f.name}:", f"#{f.name}:")) for line in front), f.name
        assert any(line.startswith(f"# {f.label_vi} (") and f.help_vi in line for line in front), f.name
    assert "Title: Đợt kiểm tra an toàn thông tin 12/2025" in front
    assert "Slug: dot-kiem-tra-an-toan-thong-tin-12-2025" in front
    assert f"Date: {NOW}" in front
    # the reader accepts the notes: only "empty required field" problems, each with a line number
    entry = model.validate(text, str(path), kind, fixture_content)
    assert entry.problems and {p.code for p in entry.problems} == {"empty_required"}
    assert all(p.line and p.line > 1 for p in entry.problems)


def test_slug_folds_vietnamese_and_d_with_stroke(fixture_content):
    done = new(fixture_content, "tin-tuc", "Đoàn kiểm tra Đồng Văn: báo cáo 12/2025")
    assert done.returncode == 0, done.stderr
    assert (fixture_content / "tin-tuc" / "2026-11-26-doan-kiem-tra-dong-van-bao-cao-12-2025.md").is_file()


def test_warning_gets_the_next_free_identifier(fixture_content):
    first = new(fixture_content, "canh-bao", "Lỗ hổng mới trong trình duyệt")
    second = new(fixture_content, "canh-bao", "Lừa đảo giả danh ngân hàng")
    assert "Số hiệu cảnh báo: CB-2026-015" in first.stdout  # the fixture site already has CB-2026-014
    assert "Số hiệu cảnh báo: CB-2026-016" in second.stdout
    text = (fixture_content / "canh-bao" / "2026-11-26-lua-dao-gia-danh-ngan-hang.md").read_text(encoding="utf-8")
    assert "\nIdentifier: CB-2026-016\n" in text


def test_never_overwrites(fixture_content):
    target = fixture_content / "tin-tuc" / "2026-11-26-hop-bao.md"
    target.write_text("Tệp của người khác: giữ nguyên.\n", encoding="utf-8")
    done = new(fixture_content, "tin-tuc", "Họp báo")
    assert done.returncode == 1
    assert "đã có, không ghi đè" in done.stderr
    assert target.read_text(encoding="utf-8") == "Tệp của người khác: giữ nguyên.\n"
    # the same title twice: the second article gets its own slug, the first is untouched
    a = new(fixture_content, "tin-tuc", "Tập huấn")
    before = (fixture_content / "tin-tuc" / "2026-11-26-tap-huan.md").read_text(encoding="utf-8")
    b = new(fixture_content, "tin-tuc", "Tập huấn")
    assert a.returncode == b.returncode == 0
    assert "tap-huan-2" in b.stdout
    assert (fixture_content / "tin-tuc" / "2026-11-26-tap-huan.md").read_text(encoding="utf-8") == before


def test_unknown_kind_is_explained(fixture_content):
    done = new(fixture_content, "tin", "Bài")
    assert done.returncode == 1
    assert 'Không có loại bài "tin"' in done.stderr and "tin-tuc (Tin tức)" in done.stderr
    assert "Traceback" not in done.stderr


def test_filled_in_new_article_passes_the_check(fixture_content):
    new(fixture_content, "tin-tuc", "Tập huấn kỹ năng số")
    path = fixture_content / "tin-tuc" / "2026-11-26-tap-huan-ky-nang-so.md"
    untouched = check(fixture_content)
    assert untouched.returncode == 1
    assert 'trường "Summary": Trường bắt buộc này còn trống' in untouched.stdout
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nSummary:\n", "\nSummary: Sáng 26/11, hơn 100 cán bộ tham gia tập huấn.\n")
    text = text.replace("\nAuthors:\n", "\nAuthors: Tin, ảnh: Minh Hà\n")
    path.write_text(text + "Nội dung bài viết.\n", encoding="utf-8")
    done = check(fixture_content)
    assert done.returncode == 0, done.stdout
    assert "không có lỗi" in done.stdout


def test_empty_required_list_is_an_error():
    text = ("Title: A\nDate: 2026-11-20 08:00\nSlug: a\nSummary: B\nAuthors: Tin: C\nHeld: 2026-11-20 08:00\n"
            "Location: D\nChair: E\nUnits:\n\nBody\n")
    entry = model.validate(text, "x.md", model.MEETING, None)
    assert [(p.code, p.field, p.line) for p in entry.problems] == [("empty_required", "Units", 9)]


def test_front_matter_notes_are_skipped_with_line_numbers_kept():
    fm = model.parse_front_matter("# ghi chú\nTitle: A\n#Tags: x\nSlug: a\n\n# Tiêu đề mục\n", "x.md")
    assert set(fm.fields) == {"title", "slug"}
    assert fm.fields["slug"].line == 4
    assert fm.body == "# Tiêu đề mục"  # a Markdown heading in the body is untouched


@pytest.mark.parametrize("kind", list(model.KINDS))
def test_documented_example_is_valid(kind):
    text = scaffold.example_front_matter(kind)
    entry = model.validate(text + "\nNội dung.\n", "x.md", kind, None)
    assert entry.ok, [p.format() for p in entry.problems]
    assert len(text.splitlines()) == len([f for f in model.fields_for(kind) if f.key not in ("status", "withdrawn")])


def test_staff_guide_examples_match_the_model():
    """docs/staff.md shows `invoke fields`; regenerate it when the model changes."""
    guide = (ROOT / "docs" / "staff.md").read_text(encoding="utf-8")
    for kind in model.KINDS:
        assert f"```\n{scaffold.example_front_matter(kind)}```" in guide, kind


def test_invoke_new_takes_a_content_folder(tmp_path):
    """`invoke new --content DIR KIND "Tiêu đề"`, like check/import/preview; nothing lands in content/."""
    invoke = ROOT / ".venv" / "bin" / "invoke"
    if not invoke.exists():
        invoke = Path(sys.executable).parent / "invoke"
    content = tmp_path / "noi-dung"
    env = {**os.environ, "PORTAL_NOW": NOW}
    first = subprocess.run([str(invoke), "new", "--content", str(content), "tin-tuc", "Tiêu đề"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stdout + first.stderr
    made = content / "tin-tuc" / "2026-11-26-tieu-de.md"
    assert made.is_file() and "Title: Tiêu đề\n" in made.read_text(encoding="utf-8")
    assert "Đã tạo bài" in first.stdout and "No idea what" not in first.stderr
    # the option may also follow the positional arguments
    second = subprocess.run([str(invoke), "new", "tin-tuc", "Tiêu đề khác", "--content", str(content)], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (content / "tin-tuc" / "2026-11-26-tieu-de-khac.md").is_file()
    assert not list((ROOT / "content").rglob("2026-11-26-tieu-de*.md"))
