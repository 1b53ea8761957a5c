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


def test_what_is_not_the_templates_text_keeps_its_spaces():
    identity = {"_": lambda text: text}
    assert render('<p>{{ "a\n   b"|length }}</p>', Unindented) == "<p>6</p>"  # a string written over two lines
    assert "\n    {{ kept }}\n" in render("<p>\n  {% raw %}\n    {{ kept }}\n  {% endraw %}\n</p>", Unindented)
    assert render('<p>{{ _("một câu\n    dài") }}</p>', Unindented, **identity) == "<p>một câu\n    dài</p>"
    assert render("{# a comment\n     over two lines #}\n    <p>x</p>", Unindented) == " <p>x</p>"  # one space kept


@pytest.mark.parametrize("source", ["<pre>\n    code\n</pre>", "<textarea>\n  x</textarea>",
                                    "var s = `\n    two lines`;"])
def test_a_template_where_spaces_show_is_left_whole(source):
    assert unindent(source) == source


def test_every_template_of_the_theme_is_served_unindented():
    """None of the theme's templates holds what would keep it whole, so every page loses its indentation."""
    from articles import _SPACES_SHOW

    templates = [p for p in (ROOT / "theme" / "templates").rglob("*") if p.is_file()]
    templates += [p for p in (ROOT / "plugins").rglob("templates/*") if p.is_file()]
    assert len(templates) > 10
    for path in templates:
        assert not _SPACES_SHOW.search(path.read_text(encoding="utf-8")), path
    base = (ROOT / "theme" / "templates" / "base.html").read_text(encoding="utf-8")
    assert len(unindent(base)) < len(base) * 0.97


def test_the_theme_is_compiled_ahead_and_a_broken_template_is_left_for_its_use(monkeypatch):
    """``compile_templates`` (while the workers parse): every page template compiled once, in this process;
    one that does not compile raises nothing there, and raises where it is used, as it would have."""
    from articles import compile_templates

    compiled = []
    loader = jinja2.ChoiceLoader([
        jinja2.DictLoader({"a.html": "{% include 'b.html' %}", "b.html": "{{ x }}", "broken.html": "{% if %}",
                           "feed.xml": "<x/>", "script.js": "{{"}),
        jinja2.PrefixLoader({"!simple": jinja2.DictLoader({"base.html": "simple"})}),
    ])
    env = jinja2.Environment(loader=Unindented(loader), **PELICAN_ENV)
    original = env.compile
    monkeypatch.setattr(env, "compile", lambda source, name=None, *a, **k: compiled.append(name)
                        or original(source, name, *a, **k))
    compile_templates(env)
    assert sorted(compiled) == ["a.html", "b.html", "broken.html", "feed.xml"]  # not "!simple/…" nor .js
    compiled.clear()
    assert env.get_template("a.html").render(x=1) == "1" and compiled == []  # not compiled again
    with pytest.raises(jinja2.TemplateSyntaxError):
        env.get_template("broken.html")


def test_only_the_themes_own_templates_are_compiled_ahead_not_pelicans_fill_ins(tmp_path, monkeypatch):
    from articles import compile_templates

    (tmp_path / "theme").mkdir()
    (tmp_path / "simple").mkdir()
    (tmp_path / "theme" / "article.html").write_text("{% include 'pagination.html' %}", encoding="utf-8")
    for name in ("article.html", "author.html", "pagination.html"):
        (tmp_path / "simple" / name).write_text("simple", encoding="utf-8")
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(tmp_path / "theme")),
                                  jinja2.FileSystemLoader(str(tmp_path / "simple"))])
    env = jinja2.Environment(loader=Unindented(loader), **PELICAN_ENV)
    compiled = []
    original = env.compile
    monkeypatch.setattr(env, "compile", lambda source, name=None, *a, **k: compiled.append(name)
                        or original(source, name, *a, **k))
    compile_templates(env)
    assert compiled == ["article.html"]
    assert env.get_template("article.html").render() == "simple"  # a fill-in it uses: compiled when used
