"""The build's list of articles that accept votes (output/api/ratings-manifest.json).

    {"version": 1, "siteurl": "", "articles": {"<slug>": "tin-tuc/<slug>.html", ...},
     "details": {"<slug>": {"title": …, "kind": …, "date": ISO 8601, "modified": ISO 8601 or null}}}

``details`` (optional) is for the staff report only (report.py).

Read again whenever the file changes (a new build swaps the output folder in),
so a new article accepts votes without restarting the service.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field

log = logging.getLogger("ratings.manifest")
THANKS_ANCHOR = "danh-gia-cam-on"


@dataclass(frozen=True)
class Articles:
    siteurl: str = ""
    urls: dict[str, str] = field(default_factory=dict)  # slug -> url relative to the site
    by_path: dict[str, str] = field(default_factory=dict)  # "/tin-tuc/x.html" -> slug
    details: dict[str, dict] = field(default_factory=dict)  # slug -> title, kind, date, modified


class Manifest:
    def __init__(self, path: str):
        self.path = path
        self._stamp: tuple | None = None
        self._articles = Articles()
        self._lock = threading.Lock()
        self.current()
        if not self._articles.urls:
            log.warning("ratings: manifest %s is missing or empty; no article accepts votes until "
                        "the site is built", path)

    def current(self) -> Articles:
        try:
            st = os.stat(self.path)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._articles = self._load() if stamp else Articles()
                    self._stamp = stamp
        return self._articles

    def _load(self) -> Articles:
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
            articles = {str(k): str(v).lstrip("/") for k, v in dict(data["articles"]).items()}
            siteurl = str(data.get("siteurl") or "").rstrip("/")
            details = {str(k): dict(v) for k, v in dict(data.get("details") or {}).items() if isinstance(v, dict)}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("ratings: cannot read the manifest %s (%s); keeping the previous one", self.path, exc)
            return self._articles
        return Articles(siteurl, articles, {"/" + url: slug for slug, url in articles.items()}, details)

    def url_of(self, slug: str) -> str | None:
        return self.current().urls.get(slug)

    def thanks_url(self, slug: str) -> str:
        arts = self.current()
        return f"{arts.siteurl}/{arts.urls[slug]}#{THANKS_ANCHOR}"
