"""Pelican 4.12's quadratic steps, made linear with the same results.

Pelican finds "the articles of this tag, in date order" with ``[a for a in dates if a in
articles]``: a list scan for every article, so a tag of 1,500 articles among 10,000 costs 15
million comparisons, and the same for every category, author, month archive and the
translations. Content objects have no ``__eq__``: ``in`` compares identity. Each replacement
below is Pelican's code with that membership test made a set lookup of ``id()``; nothing else
changes, so the output is byte for byte the same (tests/unit/test_pelican_speedups.py compares
each with the original). Where the scan is of the whole site once per group (each tag's, each
month's articles picked from all of them), the group's members are looked up where they stand in the
site's list instead (``_picked``): 600 tags among 1,000 articles were 600,000 lookups, now 3,000.

Applied by the ``articles`` plugin when it registers, for Pelican 4.12 only; another version
keeps its own code (and its speed) until these are checked against it.
"""

from __future__ import annotations

import calendar
import logging
from collections import defaultdict
from itertools import groupby
from operator import attrgetter

log = logging.getLogger(__name__)

VERSIONS = ("4.12.",)
ORIGINALS: dict[str, object] = {}  # Pelican's own functions, as they were before apply()


def _members(items) -> set[int]:
    return {id(x) for x in items}


def _positions(items) -> dict[int, list[int]]:
    """Where each object is in ``items`` (by identity)."""
    where: dict[int, list[int]] = defaultdict(list)
    for i, x in enumerate(items):
        where[id(x)].append(i)
    return where


def _picked(items, where: dict[int, list[int]], wanted) -> list:
    """``[x for x in items if x in wanted]`` (identity, as Pelican's ``in``), from ``where = _positions(items)``:
    the time of ``wanted``, not of ``items`` (a tag's ten articles among 10,000, for each of 3,000 tags)."""
    seen: set[int] = set()
    found: list[int] = []
    for x in wanted:
        key = id(x)
        if key not in seen:
            seen.add(key)
            found += where.get(key, ())
    found.sort()
    return [items[i] for i in found]


def process_translations(content_list, translation_id=None):
    """pelican.utils.process_translations, with the final membership test a set lookup."""
    from pelican.utils import get_original_items

    if not translation_id:
        return content_list, []
    if isinstance(translation_id, str):
        translation_id = {translation_id}
    index = []
    try:
        content_list.sort(key=attrgetter(*translation_id))
    except TypeError:
        raise TypeError(f"Cannot unpack {translation_id}, 'translation_id' must be falsy, a"
                        " string or a collection of strings") from None
    except AttributeError:
        raise AttributeError(f"Cannot use {translation_id} as 'translation_id', there appear to be items "
                             "without these metadata attributes") from None
    for id_vals, items in groupby(content_list, attrgetter(*translation_id)):
        id_vals = (id_vals,) if len(translation_id) == 1 else id_vals
        with_str = "with" + ", ".join([' {} "{{}}"'] * len(translation_id)).format(*translation_id).format(*id_vals)
        items = list(items)
        original_items = get_original_items(items, with_str)
        index.extend(original_items)
        for a in items:
            a.translations = [x for x in items if x != a]
    in_index = _members(index)
    translations = [x for x in content_list if id(x) not in in_index]
    return index, translations




def _write_groups(generator, write, groups, template_name: str, key: str) -> None:
    """generate_tags / generate_categories / generate_authors, one loop."""
    from pelican.writers import FileOverwriteFailedError

    template = generator.get_template(template_name)
    dates = generator.dates
    where = _positions(dates)
    for group, articles in groups:
        try:
            write(group.save_as, template, generator.context, url=group.url, **{key: group}, articles=articles,
                  dates=_picked(dates, where, articles), template_name=template_name, blog=True,
                  page_name=group.page_name, all_articles=generator.articles)
        except FileOverwriteFailedError:
            if not group.slug:
                log.info('%s "%s" has an invalid slug; skipping writing %s page...', key.capitalize(), group, key,
                         extra={"limit_msg": f"Further {key}s with invalid slugs."})
                continue
            log.error('Failed to write %s page for "%s".', key.capitalize(), group)
            raise


def generate_tags(self, write):
    _write_groups(self, write, self.tags.items(), "tag", "tag")


def generate_categories(self, write):
    _write_groups(self, write, self.categories, "category", "category")


def generate_authors(self, write):
    _write_groups(self, write, self.authors, "author", "author")


def _build_period_archives(self, sorted_articles, articles, settings):
    """ArticlesGenerator._build_period_archives, with the membership test a set lookup."""
    period_archives = defaultdict(list)
    where = _positions(articles)
    granularity_key_func = {
        "year": attrgetter("date.year"),
        "month": attrgetter("date.year", "date.month"),
        "day": attrgetter("date.year", "date.month", "date.day"),
    }
    for granularity in "year", "month", "day":
        save_as_fmt = settings[f"{granularity.upper()}_ARCHIVE_SAVE_AS"]
        url_fmt = settings[f"{granularity.upper()}_ARCHIVE_URL"]
        if not save_as_fmt:
            continue
        for period, group in groupby(sorted_articles, key=granularity_key_func[granularity]):
            dates = list(group)
            archive = {"dates": dates, "articles": _picked(articles, where, dates)}
            d = dates[0].date
            archive["save_as"] = save_as_fmt.format(date=d)
            archive["url"] = url_fmt.format(date=d)
            if granularity == "year":
                archive["period"] = (period,)
                archive["period_num"] = (period,)
            else:
                month_name = calendar.month_name[period[1]]
                if granularity == "month":
                    archive["period"] = (period[0], month_name)
                else:
                    archive["period"] = (period[0], month_name, period[2])
                archive["period_num"] = tuple(period)
            period_archives[granularity].append(archive)
    return period_archives


# The fields Pelican itself sets in url_format, over whatever the metadata holds under those names:
# a URL pattern made of these alone is fixed by their values.
_OWN_FIELDS = frozenset({"slug", "lang", "date", "author", "category", "path"})
_PATTERN_FIELDS: dict[str, frozenset | None] = {}


def _fields(pattern: str) -> frozenset | None:
    import string

    if pattern not in _PATTERN_FIELDS:
        try:
            names = {re_name(field) for _, field, _, _ in string.Formatter().parse(pattern) if field is not None}
            _PATTERN_FIELDS[pattern] = frozenset(names)
        except ValueError:
            _PATTERN_FIELDS[pattern] = None
    return _PATTERN_FIELDS[pattern]


def re_name(field: str) -> str:
    """'date' from 'date', 'date.year' or 'date[0]'."""
    for stop in ".[":
        field = field.split(stop, 1)[0]
    return field


def _expand_settings_cached(original):
    """Content._expand_settings: the URL or file name of a page from a pattern of the settings,
    remembered on the object for the values it was made from. Pelican computes it for every
    link to a page (copying the metadata and calling os.path.relpath each time): 30,000 times
    for a site of 10,000 articles."""

    def _expand_settings(self, key, klass=None):
        pattern = str(self.settings[(f"{klass or self.__class__.__name__}_{key}").upper()])
        names = _fields(pattern)
        if names is None or not names <= _OWN_FIELDS or ("date" in names and not hasattr(self, "date")):
            return original(self, key, klass)
        values = (pattern, getattr(self, "slug", ""), getattr(self, "lang", "en"),
                  getattr(self, "date", None) if "date" in names else None,
                  self.author.slug if "author" in names and hasattr(self, "author") else "",
                  self.category.slug if "category" in names and hasattr(self, "category") else "",
                  (self.metadata.get("path"), self.source_path, self.settings["PATH"]) if "path" in names else None)
        cache = self.__dict__.setdefault("_portal_urls", {})
        if values not in cache:
            cache[values] = original(self, key, klass)
        return cache[values]

    return _expand_settings


def _relative_source_path_cached(original):
    """Content.get_relative_source_path: the source's path within the content folder, a function of the
    two paths (and of the working folder when either is relative), remembered. Pelican works it out
    three times an article (os.path.relpath: about 0.3 s a build at 10,000 articles)."""
    import functools
    import os

    @functools.lru_cache(maxsize=1 << 16)
    def relative(source_path: str, path: str, cwd: str | None) -> str | None:
        return original(_Paths(source_path, path))

    def get_relative_source_path(self, source_path=None):
        if not source_path:
            source_path = self.source_path
        if source_path is None:
            return None
        path = self.settings["PATH"]
        if type(source_path) is not str or type(path) is not str:
            return original(self, source_path)
        cwd = None if source_path.startswith("/") and path.startswith("/") else os.getcwd()
        return relative(source_path, path, cwd)

    return get_relative_source_path


class _Paths:
    """What Content.get_relative_source_path reads of a content object: its source and the content folder."""

    def __init__(self, source_path: str, path: str):
        self.source_path = source_path
        self.settings = {"PATH": path}


def _no_stamp_unless_cached(original_get, original_put):
    """FileStampDataCacher's two methods without reading a file's stamp when nothing is cached: with
    CACHE_CONTENT and LOAD_CONTENT_CACHE off (the portal keeps its own parse cache), Pelican stats
    every file four times a build only to compare the stamps with nothing, or to throw them away
    (40,000 stat calls at 10,000 articles, 0.4 s). A file with cached data is checked as before."""

    def get_cached_data(self, filename, default=None):
        if filename not in self._cache:
            return default
        return original_get(self, filename, default)

    def cache_data(self, filename, data):
        if self._cache_data_policy:
            original_put(self, filename, data)

    return get_cached_data, cache_data


def apply() -> bool:
    """Put the linear versions in place (once); False when this Pelican is not one they were checked on."""
    import pelican
    from pelican import generators

    if not pelican.__version__.startswith(VERSIONS):
        log.debug("pelican %s: speedups not applied", pelican.__version__)
        return False
    if getattr(generators, "_portal_speedups", False):
        return True
    gen = generators.ArticlesGenerator
    ORIGINALS.update(process_translations=generators.process_translations, generate_tags=gen.generate_tags,
                     generate_categories=gen.generate_categories, generate_authors=gen.generate_authors,
                     _build_period_archives=gen._build_period_archives)
    generators.process_translations = process_translations
    from pelican.contents import Content

    ORIGINALS["_expand_settings"] = Content._expand_settings
    Content._expand_settings = _expand_settings_cached(Content._expand_settings)
    ORIGINALS["get_relative_source_path"] = Content.get_relative_source_path
    Content.get_relative_source_path = _relative_source_path_cached(Content.get_relative_source_path)
    from pelican.cache import FileStampDataCacher

    ORIGINALS.update(get_cached_data=FileStampDataCacher.get_cached_data, cache_data=FileStampDataCacher.cache_data)
    FileStampDataCacher.get_cached_data, FileStampDataCacher.cache_data = _no_stamp_unless_cached(
        FileStampDataCacher.get_cached_data, FileStampDataCacher.cache_data)
    gen.generate_tags = generate_tags
    gen.generate_categories = generate_categories
    gen.generate_authors = generate_authors
    gen._build_period_archives = _build_period_archives
    generators._portal_speedups = True
    return True
