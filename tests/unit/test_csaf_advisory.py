"""CSAF documents from typed views (no build): category, versions, withdrawal, products."""

from __future__ import annotations

import json

from helpers import WARNING, view_of

from portal import model
from portal.csaf import advisory
from portal.csaf.settings import read_settings
from portal.paths import SitePaths, csaf_filename

SETTINGS = {
    "SITENAME": "Cổng thông tin An ninh mạng tỉnh Lào Cai", "SITE_OWNER": "Sở Thông tin và Truyền thông",
    "PORTAL_PRODUCTION_URL": "https://antoanthongtin.laocai.gov.vn", "SITEURL": "https://antoanthongtin.laocai.gov.vn",
    "SITE_CONTACT": {"email": "antoanthongtin@laocai.gov.vn", "hotline": "0214 3822 114"},
    "PLUGINS": ["articles", "cap_alerts", "csaf"], "CATEGORY_URL": "{slug}/",
}
WITHOUT_CVE = (WARNING.replace("CVE: CVE-2026-21001, CVE-2026-21002\n", "")
               .replace("References: https://www.cve.org/\n", ""))
WITHDRAWN = WARNING.replace("Expires: 2026-12-31 23:59\n",
                            "Expires: 2026-12-31 23:59\nWithdrawn: 2026-11-22 08:00 | Phát hành nhầm\n").replace(
    "    2026-12-01 08:00 | Một bản sửa còn hẹn giờ.\n", "")  # (a withdrawn warning takes no later update)


def document(text: str, now=None) -> dict:
    view = view_of(text, model.WARNING, **({"now": now} if now else {}))
    return advisory.build(view, read_settings(SETTINGS), SitePaths(SETTINGS).csaf_advisory(view)).document


def test_file_name_follows_section_5_1():
    assert csaf_filename("CB-2026-014") == "cb-2026-014.json"
    assert csaf_filename("Example Company - 2019-YH3234") == "example_company_-_2019-yh3234.json"
    assert csaf_filename("a/b..c+d") == "a_b_c+d.json"


def test_a_warning_with_cves_is_a_security_advisory():
    doc = document(WARNING)
    d = doc["document"]
    assert d["category"] == "csaf_security_advisory" and d["csaf_version"] == "2.0" and d["lang"] == "vi"
    assert d["publisher"]["category"] == "coordinator"
    assert d["publisher"]["namespace"] == "https://antoanthongtin.laocai.gov.vn"
    assert d["distribution"]["tlp"]["label"] == "WHITE"
    assert d["aggregate_severity"]["text"] == "nghiêm trọng"
    products = doc["product_tree"]["full_product_names"]
    assert products == [{"name": "Exchange Server 2019", "product_id": "CSAFPID-0001"},
                        {"name": "Exchange Server 2016", "product_id": "CSAFPID-0002"}]
    assert [v["cve"] for v in doc["vulnerabilities"]] == ["CVE-2026-21001", "CVE-2026-21002"]
    vuln = doc["vulnerabilities"][0]
    assert vuln["product_status"] == {"known_affected": ["CSAFPID-0001", "CSAFPID-0002"]}
    assert [(r["category"], r["details"]) for r in vuln["remediations"]] == [
        ("vendor_fix", "Cài bản vá."), ("mitigation", "Kiểm tra nhật ký.")]
    assert "metrics" not in json.dumps(doc) and "scores" not in vuln  # no CVSS is invented


def test_a_warning_without_cves_is_informational():
    doc = document(WITHOUT_CVE)
    assert doc["document"]["category"] == "csaf_informational_advisory"
    assert "vulnerabilities" not in doc and "product_tree" not in doc
    # test 6.1.27.2: at least one external reference, even when the warning names none
    assert [r for r in doc["document"]["references"] if r["category"] == "external"]
    notes = {n["title"]: n["text"] for n in doc["document"]["notes"]}
    assert notes["Đối tượng, sản phẩm, hệ thống bị ảnh hưởng"] == "- Exchange Server 2019\n- Exchange Server 2016"


def test_revisions_published_by_the_clock_are_versions():
    tracking = document(WARNING)["document"]["tracking"]  # the second revision is still embargoed
    assert tracking["version"] == "2" and tracking["status"] == "final" and tracking["id"] == "CB-2026-014"
    assert [(r["number"], r["date"]) for r in tracking["revision_history"]] == [
        ("1", "2026-11-20T09:30:00+07:00"), ("2", "2026-11-21T10:00:00+07:00")]
    assert tracking["initial_release_date"] == "2026-11-20T09:30:00+07:00"
    assert tracking["current_release_date"] == "2026-11-21T10:00:00+07:00"
    later = document(WARNING, now=model.parse_datetime("2026-12-02 00:00"))["document"]["tracking"]
    assert later["version"] == "3" and later["revision_history"][-1]["summary"] == "Cập nhật: Một bản sửa còn hẹn giờ."


def test_a_withdrawal_is_the_final_revision():
    d = document(WITHDRAWN)["document"]
    history = d["tracking"]["revision_history"]
    assert [h["number"] for h in history] == ["1", "2", "3"]  # the dates ascending (test 6.1.14)
    assert history[-1]["date"] == "2026-11-22T08:00:00+07:00"
    assert history[-1]["summary"] == "Thu hồi cảnh báo. Lý do: Phát hành nhầm"
    assert d["tracking"]["version"] == "3" and d["tracking"]["status"] == "final"
    assert d["title"].startswith("Đã thu hồi: ")
    descriptions = [n for n in d["notes"] if n["category"] == "description"]
    assert len(descriptions) == 1 and descriptions[0]["title"] == "Lý do thu hồi"
    assert "Phát hành nhầm" in descriptions[0]["text"]


def test_references_self_first_then_external_without_repeats():
    refs = document(WARNING)["document"]["references"]
    assert refs[0] == {"category": "self", "summary": "Tài liệu CSAF của cảnh báo CB-2026-014",
                       "url": "https://antoanthongtin.laocai.gov.vn/.well-known/csaf/white/2026/cb-2026-014.json"}
    assert {"category": "self", "summary": "Thông điệp CAP 1.2 của cảnh báo CB-2026-014",
            "url": "https://antoanthongtin.laocai.gov.vn/cap/canh-bao/CB-2026-014.xml"} in refs
    assert [r["url"] for r in refs if r["category"] == "external"] == ["https://www.cve.org/"]
    assert len({r["url"] for r in refs}) == len(refs)


def test_keys_are_sorted_and_the_bytes_stable():
    view = view_of(WARNING, model.WARNING)
    cs = read_settings(SETTINGS)
    one = advisory.build(view, cs, "x/2026/cb-2026-014.json").to_bytes()
    two = advisory.build(view_of(WARNING, model.WARNING), cs, "x/2026/cb-2026-014.json").to_bytes()
    assert one == two and one.endswith(b"}\n")
    assert json.dumps(json.loads(one), ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n" == one


def test_remediation_categories():
    assert advisory.remediation_category("Cập nhật WinRAR lên phiên bản 7.20") == "vendor_fix"
    assert advisory.remediation_category("Cài ngay bản vá bảo mật tháng 11/2026") == "vendor_fix"
    assert advisory.remediation_category("Chặn truy cập từ Internet tới /owa") == "mitigation"


def test_a_url_named_twice_is_referenced_once_in_the_order_written():
    text = WARNING.replace("References: https://www.cve.org/\n",
                           "References: https://www.cve.org/\n    https://example.org/a\n    https://www.cve.org/\n"
                           "Source: Cục An toàn thông tin\nSource_url: https://example.org/a\n")
    refs = document(text)["document"]["references"]
    assert [(r["category"], r["url"]) for r in refs if r["category"] == "external"] == [
        ("external", "https://example.org/a"), ("external", "https://www.cve.org/")]
    assert refs[3]["summary"] == "Nguồn: Cục An toàn thông tin"
