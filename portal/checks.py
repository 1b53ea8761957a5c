"""Checks of all content at once, beyond one file's fields.

Runs the content model's own validation (portal.model.validate and
check_collection: the same rules the build applies) and adds what only a
person-facing check needs: images in the body (missing, no alternative text,
no caption, hot-linked), links that lead nowhere, a summary too long for
feeds, an expired warning whose text still calls it active, values the
importer guessed. Errors stop `portal publish`; warnings do not. The build
applies the body-link errors too (``link_errors``), on the entries it read.
Where pages will be comes from the settings (portal.paths), never spelled here.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import body, model
from .clock import build_time
from .content_tree import link_problems, size_problem, static_problems
from .images import header_problem
from .model import Problem
from .model.values import safe_name
from .paths import SitePaths

BUILD_STOPPING = ("missing_image", "image_unsized", "image_pixels", "broken_link", "link_to_draft",
                  "link_to_scheduled", "image_name_unsafe", "image_caption_quotes")  # body checks the build applies too
SUMMARY_FEED_LIMIT = 300  # characters; the model's help for Summary says "dưới 300 ký tự"
GUESS_NOTE = "# ĐOÁN:"  # written by portal.importer above a guessed value
ACTIVE_PHRASES = re.compile(r"\b(?:vẫn\s+còn|vẫn\s+đang|đang\s+còn|còn|đang)\s+(?:có\s+)?hiệu\s+lực\b", re.IGNORECASE)

# Markdown: inline links/images, reference definitions, raw HTML img/a.
# (a destination may hold spaces, as Python-Markdown reads it: "![Biểu đồ](images/hình 1.png "…")" is a picture)
# Each starts at its "[" (a picture's "!" before it is looked at by ``_picture``): a pattern that may start
# with "!" is tried at every character of the body, 45 µs a long body each, instead of 1.
_INLINE = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(?:<([^>\n]*)>|([^)\n]*?))"
                     r"(?:\s+(?:\"([^\"\n]*)\"|'([^'\n]*)'))?\s*\)")
_REFDEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+[\"'(](.*)[\"')])?\s*$", re.MULTILINE)
_REFUSE = re.compile(r"\[([^\]]*)\]\[([^\]]*)\]")
_HTML_IMG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_HTML_A = re.compile(r"<a\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


_visible_markdown = body.visible_markdown


@dataclass
class Site:
    """What the built portal will contain, for resolving links without building."""

    content: Path
    urls: set[str] = field(default_factory=set)  # paths without a leading "/"
    site_hosts: set[str] = field(default_factory=set)




def site_hosts(settings: dict) -> set[str]:
    """The hosts this site is served from: a link to them is a link inside the site."""
    names = ("SITEURL", "FEED_DOMAIN", "PORTAL_SITEURL_ABSOLUTE", "PORTAL_PRODUCTION_URL")
    return {urlsplit(str(settings.get(name) or "")).netloc.lower() for name in names} - {""}


def display(path: Path, content: Path) -> str:
    try:
        return str(Path(content.name) / path.resolve().relative_to(content.resolve()))
    except ValueError:
        return str(path)


def content_files(content: Path) -> list[Path]:
    return sorted(p for p in content.rglob("*.md")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(content).parts))


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(text)}


Ref = tuple[bool, int, str, str, "str | None", bool]  # image?, line, target, alt, title, written as HTML?


_RENDERED_URL = re.compile(r'\s(?:href|src)="([^"]*)"')


def body_refs(e: model.Entry, html: str | None = None) -> tuple[Ref, ...]:
    """Every image and link of a body, in the order the checks report them: read from the Markdown, and
    worked out where the body is parsed (``Entry.refs``), to be checked against the site's addresses in the
    build. With the body's ``html``, only those it really holds: an example of link syntax in a code block
    (indented, or a fence inside a list) is text, not a link."""
    if html == "":  # nothing rendered (a body refused before Markdown ran, or stopped): it holds no link
        return ()
    with body.deadline(body.DEADLINE_S):  # body.TooSlow past it: a shape the patterns below are slow on
        out = _markdown_refs(e)
    if html is None:
        return out
    rendered = {unescape(url).strip() for url in _RENDERED_URL.findall(html)}

    def held(target: str) -> bool:
        written = unescape(target).strip()  # (a picture "images/x.png" is "{static}/images/x.png": portal.figures)
        return bool({written, target.strip(), "{static}/" + written.removeprefix("./")} & rendered)

    return tuple(r for r in out if held(r[2]))


def _markdown_refs(e: model.Entry) -> tuple[Ref, ...]:
    out: list[Ref] = []
    body = _visible_markdown(e.body)
    refs = {m.group(1).lower(): (m.group(2), m.group(3)) for m in _REFDEF.finditer(body)} if "]:" in body else {}
    for m in _INLINE.finditer(body):
        line = _line_at(body, m.start(), e.body_line)
        title = m.group(4) if m.group(4) is not None else m.group(5)
        target = m.group(2) if m.group(2) is not None else m.group(3)
        picture = _picture(body, m)
        out.append((picture, line, target, m.group(1) if picture else "", title, False))
    for m in _REFUSE.finditer(body):
        ref = refs.get((m.group(2) or m.group(1)).lower())
        if ref is None:
            continue
        line = _line_at(body, m.start(), e.body_line)
        picture = _picture(body, m)
        out.append((picture, line, ref[0], m.group(1) if picture else "", ref[1], False))
    for m in _HTML_IMG.finditer(body):
        a = _attrs(m.group(1))
        out.append((True, _line_at(body, m.start(), e.body_line), a.get("src", ""), a.get("alt", ""),
                    a.get("title"), True))
    for m in _HTML_A.finditer(body):
        a = _attrs(m.group(1))
        if "href" in a:
            out.append((False, _line_at(body, m.start(), e.body_line), a["href"], "", None, False))
    return tuple(out)


def _picture(body: str, m: re.Match) -> bool:
    """Whether the link ``m`` (which starts at its "[") is a picture: a "!" right before it."""
    return m.start() > 0 and body[m.start() - 1] == "!"


def _line_at(body: str, offset: int, body_line: int) -> int:
    return body_line + body.count("\n", 0, offset)


class Checker:
    def __init__(self, content: Path, settings: dict, now: dt.datetime | None = None, lang: str = "vi"):
        self.content = content
        self.now = now or build_time(settings)
        self.lang = lang
        self.paths = SitePaths(settings)
        self.site = Site(content, site_hosts=site_hosts(settings))
        self._entries: list[model.Entry] = []  # (_collect_urls)
        self._by_file: dict[str, model.Entry] | None = None
        self._hidden: dict[str, model.Entry] = {}  # (_collect_urls)
        self._addresses: dict[int, str | None] = {}  # (_address; the entries live as long as the checker)
        self.settings = settings
        self._markdown = None

    # ---- one file ------------------------------------------------------------------
    def read(self, path: Path) -> tuple[model.Entry | None, list[Problem], str]:
        shown = display(path, self.content)
        kind = model.kind_of(path, self.content)
        try:
            too_large = size_problem(path, shown)
            if too_large:
                return None, [too_large], ""
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            return None, [Problem(shown, None, None, None, "not_utf8")], ""
        except OSError as err:
            return None, [Problem(shown, None, None, None, "unreadable", {"error": err.strerror or str(err)})], ""
        if kind is None:
            return None, [Problem(shown, None, None, None, "outside_kind",
                                  {"kinds": ", ".join((*model.KINDS, model.PAGE))})], text
        entry = model.validate(text, shown, kind, self.content)
        return entry, list(entry.problems), text

    def run(self, build_errors_only: bool = False) -> tuple[list[Problem], int]:
        """Every problem; with build_errors_only, just what stops a build (the model's own rules)."""
        problems: list[Problem] = link_problems(self.content)
        bad_links = {Path(p.path) for p in problems}  # never read through them
        if not bad_links:
            problems += static_problems(self.content, self.settings.get("STATIC_PATHS") or [])
        entries: list[tuple[model.Entry, Path, str]] = []
        files = [f for f in content_files(self.content)
                 if not any((Path(self.content.name) / f.relative_to(self.content)).is_relative_to(bad)
                            for bad in bad_links)]
        for path in files:
            entry, found, text = self.read(path)
            problems.extend(found)
            if entry is not None:
                entries.append((entry, path, text))
                if entry.ok:
                    problems.extend(self.body_problems(entry))
        problems.extend(self._issued([e for e, _, _ in entries]))
        if build_errors_only:
            return problems + self.collection_problems([e for e, _, _ in entries]), len(files)
        problems.extend(self._stray_files())
        problems.extend(self.collection_problems([e for e, _, _ in entries]))
        self._collect_urls([e for e, _, _ in entries])
        for entry, path, text in entries:
            problems.extend(self.check_entry(entry, path, text))
        return problems, len(files)

    def collection_problems(self, entries: list[model.Entry]) -> list[Problem]:
        """The rules across files (``model.check_collection``), and a Slug that names a page the portal makes
        itself (``SitePaths.reserved_pages``: slug "index" in a kind's folder, a page "nguon-tin"): the build
        refuses both, so the check does."""
        problems = model.check_collection(entries)
        reserved = self.paths.reserved_pages()
        pages: dict[str, model.Entry] = {}  # the pages' addresses, then the articles' (settings may mix them)
        for e in sorted(entries, key=lambda e: (e.kind != model.PAGE, e.path)):
            address = self._address(e)
            if address is None:
                continue
            path, slug = posixpath.normpath(address), e.get("slug")
            if path in reserved:
                problems.append(Problem(e.path, e.lines.get("slug", 1), "Slug", slug, "slug_reserved",
                                        {"other": "/" + path}))
            elif e.kind == model.PAGE:
                pages.setdefault(path, e)
            elif path in pages:  # (two articles or two pages with one slug: model.check_collection)
                problems.append(Problem(e.path, e.lines.get("slug", 1), "Slug", slug, "duplicate_slug",
                                        {"other": pages[path].path}))
        return problems

    def _issued(self, entries: list[model.Entry]) -> list[Problem]:
        """What contradicts a CAP message already issued (portal.cap.record), as the build sees it."""
        if not self.paths.cap_enabled():
            return []
        from .cap.record import Record

        published = [e for e in entries if e.ok and e.get("status") != "draft" and e.get("date")
                     and e.get("date") <= self.now]
        return Record(self.settings).problems(published, self.now)

    def body_problems(self, entry: model.Entry) -> list[Problem]:
        """What the build says of the body: nesting too deep, unsafe or dropped HTML (portal.body). Its links
        and pictures are those the HTML holds, as in the build (``body_refs``)."""
        if body.spoiled(self._markdown):  # (none yet, or one a body stopped midway)
            self._markdown = body.converter(self.settings)
        html, problems = body.render(entry, self._markdown)
        try:
            entry.refs = body_refs(entry, html)
        except body.TooSlow:
            entry.refs = ()
            problems = [*problems, body.too_slow(entry)]
        return problems

    def link_errors(self, entries: list[tuple[model.Entry, Path]]) -> list[Problem]:
        """Images and links in article bodies that lead nowhere: errors that also stop a build.

        Used by the build on the entries it has already read (nothing is read twice)."""
        self._collect_urls([e for e, _ in entries])
        return [p for e, path in entries for p in self._body(e, path)
                if p.level == "error" and p.code in BUILD_STOPPING]

    def _stray_files(self) -> list[Problem]:
        """Files in article folders that the build would silently ignore (bai.md.txt, bai.docx…)."""
        out = []
        for folder in (*model.KINDS, model.PAGE):
            base = self.content / folder
            if not base.is_dir():
                continue
            for p in sorted(base.rglob("*")):
                hidden = any(part.startswith(".") for part in p.relative_to(base).parts)
                if not p.is_file():
                    continue
                if hidden and p.suffix.lower() == ".md" and not p.name.startswith(".#"):  # (".#x.md": Emacs's lock)
                    out.append(Problem(display(p, self.content), None, None, None, "hidden_file", level="warning"))
                elif not hidden and p.suffix != ".md" \
                        and p.suffix.lower() not in (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".pdf"):
                    # (".MD" too: the build reads ".md" only)
                    stem = p.name.split(".md")[0] if ".md" in p.name else p.stem
                    out.append(Problem(display(p, self.content), None, None, None, "not_markdown",
                                       {"suggestion": f"{stem}.md"}, level="warning"))
        return out

    def outside_kinds(self) -> list[Problem]:
        """The Markdown files the build does not read, outside the kinds' and the pages' folders (content/ itself,
        images/…): what ``run`` reports when it reads them (``outside_kind``), for the build to stop on too."""
        out = []
        for top in sorted(self.content.iterdir()):
            if top.name.startswith(".") or top.name in (*model.KINDS, model.PAGE):
                continue
            found = [top] if top.suffix == ".md" else sorted(top.rglob("*.md")) if top.is_dir() else []
            for p in found:
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(self.content).parts):
                    out.append(Problem(display(p, self.content), None, None, None, "outside_kind",
                                       {"kinds": ", ".join((*model.KINDS, model.PAGE))}))
        return out

    # ---- what the site will hold ------------------------------------------------------
    def _address(self, e: model.Entry) -> str | None:
        """The file an article or a page becomes (ARTICLE_SAVE_AS, PAGE_SAVE_AS); None without a slug. Made
        once for the checker's life: the build asks for it across files twice (collection_problems, links)."""
        key = id(e)
        if key not in self._addresses:
            slug = e.get("slug")
            self._addresses[key] = None if not slug else (
                self.paths.page(slug) if e.kind == model.PAGE else self.paths.article(e.kind, slug, e.get("date")))
        return self._addresses[key]

    def _published(self, e: model.Entry) -> bool:
        """Whether the build publishes ``e`` at its clock (not a draft, not dated after it)."""
        return self._shown_from(e) == self.now

    def _shown_from(self, e: model.Entry) -> dt.datetime | None:
        """From when the site shows ``e``: the build's clock, or its date when that is later (scheduled);
        None for a draft (or an article without a date, which the model refuses)."""
        if e.get("status") == "draft":
            return None
        if e.kind == model.PAGE:
            return self.now
        date = e.get("date")
        return None if date is None else max(date, self.now)

    def _collect_urls(self, entries: list[model.Entry]) -> None:
        paths = self.paths
        saved = set(paths.fixed_pages())
        # each file's entry, for the links to it (``_link``): a link to what the site does not show yet leads
        # nowhere (Pelican makes it /drafts/<slug>.html, which no build writes, and names the hidden article)
        self._entries = entries
        self._by_file = None
        self._hidden = {}  # the address of each article or page the site does not show now
        for e in entries:
            address = self._address(e)
            if address is None:
                continue
            if not self._published(e):
                self._hidden[address] = e
                continue
            saved.add(address)
            if e.kind != model.PAGE:
                saved.update(paths.tag(model.make_slug(tag)) for tag in e.get("tags") or [])
        for folder in paths.static_folders():
            base = self.content / folder
            if base.is_dir():
                saved.update(p.relative_to(self.content).as_posix() for p in base.rglob("*") if p.is_file())
        # a folder's index.html is reached by the folder's URL too
        self.site.urls.update(saved, {p[: -len("index.html")] for p in saved if p.endswith("index.html")})

    def _checked_prefix(self, path: str) -> bool:
        """Only article and static paths are judged: other plugins write other pages (feeds, ratings…)."""
        first = path.split("/", 1)[0]
        return first in {p.split("/", 1)[0] for p in self._article_roots()} or first in self.paths.static_folders()

    def _article_roots(self) -> set[str]:
        return {self.paths.article(kind, "x") for kind in model.KINDS}

    # ---- checks on one validated entry --------------------------------------------------
    def check_entry(self, e: model.Entry, path: Path, text: str) -> list[Problem]:
        out: list[Problem] = []
        out.extend(self._guesses(e, text))
        summary = e.get("summary")
        if summary and len(summary) > SUMMARY_FEED_LIMIT:
            out.append(Problem(e.path, e.lines.get("summary"), "Summary", summary, "summary_too_long",
                               {"length": len(summary), "limit": SUMMARY_FEED_LIMIT}, level="warning"))
        out.extend(self._fields_in_body(e))
        if e.kind != model.PAGE and not _visible_markdown(e.body).strip():
            out.append(Problem(e.path, e.body_line, None, None, "empty_body", level="warning"))
        if e.kind == model.WARNING:
            out.extend(self._expiry(e))
        out.extend(self._body(e, path))
        return out

    def _fields_in_body(self, e: model.Entry) -> list[Problem]:
        """The commonest slip: a blank line inside the front matter cuts it short."""
        out = []
        line_no = e.body_line
        for line in e.body.splitlines()[:40]:
            if not line.strip():
                line_no += 1
                continue
            m = re.match(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$", line)
            if not m or m.group(1).lower() not in model.FIELDS_BY_KEY:
                break
            out.append(Problem(e.path, line_no, None, None, "field_in_body",
                               {"blank": e.body_line - 1, "text": line.strip()}))
            line_no += 1
        return out

    def _guesses(self, e: model.Entry, text: str) -> list[Problem]:
        out = []
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if not line.strip():
                break
            if line.startswith(GUESS_NOTE):
                nxt = lines[i + 1] if i + 1 < len(lines) else ""
                name, _, value = nxt.partition(":")
                out.append(Problem(e.path, i + 2, name.strip() or None, value.strip() or None, "import_guess",
                                   {"note": line[len(GUESS_NOTE):].strip()}, level="warning"))
        return out

    def _expiry(self, e: model.Entry) -> list[Problem]:
        out: list[Problem] = []
        expires = e.get("expires")
        if not expires or expires > self.now or e.get("withdrawn"):
            return out
        shown = expires.strftime("%Y-%m-%d %H:%M")
        for key, where in (("title", e.get("title")), ("summary", e.get("summary"))):
            m = ACTIVE_PHRASES.search(where or "")
            if m:
                out.append(Problem(e.path, e.lines.get(key), model.FIELDS_BY_KEY[key].name, None,
                                   "expired_still_active", {"expires": shown, "phrase": m.group(0)}, level="warning"))
        # composed: the body stays as written, and a keyboard may type "ò" as "o" and a combining mark
        # (NFC keeps every line break where it was, so the line found is the line written)
        body = unicodedata.normalize("NFC", _visible_markdown(e.body))
        m = ACTIVE_PHRASES.search(body)
        if m:
            out.append(Problem(e.path, _line_at(body, m.start(), e.body_line), None, None,
                               "expired_still_active", {"expires": shown, "phrase": m.group(0)}, level="warning"))
        late = [r for r in e.get("revisions") or [] if r.date > expires]
        if late:
            out.append(Problem(e.path, e.lines.get("revisions"), "Revisions", None, "revision_after_expiry",
                               {"bad": late[-1].date.strftime("%Y-%m-%d %H:%M"), "expires": shown},
                               level="warning"))
        return out

    def _body(self, e: model.Entry, path: Path) -> list[Problem]:
        out: list[Problem] = []
        try:
            refs = e.refs if e.refs is not None else body_refs(e)
        except body.TooSlow:  # (the body's own check says so: body_problems)
            refs = ()
        for image, line, target, alt, title, html in refs:
            if image:
                out.extend(self._image(e, path, line, target, alt, title, html=html))
            else:
                out.extend(self._link(e, path, line, target))
        return out

    def _image(self, e: model.Entry, path: Path, line: int, src: str, alt: str, title: str | None,
               html: bool = False) -> list[Problem]:
        out = []
        params = {"path": src}
        if not (alt or "").strip():
            out.append(Problem(e.path, line, None, None, "image_no_alt", params))
        written = src.strip()
        if not urlsplit(written).scheme and re.search(r"\s|%(?![0-9A-Fa-f]{2})", written):  # (no address)
            head = written.split()[0]
            if self._resolve(path, head, static=True) is True:  # a caption in “curly quotes” or (…), read as the name
                out.append(Problem(e.path, line, None, None, "image_caption_quotes", {"path": head, "alt": alt or ""}))
                return out
            rel = self._static_rel(path, written)
            out.append(Problem(e.path, line, None, None, "image_name_unsafe",
                               {"path": f"content/{rel}", "suggestion": f"content/{safe_name(rel)}"}))
            return out
        if not html and not (title or "").strip():
            out.append(Problem(e.path, line, None, None, "image_no_caption", params, level="warning"))
        target = self._resolve(path, src, static=True)
        if target == "external":
            out.append(Problem(e.path, line, None, None, "external_image", params, level="warning"))
        elif target is False:
            rel = self._static_rel(path, src)
            out.append(Problem(e.path, line, None, None, "missing_image", {"path": f"content/{rel}"}))
        elif target is True:
            file = self._picture_file(path, src)
            found = header_problem(file) if file is not None else None
            if found is not None:
                shown = display(file, self.content)
                out.append(Problem(e.path, line, None, None, found[0], {"path": shown, "used_by": e.path, **found[1]}))
        return out

    def _picture_file(self, path: Path, src: str) -> Path | None:
        """The file of the site a body's picture shows, found as ``_resolve`` finds it; None when it is not one
        file of content/ (another site, a page)."""
        src = src.strip()
        for prefix in ("{static}", "{attach}", "{filename}"):
            if src.startswith(prefix):
                ref = src[len(prefix):]
                found = self._content_file(path, ref)
                if found is None and not ref.startswith("/") and "/" in ref:
                    found = self._content_file(path, "/" + ref)
                return found
        parts = urlsplit(src)
        return None if parts.scheme or parts.netloc else self._content_file(path, "/" + parts.path.lstrip("/"))

    def _link(self, e: model.Entry, path: Path, line: int, href: str) -> list[Problem]:
        found = self._resolve(path, href, static=False)
        ref = href.strip()
        target = None
        if found is False:  # an address the site does not hold now: an article it will show later?
            where, rel = self._site_path(path, ref, static=False)
            target = self._hidden.get(rel.removesuffix("/")) if where == "site" else None
            if target is None:
                return [Problem(e.path, line, None, None, "broken_link", {"target": href})]
        elif found is True and ref.startswith("{filename}"):
            target = self._entry_of(self._content_file(path, ref[len("{filename}"):]))
        shown = self._shown_from(e)
        if target is None or shown is None:  # (a draft's links: the draft is not shown)
            return []
        # a link from what the site shows (or will, scheduled) to what it will not show by then
        since = self._shown_from(target)
        if since is None:
            return [Problem(e.path, line, None, None, "link_to_draft", {"target": href})]
        if since > shown:
            return [Problem(e.path, line, None, None, "link_to_scheduled",
                            {"target": href, "date": f"{since:%Y-%m-%d %H:%M}"})]
        return []

    def _entry_of(self, file: Path | None) -> model.Entry | None:
        """The entry of a content file (resolved, as ``_content_file`` gives it), among those collected."""
        if file is None:
            return None
        if self._by_file is None:  # (an entry's path starts with the content folder's name, "/" between names)
            root = str(self.content.resolve())
            self._by_file = {posixpath.normpath(posixpath.join(root, e.path.partition("/")[2])): e
                             for e in self._entries}  # as strings: a Path each was 65 ms at 10,000 articles
        return self._by_file.get(str(file))

    # ---- resolution -----------------------------------------------------------------
    def _static_rel(self, path: Path, src: str) -> str:
        for prefix in ("{static}", "{attach}", "{filename}"):
            if src.startswith(prefix):
                src = src[len(prefix):]
        src = unquote(urlsplit(src).path)
        if src.startswith("/"):
            return posixpath.normpath(src.lstrip("/"))
        return posixpath.normpath(src.removeprefix("./"))

    def _content_target(self, path: Path, ref: str) -> bool:
        """{filename}/{static}: "/x" from content/, "x" from the file's folder (Pelican's rule)."""
        return not unquote(urlsplit(ref).path) or self._content_file(path, ref) is not None

    def _content_file(self, path: Path, ref: str) -> Path | None:
        """The file of content/ a {filename}/{static} reference leads to (``_content_target``), resolved."""
        rel = unquote(urlsplit(ref).path)
        base = self.content if rel.startswith("/") else path.parent
        target = (base / rel.lstrip("/")).resolve()
        try:
            target.relative_to(self.content.resolve())
        except ValueError:
            return None
        return target if target.is_file() else None

    def _resolve(self, path: Path, href: str, static: bool) -> bool | str | None:
        """True: found; False: leads nowhere; "external": another site; None: not ours to judge."""
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        for prefix in ("{static}", "{attach}", "{filename}"):
            if href.startswith(prefix):
                ref = href[len(prefix):]
                found = self._content_target(path, ref)
                if not found and static and not ref.startswith("/") and "/" in ref:
                    found = self._content_target(path, "/" + ref)
                return found
        if href.startswith("{"):
            return None  # {tag}, {category}, {index}: Pelican resolves these itself
        where, rel = self._site_path(path, href, static)
        if where != "site":
            return where or None
        return rel in self.site.urls or rel.rstrip("/") + "/" in self.site.urls

    def _site_path(self, path: Path, href: str, static: bool) -> tuple[str, str]:
        """("site", the path inside the site) for an address of this site whose files are judged;
        ("external", "") for another site's picture; ("", "") for what is not ours to judge."""
        parts = urlsplit(href)
        if parts.scheme and parts.scheme not in ("http", "https"):
            return "", ""  # mailto:, tel:
        if parts.netloc and parts.netloc.lower() not in self.site.site_hosts:
            return ("external" if static else ""), ""
        rel = unquote(parts.path)
        if not rel and not parts.netloc:
            return "", ""
        if static and not parts.netloc and not rel.startswith("/"):
            # the figures extension links "images/x.png" from content/ (see portal.figures)
            rel = "/" + rel.removeprefix("./")
        if rel.startswith("/"):
            rel = posixpath.normpath(rel).lstrip("/")
            if rel == ".":
                rel = ""
        else:
            page_dir = self._url_dir(path)
            rel = posixpath.normpath(posixpath.join(page_dir, rel))
        if rel.endswith("/") is False and href.rstrip().endswith("/") and rel:
            rel += "/"
        return ("site", rel) if self._checked_prefix(rel) else ("", "")

    def _url_dir(self, path: Path) -> str:
        """The folder of the page a file becomes: relative links in its body start there."""
        kind = model.kind_of(path, self.content)
        if kind in (None, model.PAGE):
            return posixpath.dirname(self.paths.page("x"))
        return posixpath.dirname(self.paths.article(kind, "x"))


