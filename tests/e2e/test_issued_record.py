"""The issued-message record: a CAP message, once published, is served byte for byte for ever;
a change to what it says needs a new Revisions line, which issues an Update."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_build
from lxml import etree

WARNING = "canh-bao/2026-11-20-lo-hong-exchange.md"
CHAIN = "cap/canh-bao/CB-2026-014"
CSAF = ".well-known/csaf/white/2026/cb-2026-014.json"
NOW = "2026-11-26T09:00:00+07:00"
C = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}


def publish(base: Path, content: Path, now: str = NOW, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_NOW": now, "RATINGS_API_URL": "",
           "PORTAL_SITEURL": "https://antoanthongtin.laocai.gov.vn"}
    return subprocess.run([sys.executable, "-m", "portal", "publish", "--base", str(base), "--content", str(content),
                           *extra], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def check(content: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "check", "--content", str(content)], cwd=ROOT,
                          env={**os.environ, "PORTAL_NOW": NOW}, capture_output=True, text=True, timeout=120)


def edit(content: Path, old: str, new: str) -> None:
    path = content / WARNING
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.xml"))}


@pytest.fixture
def published(fixture_content, tmp_path):
    base = tmp_path / "www"
    done = publish(base, fixture_content)
    assert done.returncode == 0, done.stdout + done.stderr
    return fixture_content, base


pytestmark = pytest.mark.hostile


def test_publish_records_every_message_byte_for_byte(published):
    content, base = published
    record = content / "issued" / CHAIN
    assert sorted(files(record)) == ["CB-2026-014-cap-nhat-1.xml", "CB-2026-014-cap-nhat-2.xml", "CB-2026-014.xml"]
    assert files(record) == files(base / "current" / CHAIN)
    manifest = json.loads((record / "ban-ghi.json").read_text(encoding="utf-8"))
    assert [m["identifier"] for m in manifest["messages"]] == [
        "CB-2026-014", "CB-2026-014-cap-nhat-1", "CB-2026-014-cap-nhat-2"]
    assert (content / "issued" / "DOC-TRUOC.txt").is_file()
    advisory = base / "current" / CSAF
    assert json.loads(advisory.read_bytes())["document"]["tracking"]["version"] == "3"
    assert (content / "issued" / "csaf" / "CB-2026-014" / "3.json").read_bytes() == advisory.read_bytes()
    again = publish(base, content)
    assert again.returncode == 0 and "Đã lưu" not in again.stdout  # nothing new: nothing recorded


def test_a_title_edit_without_a_revision_is_refused_everywhere(published, tmp_path):
    content, base = published
    edit(content, "Title: Cảnh báo lỗ hổng nghiêm trọng", "Title: Cảnh báo lỗ hổng RẤT nghiêm trọng")
    built = run_build(content, tmp_path / "output", search=False)
    assert built.returncode == 1
    expected = (f"content/{WARNING}:1: [lỗi] Cảnh báo này đã phát hành thông điệp CAP CB-2026-014-cap-nhat-2 "
                "(lúc 2026-11-23T08:00:00+07:00); từ đó đã sửa: Title, nhưng chưa có dòng Revisions mới")
    assert expected in built.stderr, built.stderr
    assert 'Cách sửa: thêm một dòng Revisions, ví dụ "2026-11-26 09:00 | Nêu ngắn gọn điều đã sửa"' in built.stderr
    assert expected in check(content).stdout
    before = (base / "current").resolve()
    refused = publish(base, content)
    assert refused.returncode == 1 and (base / "current").resolve() == before


def test_with_a_revision_line_an_update_is_issued_and_the_old_messages_never_change(published, tmp_path):
    content, base = published
    first = files(base / "current" / CHAIN)
    edit(content, "Title: Cảnh báo lỗ hổng nghiêm trọng", "Title: Cảnh báo lỗ hổng RẤT nghiêm trọng")
    edit(content, "    2026-11-23 08:00 | Cập nhật hướng dẫn kiểm tra nhật ký.\n",
         "    2026-11-23 08:00 | Cập nhật hướng dẫn kiểm tra nhật ký.\n    2026-11-26 08:30 | Nâng mức tiêu đề.\n")
    # a change of settings that alters every message's bytes: issued ones still do not change
    built = run_build(content, tmp_path / "output", search=False,
                      extra_settings={"CAP_SENDER_NAME": "Phòng An ninh mạng, Công an tỉnh"})
    assert built.returncode == 0, built.stderr
    served = files(built.output / CHAIN)
    assert {k: served[k] for k in first} == first
    update = etree.fromstring(served["CB-2026-014-cap-nhat-3.xml"])
    assert update.findtext("c:msgType", namespaces=C) == "Update"
    assert "RẤT nghiêm trọng" in update.findtext("c:info/c:headline", namespaces=C)
    assert update.findtext("c:info/c:senderName", namespaces=C) == "Phòng An ninh mạng, Công an tỉnh"
    refs = update.findtext("c:references", namespaces=C).split()
    assert [r.split(",")[1] for r in refs] == ["CB-2026-014", "CB-2026-014-cap-nhat-1", "CB-2026-014-cap-nhat-2"]
    assert (built.output / "cap/canh-bao/CB-2026-014.xml").read_bytes() == served["CB-2026-014-cap-nhat-3.xml"]
    done = publish(base, content)
    assert done.returncode == 0, done.stderr
    assert "Đã lưu 2 thông điệp CAP / CSAF vừa phát hành" in done.stdout, done.stdout
    assert "CB-2026-014-cap-nhat-3" in done.stdout and "CB-2026-014 v.4" in done.stdout
    assert (content / "issued" / CHAIN / "CB-2026-014-cap-nhat-3.xml").is_file()
    assert (content / "issued" / "csaf" / "CB-2026-014" / "4.json").read_bytes() == (
        base / "current" / CSAF).read_bytes()


def test_a_recorded_csaf_version_is_served_as_recorded_with_matching_hashes(published, tmp_path):
    import hashlib

    content, _ = published
    recorded = content / "issued" / "csaf" / "CB-2026-014" / "3.json"
    marked = recorded.read_bytes().replace(b'"csaf_version"', b'"csaf_version"', 1) + b"\n"
    recorded.write_bytes(marked)
    built = run_build(content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    served = built.output / CSAF
    assert served.read_bytes() == marked
    sha = (built.output / (CSAF + ".sha256")).read_text().split()[0]
    assert sha == hashlib.sha256(marked).hexdigest()


def test_a_recorded_message_is_served_as_recorded(published, tmp_path):
    content, _ = published
    recorded = content / "issued" / CHAIN / "CB-2026-014-cap-nhat-1.xml"
    marked = recorded.read_bytes() + b"<!-- as issued -->\n"
    recorded.write_bytes(marked)
    built = run_build(content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
    assert (built.output / CHAIN / "CB-2026-014-cap-nhat-1.xml").read_bytes() == marked


@pytest.mark.parametrize("breaker,code_text", [
    (lambda c: edit(c, "    2026-11-23 08:00 | Cập nhật hướng dẫn kiểm tra nhật ký.\n", ""),
     "Thông điệp CAP CB-2026-014-cap-nhat-2 (phát hành lúc 2026-11-23T08:00:00+07:00) không còn trong bài"),
    (lambda c: edit(c, "2026-11-23 08:00 |", "2026-11-24 08:00 |"),
     "Thời điểm của thông điệp CAP đã phát hành CB-2026-014-cap-nhat-2 (2026-11-23T08:00:00+07:00) đã thay đổi"),
    (lambda c: edit(c, "    2026-11-21 10:00 |", "    2026-11-20 12:00 | Chèn vào giữa.\n    2026-11-21 10:00 |"),
     "Thời điểm của thông điệp CAP đã phát hành CB-2026-014-cap-nhat-1"),
    (lambda c: (c / WARNING).unlink(),
     "content/issued/cap/canh-bao/CB-2026-014: [lỗi] Cảnh báo số hiệu CB-2026-014 đã phát hành thông điệp CAP"),
    (lambda c: edit(c, "Identifier: CB-2026-014", "Identifier: CB-2026-099"),
     "Cảnh báo số hiệu CB-2026-014 đã phát hành thông điệp CAP nhưng không còn bài đang đăng nào"),
    (lambda c: edit(c, "Trung tâm Giám sát an toàn", "Trung tâm Giám sát an ninh"),
     "từ đó đã sửa: nội dung bài, nhưng chưa có dòng Revisions mới"),
], ids=["revision-removed", "revision-redated", "revision-inserted-before", "file-deleted", "identifier-changed",
        "body-edited"])
def test_what_contradicts_an_issued_message_is_an_error(published, tmp_path, breaker, code_text):
    content, _ = published
    breaker(content)
    built = run_build(content, tmp_path / "output", search=False)
    assert built.returncode == 1, built.stderr
    assert code_text in built.stderr, built.stderr
    assert "Traceback" not in built.stderr


def test_fields_a_message_does_not_show_can_change_freely(published, tmp_path):
    content, _ = published
    edit(content, "Tags: lỗ hổng, Microsoft", "Tags: lỗ hổng, Microsoft, Exchange")
    edit(content, "Authors: Tin: Phòng An ninh mạng", "Authors: Tin: Phòng An ninh mạng (PA05)")
    built = run_build(content, tmp_path / "output", search=False)
    assert built.returncode == 0, built.stderr
