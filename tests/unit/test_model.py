"""The content model alone: parsing, values, relations, the collection rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portal import model

GOOD_WARNING = """Title: Cảnh báo thử
Date: 2026-11-20 09:30
Slug: canh-bao-thu
Summary: Tóm tắt.
Authors: Tin, ảnh: Tuấn Anh; Minh Hà
Identifier: CB-2026-001
Severity: nghiem trong
CVE: cve-2026-1234, CVE-2026-99999
Affected:
    Sản phẩm A
    Sản phẩm B, bản 2
Actions: Vá ngay.
Expires: 2026-12-01 00:00
Revisions:
    2026-11-21 10:00 | Lần một.
    2026-11-22 10:00 | Lần hai.

Thân bài: dòng này không phải một trường.
"""


def test_a_good_warning_parses_to_typed_values():
    e = model.validate(GOOD_WARNING, "content/canh-bao/x.md", model.WARNING, None)
    assert e.ok, [p.format() for p in e.problems]
    v = e.values
    assert v["date"] == dt.datetime(2026, 11, 20, 9, 30, tzinfo=model.TZ)
    assert v["severity"].cap == "Extreme" and v["severity"].value == "nghiêm trọng"  # folded input accepted
    assert v["cve"] == ["CVE-2026-1234", "CVE-2026-99999"]
    assert v["affected"] == ["Sản phẩm A", "Sản phẩm B, bản 2"]  # one item a line: commas kept
    assert v["authors"].role == "Tin, ảnh" and v["authors"].names == ("Tuấn Anh", "Minh Hà")
    assert [r.note for r in v["revisions"]] == ["Lần một.", "Lần hai."]
    assert e.body.startswith("Thân bài: dòng này")
    assert e.body_line == 18


@pytest.mark.hostile
def test_vietnamese_typed_as_letters_and_combining_marks_reads_as_typed_composed():
    """Unikey's "tổ hợp" mode and macOS type "ệ" as "e", a circumflex and a dot below: the same on screen,
    other code points. The fields read as if typed composed (NFC): the severity is known, a tag is the
    same tag. A picture's name stays as written (a file copied from macOS keeps a decomposed name on the
    disk), and so does the body, whose links name files."""
    import unicodedata

    typed = GOOD_WARNING.replace("Severity: nghiem trong", "Severity: nghiêm trọng").replace(
        "Summary: Tóm tắt.", "Summary: Tóm tắt.\nTags: Lào Cai, an ninh mạng")
    decomposed = unicodedata.normalize("NFD", typed)
    assert decomposed != typed
    e = model.validate(decomposed, "content/canh-bao/x.md", model.WARNING, None)
    assert e.ok, [p.format() for p in e.problems]
    same = model.validate(unicodedata.normalize("NFC", typed), "content/canh-bao/x.md", model.WARNING, None)
    assert e.values == same.values and e.body == unicodedata.normalize("NFD", same.body)
    assert e.values["severity"].cap == "Extreme" and e.values["tags"] == ["Lào Cai", "an ninh mạng"]
    assert unicodedata.is_normalized("NFC", e.values["title"])


@pytest.mark.hostile
@pytest.mark.parametrize("written, wanted, code", [
    ("Identifier: CB-2026-001", "Identifier: CB-２０２６-001", "bad_identifier"),  # digits of another width
    ("Identifier: CB-2026-001", "Identifier: CB-2026-" + "1" * 245, "bad_identifier"),  # no file takes the name
    ("CVE: cve-2026-1234, CVE-2026-99999", "CVE: CVE-２０２６-1234", "bad_cve"),
    ("Revisions:", "Tags: lỗ hổng, bảo mật, Lỗ Hổng\nRevisions:", "tag_twice"),
    ("Revisions:", "Withdrawn: 2026-11-21 12:00 | Phát hành nhầm.\nRevisions:", "revision_after_withdrawal"),
    ("Revisions:", "Image: images/ảnh đại diện #1?.png\nRevisions:", "image_name_unsafe"),  # its address is broken
])
def test_values_that_would_publish_wrong_are_refused_with_the_field(written, wanted, code):
    e = model.validate(GOOD_WARNING.replace(written, wanted), "content/canh-bao/x.md", model.WARNING, None)
    found = [p for p in e.problems if p.code == code]
    assert found and found[0].level == "error" and found[0].field in ("Identifier", "CVE", "Tags", "Revisions", "Image")
    assert "Cách sửa" in found[0].format() or "Fix" in found[0].format("en"), found[0].format()
    if code == "image_name_unsafe":
        assert "content/images/anh-dai-dien-1.png" in found[0].format()  # the name it could have
        assert model.values.safe_name("images/Hội nghị/ảnh 1.PNG") == "images/hoi-nghi/anh-1.png"  # folders too
    if code == "revision_after_withdrawal":
        assert found[0].line == 17 and "2026-11-22 10:00" in found[0].format()  # the line of the late update


@pytest.mark.hostile
def test_a_picture_whose_name_is_decomposed_on_the_disk_is_found(tmp_path):
    """Composing the fields must not compose a file's name: the picture on the disk keeps the name it was
    copied with."""
    import shutil
    import unicodedata

    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    name = unicodedata.normalize("NFD", "ảnh-tập-huấn.png")
    shutil.copy(Path(__file__).resolve().parents[2] / "content" / "images" / "hoi-nghi-so-ket-phoi-hop-2026.png",
                content / "images" / name)
    text = GOOD_WARNING.replace("Severity: nghiem trong", f"Severity: cao\nImage: images/{name}\n"
                                "Image_caption: Ảnh.\nImage_credit: Sở.")
    e = model.validate(text, "content/canh-bao/x.md", model.WARNING, content)
    assert e.ok, [p.format() for p in e.problems]
    assert e.values["image"] == f"images/{name}"


@pytest.mark.parametrize("byline,names", [
    ("Tin, ảnh: Tuấn Anh và Minh Hà", ("Tuấn Anh", "Minh Hà")),
    ("Tin: Tuấn Anh; Minh Hà", ("Tuấn Anh", "Minh Hà")),
    # an organisation's "và" is inside its name: it was two authors, "Sở Thông tin" and "Truyền thông"
    ("Tin: Sở Thông tin và Truyền thông", ("Sở Thông tin và Truyền thông",)),
    ("Tin: Sở Thông tin và Truyền Thông", ("Sở Thông tin và Truyền Thông",)),  # capitalised as a name would be
    ("Tin: Bộ Khoa học và Công Nghệ và Minh Hà", ("Bộ Khoa học và Công Nghệ", "Minh Hà")),
    ("Tin: Sở Giáo dục và Đào Tạo tỉnh Lào Cai", ("Sở Giáo dục và Đào Tạo tỉnh Lào Cai",)),
    ("Tin: Đài Phát thanh và Truyền Hình Lào Cai", ("Đài Phát thanh và Truyền Hình Lào Cai",)),
    ("Tin: Sở Lao động - Thương binh và Xã hội", ("Sở Lao động - Thương binh và Xã hội",)),  # "Xã": not a commune
    ("Tin: Ban Tuyên giáo và Dân Vận và Thu Hà", ("Ban Tuyên giáo và Dân Vận", "Thu Hà")),
    ("Tin: Trung tâm Văn hóa, Thể thao và Truyền Thanh", ("Trung tâm Văn hóa, Thể thao và Truyền Thanh",)),
    ("Tin: Công an tỉnh và Xã Bảo Thắng", ("Công an tỉnh", "Xã Bảo Thắng")),
    ("Tin: Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
     ("Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",)),
    ("Tin: Tuấn Anh và Bộ Khoa học và Công nghệ", ("Tuấn Anh", "Bộ Khoa học và Công nghệ")),
    ("Tin: Bộ Khoa học và Công nghệ; Sở Y tế", ("Bộ Khoa học và Công nghệ", "Sở Y tế")),
    ("Tin: Phòng PA05 và Minh Hà", ("Phòng PA05", "Minh Hà")),
    ("Tin: UBND tỉnh và Bộ Công an", ("UBND tỉnh", "Bộ Công an")),
    ("Tin: Công an tỉnh và Sở Khoa học và Công nghệ", ("Công an tỉnh", "Sở Khoa học và Công nghệ")),
    ("Tin: Thu Hà và nhóm phóng viên", ("Thu Hà", "nhóm phóng viên")),
    ("Tin: Nhóm PV và CTV", ("Nhóm PV", "CTV")),
    ("Tin: Minh Hà và Đài Phát thanh và Truyền hình tỉnh", ("Minh Hà", "Đài Phát thanh và Truyền hình tỉnh")),
])
def test_a_bylines_names_are_split_between_people_never_inside_an_organisations_name(byline, names):
    assert model.parse_byline(byline).names == names


@pytest.mark.parametrize("title,slug", [
    ("Đồng bộ dữ liệu 12/2025", "dong-bo-du-lieu-12-2025"),
    ("Hội nghị: \"An toàn\" & bảo mật!", "hoi-nghi-an-toan-bao-mat"),
    ("ĐÀ NẴNG", "da-nang"),
    ("Lào Cai: Sơ kết một năm thực hiện Quy chế phối hợp bảo vệ an ninh, an toàn mạng lưới thông tin",
     "lao-cai-so-ket-mot-nam-thuc-hien-quy-che-phoi-hop-bao-ve-an-ninh-an-toan-mang"),  # cut between words
])
def test_make_slug_folds_vietnamese(title, slug):
    assert model.make_slug(title) == slug


def test_dates_take_local_time_or_an_offset():
    assert model.parse_datetime("2026-11-26").hour == 0
    utc = model.parse_datetime("2026-11-26T02:30:00+00:00")
    assert utc.utcoffset() == dt.timedelta(hours=7) and utc.hour == 9
    with pytest.raises(model.BadValue):
        model.parse_datetime("26/11/2026")


def test_severity_order_and_cap_mapping():
    assert [s.cap for s in model.SEVERITIES] == ["Minor", "Moderate", "Severe", "Extreme"]
    assert [s.is_severe for s in model.SEVERITIES] == [False, False, True, True]


def test_warning_status_at_a_time():
    values = {"expires": model.parse_datetime("2026-12-01 00:00")}
    assert model.warning_status(values, model.parse_datetime("2026-11-30 23:59")) is model.ACTIVE
    assert model.warning_status(values, model.parse_datetime("2026-12-01 00:00")) is model.EXPIRED
    values["withdrawn"] = model.Revision(model.parse_datetime("2026-11-25 08:00"), "Nhầm.")
    assert model.warning_status(values, model.parse_datetime("2026-11-26 08:00")) is model.WITHDRAWN


def test_next_identifier():
    assert model.next_identifier(["CB-2026-009", "CB-2025-020", "CB-2026-011"], 2026) == "CB-2026-012"
    assert model.next_identifier([], 2027) == "CB-2027-001"


def test_every_field_has_labels_help_and_an_example():
    for f in model.FIELDS:
        assert f.label_vi and f.label_en and f.help_vi and f.help_en and f.example, f.name
        assert f.kinds, f.name


def test_every_message_code_used_has_both_languages():
    from portal.model.problems import MESSAGES
    for code, (vi, en) in MESSAGES.items():
        assert "Cách sửa" in vi, code
        assert "Fix" in en, code


def test_letting_go_of_the_lines_as_written_keeps_what_cap_compares():
    """A build keeps no front-matter lines once a file is validated (half of an entry's memory):
    the CAP record's digests are taken first, and give what they gave from the lines."""
    from helpers import WARNING

    from portal.cap.record import fingerprint

    entry = model.validate(WARNING, "content/canh-bao/x.md", model.WARNING, None)
    prints = fingerprint(entry)
    assert "actions" in prints and "affected" in prints  # multi-line fields, as written
    entry.let_go_of_raw(fingerprint(entry))
    assert entry.raw == {} and fingerprint(entry) == prints
    edited = model.validate(WARNING.replace("Kiểm tra nhật ký.", "Kiểm tra nhật ký máy chủ."),
                            "content/canh-bao/x.md", model.WARNING, None)
    assert fingerprint(edited)["actions"] != prints["actions"]
    entry.let_go_of_body()
    assert entry.body == "" and entry.values["title"] == "Lỗ hổng nghiêm trọng trong Exchange"
