"""`invoke check`: every problem at once, grouped by file, with line numbers, in Vietnamese."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT, run_build

NOW = "2026-11-26T09:00:00+07:00"


def check(content: Path, now: str = NOW, lang: str = "vi") -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_NOW": now}
    return subprocess.run([sys.executable, "-m", "portal", "check", "--content", str(content), "--lang", lang],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def section(output: str, name: str) -> list[str]:
    """The indented lines printed under one file's heading."""
    lines = output.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.endswith(name) and not line.startswith(" "))
    out = []
    for line in lines[heading + 1:]:
        if not line.startswith("  "):
            break
        out.append(line.strip())
    return out


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


NEWS = """Title: Tập huấn nhận diện lừa đảo
Date: 2026-11-21 08:00
Slug: {slug}
Summary: {summary}
Authors: Tin, ảnh: Minh Hà

Mở đầu: [hỏng]({{filename}}/tin-tuc/khong-co-bai-nay.md), [tốt]({{filename}}/tin-tuc/2026-11-10-tap-huan.md).

![](images/anh-khong-co.png)

![Ảnh có mô tả](images/anh-thu.png)

Xem thêm [bài cũ](/tin-tuc/bai-da-xoa.html) và [trang chủ](/).
"""


def test_clean_content_passes(fixture_content):
    done = check(fixture_content)
    assert done.returncode == 0, done.stdout
    assert "không có lỗi nào" in done.stdout


def test_every_problem_reported_at_once_grouped_by_file(fixture_content):
    c = fixture_content
    write(c / "tin-tuc" / "2026-11-21-tap-huan.md", NEWS.format(slug="tap-huan-nhan-dien-lua-dao", summary="Ngắn."))
    # usual front-matter mistakes
    write(c / "tin-tuc" / "2026-11-22-loi-dau-bai.md",
          "Tittle: Sai tên trường\nDate: 2026-22-11 08:00\nSlug: Bai Loi\nSummary: Có\nAuthors: Tin: A\n\nNội dung.\n")
    # a copy of an article keeps its slug: duplicate
    shutil.copy(c / "tin-tuc" / "2026-11-10-tap-huan.md", c / "tin-tuc" / "2026-11-23-ban-sao.md")
    # a warning reusing an identifier, with a bad severity
    warning = (c / "canh-bao" / "2026-11-20-lo-hong-exchange.md").read_text(encoding="utf-8")
    warning = warning.replace("Slug: lo-hong-nghiem-trong-exchange-server", "Slug: canh-bao-thu-hai")
    warning = re.sub(r"(?m)^Severity: .*$", "Severity: rất cao", warning)
    write(c / "canh-bao" / "2026-11-24-canh-bao-thu-hai.md", warning)

    done = check(c)
    out = done.stdout
    assert done.returncode == 1
    assert out.startswith("Tìm thấy ") and " lỗi và " in out

    news = section(out, "2026-11-21-tap-huan.md")
    assert any(":7: [lỗi]" in x and "{filename}/tin-tuc/khong-co-bai-nay.md" in x and "không dẫn tới" in x
               for x in news)
    assert not any("2026-11-10-tap-huan.md" in x for x in news)  # the good link is fine
    assert any(":9: [lỗi]" in x and "không có mô tả cho người khiếm thị" in x for x in news)
    assert any(":9: [lỗi]" in x and "Không tìm thấy tệp ảnh content/images/anh-khong-co.png" in x for x in news)
    assert any(":9: [cảnh báo]" in x and "không có chú thích" in x for x in news)
    assert any(":11: [cảnh báo]" in x and "images/anh-thu.png không có chú thích" in x for x in news)
    assert any(":13: [lỗi]" in x and "/tin-tuc/bai-da-xoa.html" in x for x in news)
    assert not any('"/"' in x for x in news)

    broken = section(out, "2026-11-22-loi-dau-bai.md")
    assert any(':1: [lỗi] trường "Tittle"' in x and 'Có phải bạn muốn viết "Title"' in x for x in broken)
    assert any(':2: [lỗi] trường "Date"' in x and "Ngày giờ không hợp lệ" in x and "Cách sửa" in x for x in broken)
    assert any(':3: [lỗi] trường "Slug"' in x and '"bai-loi"' in x for x in broken)
    assert any('trường "Title": Thiếu trường bắt buộc' in x for x in broken)

    copy = section(out, "2026-11-23-ban-sao.md")
    assert any("Đường dẫn này đã được dùng ở" in x and "2026-11-10-tap-huan.md" in x for x in copy)

    second = section(out, "2026-11-24-canh-bao-thu-hai.md")
    assert any('trường "Identifier" giá trị "CB-2026-014"' in x and "Số hiệu này đã được dùng" in x for x in second)
    assert any('trường "Severity" giá trị "rất cao"' in x and "thấp, trung bình, cao, nghiêm trọng" in x
               for x in second)
    assert "Cần sửa" in out.splitlines()[-1]
    assert "Traceback" not in out + done.stderr


def test_warnings_do_not_fail_the_check(fixture_content):
    c = fixture_content
    long = "Sáng 21/11, " + "cán bộ các xã được hướng dẫn cách nhận diện tin nhắn lừa đảo, " * 6 + "rồi thực hành."
    write(c / "tin-tuc" / "2026-11-21-tap-huan.md",
          NEWS.format(slug="tap-huan-nhan-dien-lua-dao", summary=long).split("\n\nMở đầu")[0]
          + "\n\n![Học viên thực hành](images/anh-thu.png)\n")
    done = check(c)
    assert done.returncode == 0, done.stdout
    lines = section(done.stdout, "2026-11-21-tap-huan.md")
    assert any(':4: [cảnh báo] trường "Summary"' in x and f"Tóm tắt dài {len(long)} ký tự, quá 300" in x
               for x in lines)
    assert "không có lỗi; có 2 cảnh báo" in done.stdout


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_expired_warning_still_called_active(fixture_content, form):
    """Typed composed, or as letters and combining marks (Unikey's "tổ hợp", macOS): found all the same."""
    path = fixture_content / "canh-bao" / "2025-03-02-ma-doc-usb.md"
    said = unicodedata.normalize(form, "Cảnh báo này vẫn còn hiệu lực.")
    text = path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{said}\n"
    path.write_text(text, encoding="utf-8")
    done = check(fixture_content)
    assert done.returncode == 0  # time passing must never block a scheduled publish
    lines = section(done.stdout, "2025-03-02-ma-doc-usb.md")
    line_no = len(text.splitlines())
    assert any(f":{line_no}: [cảnh báo]" in x and "đã hết hiệu lực từ 2025-06-30 23:59" in x
               and '"vẫn còn hiệu lực"' in x and "gia hạn Expires" in x for x in lines), lines
    if form == "NFC":  # before its expiry, the same words are right
        assert "2025-03-02-ma-doc-usb.md" not in check(fixture_content, now="2025-04-01 08:00").stdout


@pytest.mark.hostile
def test_not_utf8_and_outside_kind_folders(fixture_content):
    (fixture_content / "tin-tuc" / "2026-11-21-cp1258.md").write_bytes("Title: Tin tức\n".encode("utf-16"))
    write(fixture_content / "nhap" / "bai.md", "Title: A\n\nB\n")
    done = check(fixture_content)
    assert done.returncode == 1
    assert "Tệp không phải văn bản UTF-8" in done.stdout
    assert "Tệp nằm ngoài các thư mục loại bài" in done.stdout


def test_english_messages(fixture_content):
    write(fixture_content / "tin-tuc" / "2026-11-22-x.md",
          "Title: X\nDate: hôm qua\nSlug: x\nSummary: Y\nAuthors: Tin: Z\n\nBody.\n")
    done = check(fixture_content, lang="en")
    assert done.returncode == 1
    assert '[error] field "Date" value "hôm qua": Not a valid date and time.' in done.stdout


def test_blank_line_inside_front_matter_and_wrong_extension(fixture_content):
    write(fixture_content / "tin-tuc" / "2026-11-22-dong-trong.md",
          "Title: Dòng trống\nDate: 2026-11-22 08:00\nSlug: dong-trong\n\n"
          "Summary: Tóm tắt\nAuthors: Tin: A\n\nNội dung.\n")
    write(fixture_content / "tin-tuc" / "2026-11-22-bai-moi.md.txt", "Title: X\n")
    done = check(fixture_content)
    assert done.returncode == 1
    lines = section(done.stdout, "2026-11-22-dong-trong.md")
    assert any(':5: [lỗi] Dòng "Summary: Tóm tắt" nằm sau dòng trống' in x and "(dòng 4)" in x for x in lines)
    assert any(":6: [lỗi]" in x and "Authors: Tin: A" in x for x in lines)
    assert any("[cảnh báo] Tệp không có đuôi .md" in x and "2026-11-22-bai-moi.md" in x
               for x in section(done.stdout, "2026-11-22-bai-moi.md.txt"))


@pytest.mark.hostile
def test_the_check_refuses_what_the_build_refuses_a_slug_naming_the_portals_own_page(fixture_content):
    """Two pages for one file stopped the build while the check said nothing: a page whose Slug names the
    search page, a news article whose Slug names its kind's listing. The check names each file and field."""
    page = fixture_content / "pages" / "gioi-thieu.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Slug: gioi-thieu", "Slug: tim-kiem"), encoding="utf-8")
    news = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Slug: tap-huan-nhan-dien-lua-dao-truc-tuyen",
                                                             "Slug: index"), encoding="utf-8")
    done = check(fixture_content, lang="en")
    assert done.returncode == 1
    assert section(done.stdout, "pages/gioi-thieu.md") == [
        'content/pages/gioi-thieu.md:2: [error] field "Slug" value "tim-kiem": This slug gives the address of '
        "/tim-kiem.html, a page the portal makes itself. Fix: give it another Slug."]
    assert section(done.stdout, "tin-tuc/2026-11-10-tap-huan.md") == [
        'content/tin-tuc/2026-11-10-tap-huan.md:3: [error] field "Slug" value "index": This slug gives the address '
        "of /tin-tuc/index.html, a page the portal makes itself. Fix: give it another Slug."]


def test_an_article_scheduled_after_the_one_it_links_to_passes(fixture_content):
    """A scheduled article may link to one scheduled earlier: by its own date the other is shown."""
    news = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    text = news.read_text(encoding="utf-8")
    earlier = fixture_content / "tin-tuc" / "2026-11-12-truoc.md"
    earlier.write_text(text.replace("Slug: tap-huan-nhan-dien-lua-dao-truc-tuyen", "Slug: bai-truoc").replace(
        "Date: 2026-11-10 14:00", "Date: 2026-12-01 08:00"), encoding="utf-8")
    news.write_text(text.replace("Date: 2026-11-10 14:00", "Date: 2026-12-02 08:00").replace(
        "Nội dung tin.", "Nội dung tin. Xem [bài trước]({filename}2026-11-12-truoc.md)."), encoding="utf-8")
    done = check(fixture_content)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.hostile
def test_an_article_and_a_page_with_one_address_are_refused_by_the_check_as_by_the_build(fixture_content):
    """Settings may put articles where the pages are ("{slug}.html"): an article with a page's slug then
    names the page's file. The build refused it and the check did not."""
    news = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    news.write_text(news.read_text(encoding="utf-8").replace("Slug: tap-huan-nhan-dien-lua-dao-truc-tuyen",
                                                             "Slug: gioi-thieu"), encoding="utf-8")
    env = {**os.environ, "PORTAL_NOW": NOW}
    done = subprocess.run([sys.executable, "-m", "portal", "check", "--content", str(fixture_content), "--lang", "en",
                           "--set", 'ARTICLE_SAVE_AS="{slug}.html"', "--set", 'ARTICLE_URL="{slug}.html"'],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert section(done.stdout, "tin-tuc/2026-11-10-tap-huan.md") == [
        'content/tin-tuc/2026-11-10-tap-huan.md:3: [error] field "Slug" value "gioi-thieu": This slug is already used '
        "by content/pages/gioi-thieu.md. Fix: give one of the two articles another Slug."]


@pytest.mark.hostile
def test_a_plain_link_to_what_the_site_does_not_show_yet_says_why(fixture_content):
    """A link by address to a scheduled article or a draft leads nowhere today, and is refused as a link
    to one (not as an address that names nothing); a draft's own links are not judged: it is not shown."""
    news = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    text = news.read_text(encoding="utf-8")
    variants = {
        "2026-11-12-hen-gio.md": ("bai-hen-gio", "Date: 2026-12-05 09:30", "/tin-tuc/bai-nhap.html"),
        "2026-11-13-nhap.md": ("bai-nhap", "Date: 2026-11-10 14:00\nStatus: draft", "/tin-tuc/bai-hen-gio.html"),
    }
    for name, (slug, date, link) in variants.items():
        (fixture_content / "tin-tuc" / name).write_text(
            text.replace("Slug: tap-huan-nhan-dien-lua-dao-truc-tuyen", f"Slug: {slug}")
            .replace("Date: 2026-11-10 14:00", date).replace("Nội dung tin.", f"Nội dung tin. Xem [bài]({link})."),
            encoding="utf-8")
    news.write_text(text.replace("Nội dung tin.", "Nội dung tin. Xem [một](/tin-tuc/bai-hen-gio.html), "
                                 "[hai](/tin-tuc/bai-nhap.html)."), encoding="utf-8")
    done = check(fixture_content, lang="en")
    assert done.returncode == 1
    published = section(done.stdout, "tin-tuc/2026-11-10-tap-huan.md")
    assert any('Link "/tin-tuc/bai-hen-gio.html" leads to an article scheduled for 2026-12-05 09:30' in line
               for line in published), published
    assert any('Link "/tin-tuc/bai-nhap.html" leads to a draft' in line for line in published), published
    scheduled = section(done.stdout, "tin-tuc/2026-11-12-hen-gio.md")
    assert len(scheduled) == 1 and 'Link "/tin-tuc/bai-nhap.html" leads to a draft' in scheduled[0]
    assert "2026-11-13-nhap.md" not in done.stdout


@pytest.mark.hostile
def test_check_and_build_agree_on_the_files_neither_publishes(fixture_content, tmp_path):
    """A hidden copy of an article is published by neither (the check says so), a Markdown file outside the
    kinds' folders stops both, a ".MD" file is named by the check (neither reads it)."""
    c = fixture_content
    article = (c / "tin-tuc" / "2026-11-10-tap-huan.md").read_text(encoding="utf-8")
    hidden = article.replace("Slug: ", "Slug: ban-an-", 1)
    write(c / "tin-tuc" / ".ban-sao.md", hidden)
    write(c / "tin-tuc" / ".cu" / "ban-sao.md", hidden.replace("ban-an-", "ban-an-hai-", 1))
    write(c / "tin-tuc" / "moi.MD", article.replace("Slug: ", "Slug: viet-hoa-", 1))
    done = check(c)
    assert done.returncode == 0, done.stdout
    hidden_said = [x for x in done.stdout.splitlines() if "Tệp ẩn" in x]
    assert len(hidden_said) == 2, done.stdout
    assert any("moi.md" in x for x in section(done.stdout, "moi.MD")), done.stdout
    built = run_build(c, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    assert not list((tmp_path / "output").rglob("*ban-an-*")) and not list((tmp_path / "output").rglob("*viet-hoa-*"))
    write(c / "ghi-chu.md", "hello\n")
    assert "content/ghi-chu.md" in check(c).stdout
    stopped = run_build(c, tmp_path / "output2", search=False, args=("--lang", "en"))
    assert stopped.returncode != 0 and "content/ghi-chu.md" in stopped.stderr, stopped.stderr
    assert "outside the kind folders" in stopped.stderr, stopped.stderr
    assert not (tmp_path / "output2").exists()


@pytest.mark.hostile
def test_a_body_picture_whose_name_is_no_address_stops_check_and_build(fixture_content, tmp_path):
    """"hình 50%.png": "50%" is no address (a browser asks for nothing that exists), and the check found the file."""
    c = fixture_content
    shutil.copy(c / "images" / "anh-thu.png", c / "images" / "hình 50%.png")
    path = c / "tin-tuc" / "2026-11-10-tap-huan.md"
    path.write_text(path.read_text(encoding="utf-8") + '\n![Biểu đồ](images/hình 50%.png "Tỷ lệ. Nguồn ảnh: Sở")\n',
                    encoding="utf-8")
    done = check(c)
    assert done.returncode == 1 and "content/images/hinh-50.png" in done.stdout, done.stdout
    built = run_build(c, tmp_path / "out", search=False)
    assert built.returncode != 0 and "hình 50%.png" in built.stderr, built.stderr
    # a caption pasted from Word in “curly quotes”: it is read as part of the name; said so, with the fix
    path.write_text(path.read_text(encoding="utf-8").replace("hình 50%.png", "anh-thu.png").replace(
        '"Tỷ lệ. Nguồn ảnh: Sở"', "“Tỷ lệ. Nguồn ảnh: Sở”"), encoding="utf-8")
    said = check(c, lang="en").stdout
    assert 'The caption of the picture images/anh-thu.png must be in straight double quotes' in said, said
    assert "no caption" not in said and "rename" not in said, said


def test_link_syntax_shown_in_code_is_not_a_link(fixture_content, tmp_path):
    """A page explaining how to write a picture or a link shows the syntax in code blocks (indented, or a fence
    inside a list): the page holds text there, not a link, and neither the check nor the build judges it."""
    c = fixture_content
    write(c / "pages" / "huong-dan.md", "Title: Hướng dẫn viết bài\nSlug: huong-dan-viet-bai\n"
          "Summary: Cách chèn liên kết và ảnh.\n\nĐể chèn ảnh, viết:\n\n"
          '    ![mô tả ảnh](images/tên ảnh.png "chú thích")\n\n1. Bước một:\n\n    ```\n'
          "    [liên kết](/tin-tuc/ten-bai.html)\n    ```\n\nVà [bài thật](/tin-tuc/khong-co.html).\n")
    done = check(c)
    said = section(done.stdout, "huong-dan.md")
    assert len([x for x in said if "[lỗi]" in x]) == 1 and "/tin-tuc/khong-co.html" in "".join(said), done.stdout
    assert not any("tên ảnh" in x or "ten-bai" in x for x in said), said
