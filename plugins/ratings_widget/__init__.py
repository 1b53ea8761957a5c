"""ratings_widget: the build-time side of "Đánh giá bài viết".

- ``rating_for(slug)`` in every template: the count and average baked in at
  build time, from the ratings service's export (RATINGS_API_URL, short
  timeout) when it answers, else from the last saved snapshot
  (RATINGS_SNAPSHOT, rewritten whenever the export succeeds), else zero. The
  build never fails because the service is down.
- writes the manifest of the articles that accept votes
  (api/ratings-manifest.json: slug -> article URL, which the service reads;
  and each one's title, kind, date and last change, for the staff report);
- writes the privacy notice of the ratings (quyen-rieng-tu-danh-gia.html).

Output is deterministic: the same content and the same counts give the same bytes.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import FileSystemLoader
from pelican import signals
from pelican.generators import ArticlesGenerator, Generator

from portal import renders
from portal.outputs import output_step, write_keyed
from portal.paths import SitePaths
from portal.ratings_export import Rating, parse_export
from portal.settings import SettingsError

log = logging.getLogger("ratings_widget")
HERE = Path(__file__).resolve().parent
DEFAULTS = {
    "RATINGS_URL": "",  # where the form posts: "" = the site's own origin (/api/ratings/...)
    "RATINGS_API_URL": "",  # where the build reads the export, e.g. http://127.0.0.1:8081 ("" = don't ask)
    "RATINGS_API_TIMEOUT": 2.0,  # seconds
    "RATINGS_SNAPSHOT": "var/ratings-snapshot.json",
}


@dataclass
class _State:
    ratings: dict[str, Rating] = field(default_factory=dict)
    source: str = "none"


STATE = _State()


def setting(settings: dict, name: str):
    return settings.get(name, DEFAULTS[name])


def _snapshot_path(settings: dict) -> Path:
    path = Path(os.path.expanduser(str(setting(settings, "RATINGS_SNAPSHOT"))))
    return path if path.is_absolute() else Path(settings.get("PATH", ".")).resolve().parent / path


def _save_snapshot(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def load_ratings(settings: dict) -> None:
    """Once per build: the service's export, else the snapshot, else nothing (zeros)."""
    STATE.ratings, STATE.source = {}, "none"
    snapshot = _snapshot_path(settings)
    api = str(setting(settings, "RATINGS_API_URL") or "").rstrip("/")
    if api:
        url = f"{api}/api/ratings"
        try:
            with urllib.request.urlopen(url, timeout=float(setting(settings, "RATINGS_API_TIMEOUT"))) as resp:
                data = json.loads(resp.read(8 * 1024 * 1024).decode("utf-8"))
            STATE.ratings, STATE.source = parse_export(data), url
            try:
                _save_snapshot(snapshot, {"ratings": {s: _as_json(s, r) for s, r in STATE.ratings.items()}})
            except OSError as exc:
                log.warning("ratings_widget: could not save the snapshot %s: %s", snapshot, exc)
            log.info("ratings_widget: %d rated articles from %s", len(STATE.ratings), url)
            return
        except (OSError, ValueError, urllib.error.URLError) as exc:
            log.warning("ratings_widget: the ratings service did not answer at %s (%s); "
                        "using the last snapshot %s", url, exc, snapshot)
    if snapshot.is_file():
        try:
            STATE.ratings = parse_export(json.loads(snapshot.read_text(encoding="utf-8")))
            STATE.source = str(snapshot)
        except (OSError, ValueError) as exc:
            log.warning("ratings_widget: the snapshot %s is unreadable (%s); counts start at zero",
                        snapshot, exc)


def _as_json(slug: str, r: Rating) -> dict:
    return {"slug": slug, "count": r.count, "average": r.average,
            "histogram": {str(i + 1): n for i, n in enumerate(r.histogram)}}


def rating_for(slug: str) -> Rating:
    return STATE.ratings.get(slug, Rating())


# the templates ask for the rating of the article a page shows: digested with that article, so a vote
# re-renders its pages only (portal.renders)
rating_for.portal_state = lambda: "per article"  # type: ignore[attr-defined]
renders.article_state(lambda view: rating_for(view.slug))


def manifest(views: list, settings: dict) -> bytes:
    """The articles that accept votes, for the service: slug -> address; and, for the staff report
    (python -m ratings report), what each slug is and when it last changed."""
    views = sorted(views, key=lambda v: v.slug)
    made = {
        "version": 1,
        "siteurl": settings.get("SITEURL", ""),
        "articles": {v.slug: v.url for v in views},
        "details": {v.slug: {"title": v.title, "kind": v.kind, "date": v.date.isoformat(),
                             "modified": v.modified.isoformat() if v.modified else None} for v in views},
    }
    # compact: for the service, never served (and Python's JSON encoder in C, not its indenting one in Python)
    return (json.dumps(made, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


@output_step
def write_manifest(generators) -> None:
    """The manifest, beside the pages (a step of the output: linked from the last build while no article
    changed; the live preview writes it after answering)."""
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_gen is None:
        return
    settings = articles_gen.settings
    views = tuple(a.view for a in articles_gen.articles)
    target = Path(settings["OUTPUT_PATH"]) / SitePaths(settings).ratings_manifest()
    write_keyed(target, views, lambda: manifest(list(views), settings))


class RatingsGenerator(Generator):
    """Writes the widget's script and the ratings privacy notice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.env.loader.loaders.append(FileSystemLoader(str(HERE / "templates")))

    def generate_output(self, writer) -> None:
        settings = self.settings
        paths = SitePaths(settings)
        # the widget's script, its messages in the site's language (theme/templates/rating.js)
        script = f"{paths.theme_folder()}/js/rating.js"
        writer.write_file(script, self.env.get_template("rating.js"), self.context,
                          relative_urls=settings.get("RELATIVE_URLS", False), url=script)
        save_as = paths.ratings_privacy()
        if save_as:
            writer.write_file(save_as, self.get_template("ratings_privacy"), self.context,
                              relative_urls=settings.get("RELATIVE_URLS", False), url=save_as,
                              page_name="ratings_privacy")


def start(pelican) -> type[Generator]:
    for name in ("RATINGS_API_TIMEOUT",):
        try:
            float(setting(pelican.settings, name))
        except (TypeError, ValueError):
            raise SettingsError(f"ratings_widget: {name} = {setting(pelican.settings, name)!r} trong cấu hình "
                                "phải là một số giây",
                                f"ratings_widget: {name} = {setting(pelican.settings, name)!r} in the settings "
                                "must be a number of seconds") from None
    load_ratings(pelican.settings)
    return RatingsGenerator


def add_globals(generator) -> None:
    s = generator.settings
    generator.env.globals.update(
        rating_for=rating_for,
        RATINGS_URL=str(setting(s, "RATINGS_URL") or "").rstrip("/"),
        RATINGS_PRIVACY_URL=SitePaths(s).ratings_privacy(),
    )


def register() -> None:
    signals.get_generators.connect(start)
    signals.generator_init.connect(add_globals)
    signals.all_generators_finalized.connect(write_manifest)
