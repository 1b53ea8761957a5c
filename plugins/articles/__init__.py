"""articles: the content model wired into Pelican, and the typed view every output reads.

- reads every Markdown file through the content model (``reader.PortalReader``);
- stops the build with one report of every problem in every file;
- gives every published article and page its typed view (``article.view``,
  portal.view), built once at the build clock, with previous/next within a
  kind and related articles;
- adds what the theme needs: the home-page lists, the site-wide banner,
  translated strings, locale-free Vietnamese dates and decimals, the facts renderer;
- writes the list the banner links to: the severe warnings in force
  (canh-bao/dang-hieu-luc.html, SitePaths.active_warnings);
- removes from the output an image only an unpublished article uses.

Settings: PORTAL_LANG ("vi" or "en"), PORTAL_NOW (fixes the build clock).
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import stat
import threading
from pathlib import Path

import jinja2
from markupsafe import Markup, escape
from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from portal import body, i18n, jinja_escape, model, outputs, pelican_speedups, renders
from portal.checks import Checker
from portal.clock import build_time, next_date_after
from portal.content_tree import link_problems, published_file_problem, static_problems
from portal.facts import rows_html
from portal.model import ContentErrors, report
from portal.paths import SitePaths
from portal.settings import SettingsError
from portal.template_cache import template_cache
from portal.urls import site_base
from portal.view import BannerWarning, TagRef, build_view, link_neighbours

from .reader import PortalReader, done_reading, prefetch
from .state import STATE

log = logging.getLogger("articles")
LATEST_PER_KIND = 5
LANGS = ("vi", "en")
DEFAULTS = {"PORTAL_LANG": "vi"}


def check_settings(pelican) -> None:
    """Settings checked once, with the fix in the message; the build clock fixed for every plugin."""
    settings = pelican.settings
    lang = settings.get("PORTAL_LANG", DEFAULTS["PORTAL_LANG"])
    if lang not in LANGS:
        raise SettingsError(f"articles: PORTAL_LANG = {lang!r} trong cấu hình: ghi một trong {', '.join(LANGS)}",
                            f"articles: PORTAL_LANG = {lang!r} in the settings; use one of {', '.join(LANGS)}")
    said = settings.get("PORTAL_MESSAGES_LANG")
    if said is not None and said not in LANGS:
        raise SettingsError(f"articles: PORTAL_MESSAGES_LANG = {said!r} trong cấu hình: ghi một trong "
                            f"{', '.join(LANGS)}",
                            f"articles: PORTAL_MESSAGES_LANG = {said!r} in the settings; use one of {', '.join(LANGS)}")
    for name in ("SITENAME", "SITEURL"):
        if name not in settings:
            raise SettingsError(f"articles: tệp cấu hình thiếu {name}. Cách sửa: thêm dòng {name} = …",
                                f"articles: the settings file has no {name}. Fix: add a line {name} = …")
    settings["PORTAL_NOW"] = build_time(settings).isoformat()  # one clock for the whole build
    # a hidden file or folder (".ban-nhap.md", an editor's ".x.md.swp") is never read, as the check skips it
    ignored = list(settings.get("IGNORE_FILES") or [])
    settings["IGNORE_FILES"] = ignored if ".*" in ignored else [*ignored, ".*"]


def use_portal_reader(readers) -> None:
    readers.reader_classes["md"] = PortalReader
    for ext in ("markdown", "mkd", "mdown", "rst", "htm", "html"):
        readers.reader_classes[ext] = None


def translator(settings: dict) -> i18n.Translator:
    return i18n.Translator(str(Path(settings["THEME"]) / "translations"), settings.get("PORTAL_LANG", "vi"))


def add_template_helpers(generator) -> None:
    settings = generator.settings
    lang = settings.get("PORTAL_LANG", "vi")
    generator.env.add_extension(i18n.ConstantTranslations)  # _("…") translated as templates compile
    generator.env.globals.update(
        _=translator(settings),
        ui_lang=lang,
        kinds=model.KINDS,
        kind_by_category={kind.label_vi: key for key, kind in model.KINDS.items()},  # a section's category is its label
        severities=model.SEVERITIES,
        fields=model.FIELDS_BY_KEY,
        paths=SitePaths(settings),
        site_base=site_base(settings),  # absolute in development too (canonical links)
        facts_html=lambda rows: Markup(rows_html(rows, lang)),  # noqa: E731 (not a setting)
    )
    # each build (and each preview update) makes its generators and their environments anew: no need
    # to ask the disk whether a template changed at every one of the ~100,000 pages' template loads
    generator.env.auto_reload = False
    # compiled once, kept in the parse cache's folder (portal.template_cache)
    generator.env.bytecode_cache = template_cache(settings)
    renders.name_while_compiling(generator.env)  # what the page keys need of a template, found as it compiles
    # JSON-LD as UTF-8, not \u escapes (a third of its bytes); < > & ' are still escaped for HTML
    generator.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    if isinstance(generator.env.loader, jinja2.ChoiceLoader) and not isinstance(generator.env.loader, Unindented):
        generator.env.loader = Unindented(generator.env.loader)
    generator.env.filters.update(
        datetime_vi=lambda d: i18n.format_datetime(d, lang),  # noqa: E731
        date_vi=lambda d: i18n.format_date(d, lang),
        month_vi=lambda d: i18n.format_month(d, lang),
        period_vi=lambda numbers: i18n.format_period(numbers, lang),  # a period archive's period_num
        isodate=i18n.isodate,
        decimal=lambda x, digits=1: i18n.format_decimal(x, lang, digits),  # "4,3"
        short_url=short_url_html,
    )


class Unindented(jinja2.ChoiceLoader):
    """The theme's templates without the spaces that start their lines: indentation that helps
    whoever edits a template is bytes on every page a phone downloads. The line breaks stay, so
    the text reads as before (HTML folds any run of spaces into one) and an error names the
    template's own line. Only the template's own text is touched (``unindent``): never inside a
    {{ … }}, {% … %} or {# … #} that spans lines, nor a {% raw %} block; and a template that holds
    a <pre>, a <textarea> or a JavaScript template literal, where spaces show, is left whole. The
    list of loaders is Pelican's own, which it changes while writing TEMPLATE_PAGES."""

    def __init__(self, inner: jinja2.ChoiceLoader) -> None:
        self.loaders = inner.loaders

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        default = (environment.block_start_string, environment.variable_start_string,
                   environment.comment_start_string) == ("{%", "{{", "{#")
        return (unindent(source) if default else source), filename, uptodate

    load = jinja2.BaseLoader.load  # through get_source (ChoiceLoader's own asks each loader directly)


_SPACES_SHOW = re.compile(r"<pre\b|<textarea\b|`", re.IGNORECASE)
_NOT_TEXT = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def unindent(source: str) -> str:
    """``source`` without the spaces that start its lines of text, except one where they are the
    only space left: after a line ending in a tag or comment, whose line break Jinja drops
    (Pelican's trim_blocks), "lực{% endif %}⏎   đến" must still read "lực đến". A line that starts
    inside a tag, an expression, a comment or a raw block keeps its spaces (a string written over
    two lines stays the same string); a template where spaces show is returned as it is."""
    if _SPACES_SHOW.search(source):
        return source
    inside = [(m.start(), m.end()) for m in _NOT_TEXT.finditer(source)]
    starts = [a for a, _ in inside]
    lines = source.split("\n")
    out = [lines[0]]
    offset = len(lines[0]) + 1
    for before, line in zip(lines, lines[1:], strict=False):
        k = bisect.bisect_right(starts, offset) - 1
        text = line
        if k < 0 or inside[k][1] <= offset:  # the line starts in the template's text
            text = line.lstrip(" \t")
            if text != line and text and before.rstrip().endswith(("%}", "#}")) and \
                    not before.rstrip().endswith(("-%}", "-#}", "+%}", "+#}")):
                text = " " + text  # the only space between the two lines' words
        out.append(text)
        offset += len(line) + 1
    return "\n".join(out)


def short_url_html(url: str) -> Markup:
    """A link's text when it has no title: host and path (portal.i18n.short_url), with a line-break
    opportunity after each "/" so a long path wraps between its parts, never inside a word."""
    return Markup("/<wbr>").join(escape(part) for part in i18n.short_url(url).split("/"))


def stop_on_errors(settings: dict) -> None:
    checker = _checker(settings)
    problems = STATE.problems + checker.outside_kinds() + checker.collection_problems(STATE.entries)
    if not any(p.level == "error" for p in problems):
        problems += body_link_errors(settings, checker)
    if any(p.level == "error" for p in problems):
        raise ContentErrors(problems, STATE.lang)
    if problems:  # warnings only: the build goes on, and says what to look at
        log.warning("%s", report(problems, STATE.lang))


def _checker(settings: dict) -> Checker:
    return Checker(Path(settings["PATH"]), settings, now=STATE.now, lang=STATE.lang)


def body_link_errors(settings: dict, checker: Checker | None = None) -> list:
    """A body image or {filename} link that leads nowhere stops the build, as in `portal check`."""
    checker = checker or _checker(settings)
    return checker.link_errors([(e, checker.content.parent / e.path) for e in STATE.entries])


def attach_views(items: list, settings: dict) -> list:
    """Each published article or page gets its view (``item.view``); returns the views in order."""
    _ = translator(settings)
    views, unsafe = [], []
    for item in items:
        unsafe += attach_view(item, settings, _)
        views.append(item.view)
    if unsafe:
        raise ContentErrors(unsafe, STATE.lang)
    return views


def attach_view(item, settings: dict, _) -> list:
    """``item.view``, built at the build clock; returns the unsafe links found (then no view is kept).

    A long-lived process (the live preview) reuses content objects: a view built earlier is kept
    while its address, tags and resolved body are the same and the clock has not reached the
    next date in the article (an expiry, a revision)."""
    lang = settings.get("PORTAL_LANG", "vi")
    # the last gate: Pelican's {filename}/{category}… links are resolved now, and a resolved
    # link must pass the same allow-list ("{category}javascript:…" keeps its scheme)
    html = item.content
    tags = [TagRef(t.name, t.slug, t.url) for t in item.metadata.get("tags") or []]
    key = (item.url, tuple(tags), html, lang)
    kept = getattr(item, "_portal_view", None)
    if kept and kept[0] == key and kept[1] <= STATE.now and (kept[2] is None or STATE.now < kept[2]):
        item.view = kept[3]
        return []
    problems = body.resolved_url_problems(item.entry, html)
    if item.entry.html_settled and html == item._content:  # no link resolved: sanitised as it was parsed
        clean = html
    else:
        clean = body.sanitise(html)
        clean = html if clean == html else clean  # one string in memory, not two, when links changed nothing
    item.view = build_view(item.entry, url=item.url, body_html=clean, tags=tags, now=STATE.now,
                           content_root=settings["PATH"], lang=lang, translate=_)
    if not problems and STATE.long_lived:
        item._portal_view = (key, STATE.now, next_date_after(item.entry.values, STATE.now), item.view)
    return problems


def enrich(generators) -> None:
    """Views, neighbours and the home-page lists, computed once for every template and output."""
    settings = generators[0].settings
    done_reading()  # every file is read: the parse cache holds this build's files
    stop_on_errors(settings)
    for g in generators:
        if isinstance(g, PagesGenerator):
            attach_views(g.pages, settings)
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_gen is None:
        return
    views = attach_views(articles_gen.articles, settings)  # newest first
    let_go_of_sources()
    link_neighbours(views, settings.get("PORTAL_PARSE_CACHE") or None)
    by_kind: dict[str, list] = {k: [] for k in model.KINDS}
    for v in views:
        by_kind.setdefault(v.kind, []).append(v)
    articles_gen.context.update(
        articles_by_kind=by_kind,
        **warning_lists(by_kind, {k: items[:LATEST_PER_KIND] for k, items in by_kind.items()}),
        **index_counts(articles_gen),
    )


def warning_lists(by_kind: dict, latest: dict) -> dict:
    """What pages show of the warnings in force, from the views by kind (newest first): the live preview
    makes them again for a saved warning's own page when its state or severity changed."""
    warnings = by_kind.get(model.WARNING, [])
    active = [v for v in warnings if v.is_active]
    active.sort(key=lambda v: (v.severity.rank, v.date), reverse=True)
    severe = [v for v in active if v.severity.is_severe]
    # the home page lists active warnings first; below, only the earlier ones
    latest = {**latest, model.WARNING: [v for v in warnings if not v.is_active][:LATEST_PER_KIND]}
    return {
        "latest_by_kind": latest,
        "active_warnings": active,
        "banner_warnings": [BannerWarning.of(v) for v in severe],  # the banner: the most severe first
        "active_severe_warnings": severe,  # the page the banner links to lists exactly these
    }


def index_counts(articles_gen) -> dict:
    """What the index of tags and of months print, and nothing more: each tag (``TagRef``) with how many
    articles it holds, by slug; each month's archive as Pelican made it (its ``period_num``, address and
    how many articles), newest first. Their pages' keys (``portal.renders``) then read these, not every
    article: an edit of an article's text no longer renders them again."""
    tags = sorted(((TagRef(t.name, t.slug, t.url), len(items)) for t, items in articles_gen.tags.items()),
                  key=lambda pair: pair[0].slug.lower())
    months = sorted(((tuple(a["period_num"]), a["url"], len(a["dates"]))
                     for a in articles_gen.period_archives.get("month", ())), reverse=True)
    return {"tag_counts": tags, "month_archives": months}


def let_go_of_sources() -> None:
    """Every file is read, checked and has its view: a build reads no article's Markdown again (2 KB
    an article, what the pages are written beside). A long-lived process (the live preview) keeps
    them: it checks the files again after each save."""
    if not STATE.long_lived:
        for entry in STATE.entries:
            entry.let_go_of_body()


def write_active_warnings(generator, writer) -> None:
    """The page the banner links to: the severe warnings in force, and only those (the kind's
    listing holds expired and withdrawn ones too). Works without JavaScript: a page, not a filter."""
    save_as = SitePaths(generator.settings).active_warnings()
    if not save_as:
        return
    writer.write_file(save_as, generator.get_template("active_warnings"), generator.context,
                      relative_urls=generator.settings.get("RELATIVE_URLS", False), url=save_as,
                      page_name="active_warnings")


def write_empty_kinds(generator, writer) -> None:
    """A kind without a published article still has its listing, saying it has none: every page's menu, the
    feeds' and CAP's links lead to it (a new portal without meetings yet, a kind whose articles are all
    scheduled). Pelican writes a category's page only for the categories its articles have."""
    from pelican.contents import Category

    present = {category.name for category, _ in generator.categories}
    template = generator.get_template("category")
    for kind in model.KINDS.values():
        if kind.label_vi in present:
            continue
        category = Category(kind.label_vi, generator.settings)  # (its slug is the kind's folder, as the readers')
        writer.write_file(category.save_as, template, generator.context, url=category.url, category=category,
                          articles=[], dates=[], template_name="category", blog=True, page_name=category.page_name,
                          all_articles=generator.articles)


def drop_withheld_images(pelican) -> None:
    """An embargoed warning's photo must not be reachable before the warning is."""
    out = Path(pelican.settings["OUTPUT_PATH"])
    for rel in sorted(STATE.withheld_images - STATE.published_images):
        (out / rel).unlink(missing_ok=True)


def start_build(pelican) -> None:
    """Every run starts clean (live reload runs many builds in one process).

    A symbolic link leading out of content/ stops the build before Pelican walks, reads or copies
    anything through it; a static file a browser would run is reported with the other problems."""
    STATE.reset(pelican.settings)
    content = Path(pelican.settings["PATH"])
    links = link_problems(content)
    if links:
        raise ContentErrors(links, STATE.lang)
    for problem in static_problems(content, pelican.settings.get("STATIC_PATHS") or []):
        STATE.add_problem(problem)
    log.debug("articles: build started, now = %s", STATE.now.isoformat())


def read_ahead(pelican) -> None:
    """How many processes this build parses and writes pages on (``parse_ahead``, ``write_pages``).
    PORTAL_WORKERS: how many (0: one per CPU; 1: none besides the build's). Not in a process that runs
    threads (the live preview's server): forking one is not safe."""
    settings = pelican.settings
    workers = int(settings.get("PORTAL_WORKERS") or os.cpu_count() or 1)
    _Pages.workers = workers = workers if threading.active_count() == 1 else 1
    # the feeds, CAP, calendars… wait for write_pages (portal.outputs.output_step), which keys their files
    # (a rebuild links those made from the same inputs, on one process as on several) and, on several
    # cores, runs them while other processes write the pages
    outputs.defer_steps(True)


def _regular(path: str) -> bool:
    """A file itself (not a link to one: those are reported, never read)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def parse_ahead(generator) -> None:
    """The articles' files, given to the worker processes in the order Pelican will read them (the
    order of ``get_files``' set, the same for the same files in one process), as soon as the
    articles' generator exists: Pelican reads each file while the workers parse the next ones. The
    pages' files come last, as Pelican reads them after the articles: the build itself then sets up no
    Markdown of its own (its extensions found and imported, their patterns compiled: 50 ms on the build's
    one busy core, between the parsing and the page writing)."""
    workers = _Pages.workers
    if workers < 2:
        return
    settings = generator.settings
    files = [*generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"]),
             *generator.get_files(settings["PAGE_PATHS"], exclude=settings["PAGE_EXCLUDES"])]
    paths = [p for p in (os.path.join(generator.path, f) for f in dict.fromkeys(files))
             if p.endswith(".md") and _regular(p)]
    given = prefetch(settings, paths, workers)
    log.info("Đọc trước %d tệp trên %d tiến trình; các tệp khác lấy từ bộ nhớ đệm hoặc đọc khi cần "
             "(files parsed ahead by worker processes)", given, workers)
    if given:
        compile_templates(generator.env)


def compile_templates(env) -> None:
    """Every template of the theme, compiled (or loaded from the compiled templates' cache) while the
    workers parse the first files: this process only waits for them then. Compiled here, once, they are
    not compiled between the parsing and the page writing, where the build uses one core, nor again in
    each page-writing process forked after (the templates a page includes were compiled in each), and
    the page keys find what each one reads as Jinja compiled it, without parsing it again
    (``portal.renders.name_while_compiling``). A template that fails to compile is left: it fails where
    it is used, as it would have."""
    loaders = getattr(env.loader, "loaders", None)
    own = loaders[0] if loaders and isinstance(loaders[0], jinja2.FileSystemLoader) else env.loader
    try:  # the theme's own templates (and those overriding them): not Pelican's simple theme's, which fill
        names = own.list_templates()  # in for what it lacks (author.html…): compiled if a page uses one
    except (TypeError, OSError):  # a loader that cannot list its templates: each compiled when used
        return
    for name in names:
        if name.startswith("!") or not name.endswith((".html", ".xml")):  # Pelican's "!simple/" copies
            continue
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001 (raised again, with Pelican's report, where it is used)
            log.debug("template %s not compiled ahead", name)


class _Pages:
    writer = None  # the build's BuildWriter, from Pelican's get_writer signal
    workers = 1  # processes for this build (read_ahead)


def build_writer(pelican):
    """Pelican's writer for a build: pages recorded, then written on every core (write_pages)."""
    from portal.live.jobs import BuildWriter

    class Writer(BuildWriter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            _Pages.writer = self

    return Writer


def write_pages(pelican) -> None:
    """First of the finalized receivers: every page is on disk before the others read the output.
    The output steps kept back (read_ahead) run here, beside the pages."""
    writer, _Pages.writer = _Pages.writer, None
    steps = outputs.take_steps()
    if writer is not None:
        writer.write_all(_Pages.workers, meanwhile=steps)
    else:
        for step in steps:
            step()
    outputs.written()  # e.g. the search records are whole: the build command may index them already


def check_copied_files(generator) -> None:
    """Every file Pelican will copy from content/ (the static folders, and any file an article links
    with {static} or {attach}) must be a picture or a PDF, an SVG a plain picture: what a browser
    would run is never published from the site's own address."""
    content = Path(generator.settings["PATH"]).resolve()
    for static in generator.staticfiles:
        source = Path(static.source_path)
        published_as = Path(static.save_as)
        problem = published_file_problem(source, published_as, content)
        if problem:
            STATE.add_problem(problem)


def register() -> None:
    pelican_speedups.apply()  # Pelican's quadratic list scans, linear (same output)
    jinja_escape.install()  # the templates' autoescape of a str without MarkupSafe's Python detour (same output)
    signals.finalized.connect(write_pages)  # first: the other finalized receivers read the pages
    signals.initialized.connect(check_settings)
    signals.readers_init.connect(use_portal_reader)
    signals.generator_init.connect(add_template_helpers)
    signals.static_generator_finalized.connect(check_copied_files)
    signals.all_generators_finalized.connect(enrich)
    signals.article_writer_finalized.connect(write_active_warnings)
    signals.article_writer_finalized.connect(write_empty_kinds)
    signals.get_generators.connect(start_build)
    signals.get_generators.connect(read_ahead)
    signals.article_generator_init.connect(parse_ahead)
    signals.get_writer.connect(build_writer)
    signals.finalized.connect(drop_withheld_images)
