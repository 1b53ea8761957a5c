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


@pytest.mark.parametrize("source", [
    '{% macro _(t) %}<{{ t }}>{% endmacro %}{{ _("Địa chỉ") }}',  # the template's own "_"
    '{{ "Địa chỉ" is _("x") }}',  # a test named "_"
    '{% filter _("x") %}Địa chỉ{% endfilter %}',  # a filter named "_"
    '{% call _("Địa chỉ") %}x{% endcall %}',  # the call tag's own call
    '{{ "p" _("Địa chỉ") }}', '{{ _("Địa chỉ") "p" }}', '{{ _("Địa chỉ") _("Từ khóa") }}',  # no expression
    '{{ _("Địa chỉ") ~ ("a" "b") }}{{ _("Địa chỉ") if x else _("Từ khóa") }}{{ _("Địa chỉ") in ["Address"] }}',
])
def test_whatever_the_template_says_folding_gives_what_the_call_gives(translations, source):
    def outcome(env):
        try:
            return env.from_string(source).render(x=True)
        except Exception as err:  # noqa: BLE001 (the same failure, or the same page)
            return type(err)

    templates = {"t.html": source}
    assert outcome(env_for(translations, "en", templates)) == outcome(plain_env(translations, "en", templates))


@pytest.mark.parametrize("text,says", [
    ('{"Địa chỉ": null}', '"Địa chỉ" là null'), ('{"Địa chỉ": 3}', '"Địa chỉ" là 3'),
    ('["Địa chỉ"]', "một đối tượng JSON"), ('{"Địa chỉ": "Address",}', "dòng 1, cột 23"), (b"\xff\xfe", "UTF-8"),
])
def test_a_translation_that_is_not_a_text_is_an_error_naming_the_file_and_the_fix(tmp_path, text, says):
    from portal.settings import SettingsError

    (tmp_path / "en.json").write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(SettingsError) as caught:
        i18n.Translator(str(tmp_path), "en")
    assert str(tmp_path / "en.json") in str(caught.value) and says in str(caught.value)
    assert "Cách sửa" in str(caught.value)


def test_the_table_is_read_again_when_its_text_changes_whatever_its_time_and_size(translations):
    import os

    path = translations / "en.json"
    assert i18n.Translator(str(translations), "en")("Địa chỉ") == "Address"
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Address", "Addreß!"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # (cp -p, rsync -t: the time put back)
    assert i18n.Translator(str(translations), "en")("Địa chỉ") == "Addreß!"


def test_a_page_key_changes_with_the_translation_table(translations):
    from portal.renders import baked

    first = env_for(translations, "en", {})
    (translations / "en.json").write_text(json.dumps({"Địa chỉ": "Postal address"}), encoding="utf-8")
    assert baked(first) != baked(env_for(translations, "en", {})) != baked(env_for(translations, "vi", {}))


def test_no_template_of_the_theme_or_the_plugins_names_its_own_underscore():
    """Folding is decided template by template: a "_" the theme passed from one template to another (an include,
    an extends, an import with context) would not be seen where it is used. None does; this keeps it so."""
    from conftest import ROOT

    env = jinja2.Environment()
    found = []
    for path in [*(ROOT / "theme").rglob("*.html"), *(ROOT / "plugins").rglob("*.html")]:
        tokens = list(env.lexer.tokenize(path.read_text(encoding="utf-8")))  # as the extension sees them
        for k, token in enumerate(tokens):
            if token.type == "name" and token.value == "_":
                after, before = tokens[k + 1] if k + 1 < len(tokens) else None, tokens[k - 1] if k else None
                if after is None or after.type != "lparen" or (before and before.value in ("macro", "is", "filter")):
                    found.append(f"{path.relative_to(ROOT)}:{token.lineno}")
    assert found == []
