"""portal.body's fast path: the HTML inspector is skipped only when it would report nothing.

Not marked `hostile` (docs/threat-model.md counts those): every hostile shape of test_body.py is
checked here again, only to show that it never takes the fast path.
"""

from __future__ import annotations

import random
import runpy
from pathlib import Path

import html5lib
import pytest
from test_body import HOSTILE, SETTINGS, entry_of

from portal import body
from portal.bench.corpus import bench_articles

ROOT = Path(__file__).resolve().parents[2]


def markdown(text: str) -> str:
    return body.converter(SETTINGS).reset().convert(text)


def findings(html: str) -> list:
    """What the full inspector (html5lib) reports, whatever the fast path says."""
    inspector = body._Inspector()
    inspector.feed(html)
    return inspector.findings


def bodies() -> list[str]:
    """The sample site's and the test sites' bodies, and a benchmark corpus."""
    texts = []
    for folder in ("content", "tests/data"):
        for path in sorted((ROOT / folder).rglob("*.md")):
            head, _, rest = path.read_text(encoding="utf-8").partition("\n\n")
            if rest.strip():
                texts.append(rest)
    return texts + [a.body for a in bench_articles(40)]


RICH = """## Khuyến nghị

Đoạn có **đậm**, *nghiêng*, ~~gạch~~, `mã`, [liên kết](https://ncsc.gov.vn/?a=1&b=2 "Tiêu đề \\"trích\\""),
[thư](mailto:a@b.vn), <https://ncsc.gov.vn/>, <a@b.vn>, [điện thoại](tel:+84203),
[bài khác]({filename}/tin-tuc/y.md#muc), [neo](#muc) và [tương đối](../tin-tuc/).

1. Bước một
    - ý phụ
2. Bước hai

> Trích dẫn

| Cột | Giữa | Phải |
|:----|:----:|-----:|
| a   | b    | c    |

![Sơ đồ](images/so-do.png "Sơ đồ tấn công. Nguồn ảnh: NCSC")

```
curl https://x/ | sh   # <script> inside code is text
```

Chú thích[^1]. Dòng một
dòng hai & ba < bốn > năm.

Thuật ngữ
:   Định nghĩa.

[^1]: Nguồn: NCSC.

*[CVE]: Common Vulnerabilities and Exposures
"""


def test_plain_markdown_takes_the_fast_path_and_the_inspector_agrees():
    texts = [RICH, *bodies()]
    assert len(texts) > 60
    for text in texts:
        html = markdown(text)
        assert body.plainly_allowed(html), html
        assert findings(html) == []


def test_the_sample_site_and_the_corpus_never_reach_html5lib(monkeypatch):
    monkeypatch.setattr(html5lib, "parseFragment", lambda *a, **k: pytest.fail("html5lib ran"))
    md = body.converter(runpy.run_path(str(ROOT / "pelicanconf.py")))
    for text in [RICH, *bodies()]:
        assert body.render(entry_of(text), md)[1] == []


@pytest.mark.parametrize("payload,line,code", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_no_hostile_shape_takes_the_fast_path(payload, line, code, monkeypatch):
    html = markdown(payload)
    assert not body.plainly_allowed(html), html
    parsed = []
    original = html5lib.parseFragment
    monkeypatch.setattr(html5lib, "parseFragment", lambda *a, **k: parsed.append(1) or original(*a, **k))
    problems = body.render(entry_of(payload), body.converter(SETTINGS))[1]
    assert parsed and [p.code for p in problems if p.level == "error"][:1] == [code]


# Shapes that are harmless or not, each outside the strict shape the fast path accepts: the inspector decides.
OTHERS = [
    '<a href="javascript:alert(1)">x</a>', '<a href="java&#x61;script:alert(1)">x</a>',
    '<a href="java&#X61;script:alert(1)">x</a>', '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="jav&Tab;ascript:alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>', '<a href="data:text/html,x">x</a>', '<a href="vbscript:x">x</a>',
    "<a href='javascript:alert(1)'>x</a>", "<a href=javascript:alert(1)>x</a>", '<a HREF="javascript:x">x</a>',
    '<A href="javascript:x">x</A>', '<a href = "javascript:x">x</a>', '<a href="x"onclick="alert(1)">x</a>',
    '<a href="{category}javascript:x">x</a>', '<a href="{tag}//evil.example/">x</a>', '<a href="|x|y">x</a>',
    '<img src="x" onerror="alert(1)">', '<img src="x" / onerror="alert(1)">', '<img/src="x"/onerror="alert(1)">',
    '<p style="position:fixed">x</p>', '<td style="position:fixed">x</td>', '<td style="text-align:left;color:red">',
    "<!-- x --><p>y</p>", "<!--><img src=x onerror=alert(1)>-->", "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<?xml x?>", "<!doctype html>", "<p>a < b</p>", "văn bản & <không phải thẻ", "<p>x</p foo>",
    "<image src=x onerror=alert(1)>",
    "<isindex action=javascript:alert(1)>", "<svg><a href=\"javascript:x\">x</a></svg>", "<math>x</math>",
    "<textarea><img src=x onerror=alert(1)></textarea>", "<title><img src=x onerror=alert(1)></title>",
    "<xmp><img src=x onerror=alert(1)></xmp>", "<noembed>x</noembed>", "<plaintext>x", "<template>x</template>",
    "<font color=red>x</font>", "<center>x</center>", "<body onload=alert(1)>", "<html><p>x</p></html>",
    "<p\x00>x</p>", "<a href=\"x\x00y\">x</a>", "<a href=\"x\ny\">x</a>", '<p title="a<b">x</p>',
    '<a href="https://x/" target="_blank">x</a>', '<a href="https://x/" rel="noopener">x</a>',
    '<div data-x="1">x</div>', '<input type="text">', '<button>x</button>', "<select><option>x</option></select>",
]


@pytest.mark.parametrize("html", OTHERS)
def test_other_shapes_go_to_the_inspector(html):
    assert not body.plainly_allowed(html)


# What the fast path accepts: the inspector finds nothing in any of them.
ACCEPTED = [
    "", "văn bản & không phải thẻ > &lt;b&gt;", "<p>x</p>", "<br><br/><br />", "<hr>",
    '<p class="a b" id="x" lang="vi">x</p>',
    '<a href="https://x/?a=1&amp;b=2">x</a>', '<a href="&#109;&#x61;ilto:a@b.vn">x</a>', '<a href="#fn:1">x</a>',
    '<a href="{filename}/tin-tuc/y.md#muc">x</a>', '<a href="/the/x/">x</a>', '<a href="tel:+84203">x</a>',
    '<img alt="a &quot;b&quot;" src="{static}/images/x.png" loading="lazy">', '<td style="text-align: center;">x</td>',
    "<table><tr><td>x</td></tr></table>", "<p><p>x</p></p>", "</p></br>", "<a><a>x</a></a>", "<b><p>x</b></p>",
    '<ol start="3" reversed><li value="2">x</li></ol>', "<details open><summary>x</summary></details>",
]


@pytest.mark.parametrize("html", ACCEPTED)
def test_what_the_fast_path_accepts_the_inspector_finds_clean(html):
    assert body.plainly_allowed(html), html
    assert findings(html) == []


PIECES = ["<", ">", "/", "=", '"', "'", " ", "\n", "\t", "\x00", "&", "&amp;", "&#x61;", "&#106;", ";", ":", "!", "-",
          "--", "?", "a", "p", "b", "td", "img", "svg", "math", "script", "style", "title", "textarea", "table",
          "href", "src", "style", "onclick", "on", "class", "cite", "javascript", "java", "script", "data",
          "https://x/", "{filename}", "{tag}", "text-align:left", "color:red", "x", "Đồng"]


def test_random_markup_the_fast_path_accepts_is_clean_for_the_inspector():
    rng = random.Random(20261126)
    accepted = 0
    for _ in range(30000):
        html = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14)))
        if rng.random() < 0.5:  # well-formed-looking tags, to reach the accepting side often
            tag = rng.choice(["a", "p", "img", "td", "svg", "script", "b", "table", "title"])
            attr = rng.choice(["href", "src", "style", "class", "onclick", "cite", "title"])
            value = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))
            html = f'<{tag} {attr}="{value}">{html}</{tag}>'
        if body.plainly_allowed(html):
            accepted += 1
            assert findings(html) == [], repr(html)
    assert accepted > 2000  # both sides were exercised
