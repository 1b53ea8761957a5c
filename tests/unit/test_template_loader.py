"""The theme's templates are served without their indentation (plugins/articles Unindented): pages
lose bytes, never a space between two words, and no template holds text where spaces show."""

from __future__ import annotations

import sys

import jinja2
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "plugins"))
from articles import Unindented, unindent  # noqa: E402

PELICAN_ENV = {"trim_blocks": True, "lstrip_blocks": True}  # Pelican's JINJA_ENVIRONMENT default


def render(source: str, loader_class=None, **values) -> str:
    loader = jinja2.ChoiceLoader([jinja2.DictLoader({"t.html": source})])
    env = jinja2.Environment(loader=loader_class(loader) if loader_class else loader, **PELICAN_ENV)
    return env.get_template("t.html").render(**values)


def words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("source", [
    "<p>\n    <span>Đang hiệu lực{% if until %}\n        đến {{ until }}{% endif %}</span>\n</p>",
    "<p>Từ khóa:\n    {% for t in tags %}\n    <a>{{ t }}</a>\n    {% endfor %}\n</p>",
    "<p>{# a comment #}\n    chữ sau chú thích</p>",
    "<p>{% if until -%}\n    liền {{ until }}{%- endif %}</p>",
    "<ul>\n  {% for t in tags %}\n  <li>{{ t }}</li>{% endfor %}\n</ul>",
])
def test_the_words_and_their_spaces_are_those_of_the_indented_template(source):
    values = {"until": "28/02/2027", "tags": ["an ninh mạng", "bảo mật"]}
    plain, served = render(source, **values), render(source, Unindented, **values)
    assert words(served) == words(plain)
    assert len(served) <= len(plain)


def test_a_line_break_dropped_by_jinja_keeps_one_space():
    assert unindent("lực{% endif %}\n        đến") == "lực{% endif %}\n đến"
    assert unindent("lực{% endif -%}\n        đến") == "lực{% endif -%}\nđến"  # Jinja strips it anyway
    assert unindent("<p>\n    <a>x</a>\n\t<b>y</b>") == "<p>\n<a>x</a>\n<b>y</b>"
    assert unindent("a\n\n    b").split("\n") == ["a", "", "b"]  # the lines stay: errors name the right line


def test_no_template_holds_text_where_spaces_show():
    templates = [*(ROOT / "theme" / "templates").rglob("*.html"), *(ROOT / "plugins").rglob("templates/*.html")]
    assert len(templates) > 10
    for path in templates:
        text = path.read_text(encoding="utf-8").lower()
        assert "<pre" not in text and "<textarea" not in text, path
