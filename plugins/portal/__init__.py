"""portal: the content model wired into Pelican.

- reads every Markdown file through the content model (``reader.PortalReader``);
- stops the build with one report of every problem in every file;
- adds what the theme needs: warning status at build time, the site-wide
  banner, previous/next within a kind, related articles, translated strings
  and locale-free Vietnamese dates.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from pelican import signals
from pelican.generators import ArticlesGenerator

from . import i18n, model
from .images import content_image_size
from .messages import ContentErrors, report
from .reader import PortalReader
from .state import STATE

log = logging.getLogger("portal")
LATEST_PER_KIND = 5
RELATED_COUNT = 4
LANGS = ("vi", "en")


def check_settings(pelican) -> None:
    lang = pelican.settings.get("PORTAL_LANG", "vi")
    if lang not in LANGS:
        raise ValueError(f"portal: PORTAL_LANG = {lang!r} in the settings; use one of {', '.join(LANGS)}")
    for name in ("SITENAME", "SITEURL"):
        if name not in pelican.settings:
            raise ValueError(f"portal: setting {name} is missing from pelicanconf.py")


def use_portal_reader(readers) -> None:
    readers.reader_classes["md"] = PortalReader
    for ext in ("markdown", "mkd", "mdown", "rst", "htm", "html"):
        readers.reader_classes[ext] = None


def add_template_helpers(generator) -> None:
    settings = generator.settings
    lang = settings.get("PORTAL_LANG", "vi")
    theme = Path(settings["THEME"])
    translate = i18n.Translator(str(theme / "translations"), lang)
    generator.env.globals.update(
        _=translate,
        ui_lang=lang,
        kinds=model.KINDS,
        severities=model.SEVERITIES,
        fields=model.FIELDS_BY_KEY,
        updated_label=model.UPDATED_LABEL[lang],
        image_size=partial(content_image_size, settings["PATH"]),
    )
    generator.env.filters.update(
        datetime_vi=lambda d: i18n.format_datetime(d, lang),  # noqa: E731 (not a setting)
        date_vi=lambda d: i18n.format_date(d, lang),
        month_vi=lambda d: i18n.format_month(d, lang),
        isodate=lambda d: i18n.local(d).isoformat(),
    )


def stop_on_errors(generators) -> None:
    problems = STATE.problems + model.check_collection(STATE.entries)
    if not any(p.level == "error" for p in problems):
        problems += body_link_errors(generators[0].settings)
    if any(p.level == "error" for p in problems):
        raise ContentErrors(problems, STATE.lang)
    if problems:  # warnings only: the build goes on, and says what to look at
        log.warning("%s", report(problems, STATE.lang))


def body_link_errors(settings: dict) -> list:
    """A body image or {filename} link that leads nowhere stops the build, as in `invoke check`."""
    from .checker import Checker

    content = Path(settings["PATH"])
    hosts = {urlsplit(settings.get(name) or "").netloc.lower()
             for name in ("SITEURL", "FEED_DOMAIN", "PORTAL_SITEURL_ABSOLUTE")} - {""}
    checker = Checker(content, now=STATE.now, lang=STATE.lang, site_hosts=hosts)
    return checker.link_errors([(e, content.parent / e.path) for e in STATE.entries])


RELATED_WINDOW = 25  # neighbours in time looked at on each side, per shared tag


def related_articles(articles: list) -> dict[int, list]:
    """For each article, up to RELATED_COUNT others sharing the most tags.

    Candidates are the RELATED_WINDOW articles nearest in time on each side
    within each of its tags, so the work grows with n·tags, not n² (a full
    pairwise comparison took half the build time at 3,000 articles). Ties go to
    the newer article; the result is deterministic.
    """
    by_tag: dict[str, list] = {}
    for a in articles:  # newest first
        for t in getattr(a, "tags", []) or []:
            by_tag.setdefault(t.slug, []).append(a)
    position = {slug: {id(a): i for i, a in enumerate(items)} for slug, items in by_tag.items()}
    order = {id(a): i for i, a in enumerate(articles)}
    result: dict[int, list] = {}
    for a in articles:
        shared: dict[int, int] = {}
        others: dict[int, object] = {}
        for t in {t.slug for t in getattr(a, "tags", []) or []}:
            items, i = by_tag[t], position[t][id(a)]
            for other in items[max(0, i - RELATED_WINDOW): i + RELATED_WINDOW + 1]:
                if other is not a:
                    shared[id(other)] = shared.get(id(other), 0) + 1
                    others[id(other)] = other
        ranked = sorted(shared, key=lambda k: (-shared[k], order[k]))
        result[id(a)] = [others[k] for k in ranked[:RELATED_COUNT]]
    return result


def enrich(generators) -> None:
    """Status, neighbours and home-page lists, computed once for every template."""
    stop_on_errors(generators)
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_gen is None:
        return
    articles = articles_gen.articles  # newest first
    by_kind: dict[str, list] = {k: [] for k in model.KINDS}
    for a in articles:
        by_kind.setdefault(a.kind, []).append(a)
        if a.kind == model.WARNING:
            a.warning_status = model.warning_status(a.metadata, STATE.now)
            a.is_active = a.warning_status is model.ACTIVE
    for items in by_kind.values():
        for i, a in enumerate(items):
            a.newer_in_kind = items[i - 1] if i > 0 else None
            a.older_in_kind = items[i + 1] if i + 1 < len(items) else None
    related = related_articles(articles)
    for a in articles:
        a.related = related[id(a)]
    active = [a for a in by_kind[model.WARNING] if a.is_active]
    active.sort(key=lambda a: (a.severity.rank, a.date), reverse=True)
    latest = {k: v[:LATEST_PER_KIND] for k, v in by_kind.items()}
    # the home page lists active warnings first; below, only the earlier ones
    latest[model.WARNING] = [a for a in by_kind[model.WARNING] if not a.is_active][:LATEST_PER_KIND]
    articles_gen.context.update(
        articles_by_kind=by_kind,
        latest_by_kind=latest,
        active_warnings=active,
        banner_warnings=[a for a in active if a.severity.is_severe],
    )


def start_build(pelican) -> None:
    """Every run starts clean (live reload runs many builds in one process)."""
    STATE.reset(pelican.settings)
    log.debug("portal: build started, now = %s", STATE.now.isoformat())


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.readers_init.connect(use_portal_reader)
    signals.generator_init.connect(add_template_helpers)
    signals.all_generators_finalized.connect(enrich)
    signals.get_generators.connect(start_build)
