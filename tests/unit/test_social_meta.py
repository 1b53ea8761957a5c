"""portal.social.meta_html writes the tags as the template loop it replaced wrote them, and the page's blocks
are rendered only when the tags need them."""

from __future__ import annotations

import datetime

import jinja2
from hypothesis import given
from hypothesis import strategies as st

from portal import social

LOOP = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, autoescape=True).from_string(
    "{% for m in tags %}\n<meta {{ m.attr }}=\"{{ m.key }}\" content=\"{{ m.content }}\">\n{% endfor %}\n")


@given(st.lists(st.tuples(st.sampled_from(["property", "name"]), st.text(max_size=12), st.text(max_size=40)),
                max_size=15))
def test_the_tags_are_written_as_the_template_loop_wrote_them(rows):
    tags = [social.Meta(*row) for row in rows]
    assert social.meta_html(tags) == LOOP.render(tags=tags)


def test_a_view_never_asks_for_the_page_title_and_asks_for_the_description_only_without_a_lead():
    class View:
        kind, identifier, title, lead, url = "tin-tuc", "", "Tiêu đề <b>", "", "tin-tuc/a.html"
        tags, image, kind_label = [], None, "Tin tức"
        date = updated = datetime.datetime(2026, 1, 2, 3, 4)

    asked = []

    def block(name, text):
        def render():
            asked.append(name)
            return text
        return render

    settings = {"SITENAME": "Cổng", "SITEURL": "https://x.example"}
    tags = social.meta_tags(settings, url="", title=block("title", "T"), description=block("description", "Mô tả"),
                            view=View())
    assert asked == ["description"]  # the view has no lead: the page's description stands in
    assert ("property", "og:description", "Mô tả") in tags and ("property", "og:title", "Tiêu đề <b>") in tags
    View.lead, asked[:] = "Tóm tắt", []
    social.meta_tags(settings, url="", title=block("title", "T"), description=block("description", "D"), view=View())
    assert asked == []
    tags = social.meta_tags(settings, url="index.html", title=block("title", "Trang chủ"),
                            description=block("description", "Cổng tin"))
    assert asked == ["title", "description"]
    assert ("property", "og:title", "Trang chủ") in tags and ("property", "og:url", "https://x.example/") in tags


def _theme(source: str) -> jinja2.Template:
    import sys
    import types
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))
    import social as social_plugin  # plugins/social

    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, autoescape=True)
    social_plugin.add_helper(types.SimpleNamespace(settings={"SITENAME": "S", "SITEURL": "https://x.example"},
                                                   env=env))
    return env.from_string(source)


def test_a_block_is_read_as_text_once_escaped_and_an_undefined_name_is_empty():
    page = _theme("{% block title %}Từ khóa: {{ name }}{% endblock %}|"
                  "{{ social_meta(url='the/r-d/', title=self.title, description=self.description) }}"
                  "{% block description %}Các bài có từ khóa “{{ name }}”{% endblock %}")
    html = page.render(name="R&D <b>")
    assert '<meta property="og:title" content="Từ khóa: R&amp;D &lt;b&gt;">' in html  # escaped once, not twice
    assert '<meta property="og:description" content="Các bài có từ khóa “R&amp;D &lt;b&gt;”">' in html
    theirs = _theme("{% for m in social_tags(url='a.html', title=page_title, description=SITE_DESCRIPTION) %}"
                    "{{ m.key }}={{ m.content }};{% endfor %}")
    assert "og:title=;og:description=;" in theirs.render()  # a theme's undefined names: empty, as before
