"""Page keys (portal.renders): what a template can read, and digests that change exactly when what a
page shows can."""

from __future__ import annotations

import os

import jinja2
import pytest
from helpers import DRILL, NOW, WARNING, view_of

from portal import model, renders


def env_of(templates: dict[str, str]) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True)


def test_a_template_reads_what_it_and_every_template_it_pulls_in_read():
    env = env_of({
        "base.html": "{{ SITENAME }}{% block body %}{% endblock %}{% include 'part.html' %}",
        "part.html": "{{ banner }}{% import 'macros.html' as m %}{{ m.card(x) }}",
        "macros.html": "{% macro card(a) %}{{ a.title }}{{ kinds }}{% endmacro %}",
        "article.html": "{% extends 'base.html' %}{% block body %}{% set v = article.view %}{{ v.title }}"
                        "{% endblock %}",
        "page.html": "{% include page.partial %}",
    })
    env.globals["kinds"] = {}  # a helper or table of the environment's globals is read too
    names = renders.TemplateNames(env, {})
    assert names.of("article.html") == {"SITENAME", "banner", "x", "article", "kinds"}
    # an include named at run time may be any template: it reads what they all read
    assert names.of("page.html") >= {"page", "SITENAME", "banner", "article", "kinds"}
    assert names.of("missing.html") is None  # not analysed: rendered on every build


def test_an_include_named_from_a_fixed_start_reads_only_the_templates_with_that_start():
    env = env_of({
        "page.html": "{{ page.title }}{% include 'partials/page-' ~ page.slug ~ '.html' ignore missing %}",
        "partials/page-a.html": "{{ alpha }}",
        "partials/page-b/c.html": "{{ gamma }}",
        "partials/other.html": "{{ beta }}",
        "partials/page-a.txt": "{{ delta }}",
        "any.html": "{% include 'x-' ~ name %}{% include ('y' + name) %}",
        "x-1.html": "{{ one }}",
    })
    names = renders.TemplateNames(env, {})
    assert names.of("page.html") == {"page", "alpha", "gamma"}
    # a name that does not start fixed ("y" + name is not a join of texts): any template
    assert names.of("any.html") >= {"name", "one", "alpha", "beta", "gamma", "delta", "page"}


@pytest.mark.parametrize("start", ["/partials/page-", "./partials/page-", "partials//page-", "partials/./page-",
                                   "partials/", "partials/.", ""])
def test_a_name_the_loader_would_clean_up_may_be_any_template(tmp_path, start):
    """Jinja's file loader drops empty and "." parts of a name: "/partials/page-" ~ slug loads partials/page-<slug>,
    which no listed name starts with; such an include reads what any template reads."""
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "page-a.html").write_text("{{ alpha }}")
    (tmp_path / "page.html").write_text("{% include '" + start + "' ~ page.slug ~ '.html' ignore missing %}")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    assert env.get_template("page.html").render(page={"slug": "a" if start.endswith("-") else "page-a"}, alpha="A") \
        in ("A", "")
    assert "alpha" in renders.TemplateNames(env, {}).of("page.html")


def test_a_view_alone_leaves_out_the_views_it_links_to():
    a, b = view_of(WARNING, model.WARNING), view_of(DRILL, model.DRILL)
    a.older_in_kind = b
    with_links = renders.Digests({})
    alone = with_links.without_links()
    first, first_alone = with_links.value(a), alone.value(a)
    b2 = view_of(DRILL.replace("Title: ", "Title: Khác ", 1), model.DRILL)
    a.older_in_kind = b2
    assert renders.Digests({}).value(a) != first
    assert renders.Digests({}).without_links().value(a) == first_alone  # a page that read no link


def test_reading_a_link_or_another_pages_items_is_noted_in_the_thread_that_renders():
    import threading

    from pelican.paginator import Paginator

    from portal import reads

    reads.install()
    a, b = view_of(WARNING, model.WARNING), view_of(DRILL, model.DRILL)
    a.older_in_kind = b
    paginator = Paginator("the/x/index.html", "the/x/", [a, b, a], {"PAGINATION_PATTERNS": [],
                                                                    "DEFAULT_ORPHANS": 0}, 1)
    own = {"articles_page": paginator.page(2), "articles_previous_page": paginator.page(1),
           "articles_next_page": paginator.page(3)}
    again = paginator.page(2)  # its own page, made again (making a page reads the paginator's items)
    reads.start()
    _ = a.title, own["articles_page"].object_list, again.object_list
    reads.stop()
    assert not reads.beyond(own)
    for read in (lambda: a.older_in_kind, lambda: a.related, lambda: own["articles_next_page"].object_list,
                 lambda: paginator.object_list):
        reads.start()
        read()
        reads.stop()
        assert reads.beyond(own)
    reads.start()
    seen = []
    other = threading.Thread(target=lambda: seen.append(a.older_in_kind))  # another thread's render
    other.start()
    other.join()
    reads.stop()
    assert seen == [b] and not reads.beyond(own)
    _ = a.newer_in_kind  # after stop: not noted
    assert not reads.beyond(own)


def digested(view, file_digest):
    """A view as the build makes it: with its file's digest (the reader's), or without (pickled whole)."""
    if file_digest:
        view.source_digest = renders._h(view.source_file.encode(), view.title.encode()).hex()
    return view


@pytest.mark.parametrize("file_digest", [True, False])
def test_an_article_digest_follows_its_view_and_its_neighbours(file_digest):
    d = renders.Digests({})
    a, b = digested(view_of(WARNING, model.WARNING), file_digest), digested(view_of(DRILL, model.DRILL), file_digest)
    a.older_in_kind = b
    first = d.value(a)
    assert renders.Digests({}).value(a) == first  # the same in another build
    b2 = digested(view_of(DRILL.replace("Title: ", "Title: Khác ", 1), model.DRILL), file_digest)
    a.older_in_kind = b2
    assert renders.Digests({}).value(a) != first  # a neighbour's title is on the page
    a.older_in_kind = b
    later = digested(view_of(WARNING, model.WARNING, now=model.parse_datetime("2027-01-01 00:00")), file_digest)
    later.older_in_kind = b
    assert renders.Digests({}).value(later) != first  # the clock expired it
    other_body = digested(view_of(WARNING, model.WARNING, body_html="<p>Khác.</p>"), file_digest)
    other_body.older_in_kind = b
    assert renders.Digests({}).value(other_body) != first  # a link resolved to another address


def test_values_no_rule_knows_leave_the_page_without_a_key():
    class Opaque:
        pass

    with pytest.raises(renders.Unknown):
        renders.Digests({}).value(Opaque())
    with pytest.raises(renders.Unknown):
        renders.Digests({}).value([1, {"x": Opaque()}])


def test_digests_do_not_depend_on_set_order_or_object_identity():
    d = renders.Digests({})
    assert d.value({"b", "a", "c"}) == renders.Digests({}).value({"c", "a", "b"})
    assert d.value([NOW, "x", 1]) == renders.Digests({}).value([NOW, "x", 1])
    assert d.value(["x"]) != d.value(["y"])
    # parts cannot run into each other: a key and its value, items of a list
    assert d.value({"a": "x=sy"}) != d.value({"a=sx": "y"})
    assert d.value(["ab", "c"]) != d.value(["a", "bc"])


def test_a_helper_says_what_state_it_reads():
    state = {"n": 1}

    def helper():
        return None

    helper.portal_state = lambda: dict(state)
    first = renders.Digests({}).value(helper)
    state["n"] = 2
    assert renders.Digests({}).value(helper) != first


def test_a_page_is_linked_only_while_the_previous_file_is_the_one_its_key_was_saved_for(tmp_path):
    cache, output = tmp_path / "cache", tmp_path / "out"
    output.mkdir()
    page = output / "a.html"
    page.write_text("<p>a</p>")
    settings = {"PORTAL_PARSE_CACHE": str(cache), "PORTAL_PAGE_KEYS": str(tmp_path / "cache" / "pending")}
    keys = renders.PageKeys(settings, None)
    keys.keys["a.html"] = b"k" * 16
    cache.mkdir()
    keys.save_pending()
    renders.commit(settings, output)
    again = renders.PageKeys(settings, str(output))
    assert again.unchanged("a.html", b"k" * 16, str(page))
    assert not again.unchanged("a.html", b"x" * 16, str(page))
    page.write_text("<p>changed by hand</p>")
    assert not again.unchanged("a.html", b"k" * 16, str(page))


def test_a_damaged_keys_file_is_ignored(tmp_path):
    cache, output = tmp_path / "cache", tmp_path / "out"
    cache.mkdir()
    output.mkdir()
    target = renders.keys_file(cache, output)
    target.write_bytes(renders.MAGIC + os.urandom(200))
    assert renders.PageKeys({"PORTAL_PARSE_CACHE": str(cache)}, str(output)).previous == {}


def test_the_fingerprint_follows_each_library_that_makes_output_bytes(monkeypatch, tmp_path):
    """A new version of any library that writes or shapes an output's bytes (the XML of feeds, CAP and
    CSAF through lxml and its libxml2 too) makes every page and file again: none is linked from before."""
    import importlib.metadata

    from lxml import etree

    settings = {"THEME": str(tmp_path), "SITENAME": "x"}
    before = renders.fingerprint(settings)
    real = importlib.metadata.version
    for dist in ("lxml", "beautifulsoup4", "markdown", "pillow"):
        assert dist in renders.LIBRARIES
        monkeypatch.setattr(importlib.metadata, "version", lambda d, dist=dist: "0.0" if d == dist else real(d))
        assert renders.fingerprint(settings) != before, dist
    monkeypatch.setattr(importlib.metadata, "version", real)
    assert renders.fingerprint(settings) == before
    monkeypatch.setattr(etree, "LIBXML_VERSION", (1, 0, 0))
    assert renders.fingerprint(settings) != before


def test_no_key_is_kept_when_a_source_file_changed_while_the_build_ran(tmp_path):
    """The keys stand for the sources as they were before Pelican read a template (``PORTAL_SOURCES``, set
    by portal build): a template saved while the build ran, even put back as it was, may have made pages
    of itself, so ``commit`` keeps none of that build's keys and the next build renders every page."""
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    theme = tmp_path / "theme"
    shutil.copytree(root / "theme", theme)
    cache, output = tmp_path / "cache", tmp_path / "out"
    output.mkdir()
    (output / "a.html").write_text("<p>a</p>", encoding="utf-8")
    settings = {"THEME": str(theme), "PORTAL_PARSE_CACHE": str(cache), "PORTAL_PAGE_KEYS": str(cache / ".pending.keys")}
    settings["PORTAL_FINGERPRINT"] = renders.fingerprint(settings)
    settings["PORTAL_SOURCES"] = renders.sources_stamp(settings, settings["PORTAL_FINGERPRINT"])

    def build_ends() -> bool:
        renders._write(Path(settings["PORTAL_PAGE_KEYS"]), {"fingerprint": settings["PORTAL_FINGERPRINT"],
                                                              "pages": {"a.html": b"k" * 16}, "templates": {}})
        renders.commit(settings, output)
        return renders.keys_file(cache, output).exists()

    assert build_ends()
    template = theme / "templates" / "base.html"
    st = template.stat()
    template.write_text(template.read_text(encoding="utf-8") + "<!-- x -->", encoding="utf-8")
    template.write_text(template.read_text(encoding="utf-8").removesuffix("<!-- x -->"), encoding="utf-8")
    os.utime(template, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert not build_ends()


def test_the_first_build_of_an_output_finds_the_templates_any_build_analysed_and_no_other(tmp_path):
    """A template's names are worked out once for its source and the syntax that parses it: the first build
    of another output (a test's, a new release folder) reads them; an edited template, or one parsed
    with other delimiters, is analysed again."""
    cache = tmp_path / "cache"
    cache.mkdir()
    settings = {"PORTAL_PARSE_CACHE": str(cache), "PORTAL_PAGE_KEYS": str(cache / "pending")}
    templates = {"base.html": "{{ SITENAME }}{% block body %}{% endblock %}",
                 "article.html": "{% extends 'base.html' %}{% block body %}{{ article.title }}{% endblock %}"}
    parsed: list[str] = []

    def env(sources: dict[str, str], **syntax) -> jinja2.Environment:
        made = jinja2.Environment(loader=jinja2.DictLoader(sources), autoescape=True, **syntax)
        real = made.parse
        made.parse = lambda source, name=None, filename=None: parsed.append(name) or real(source, name, filename)
        return made

    envs = [env(templates), env(templates)]  # (each kept alive: the keys know an environment by its id)
    first = renders.PageKeys(settings, str(tmp_path / "out1"))
    assert first.names_read(envs[0].get_template("article.html")) == ("SITENAME", "article")
    assert sorted(parsed) == ["article.html", "base.html"]
    first.save_pending()
    parsed.clear()
    second = renders.PageKeys(settings, str(tmp_path / "out2"))  # another output, never built
    assert second.names_read(envs[1].get_template("article.html")) == ("SITENAME", "article")
    assert parsed == []
    envs.append(env({**templates, "base.html": "{{ SITENAME }}{{ banner }}{% block body %}{% endblock %}"}))
    assert second.names_read(envs[-1].get_template("article.html")) == ("SITENAME", "article", "banner")
    assert parsed == ["base.html"]
    parsed.clear()
    other = env({"a.html": "<% if x %>{{ y }}<% endif %>"}, block_start_string="<%", block_end_string="%>")
    plain = env({"a.html": "<% if x %>{{ y }}<% endif %>"})
    assert second.names_read(other.get_template("a.html")) == ("x", "y")
    assert second.names_read(plain.get_template("a.html")) == ("y",)
    assert parsed == ["a.html", "a.html"]


def test_the_language_of_the_build_messages_changes_no_output(tmp_path):
    """`portal build --lang en` says its errors in English; the pages, feeds and compiled templates are the
    same: nothing is rendered again for it."""
    settings = {"THEME": str(tmp_path), "PATH": str(tmp_path / "content"), "PORTAL_LANG": "vi"}
    asked = {**settings, "PORTAL_MESSAGES_LANG": "en"}
    assert renders.fingerprints(asked) == renders.fingerprints(settings)
    assert renders.fingerprint({**settings, "PORTAL_LANG": "en"}) != renders.fingerprint(settings)


@pytest.mark.parametrize(("numbers", "vi", "en"), [((2021, 3), "Tháng 3/2021", "March 2021"), ((2021,), "2021", "2021"),
                                                   ((2021, 3, 7), "07/03/2021", "07/03/2021"), ((), "", "")])
def test_a_period_archive_is_named_from_its_numbers_alone(numbers, vi, en):
    """The month archives' pages name their period from Pelican's period_num, not from their articles (which
    their keys would then read: an edit of any article of the month rendered every page of it)."""
    from portal.i18n import format_period

    assert (format_period(numbers), format_period(numbers, "en")) == (vi, en)


def test_a_template_compiled_for_the_build_is_not_analysed_again(monkeypatch):
    """Jinja's compilation of a template finds the names the page keys need (renders.name_while_compiling):
    the same as the analysis of its source, which a build that compiles its templates no longer runs."""
    templates = {
        "base.html": "{{ SITENAME }}{% block body %}{% endblock %}{% include 'part.html' %}",
        "part.html": "{{ banner }}{% import 'macros.html' as m %}{{ m.card(x) }}"
                     "{% for a in items %}{{ a }}{% endfor %}",
        "macros.html": "{% macro card(a) %}{{ a.title }}{{ kinds }}{% endmacro %}",
        "article.html": "{% extends 'base.html' %}{% block body %}{% set v = article.view %}{{ v.title }}"
                        "{% include 'partials/page-' ~ v.slug ~ '.html' ignore missing %}{% endblock %}",
        "partials/page-a.html": "{{ alpha }}",
    }
    analysed = renders.TemplateNames(env_of(templates), {})
    expected = {name: analysed.of(name) for name in templates}
    env = env_of(templates)
    env.globals["kinds"] = {}
    renders.name_while_compiling(env)
    for name in templates:
        env.get_template(name)  # compiled, as a build's generators load them
    monkeypatch.setattr(renders, "_looked_up", lambda ast: pytest.fail("analysed again"))
    compiled = renders.TemplateNames(env, {})
    assert {name: compiled.of(name) for name in templates} == expected
    assert compiled.of("article.html") == {"SITENAME", "banner", "x", "items", "article", "kinds", "alpha"}


def test_a_render_that_read_links_never_keeps_a_key_without_them():
    """A page keyed without links (as its previous render read none) whose render now read one gets a key with
    them; when that key cannot be made (a linked view holding a value no rule knows), it gets none."""
    env = env_of({"a.html": "{{ v.title }}{% if flag %}{{ v.related[0].title }}{% endif %}"})
    template = env.get_template("a.html")
    a, r = view_of(WARNING, model.WARNING), view_of(DRILL, model.DRILL)
    a.source_digest, r.source_digest = "x" * 32, ""  # the related view is digested whole…
    r.values = {**r.values, "odd": lambda: 0}  # …and holds a value no rule knows
    a.related = [r]
    keys = renders.PageKeys({}, None, stamp="s")
    alone = keys.key("a.html", template, {"v": a, "flag": True}, {}, links=False)
    keys.previous["a.html"] = alone + b"\0" * 24  # the previous render read no link
    assert keys.key("a.html", template, {"v": a, "flag": True}, {}) == alone  # keyed as the previous render read
    keys.rendered("a.html", template, {"v": a, "flag": True}, {}, links_read=True)
    assert "a.html" not in keys.keys
