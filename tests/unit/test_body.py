"""portal.body: what a body may carry into a page and a feed reader, and the line that is told."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from portal import body, model

pytestmark = pytest.mark.hostile

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"MARKDOWN": {"extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.sane_lists": {}},
                         "output_format": "html5"}}
# a valid news article's front matter: its body starts at line 13
HEAD = (ROOT / "tests/data/site/tin-tuc/2026-11-10-tap-huan.md").read_text(encoding="utf-8").split("\n\n")[0] + "\n\n"


def entry_of(text: str) -> model.Entry:
    entry = model.validate(HEAD + text, "content/tin-tuc/x.md", "tin-tuc", None)
    assert entry.ok and entry.body_line == 13, entry.problems
    return entry


def render(text: str):
    return body.render(entry_of(text), body.converter(SETTINGS))


def active_parts(html: str) -> list[str]:
    """Anything in the HTML that a browser would run or load from a non-web scheme."""
    soup = BeautifulSoup(html, "html.parser")
    found = [t.name for t in soup.find_all(["script", "style", "iframe", "object", "embed", "form", "svg",
                                             "math", "base", "meta", "link", "input", "button"])]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                if not (name == "style" and tag.name in ("td", "th")):
                    found.append(f"{tag.name}[{name}]")
            if name in ("href", "src", "cite", "action") and str(value).strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:", "file:")):
                found.append(f"{tag.name}[{name}={value}]")
    return found


# (payload as a person might paste it, the line of the body it sits on, the code the person is told)
HOSTILE = [
    ("Trước.\n\n<script>alert(1)</script>\n\nSau.", 15, "unsafe_html"),
    ("<img src=x onerror=alert(1)>", 13, "unsafe_html"),
    ('Đoạn.\n\n<iframe src="https://evil.example/"></iframe>', 15, "unsafe_html"),
    ("<svg onload=alert(1)><circle r=1 /></svg>", 13, "unsafe_html"),
    ('<form action="https://evil.example/"><input name=p><button>Gửi</button></form>', 13, "unsafe_html"),
    ("<style>body{display:none}</style>", 13, "unsafe_html"),
    ("Dòng một.\n[bấm vào](javascript:alert(document.cookie))", 14, "unsafe_url"),
    ("![ảnh](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", 13, "unsafe_url"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', 13, "unsafe_url"),
    ('<a href="jav&#x61;script:alert(1)">x</a>', 13, "unsafe_url"),
    ('<a href=" javascript:alert(1)">x</a>', 13, "unsafe_url"),
    ("[x](vbscript:msgbox)", 13, "unsafe_url"),
    ('<object data="x.swf">văn bản dự phòng</object>', 13, "unsafe_html"),
    ('<embed src="x.swf">', 13, "unsafe_html"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', 13, "unsafe_html"),
    ('<base href="https://evil.example/">', 13, "unsafe_html"),
    ('<link rel=stylesheet href="https://evil.example/x.css">', 13, "unsafe_html"),
    ("Đoạn\n{: onclick=\"alert(1)\" }", 14, "unsafe_html"),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", 13, "unsafe_html"),
    ("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>", 13, "unsafe_html"),
    ('<div><a href="https://ok.example/" onmouseover="alert(1)">x</a></div>', 13, "unsafe_html"),
    ("<details open ontoggle=alert(1)>x</details>", 13, "unsafe_html"),
    # the line of the link, not of prose that names the scheme above it
    ("Dùng `javascript:` để lừa.\n\n- một\n- hai\n\nXem [đây](javascript:alert(1)).", 18, "unsafe_url"),
    ("Kẻ gian chèn `javascript:void(0)` vào ô nhập liệu.\n\nBấm [vào đây](javascript:void(0)).", 15, "unsafe_url"),
]


@pytest.mark.parametrize("payload,line,code", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_markup_never_survives_and_is_reported_at_its_line(payload, line, code):
    html, problems = render(payload)
    assert active_parts(html) == [], html
    assert "alert" not in html.replace("alert(document.cookie)", "") or "<a" not in html, html
    assert [(p.code, p.level) for p in problems if p.level == "error"][:1] == [(code, "error")], problems
    first = next(p for p in problems if p.level == "error")
    assert first.path == "content/tin-tuc/x.md" and first.line == line
    assert "Cách sửa:" in first.message("vi") and "Fix:" in first.message("en")


def test_what_an_article_needs_passes_unchanged_and_untold():
    text = """## Khuyến nghị

Đoạn có **đậm**, *nghiêng*, `mã`, [liên kết](https://ncsc.gov.vn/), [thư](mailto:a@b.vn),
[điện thoại](tel:+84203) và [bài khác]({filename}/tin-tuc/y.md#muc).

1. Bước một
    - ý phụ
2. Bước hai

> Trích dẫn

| Cột | Giữa |
|:----|:----:|
| a   | b    |

![Sơ đồ](images/so-do.png "Sơ đồ tấn công. Nguồn ảnh: NCSC")

```
curl https://x/ | sh   # <script> inside code is text
```

Chú thích[^1].

[^1]: Nguồn: NCSC.

*[CVE]: Common Vulnerabilities and Exposures
"""
    html, problems = render(text)
    assert problems == []
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("h2").get_text() == "Khuyến nghị"
    assert soup.find("a", href="https://ncsc.gov.vn/") and soup.find("a", href="mailto:a@b.vn")
    assert soup.find("a", href="{filename}/tin-tuc/y.md#muc"), "Pelican's link syntax must survive"
    assert soup.find("img")["src"] == "{static}/images/so-do.png"
    assert soup.find("figcaption").find("span", class_="credit")
    assert soup.find("td", style="text-align: center;") or soup.find("td", style="text-align:center")
    assert "&lt;script&gt;" in html  # code is shown, not run
    assert soup.find("div", class_="footnote") and soup.find("sup")
    assert soup.find("ol").find("ul")


def test_lost_formatting_is_a_warning_naming_the_line():
    html, problems = render("Dòng.\n\n<p style=\"position:fixed;top:0\">Giả mạo</p>\n\n<font color=red>đỏ</font>")
    assert "Giả mạo" in html and "đỏ" in html
    assert "position" not in html and "<font" not in html
    assert [(p.code, p.level, p.line) for p in problems] == [("dropped_html", "warning", 15),
                                                             ("dropped_html", "warning", 17)]
    assert 'style="position:fixed;top:0"' in problems[0].message()
    assert "<font>" in problems[1].message()


@pytest.mark.parametrize("levels", [11, 300, 1000, 5000])
def test_deep_nesting_is_an_error_at_its_line_and_quick(levels):
    started = time.monotonic()
    lists = "Mở đầu.\n\n" + "\n".join("    " * i + "- mục" for i in range(levels))
    _, problems = render(lists)
    assert [(p.code, p.line) for p in problems] == [("too_deep", 15 + 10)]
    _, problems = render("- " * levels + "x")
    assert [(p.code, p.line) for p in problems] == [("too_deep", 13)]
    _, problems = render(">" * levels + " trích")
    assert [(p.code, p.line) for p in problems] == [("too_deep", 13)]
    assert time.monotonic() - started < 5  # 5,000 levels ran for more than 600 s before


def test_ten_levels_are_fine_and_code_fences_do_not_count():
    ten = "\n".join("    " * i + "- mục" for i in range(10))
    deep_code = "```\n" + "\n".join(" " * 4 * i + "x" for i in range(40)) + "\n```"
    for text in (ten, deep_code):
        _, problems = render(text)
        assert problems == []


def test_deep_raw_html_never_raises():
    html, problems = render("<div>" * 3000 + "x" + "</div>" * 3000)
    assert all(p.code in ("too_deep", "dropped_html") for p in problems)
    assert "<script" not in html


def test_shapes_that_make_markdown_slow_are_refused_at_once():
    started = time.monotonic()
    for text in ("[" * 30000, "Đoạn.\n\n" + "[x](" * 5000, "<span>" * 20000 + "x"):
        _, problems = render(text)
        assert [p.code for p in problems] == ["too_complex"], text[:20]
    assert time.monotonic() - started < 5  # 30,000 "[" ran for 124 s before


def test_a_body_markdown_cannot_finish_in_time_is_an_error(monkeypatch):
    monkeypatch.setattr(body, "DEADLINE_S", 0.02)
    _, problems = render("[" * 1900 + " và " + "*a* " * 3000)
    assert [(p.code, p.level) for p in problems] == [("too_complex", "error")]
    assert "Cách sửa:" in problems[0].message()


@pytest.mark.parametrize("link", ["[x]({category}javascript:x?alert(1):1%0aalert(1))", "[x]({1}javascript:alert(1))",
                                  "[x]({tag}//evil.example/x)", '<a href="|filename|javascript:alert(1)">x</a>'])
def test_pelican_link_syntax_cannot_smuggle_a_scheme(link):
    html, problems = render(link)
    assert [p.code for p in problems if p.level == "error"] == ["unsafe_url"], problems


def test_a_body_stopped_midway_leaves_the_next_bodies_as_a_fresh_converter_makes_them(monkeypatch):
    """Markdown stopped midway (too deep, too slow) leaves the block parser's nesting behind, which
    ``Markdown.reset`` does not clear: a converter reused after it (a parsing worker's, the build's) closed
    the next articles' lists early and took their indented paragraphs for code. Each body now starts from a
    clear parser, and a converter a body stopped is made again by its reader."""
    reference = "Danh sách:\n\n1. Bước một\n2. Bước hai\n\n    Đoạn thụt lề thuộc bước hai.\n"
    expected, _ = render(reference)
    deep = '<div markdown="1">\n\n* a\n\n    b\n\n' * 600 + "</div>\n" * 600
    for stop in ("too_deep", "too_complex"):
        converter = body.converter(SETTINGS)
        if stop == "too_complex":  # too slow: stopped by the deadline, whatever it was doing
            monkeypatch.setattr(body, "DEADLINE_S", 0.001)
        _, problems = body.render(entry_of(deep), converter)
        monkeypatch.setattr(body, "DEADLINE_S", 10.0)
        assert [p.code for p in problems] == [stop]
        assert body.spoiled(converter)
        assert body.render(entry_of(reference), converter)[0] == expected  # even the same converter
    assert not body.spoiled(body.converter(SETTINGS))


def test_a_reader_makes_its_converter_again_after_a_body_stopped_midway(tmp_path):
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "plugins"))
    try:
        from articles.reader import PortalReader
    finally:
        sys.path.remove(str(ROOT / "plugins"))
    reader = PortalReader({**SETTINGS, "PATH": str(tmp_path)})
    first = reader._body_markdown()
    assert reader._body_markdown() is first
    first.portal_spoiled = True
    assert reader._body_markdown() is not first
