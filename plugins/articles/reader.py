"""The Markdown reader: validates each file against the content model once.

Problems are collected, never raised here: the build reports every problem
of every file together and stops before anything is written (the plugin's
``stop_on_errors``). Pelican gets what it needs to place and sort the
article (title, date, slug, status, category, tags, authors) and the
validated entry, from which the plugin builds the typed view.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.urlwrappers import Author, Category, Tag

from portal import body, model
from portal.clock import EPOCH
from portal.content_tree import size_problem
from portal.model import Problem

from .state import STATE


def display_path(source_path: str, settings: dict) -> str:
    root = Path(settings["PATH"])
    try:
        return str(Path(root.name) / Path(source_path).resolve().relative_to(root.resolve()))
    except ValueError:
        return source_path


_BODY_IMAGE = re.compile(r"""(?:\{static\}|\{attach\})?/?(images/[^\s)"'>]+)""")


def images_used(entry: model.Entry) -> set[str]:
    """Paths under content/ of the lead image and the images the body shows."""
    found = {m.group(1) for m in _BODY_IMAGE.finditer(entry.body)}
    if entry.values.get("image"):
        found.add(entry.values["image"])
    return found


class PortalReader(MarkdownReader):
    """Reads one article or page; the folder gives the kind."""

    file_extensions = ["md"]

    _body_md: Markdown | None = None

    def _body_markdown(self) -> Markdown:
        """One Markdown converter per reader, reset between files (building one costs 0.6 ms)."""
        if self._body_md is None:
            self._body_md = body.converter(self.settings)
        return self._body_md

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Never raises: whatever goes wrong becomes a problem naming the file (Pelican would print
        a bare "Could not process")."""
        try:
            return self._read(source_path)
        except Exception as err:  # noqa: BLE001 (reported to the person, with its cause)
            shown = display_path(source_path, self.settings)
            STATE.add_problem(Problem(shown, None, None, None, "could_not_process",
                                      {"error": f"{type(err).__name__}: {err}"[:300]}))
            return "", self._placeholder(source_path, None)

    def _read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        shown = display_path(source_path, self.settings)
        content_root = Path(self.settings["PATH"])
        kind = model.kind_of(Path(source_path), content_root)
        try:
            too_large = size_problem(Path(source_path), shown)
            if too_large:
                STATE.add_problem(too_large)
                return "", self._placeholder(source_path, kind)
            text = Path(source_path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            STATE.add_problem(Problem(shown, None, None, None, "not_utf8"))
            return "", self._placeholder(source_path, kind)
        except OSError as err:
            STATE.add_problem(Problem(shown, None, None, None, "unreadable", {"error": err.strerror or str(err)}))
            return "", self._placeholder(source_path, kind)
        if kind is None:
            STATE.add_problem(Problem(shown, None, None, None, "outside_kind",
                                      {"kinds": ", ".join((*model.KINDS, model.PAGE))}))
            return "", self._placeholder(source_path, kind)
        entry = model.validate(text, shown, kind, content_root)
        STATE.add_entry(entry)
        if not entry.ok:
            return "", self._placeholder(source_path, kind)
        self._md = self._body_markdown()
        content, problems = body.render(entry, self._md)
        for problem in problems:
            STATE.add_problem(problem)
        if any(p.level == "error" for p in problems):
            return "", self._placeholder(source_path, kind)
        return content, self._metadata(entry)

    def _tag(self, name: str) -> Tag:
        """Tag slugs come from the model (the one slug rule: "IoT/OT" -> iot-ot, as the checks see it)."""
        tag = Tag(name, self.settings)
        tag.slug = model.make_slug(name) or tag.slug
        return tag

    def _placeholder(self, source_path: str, kind: str | None) -> dict[str, Any]:
        """Enough for Pelican to carry a broken file to the error report quietly."""
        stem = Path(source_path).stem
        return {"title": stem, "slug": f"loi-{model.make_slug(stem) or 'tep'}", "date": EPOCH,
                "status": "draft", "kind": kind or ""}

    def _metadata(self, entry: model.Entry) -> dict[str, Any]:
        """What Pelican places and sorts by; everything else is read from the entry by the view."""
        v = entry.values
        meta: dict[str, Any] = {key: v[key] for key in ("title", "slug", "date", "modified", "status") if key in v}
        meta["entry"] = entry
        meta["kind"] = entry.kind
        meta["summary"] = html.escape(v.get("summary", ""))
        if "authors" in v:
            meta["authors"] = [Author(n, self.settings) for n in v["authors"].names]
        if "tags" in v:
            meta["tags"] = [self._tag(t) for t in v["tags"]]
        if entry.kind in model.KINDS:
            meta["category"] = Category(model.KINDS[entry.kind].label_vi, self.settings)
        now = STATE.now
        for problem in model.future_event_problems(entry, now):
            STATE.add_problem(problem)
        if entry.kind != model.PAGE and v.get("date") and v["date"] > now:
            meta["status"] = "draft"  # embargoed until a build after its date
        images = images_used(entry)
        if meta.get("status") == "draft":
            STATE.withheld_images.update(images)
        else:
            STATE.published_images.update(images)
        return meta
