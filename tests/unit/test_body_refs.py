"""The links and pictures a body holds, read from its Markdown (portal.checks.body_refs): each with its line."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.checks import _markdown_refs


def test_links_and_pictures_inline_by_reference_and_in_html_with_their_lines():
    body = ("Xem [trang](/gioi-thieu.html \"Giới thiệu\") và ![Biểu đồ](images/hình 1.png 'Hình').\n"
            "Dấu chấm than!![hai](images/b.png)\n"
            "[![ảnh trong liên kết](images/c.png)](https://example.vn/)\n"
            "Theo ![tham chiếu][r] và [liên kết][R].\n"
            "`[không phải](mã.html)`\n"
            "\n"
            "[r]: images/d.png \"Ảnh D\"\n"
            '<img src="images/e.png" alt="E"> <a href="/f.html">F</a>\n')
    refs = _markdown_refs(SimpleNamespace(body=body, body_line=10))
    assert refs == (
        (False, 10, "/gioi-thieu.html", "", "Giới thiệu", False),
        (True, 10, "images/hình 1.png", "Biểu đồ", "Hình", False),
        (True, 11, "images/b.png", "hai", None, False),
        (False, 12, "https://example.vn/", "", None, False),  # the picture inside the link is the link's text
        (True, 13, "images/d.png", "tham chiếu", "Ảnh D", False),
        (False, 13, "images/d.png", "", "Ảnh D", False),
        (True, 17, "images/e.png", "E", None, True),
        (False, 17, "/f.html", "", None, False),
    )


@pytest.mark.hostile
def test_a_body_refused_before_markdown_is_not_searched_for_links():
    import time

    from portal.checks import body_refs

    started = time.monotonic()
    assert body_refs(SimpleNamespace(body="[" * 300_000, body_line=1), "") == ()  # ("[" × 40,000 took 7 s)
    assert time.monotonic() - started < 1


@pytest.mark.hostile
def test_a_shape_the_link_search_is_slow_on_is_an_error_at_its_line_not_a_hang(monkeypatch, tmp_path):
    import sys
    import time

    from conftest import ROOT

    from portal import body
    from portal.checks import body_refs

    monkeypatch.setattr(body, "DEADLINE_S", 0.2)
    slow = "Đoạn mở đầu.\n\n[a](b" + " " * 400_000  # (quadratic in the spaces: hours for a file of 2 MB)
    started = time.monotonic()
    with pytest.raises(body.TooSlow):
        body_refs(SimpleNamespace(body=slow, body_line=3))
    assert time.monotonic() - started < 2
    sys.path.insert(0, str(ROOT / "plugins"))
    try:
        from articles.reader import PortalReader
    finally:
        sys.path.remove(str(ROOT / "plugins"))
    (tmp_path / "tin-tuc").mkdir()
    path = tmp_path / "tin-tuc" / "x.md"
    path.write_text("Title: Bài\nDate: 2026-11-20 08:00\nSlug: bai\nSummary: Tóm tắt.\nAuthors: Tin: A\n\n" + slow,
                    encoding="utf-8")
    started = time.monotonic()
    parsed = PortalReader({"PATH": str(tmp_path), "MARKDOWN": {}})._parse(str(path))
    assert time.monotonic() - started < 5
    assert not parsed.ok and [p.code for p in parsed.problems if p.level == "error"] == ["too_complex"]
