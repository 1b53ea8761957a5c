"""The links and pictures a body holds, read from its Markdown (portal.checks.body_refs): each with its line."""

from __future__ import annotations

from types import SimpleNamespace

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
