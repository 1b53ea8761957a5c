"""Compiled templates kept between builds (portal.template_cache): found again only for the same source,
Jinja, Python and compiler options; a damaged file is compiled again, never loaded."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from portal.template_cache import TemplateCache, template_cache

SOURCE = "{% for x in items %}\n  <li>{{ x }}</li>\n{% endfor %}\n"


def environment(cache: TemplateCache, folder: Path, **options) -> tuple[jinja2.Environment, list[str]]:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), bytecode_cache=cache,
                             autoescape=True, **options)
    compiled: list[str] = []
    real = env.compile

    def counted(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(source, name, filename, raw, defer_init)

    env.compile = counted  # type: ignore[method-assign]
    return env, compiled


@pytest.fixture
def site(tmp_path) -> tuple[Path, TemplateCache]:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "list.html").write_text(SOURCE, encoding="utf-8")
    cache = template_cache({"PORTAL_PARSE_CACHE": str(tmp_path / "cache"), "THEME": str(templates)})
    assert cache is not None
    return templates, cache


def test_a_template_is_compiled_once_for_every_environment_and_build(site):
    templates, cache = site
    first, compiled = environment(cache, templates, trim_blocks=True)
    expected = first.get_template("list.html").render(items=["<a>", "b"])
    assert compiled == ["list.html"]
    again, compiled = environment(cache, templates, trim_blocks=True)
    assert again.get_template("list.html").render(items=["<a>", "b"]) == expected
    assert compiled == []
    assert "&lt;a&gt;" in expected


def test_other_compiler_options_or_an_edited_source_compile_again(site):
    templates, cache = site
    trimmed, _ = environment(cache, templates, trim_blocks=True)
    kept = trimmed.get_template("list.html").render(items=["a"])
    plain, compiled = environment(cache, templates)
    assert plain.get_template("list.html").render(items=["a"]) != kept  # not trim_blocks' code
    assert compiled == ["list.html"]
    (templates / "list.html").write_text(SOURCE.replace("<li>", "<li class=x>"), encoding="utf-8")
    edited, compiled = environment(cache, templates, trim_blocks=True)
    assert 'class=x' in edited.get_template("list.html").render(items=["a"])
    assert compiled == ["list.html"]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "empty", "huge"])
def test_a_damaged_file_is_compiled_again_never_loaded(site, damage):
    templates, cache = site
    first, _ = environment(cache, templates)
    expected = first.get_template("list.html").render(items=["a"])
    (kept,) = [p for p in Path(cache.directory).iterdir()]
    data = kept.read_bytes()
    if damage == "truncated":
        kept.write_bytes(data[:-10])
    elif damage == "flipped":
        kept.write_bytes(data[:-5] + bytes([data[-5] ^ 0x40]) + data[-4:])
    elif damage == "empty":
        kept.write_bytes(b"")
    else:
        kept.write_bytes(data + b"\0" * (TemplateCache.LARGEST + 1))
    again, compiled = environment(cache, templates)
    assert again.get_template("list.html").render(items=["a"]) == expected
    assert compiled == ["list.html"]
    assert kept.read_bytes() == data  # written again, whole


def test_code_baked_from_a_filter_is_not_kept_across_settings(tmp_path):
    """Jinja runs a filter with constant arguments when it compiles: its result is in the code. Settings
    that change what the filter gives (the interface language) change the build's fingerprint, which
    keys the compiled code: it is compiled again."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "n.html").write_text("{{ 4.25 | decimal }}", encoding="utf-8")
    shown = []
    for lang, comma in (("vi", ","), ("en", "."), ("vi", ",")):
        settings = {"PORTAL_PARSE_CACHE": str(tmp_path / "cache"), "THEME": str(templates), "PORTAL_LANG": lang}
        env, _ = environment(template_cache(settings), templates)
        env.filters["decimal"] = lambda x, comma=comma: f"{x:.1f}".replace(".", comma)
        shown.append(env.get_template("n.html").render())
    assert shown == ["4,2", "4.2", "4,2"]


def test_a_copy_of_the_site_in_another_folder_finds_its_templates_compiled(tmp_path):
    """Where the content folder is (PATH) is no part of the compiled code: a copy of the site elsewhere (a
    test's, a benchmark's) compiles nothing again. Any other setting still keys it."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "list.html").write_text(SOURCE, encoding="utf-8")
    compiled_each = []
    for path, lang in (("/srv/a/content", "vi"), ("/tmp/b/content", "vi"), ("/tmp/b/content", "en")):
        settings = {"PORTAL_PARSE_CACHE": str(tmp_path / "cache"), "THEME": str(templates), "PATH": path,
                    "PORTAL_LANG": lang}
        env, compiled = environment(template_cache(settings), templates)
        env.get_template("list.html").render(items=["a"])
        compiled_each.append(compiled)
    assert compiled_each == [["list.html"], [], ["list.html"]]


@pytest.mark.parametrize("where", ["", "file"])
def test_without_a_parse_cache_nothing_is_kept_but_a_builds_environments_compile_each_template_once(tmp_path, where):
    """No parse cache (or a file where its folder should be: nothing written there): the compiled code is
    kept in memory, for one settings object, and every environment of the build finds it. Another
    settings object compiles again: a filter Jinja ran while compiling may give another result."""
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "list.html").write_text(SOURCE, encoding="utf-8")
    settings = {"PORTAL_PARSE_CACHE": str(blocked) if where else "", "THEME": str(templates)}
    cache = template_cache(settings)
    assert not isinstance(cache, TemplateCache) and template_cache(settings) is cache
    compiled_each = []
    for each in (cache, template_cache(settings), template_cache(dict(settings))):
        env, compiled = environment(each, templates)
        assert env.get_template("list.html").render(items=["a"]).split() == ["<li>a</li>"]
        compiled_each.append(compiled)
    assert compiled_each == [["list.html"], [], ["list.html"]]
    (templates / "list.html").write_text(SOURCE.replace("<li>", "<li class=x>"), encoding="utf-8")
    edited, compiled = environment(template_cache(settings), templates)
    assert "class=x" in edited.get_template("list.html").render(items=["a"]) and compiled == ["list.html"]
    assert blocked.read_text(encoding="utf-8") == ""
