"""``_("…")`` translated when a template compiles (portal.i18n.ConstantTranslations): the same pages as the
call made for each page, and never a translation kept past a change of the table."""

from __future__ import annotations

import json

import jinja2
import pytest

from portal import i18n
from portal.template_cache import MemoryTemplateCache, TemplateCache


def env_for(folder, lang: str, templates: dict, cache=None) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True, bytecode_cache=cache)
    env.add_extension(i18n.ConstantTranslations)
    env.globals["_"] = i18n.Translator(str(folder), lang)
    return env


def plain_env(folder, lang: str, templates: dict) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True)
    env.globals["_"] = i18n.Translator(str(folder), lang)
    return env


@pytest.fixture
def translations(tmp_path):
    (tmp_path / "en.json").write_text(json.dumps({"Địa chỉ": "Address", "Từ khóa": "Tags <&>",
                                                  "Trang {n}": "Page {n}"}), encoding="utf-8")
    return tmp_path


TEMPLATES = {
    "page.html": ('<p>{{ _("Địa chỉ") }}</p><p title="{{ _("Từ khóa") }}">{{ _("Từ khóa") ~ ": " ~ tag }}</p>'
                  '{{ _("Trang {n}", n=2) }} {{ _(word) }} {{ _("Không dịch") | upper }}'
                  '{% set heading = _("Địa chỉ") %}<h1>{{ heading }}</h1>{{ obj._("Địa chỉ") }}'),
    "own.html": '{% set _ = upper %}{{ _("Địa chỉ") }}',
    "param.html": '{% macro m(_) %}{{ _("Địa chỉ") }}{% endmacro %}{{ m(lower) }}',
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_pages_are_those_the_calls_made(translations, lang):
    values = {"tag": "IoT", "word": "Địa chỉ", "obj": {"_": lambda text: f"[{text}]"}, "upper": str.upper,
              "lower": str.lower}
    for name in TEMPLATES:
        folded = env_for(translations, lang, TEMPLATES).get_template(name).render(**values)
        called = plain_env(translations, lang, TEMPLATES).get_template(name).render(**values)
        assert folded == called, name
    if lang == "en":
        page = env_for(translations, lang, TEMPLATES).get_template("page.html").render(**values)
        assert '<p>Address</p><p title="Tags &lt;&amp;&gt;">Tags &lt;&amp;&gt;: IoT</p>Page 2 Address' in page


def test_only_a_call_of_one_string_is_translated_as_the_template_compiles(translations):
    env = env_for(translations, "en", TEMPLATES)
    code = env.compile(env.loader.get_source(env, "page.html")[0], "page.html", raw=True)
    assert "Address" in code
    assert code.count("context.call((undefined(name='_')") == 2  # _("Trang {n}", n=2) and _(word): still calls
    assert "getattr((undefined(name='obj') if l_0_obj is missing else l_0_obj), '_'), 'Địa chỉ')" in code
    for name in ("own.html", "param.html"):  # the template's own "_": nothing translated ahead
        assert "Address" not in env.compile(env.loader.get_source(env, name)[0], name, raw=True)


@pytest.mark.parametrize("cache", ["memory", "files"])
def test_a_changed_table_is_never_served_from_code_compiled_with_the_old_one(translations, tmp_path, cache):
    kept = MemoryTemplateCache() if cache == "memory" else TemplateCache(str(tmp_path / "compiled"), "salt")
    (tmp_path / "compiled").mkdir()
    templates = {"t.html": '{{ _("Địa chỉ") }}'}
    assert env_for(translations, "en", templates, kept).get_template("t.html").render() == "Address"
    (translations / "en.json").write_text(json.dumps({"Địa chỉ": "Postal address"}), encoding="utf-8")
    assert env_for(translations, "en", templates, kept).get_template("t.html").render() == "Postal address"
    assert env_for(translations, "vi", templates, kept).get_template("t.html").render() == "Địa chỉ"
