"""Markdown's inline step without the patterns that cannot match (portal.quick_inline): the same HTML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from pathlib import Path
from unittest import mock

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import InlineProcessor, SimpleTagInlineProcessor
from markdown.treeprocessors import InlineProcessor as InlineStep

from portal import body, quick_inline
from portal.bench.corpus import Shape, generate_articles
from portal.settings import load

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = load(ROOT / "pelicanconf.py", {"PATH": str(ROOT / "content"), "OUTPUT_PATH": "/nonexistent"})


def plain_converter(settings: dict) -> markdown.Markdown:
    """The portal's converter with Markdown's own inline step."""
    with mock.patch.object(quick_inline.QuickInline, "extendMarkdown", lambda self, md: None):
        return body.converter(settings)


QUICK = body.converter(SETTINGS)
PLAIN = plain_converter(SETTINGS)


def both(text: str) -> tuple[str, str]:
    return QUICK.reset().convert(text), PLAIN.reset().convert(text)


def test_the_portal_converter_uses_the_quick_step_and_knows_every_pattern_it_has():
    assert type(QUICK.treeprocessors["inline"]) is quick_inline._QuickInlineProcessor
    assert type(PLAIN.treeprocessors["inline"]) is InlineStep
    patterns = QUICK.inlinePatterns
    unknown = [type(patterns[i]).__name__ for i in range(len(patterns)) if quick_inline.needs(patterns[i]) is None]
    # a Markdown upgrade that changed an expression: the step still works (that pattern is always tried),
    # but the table in portal/quick_inline.py should say what the new expression needs
    assert unknown == []


def _bodies(folder: Path):
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        yield path, text.split("\n\n", 1)[-1]


def test_every_body_of_the_sample_site_and_the_fixtures_converts_to_the_same_html():
    seen = 0
    for folder in (ROOT / "content", ROOT / "tests" / "data"):
        for path, text in _bodies(folder):
            quick, plain = both(text)
            assert quick == plain, path
            seen += 1
    assert seen > 30


@pytest.mark.parametrize("shape", [Shape(3, False), Shape(12, True)], ids=["short", "long-varied"])
def test_the_benchmark_corpora_convert_to_the_same_html(tmp_path, shape):
    generate_articles(tmp_path, 60, shape)
    bodies = list(_bodies(tmp_path))
    assert len(bodies) >= 60
    for path, text in bodies:
        quick, plain = both(text)
        assert quick == plain, path


HOSTILE = [
    "a  \nb", "**a *b* c**", "__a _b_ c__", "*a_b*c_", "\\*not\\* `x*y*` <b>x</b> &amp; &#x41;",
    "[a]: http://x\n\n[a] [b][a] ![c][a] ![d] [^1]\n\n[^1]: note", "<http://x.y> <a@b.c> <!-- c --> <?p?>",
    "`` a ` b `` \\\\`c`", "x<![CDATA[ y ]]>z", "***a** b*", "a\\\nb", "*" * 50 + "a", "[" * 30 + "]" * 30,
    "![a](b \"c\") [d](<e f> 'g')", "&", "<", "!", "\\", "  \n", "_", "text \x02 \x03 text",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shapes_convert_to_the_same_html(text):
    quick, plain = both(text)
    assert quick == plain


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab é`\\[]()!<>&*_^:#\n-/.@;\"'=", max_size=120))
def test_any_text_of_markdown_characters_converts_to_the_same_html(text):
    quick, plain = both(text)
    assert quick == plain


class _Strike(markdown.Extension):
    """An extension's pattern the table does not know ("~~"), and a known name given another expression."""

    def extendMarkdown(self, md):  # noqa: N802
        md.inlinePatterns.register(SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "del", 65)
        md.inlinePatterns.register(_Mention(r"@(\w+)", md), "link", 160)


class _Mention(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802
        el = etree.Element("a", {"href": "/u/" + m.group(1)})
        el.text = m.group(1)
        return el, m.start(0), m.end(0)


def test_patterns_it_does_not_know_are_always_tried():
    settings_ = {**SETTINGS, "MARKDOWN": {**SETTINGS["MARKDOWN"], "extensions": [_Strike()]}}
    quick = body.converter(settings_)
    plain = plain_converter(settings_)
    assert type(quick.treeprocessors["inline"]) is quick_inline._QuickInlineProcessor
    text = "Xem ~~cũ~~ và @nguyen, không có ký tự nào khác"
    html = quick.convert(text)
    assert "<del>cũ</del>" in html and '<a href="/u/nguyen">nguyen</a>' in html
    assert html == plain.convert(text)


class _OwnStep(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802
        md.treeprocessors.register(_Upper(md), "inline", 20)


class _Upper(InlineStep):
    def run(self, tree, ancestors=None):
        for el in tree.iter("p"):
            el.text = (el.text or "").upper()
        return super().run(tree, ancestors)


def test_an_extension_that_replaced_the_inline_step_keeps_its_own():
    settings_ = {**SETTINGS, "MARKDOWN": {**SETTINGS["MARKDOWN"], "extensions": [_OwnStep()]}}
    md = body.converter(settings_)
    assert type(md.treeprocessors["inline"]) is _Upper
    assert md.convert("abc *d*") == "<p>ABC <em>D</em></p>"


def test_an_unknown_expression_under_a_known_class_is_not_skipped():
    class Html(markdown.inlinepatterns.HtmlInlineProcessor):
        pass

    assert quick_inline.needs(Html(markdown.inlinepatterns.ENTITY_RE, QUICK)) is None
    assert quick_inline.needs(markdown.inlinepatterns.HtmlInlineProcessor(r"(§\w+;)", QUICK)) is None
    assert quick_inline.needs(markdown.inlinepatterns.HtmlInlineProcessor(markdown.inlinepatterns.ENTITY_RE, QUICK)) \
        == ("&",)
    assert re.escape("*") == r"\*"  # (the emphasis tokens' expression is made this way)


class _OwnPatterns(markdown.Extension):
    """A plain inline step of the extension's own, with a pattern registry of its own (as smarty makes one)."""

    def extendMarkdown(self, md):  # noqa: N802
        own = markdown.util.Registry()
        for i, item in enumerate(md.inlinePatterns._priority):
            own.register(md.inlinePatterns[i], item.name, item.priority)
        own.register(SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "del", 65)
        step = InlineStep(md)
        step.inlinePatterns = own
        md.treeprocessors.register(step, "inline", 20)


def test_a_plain_inline_step_with_patterns_of_its_own_is_kept():
    settings_ = {**SETTINGS, "MARKDOWN": {**SETTINGS["MARKDOWN"], "extensions": [_OwnPatterns()]}}
    md = body.converter(settings_)
    assert type(md.treeprocessors["inline"]) is InlineStep
    assert md.convert("a ~~b~~ *c*") == "<p>a <del>b</del> <em>c</em></p>"
