"""`invoke import PATH...`: old-portal pages become valid, clean Markdown articles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_build

from portal import model

LEGACY_TEXT = ROOT / "tests" / "data" / "legacy-samples"  # copies of ../shared/legacy-samples
LEGACY_HTML = ROOT / "tests" / "data" / "legacy"
NOW = "2026-11-26 10:00"
OLD_PORTAL_JUNK = ("<script", "onclick", "onload", "onmouseover", "style=", "facebook.com/tr", "statcounter",
                   "yandex", "google-analytics", "googletagmanager", "ĐÁNH GIÁ BÀI VIẾT", "Chia sẻ", "Các tin khác",
                   "Tin liên quan", "Thủ tục hành chính", "Lượt xem", "In bài viết", "Số lượt truy cập",
                   "sharethis", "Bình luận", "__VIEWSTATE", "Chào mừng Đại hội")


def run_import(content: Path, *paths: Path, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_NOW": NOW}
    return subprocess.run([sys.executable, "-m", "portal", "import", *map(str, paths), "--content", str(content),
                           *extra], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def empty_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    for kind in (*model.KINDS, "images"):
        (content / kind).mkdir(parents=True)
    return content


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Every legacy sample and HTML fixture imported once into an empty content tree."""
    tmp = tmp_path_factory.mktemp("import")
    content = empty_content(tmp)
    paths = [*sorted(LEGACY_TEXT.glob("*.txt")), *sorted(LEGACY_HTML.glob("*.html"))]
    done = run_import(content, *paths)
    assert done.returncode == 0, done.stdout + done.stderr
    return content, done.stdout


def test_plain_text_export_with_title_line(imported):
    content, report = imported
    path = next((content / "hoi-nghi").glob("2010-06-04-*.md"))
    e = model.validate(path.read_text(encoding="utf-8"), str(path), "hoi-nghi", content)
    assert e.ok, [p.format() for p in e.problems]
    assert e.get("title").startswith("Lào Cai: Sơ kết một năm thực hiện Quy chế phối hợp")
    assert e.get("date").strftime("%Y-%m-%d") == "2010-06-04"  # "Ngày 04/6/2010"
    assert e.get("authors").text == "Tin, ảnh: Tuấn Anh"
    assert e.get("source") == "Mic.gov.vn"  # "(Mic.gov.vn) - …"
    assert "Tô Trọng Tôn" in ", ".join(e.get("chair"))
    assert "ĐÁNH GIÁ" not in e.body and "Tin, ảnh" not in e.body
    assert e.body.startswith("(Mic.gov.vn) - Ngày 04/6/2010")
    assert 'Loại bài đề xuất: hoi-nghi (Hội nghị) — tiêu đề có từ "sơ kết"' in report


def test_plain_text_export_without_title_guesses_and_says_so(imported):
    content, report = imported
    news = [p for p in (content / "tin-tuc").glob("2015-12-01-*.md")]
    assert len(news) == 1
    text = news[0].read_text(encoding="utf-8")
    e = model.validate(text, str(news[0]), "tin-tuc", content)
    assert e.ok
    assert e.get("date").strftime("%Y-%m-%d %H:%M") == "2015-12-01 14:00"  # "chiều ngày 1/12/2015"
    assert e.get("source") == "Cổng thông tin điện tử Bộ Công an"  # "Theo Cổng … đưa tin"
    assert e.get("title").startswith("Đại tướng Trần Đại Quang")
    assert "# ĐOÁN: trang cũ không có tiêu đề" in text
    # the photo has no file: its caption and credit wait in a note, the body keeps no broken image
    assert "# ẢNH CHƯA CÓ TỆP: Z1-Bo-truong-Cong-an" in text
    assert "\n#Image: images/dai-tuong-tran-dai-quang" in text
    assert e.get("image_caption").startswith("Ngày 1/12/2015 Đại tướng Trần Đại Quang")
    assert e.get("image_credit") == "Cổng thông tin điện tử Bộ Công an"  # "Nguồn ảnh: …"
    assert "![" not in e.body and "Z1-Bo-truong" not in e.body
    assert "— ĐOÁN từ câu đầu của bài" in report and "KHÔNG có tệp ảnh đi kèm" in report


def test_saved_portal_page_loses_its_chrome_and_keeps_the_article(imported):
    content, report = imported
    path = next((content / "tin-tuc").glob("2019-05-14-*.md"))
    text = path.read_text(encoding="utf-8")
    e = model.validate(text, str(path), "tin-tuc", content)
    assert e.ok, [p.format() for p in e.problems]
    assert e.get("title") == "Tập huấn kỹ năng nhận diện lừa đảo trực tuyến cho cán bộ, công chức cấp xã"
    assert e.get("date").strftime("%Y-%m-%d %H:%M") == "2019-05-14 10:25"  # page metadata
    assert e.get("authors").text == "Tin, ảnh: Minh Hà"
    assert e.get("summary").startswith("Sáng ngày 14/5/2019")  # the sapo
    # the photo: copied, with its caption and credit split
    assert (content / e.get("image")).is_file()
    assert e.get("image_caption") == "Các học viên thực hành nhận diện tin nhắn giả mạo."
    assert e.get("image_credit") == "Sở TT&TT Lào Cai"
    # body: content kept as Markdown, nothing of the portal
    assert "### Nâng cao cảnh giác" in e.body
    assert "- Không cung cấp mã OTP, mật khẩu cho bất kỳ ai;" in e.body
    assert "[Cục An toàn thông tin](https://www.ais.gov.vn/)" in e.body
    for junk in OLD_PORTAL_JUNK:
        assert junk not in text, junk
    # text that looks like code stays text
    assert "&lt;script&gt;alert" in e.body
    assert "ảnh theo dõi (tracker) ×2" in report and "đoạn mã script ×3" in report


def test_warning_page_from_another_portal_layout(imported):
    content, report = imported
    path = next((content / "canh-bao").glob("2021-03-12-*.md"))
    text = path.read_text(encoding="utf-8")
    e = model.validate(text, str(path), "canh-bao", content)
    assert e.ok, [p.format() for p in e.problems]
    assert e.get("title").startswith("Cảnh báo chiến dịch mã độc tống tiền")
    assert e.get("date").strftime("%Y-%m-%d %H:%M") == "2021-03-12 09:15"
    assert e.get("source") == "VNCERT/CC"  # "Theo VNCERT/CC"
    assert e.get("cve") == ["CVE-2021-26855", "CVE-2021-26857", "CVE-2021-26858", "CVE-2021-27065"]
    assert e.get("identifier") == "CB-2021-001"
    assert "# ĐOÁN: số hiệu kế tiếp còn trống của năm 2021" in text
    assert any("khuyến cáo" in a for a in e.get("actions"))
    for junk in OLD_PORTAL_JUNK:
        assert junk not in text, junk


def test_drill_page_date_from_the_byline_row(imported):
    content, _ = imported
    path = next((content / "dien-tap").glob("*.md"))
    e = model.validate(path.read_text(encoding="utf-8"), str(path), "dien-tap", content)
    assert e.ok
    assert e.get("date").strftime("%Y-%m-%d %H:%M") == "2015-09-18 16:40"
    assert e.get("authors").text == "Tin: Thu Trang"
    assert e.get("location") == "Hội trường UBND tỉnh"
    assert "Cục An toàn thông tin" in e.get("units")
    assert "giả định" in e.get("scenario")


def test_old_table_layout_with_br_paragraphs(imported):
    content, report = imported
    path = next((content / "hoi-nghi").glob("2019-04-05-*.md"))
    text = path.read_text(encoding="utf-8")
    e = model.validate(text, str(path), "hoi-nghi", content)
    assert e.ok, [p.format() for p in e.problems]
    assert e.get("title") == "Hội nghị giao ban công tác bảo đảm an toàn thông tin quý I năm 2019"
    assert e.get("date").strftime("%Y-%m-%d") == "2019-04-05"  # "Cập nhật ngày 05.04.2019"
    assert e.get("source") == "baolaocai.vn"  # "Nguồn: baolaocai.vn"
    assert e.get("authors").text == "Tin: Hoàng Lan"  # a bare bold name: a marked guess
    assert "# ĐOÁN: tên in đậm ở cuối bài" in text
    assert e.get("chair") == ["Đồng chí Nguyễn Văn Hùng - Phó Giám đốc Sở"]
    assert len([b for b in e.body.split("\n\n") if b.strip()]) == 3  # <br><br> are paragraph breaks
    for junk in ("DANH MỤC", "Đang online", "Các tin khác", "Quay lại", "In trang", "Bản quyền", "thongke"):
        assert junk not in text, junk


def test_imported_articles_pass_check_and_build_clean(imported, tmp_path):
    content, _ = imported
    site = tmp_path / "content"
    shutil.copytree(content, site)
    shutil.copytree(ROOT / "tests" / "data" / "site" / "pages", site / "pages", dirs_exist_ok=True)
    env = {**os.environ, "PORTAL_NOW": NOW}
    checked = subprocess.run([sys.executable, "-m", "portal", "check", "--content", str(site)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout
    assert "Giá trị này do công cụ nhập bài cũ đoán" in checked.stdout  # guesses stay visible until reviewed
    built = run_build(site, tmp_path / "output", now="2026-11-26T10:00:00+07:00")
    assert built.returncode == 0, built.stderr
    page = built.page("tin-tuc/tap-huan-ky-nang-nhan-dien-lua-dao-truc-tuyen-cho-can-bo-cong-chuc-cap-xa.html")
    article = page.find("main")
    assert article.find("script") is None and article.find("iframe") is None
    assert not article.select("[onclick], [onload], [style]")
    assert '<script>alert("đây là chữ' in article.get_text()  # shown as text, never run


def test_importing_twice_creates_no_duplicate(tmp_path):
    content = empty_content(tmp_path)
    page = LEGACY_HTML / "tap-huan-2019.html"
    first = run_import(content, page)
    assert first.returncode == 0 and "ĐÃ NHẬP" in first.stdout
    before = sorted(p.name for p in content.rglob("*") if p.is_file())
    second = run_import(content, page)
    assert second.returncode == 0
    assert "BỎ QUA (trùng)" in second.stdout and "Đã nhập trước đây" in second.stdout
    assert "nhập 0 bài, bỏ qua 1 bài trùng" in second.stdout
    assert sorted(p.name for p in content.rglob("*") if p.is_file()) == before
    # the same page saved again with other tracking code and a new view counter is the same article
    resaved = tmp_path / "luu-lai.html"
    resaved.write_text(page.read_text(encoding="utf-8").replace("UA-1234567-1", "UA-999").replace(
        "Lượt xem: 1.204", "Lượt xem: 9.999"), encoding="utf-8")
    third = run_import(content, resaved)
    assert "BỎ QUA (trùng)" in third.stdout


def test_articles_already_on_the_portal_are_recognised(copy_sample):
    done = run_import(copy_sample, *sorted(LEGACY_TEXT.glob("*.txt")), extra=("--dry-run",))
    assert "Bài đã có trên cổng: content/hoi-nghi/" in done.stdout or "Bài đã có trên cổng" in done.stdout
    assert "nhập 0 bài, bỏ qua 2 bài trùng" in done.stdout


def test_missing_file_is_reported_not_a_traceback(tmp_path):
    done = run_import(empty_content(tmp_path), tmp_path / "khong-co.txt")
    assert done.returncode == 1
    assert "KHÔNG NHẬP ĐƯỢC" in done.stdout and "Không có tệp này." in done.stdout
    assert "Traceback" not in done.stderr


def cp1258(text: str) -> bytes:
    """Windows-1258 as old Vietnamese Windows wrote it: base letter plus a combining tone mark."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", parts[:-1]).encode("cp1258") + parts[-1].encode("cp1258")
    return out


def test_old_encoding_is_read_and_non_text_is_refused(tmp_path):
    content = empty_content(tmp_path)
    old = tmp_path / "bang-ma-cu.txt"
    old.write_bytes(cp1258("Tin thử bảng mã cũ\r\n\r\nNgày 3/2/2020, đoạn văn đầu tiên của bài viết cũ dùng bảng "
                           "mã Windows-1258 của cổng thông tin cũ.\r\n"))
    picture = tmp_path / "anh.html"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    done = run_import(content, old, picture)
    assert "ĐÃ NHẬP: " in done.stdout and "Tin thử bảng mã cũ" in done.stdout
    assert "Tệp không phải văn bản hay trang HTML" in done.stdout
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_invoke_import_takes_several_paths(tmp_path):
    """As staff type it: `invoke import --content … --dry-run -- A B` (a shell glob gives several paths:
    invoke's own remainder after --, the same as `portal import A B`)."""
    content = empty_content(tmp_path)
    pages = sorted(LEGACY_HTML.glob("*.html"))[:2]
    env = {**os.environ, "PORTAL_NOW": NOW}
    done = subprocess.run([str(Path(sys.executable).parent / "invoke"), "import", "--content", str(content),
                           "--dry-run", "--", *map(str, pages)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("SẼ NHẬP: ") == 2
    assert not list(content.rglob("*.md"))  # --dry-run writes nothing


def test_wordpress_page_time_element_and_old_category(imported):
    content, report = imported
    path = next((content / "canh-bao").glob("2022-08-15-*.md"))
    text = path.read_text(encoding="utf-8")
    e = model.validate(text, str(path), "canh-bao", content)
    assert e.ok, [p.format() for p in e.problems]
    assert e.get("title") == "Cảnh giác với thủ đoạn giả mạo tin nhắn ngân hàng"  # <h1 class="entry-title">
    assert e.get("date").strftime("%Y-%m-%d %H:%M") == "2022-08-15 15:20"  # <time datetime>
    assert e.get("image_caption") == "Một tin nhắn giả mạo ngân hàng." and e.get("image_credit") == "Công an tỉnh"
    assert 'chuyên mục cũ "cảnh báo"' in report
    for junk in ("Có liên quan", "Chia sẻ", "bình luận", "Bài trước", "stats.wp.com", "pixel.wp.com", "_stq"):
        assert junk not in text, junk


def test_date_line_above_the_lead_is_the_date_not_the_summary(imported):
    """<div class="date">Thứ Sáu, 15/03/2019 09:20</div> before the first paragraph (a common layout)."""
    content, report = imported
    path = next((content / "tin-tuc").glob("2019-03-15-*.md"))
    text = path.read_text(encoding="utf-8")
    e = model.validate(text, str(path), "tin-tuc", content)
    assert e.ok, [p.format() for p in e.problems]
    assert e.get("title") == "Cảnh giác với thủ đoạn lừa đảo qua mã QR"
    assert e.get("date").strftime("%Y-%m-%d %H:%M") == "2019-03-15 09:20"  # from the date line alone
    assert e.get("summary") == ("Thời gian gần đây, xuất hiện thủ đoạn dán mã QR giả lên bảng thanh toán tại "
                                "cửa hàng để chiếm đoạt tiền.")
    assert e.get("source") == "Laocai.gov.vn"  # "(Laocai.gov.vn) - …" of the lead
    assert e.get("authors").text == "Tin: Minh Châu"
    assert "15/03/2019" not in e.body and "Thứ Sáu" not in e.body
    assert e.body.startswith("**(Laocai.gov.vn) - Thời gian gần đây")
    assert 'Ngày đăng: 2019-03-15 09:20 (từ dòng ngày đăng "Thứ Sáu, 15/03/2019 09:20")' in report


@pytest.mark.parametrize("line, expected", [
    ("Thứ Sáu, 15/03/2019 09:20", "2019-03-15 09:20"),
    ("Thứ 6, 15/03/2019 | 09:20 (GMT+7)", "2019-03-15 09:20"),
    ("Cập nhật lúc: 10:25 | 14/05/2019", "2019-05-14 10:25"),
    ("Cập nhật ngày 05.04.2019", "2019-04-05 08:00"),
    ("Ngày đăng: 15/03/2019", "2019-03-15 08:00"),
    ("*Đăng ngày 15-03-2019 lúc 9h20*", "2019-03-15 09:20"),
    ("Chủ nhật, 17/3/2019, 07:05 AM", "2019-03-17 07:05"),
])
def test_date_only_lines_are_recognised(line, expected):
    from portal.tools.importer import date_line

    found = date_line(line)
    assert found is not None, line
    assert f"{found[0]:%Y-%m-%d %H:%M}" == expected


@pytest.mark.parametrize("line", [
    "Ngày 15/03/2019, Sở Thông tin và Truyền thông tổ chức hội nghị.",
    "(Laocai.gov.vn) - Ngày 15/03/2019",
    "Lượt xem: 1.204 | 14/05/2019",
    "Tin: Minh Châu 15/03/2019",
    "Thứ Sáu tuần này",
    "## 15/03/2019",
])
def test_text_with_a_date_is_not_a_date_line(line):
    from portal.tools.importer import date_line

    assert date_line(line) is None


def test_plain_text_export_date_line_under_the_title(tmp_path):
    content = empty_content(tmp_path)
    page = tmp_path / "ma-qr.txt"
    page.write_text("Cảnh giác với mã QR giả\n\nNgày đăng: 15/03/2019 09:20\n\n(Laocai.gov.vn) - Thời gian gần "
                    "đây xuất hiện thủ đoạn dán mã QR giả lên bảng thanh toán tại cửa hàng.\n\nNgười dân cần kiểm "
                    "tra tên tài khoản trước khi chuyển tiền.\n\nTin: Minh Châu\n", encoding="utf-8")
    done = run_import(content, page)
    assert done.returncode == 0, done.stdout + done.stderr
    path = next((content / "tin-tuc").glob("2019-03-15-*.md"))
    e = model.validate(path.read_text(encoding="utf-8"), str(path), "tin-tuc", content)
    assert e.ok, [p.format() for p in e.problems]
    assert e.get("title") == "Cảnh giác với mã QR giả"
    assert e.get("date").strftime("%Y-%m-%d %H:%M") == "2019-03-15 09:20"
    assert e.get("summary").startswith("Thời gian gần đây xuất hiện thủ đoạn")
    assert e.get("source") == "Laocai.gov.vn"
    assert "Ngày đăng" not in e.body and e.body.startswith("(Laocai.gov.vn) - Thời gian")
