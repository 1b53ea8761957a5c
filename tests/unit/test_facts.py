"""One renderer of an article's facts: HTML for the page and feeds, text for CAP."""

from __future__ import annotations

import dataclasses

from bs4 import BeautifulSoup
from helpers import WARNING, view_of

from portal import facts, model


def test_html_rows_and_lists():
    view = view_of(WARNING, model.WARNING)
    soup = BeautifulSoup(facts.rows_html(view.rows), "html.parser")
    rows = {div.dt.get_text(): div.dd.get_text(" ", strip=True) for div in soup.select("dl.facts > div")}
    assert rows["Mức độ"] == "Nghiêm trọng (mức 4/4)"
    assert rows["Hiệu lực đến"] == "Thứ Năm, 31/12/2026 23:59"
    assert [a["href"] for a in soup.select(".cve-list a")][0] == "https://www.cve.org/CVERecord?id=CVE-2026-21001"
    assert [li.get_text() for li in soup.select("ol.actions li")] == ["Cài bản vá.", "Kiểm tra nhật ký."]
    assert soup.select_one("time")["datetime"].endswith("+07:00")


def test_text_rows_skip_what_goes_elsewhere():
    view = view_of(WARNING, model.WARNING)
    text = facts.rows_text(view.rows, skip=("actions", "status", "revisions"))
    assert "Số hiệu: CB-2026-014" in text
    assert "Sản phẩm, hệ thống bị ảnh hưởng:\n- Exchange Server 2019\n- Exchange Server 2016" in text
    assert "Cài bản vá" not in text and "Trạng thái" not in text
    assert facts.steps_text(view.rows, "actions") == "1. Cài bản vá.\n2. Kiểm tra nhật ký."


def test_markup_in_values_is_escaped():
    view = view_of(WARNING.replace("Exchange Server 2019", "<script>x</script>"), model.WARNING)
    html = facts.rows_html(view.rows)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_english_labels():
    view = view_of(WARNING, model.WARNING, lang="en")
    assert [r.label for r in view.rows][:3] == ["Identifier", "Severity", "Trạng thái"]  # "_" is the identity here


def test_a_new_field_is_one_edit_of_the_model(monkeypatch):
    """A new warning field with facts="row" shows in the rows, hence the page, the feeds and CAP."""
    new = model.Field("Vendor", model.TEXT, "Nhà sản xuất", "Vendor", "Tên hãng.", "The vendor.", "Microsoft",
                      kinds=(model.WARNING,), facts="row")
    monkeypatch.setattr(model.fields, "FIELDS", (*model.FIELDS, new))
    monkeypatch.setitem(model.FIELDS_BY_KEY, "vendor", new)
    monkeypatch.setattr(model.entry, "fields_for", lambda kind: [f for f in model.fields.FIELDS if kind in f.kinds])
    monkeypatch.setattr(facts.model, "fields_for", model.entry.fields_for)
    view = view_of(WARNING.replace("Severity:", "Vendor: Microsoft\nSeverity:"), model.WARNING)
    assert any(r.key == "vendor" and r.items[0].text == "Microsoft" for r in view.rows)
    assert "Nhà sản xuất: Microsoft" in facts.rows_text(view.rows)
    assert dataclasses.is_dataclass(view)
