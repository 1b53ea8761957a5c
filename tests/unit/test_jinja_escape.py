"""The templates' escape (portal.jinja_escape): MarkupSafe's value and type, for anything."""

from __future__ import annotations

import jinja2
import jinja2.runtime
import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from portal import jinja_escape


@given(st.text())
def test_any_string_escapes_as_markupsafe_escapes_it(text):
    ours, theirs = jinja_escape.escape(text), markupsafe.escape(text)
    assert type(ours) is Markup and ours == theirs


class Html:
    def __html__(self):
        return "<b>safe</b>"


class Text(str):
    """A str subclass (with no __html__): not the fast path."""


@pytest.mark.parametrize("value", [Markup("<i>x</i>"), 42, 4.5, None, Html(), Text("<x>"), b"<bytes>", ["<"]])
def test_other_values_go_to_markupsafe(value):
    ours, theirs = jinja_escape.escape(value), markupsafe.escape(value)
    assert type(ours) is type(theirs) and ours == theirs


def test_installed_templates_render_the_same(monkeypatch):
    monkeypatch.setattr(jinja2.runtime, "escape", markupsafe.escape)
    source = "{{ a }}|{{ b }}|{{ c }}|{{ d|e }}|{% set m %}<{{ a }}>{% endset %}{{ m }}|{{ a ~ c }}"
    values = {"a": "<Đà & \"Lạt\">'", "b": Markup("<em>ok</em>"), "c": 7, "d": "x<y"}
    before = jinja2.Environment(autoescape=True).from_string(source).render(**values)
    assert jinja_escape.install()
    assert jinja2.runtime.escape is jinja_escape.escape
    after = jinja2.Environment(autoescape=True).from_string(source).render(**values)
    assert after == before
    assert "&lt;Đà &amp; &#34;Lạt&#34;&gt;&#39;" in after


def test_not_installed_over_another_escape_or_without_markupsafe_c_function(monkeypatch):
    other = lambda s: markupsafe.escape(s)  # noqa: E731 (someone else's)
    monkeypatch.setattr(jinja2.runtime, "escape", other)
    assert not jinja_escape.install() and jinja2.runtime.escape is other
    monkeypatch.setattr(jinja2.runtime, "escape", markupsafe.escape)
    monkeypatch.setattr(jinja_escape, "_inner", None)
    assert not jinja_escape.install() and jinja2.runtime.escape is markupsafe.escape


def test_without_markupsafe_c_function_the_function_still_escapes(monkeypatch):
    monkeypatch.setattr(jinja_escape, "_inner", None)
    assert jinja_escape.escape("<a&b>") == markupsafe.escape("<a&b>") and type(jinja_escape.escape("x")) is Markup
