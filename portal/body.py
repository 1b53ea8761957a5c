"""An article's body: Markdown to HTML that is safe in a page and in any feed reader.

    html, problems = render(entry, converter)

1. Nesting deeper than MAX_DEPTH (lists, block quotes) is an error naming the
   line, before Markdown sees it: Python-Markdown recurses once per level, so a
   pasted 1,000-level list would otherwise end in a RecursionError or take
   minutes.
2. Markdown converts the body (the portal's figure extension included).
3. The HTML is sanitised with an allow-list (nh3): what an article needs, i.e.
   headings, paragraphs, lists, tables, figures, links, images, emphasis, code,
   footnotes. Everything else is dropped, and a URL that is not http(s),
   mailto, tel, a link inside the site or a Pelican {filename}/{static} link
   is removed.
4. What was dropped is reported, naming the file and the line: active content
   (scripts, frames, forms, event handlers, javascript:/data: URLs) is an error,
   so it never reaches a build; lost formatting (a style attribute, <font>) is
   a warning. The inspection (html5lib) is skipped only when a strict scan
   proves it would report nothing (`plainly_allowed`: only allowed tags and
   attributes, in the plain shape Markdown writes, every URL and style
   passing the same checks); anything else is inspected in full.

The page, every feed (RSS content:encoded, Atom content, JSON Feed
content_html) and the search index all read this one sanitised HTML (through
the article view), so a feed reader without a Content-Security-Policy gets
nothing the page would not show.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape as html_unescape
from urllib.parse import urljoin, urlsplit

import nh3
from markdown import Markdown

from .model import Problem
from .model.entry import Entry

MAX_DEPTH = 10  # nested lists or quotes; a news article rarely goes past 3
MAX_BRACKETS = 2000  # "[" outside code: Markdown's link search is quadratic in them (30,000 took 2 minutes)
MAX_TAGS = 10000  # raw HTML tags: an article written in Markdown has a handful
DEADLINE_S = 10.0  # one file's Markdown; ordinary articles take milliseconds

_INLINE = {"a", "abbr", "b", "br", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q", "s",
           "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"}
_BLOCK = {"blockquote", "caption", "col", "colgroup", "dd", "details", "div", "dl", "dt", "figcaption", "figure",
          "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "summary", "table", "tbody",
          "td", "tfoot", "th", "thead", "tr", "ul"}
ALLOWED_TAGS = _INLINE | _BLOCK
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "headers", "style"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "time": {"datetime"},
    "del": {"datetime", "cite"},
    "ins": {"datetime", "cite"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "details": {"open"},
}
STYLE_PROPERTIES = {"text-align"}  # what Markdown's tables write for column alignment
URL_SCHEMES = {"http", "https", "mailto", "tel"}
URL_ATTRIBUTES = {"href", "src", "cite"}
# dropped with their content: nothing of these is text a reader should see
DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
                        "textarea", "select", "title", "xmp", "noembed", "noframes", "plaintext"}
ACTIVE_TAGS = DROPPED_WITH_CONTENT | {"form", "input", "button", "frame", "frameset", "applet", "link", "meta",
                                      "base", "audio", "video", "source", "track", "picture", "portal", "dialog"}

_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.MULTILINE | re.DOTALL)
_NESTING = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))+")


@dataclass(frozen=True)
class Finding:
    code: str  # a key of the message catalogue
    needle: re.Pattern | tuple[re.Pattern, ...]  # how to find the line in the Markdown (the first that matches)
    params: dict
    level: str


def _blank_fences(body: str) -> str:
    return _FENCE.sub(lambda m: re.sub(r"[^\n]+", "", m.group(0)), body)


def _depth(line: str) -> int:
    """Levels of list or quote a line opens: indentation in steps of four, then each marker."""
    expanded = line.expandtabs(4)
    indent = len(expanded) - len(expanded.lstrip(" "))
    m = _NESTING.match(expanded)
    markers = len(re.findall(r"[-*+>]|\d{1,9}[.)]", m.group(0))) if m else 0
    return indent // 4 + markers


def nesting_problems(entry: Entry) -> list[Problem]:
    """One error at the first line nested deeper than MAX_DEPTH (code in ``` fences is not counted)."""
    for offset, line in enumerate(_blank_fences(entry.body).splitlines()):
        depth = _depth(line)
        if depth > MAX_DEPTH:
            return [Problem(entry.path, entry.body_line + offset, None, None, "too_deep",
                            {"depth": depth, "limit": MAX_DEPTH})]
    return []


INDICATORS = ("filename", "static", "attach", "index", "tag", "category", "author")
_INDICATOR = re.compile(r"^(?:\{(\w+)\}|\|(\w+)\|)(.*)$", re.DOTALL)


def _scheme_of(value: str) -> str:
    m = _INDICATOR.match(value.strip())
    rest = m.group(3) if m else value.strip()
    return urlsplit(rest).scheme.lower() if ":" in rest else ""


def _url_ok(value: str) -> bool:
    """http(s), mailto, tel, a path in the site, or Pelican's {filename}-style link to a path.

    After a {indicator}, Pelican keeps the scheme of what follows ("{category}javascript:…"
    becomes "javascript:…"), so what follows must be a plain path."""
    value = value.strip()
    m = _INDICATOR.match(value)
    if m:
        if (m.group(1) or m.group(2)) not in INDICATORS:
            return False
        rest = m.group(3)
        return not _scheme_of(rest) and not rest.startswith("//")
    scheme = urlsplit(value).scheme if ":" in value else ""
    return not scheme or scheme.lower() in URL_SCHEMES


def _style_ok(value: str) -> bool:
    for declaration in value.split(";"):
        name = declaration.partition(":")[0].strip().lower()
        if name and name not in STYLE_PROPERTIES:
            return False
    return True


def _tag_needle(tag: str) -> re.Pattern:
    return re.compile(rf"<\s*{re.escape(tag)}\b", re.IGNORECASE)


def _attr_needle(attr: str) -> re.Pattern:
    return re.compile(rf"(?:\s|[{{.#]){re.escape(attr)}\s*=", re.IGNORECASE)


class _Inspector:
    """Lists what the sanitiser will drop from one body's HTML.

    The HTML is parsed by html5lib, which follows the same HTML5 parsing algorithm as the
    sanitiser's own parser (html5ever): what one sees as an element, the other does too
    (``<!--><img onerror=…>-->``, back-quoted values, ``<isindex>``, foreign SVG/MathML)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, str]] = set()

    def _add(self, code: str, needle: re.Pattern, params: dict, level: str) -> None:
        key = (code, str(sorted(params.items())))
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(Finding(code, needle, params, level))

    def feed(self, html: str) -> None:
        import html5lib  # (here: 10 ms to import, and a body the strict scan reads is never inspected)

        fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
        for element in fragment.iter():
            if not isinstance(element.tag, str) or element.tag == "DOCUMENT_FRAGMENT":
                continue  # comments: the sanitiser removes them
            namespaced = element.tag.startswith("{")
            tag = element.tag.rsplit("}", 1)[-1].lower()
            attrs = [(name.rsplit("}", 1)[-1].lower(), value) for name, value in element.attrib.items()]
            if namespaced and tag not in ("svg", "math"):
                continue  # inside <svg>/<math>: reported once, at the <svg>/<math> itself
            self.element(tag, attrs)

    def element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            active = tag in ACTIVE_TAGS
            self._add("unsafe_html" if active else "dropped_html", _tag_needle(tag), {"what": f"<{tag}>"},
                      "error" if active else "warning")
            return
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name in ("formaction", "srcdoc"):
                self._add("unsafe_html", _attr_needle(name), {"what": f'{name}="{_shorten(value)}"'}, "error")
            elif name not in allowed:
                self._add("dropped_html", _attr_needle(name), {"what": f'{name}="{_shorten(value)}"'}, "warning")
            elif name in URL_ATTRIBUTES and not _url_ok(value):
                scheme = _scheme_of(value)
                # the line: the address as written, else a link's or an attribute's that starts with its scheme,
                # else the scheme anywhere (prose that names "javascript:" in passing comes last)
                needle = (re.compile(re.escape(value.strip())),
                          re.compile(r"(?:\]\(\s*<?|=\s*[\"']?\s*|<)" + re.escape(scheme) + r"\s*:", re.IGNORECASE),
                          re.compile(re.escape(scheme) + r"\s*:", re.IGNORECASE)) if scheme else _attr_needle(name)
                self._add("unsafe_url", needle, {"url": _shorten(value)}, "error")
            elif name == "style" and not _style_ok(value):
                self._add("dropped_html", _attr_needle(name), {"what": f'style="{_shorten(value)}"'}, "warning")


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_CODESPAN = re.compile(r"`[^`\n]+`")


def _blank(match: re.Match) -> str:
    """Hide code and comments but keep line numbers and offsets."""
    return re.sub(r"[^\n]", " ", match.group(0))


def visible_markdown(text: str) -> str:
    """A body with its comments, fences and code spans blanked out, every line and offset kept."""
    for pattern in (_COMMENT, _FENCE, _CODESPAN):
        text = pattern.sub(_blank, text)
    return text


def _line_of(entry: Entry, needle: re.Pattern | tuple[re.Pattern, ...]) -> int:
    """The line of the body where the first of the needles (tried in turn) is found, outside code first (an
    article about an attack quotes the address it warns of); the body's first line when none is."""
    needles = needle if isinstance(needle, tuple) else (needle,)
    for text in (visible_markdown(entry.body), entry.body):
        for one in needles:
            m = one.search(text)
            if m:
                return entry.body_line + text.count("\n", 0, m.start())
    return entry.body_line


_BASE: contextvars.ContextVar[str] = contextvars.ContextVar("base")


def _cleaner(relative: Callable[[str], str] | None = None) -> nh3.Cleaner:
    return nh3.Cleaner(tags=ALLOWED_TAGS, clean_content_tags=DROPPED_WITH_CONTENT - ALLOWED_TAGS,
                       attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None, strip_comments=True,
                       filter_style_properties=STYLE_PROPERTIES, url_relative=relative)


# made once: nh3.clean turns the allow-lists into the sanitiser's own sets on every call (four times the
# time of the sanitising of an article's body)
_CLEANER = _cleaner()
_RELATIVE_CLEANER = _cleaner(lambda url: urljoin(_BASE.get(), url))


def sanitise(html: str, base: str | None = None) -> str:
    """Only the allow-list survives (the same call for every article); with `base`, relative URLs
    are made absolute against it by the sanitiser's own parser (for feeds)."""
    if not base:
        return _CLEANER.clean(html)
    token = _BASE.set(base)
    try:
        return _RELATIVE_CLEANER.clean(html)
    finally:
        _BASE.reset(token)


_SERIALISED_URL = re.compile(r'\s(?:href|src|cite)="([^"]*)"')


def resolved_url_problems(entry: Entry, html: str) -> list[Problem]:
    """The last gate, after Pelican resolved {filename}/{category}… links in sanitised HTML.

    The sanitiser writes every attribute in double quotes, so its URLs are read without parsing;
    only when one of them is not allowed is the whole body inspected, to name the line."""
    if all(_url_ok(html_unescape(url)) for url in _SERIALISED_URL.findall(html)):
        return []
    return [p for p in inspect(entry, html) if p.level == "error"]


# --------------------------------------------------------------------------
# The fast path: HTML that provably holds nothing the inspector would report
# --------------------------------------------------------------------------
# Markdown's own output is a handful of allowed tags with double-quoted attributes. When a body's HTML is
# nothing but text without "<" and tags of this strict shape, html5lib reads exactly these tags and
# attributes (no comment, no raw-text or foreign element can start: each "<" starts one of these tags),
# plus elements its tree builder adds by itself (tbody, tr, colgroup, an empty p or br, copies of a
# formatting element with the same attributes), all allowed and without attributes of their own. If then
# every tag and attribute is in the allow-list and every URL and style passes the inspector's own checks
# (_url_ok, _style_ok) on the value as html5lib decodes it, the inspector would find nothing: its answer,
# [], is given without parsing. Anything else, however harmless (a comment, a single-quoted or unquoted
# value, an upper-case tag, a reference other than the few below in a URL), goes to the inspector.
_STRICT_TAG = re.compile(r'<([a-z][a-z0-9]*)((?:[ \t\n]+[a-z][a-z0-9-]*(?:="[^"<\x00-\x1f\x7f]*")?)*)[ \t\n]*/?>'
                         r"|</([a-z][a-z0-9]*)[ \t\n]*>")
_STRICT_ATTR = re.compile(r'[ \t\n]+([a-z][a-z0-9-]*)(?:="([^"]*)")?')
# the character references whose decoding is the same in every HTML5 parser and in html.unescape
_PLAIN_REFERENCE = re.compile(r"&(?:amp|lt|gt|quot|#39|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_ALLOWED_BY_TAG = {tag: frozenset(ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())) for tag in ALLOWED_TAGS}


def _plain_value(value: str) -> str | None:
    """`value` as html5lib decodes it, when it holds only plain references and no control character."""
    if "&" in value:
        if value.count("&") != len(_PLAIN_REFERENCE.findall(value)):
            return None
        value = html_unescape(value)
    return None if any(c < " " or "\x7f" <= c <= "\x9f" for c in value) else value


def _attrs_allowed(tag: str, attrs: str) -> bool:
    allowed = _ALLOWED_BY_TAG[tag]
    for m in _STRICT_ATTR.finditer(attrs):
        name, raw = m.group(1), m.group(2) or ""
        if name not in allowed:
            return False
        if name in URL_ATTRIBUTES or name == "style":
            value = _plain_value(raw)
            if value is None or not (_url_ok(value) if name in URL_ATTRIBUTES else _style_ok(value)):
                return False
    return True


def plainly_allowed(html: str) -> bool:
    """True only when inspect() would report nothing for `html` (see above); False means "inspect it"."""
    at = html.find("<")
    while at != -1:
        m = _STRICT_TAG.match(html, at)
        if m is None:
            return False
        tag = m.group(1) or m.group(3)
        if tag not in ALLOWED_TAGS or (m.group(2) and not _attrs_allowed(tag, m.group(2))):
            return False
        at = html.find("<", m.end())
    return True


def inspect(entry: Entry, html: str) -> list[Problem]:
    """What sanitise() drops from this body, each with the line of the Markdown it came from."""
    if plainly_allowed(html):  # nothing to report, proven without parsing (most articles)
        return []
    inspector = _Inspector()
    inspector.feed(html)
    return [Problem(entry.path, _line_of(entry, f.needle), None, None, f.code, f.params, level=f.level)
            for f in inspector.findings]


def converter(settings: dict) -> Markdown:
    """The Markdown converter of the settings (MARKDOWN), with the portal's figures; reset per file by render()."""
    from .figures import FigureExtension
    from .quick_inline import QuickInline

    cfg = dict(settings.get("MARKDOWN") or {})
    extensions = list(cfg.get("extensions", []))  # Pelican's rule: these, then every configured one
    extensions += [e for e in cfg.get("extension_configs", {}) if e not in extensions]
    cfg["extensions"] = [*(e for e in extensions if e != "markdown.extensions.meta"), FigureExtension(), QuickInline()]
    return Markdown(**cfg)


class TooSlow(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: float):
    """Raise TooSlow in the main thread after `seconds` (no limit elsewhere: signals need it)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise TooSlow

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def complexity_problems(entry: Entry) -> list[Problem]:
    """Shapes that make Markdown slow beyond use, refused before it runs."""
    visible = _blank_fences(entry.body)
    for char, limit, what in (("[", MAX_BRACKETS, "× ["), ("<", MAX_TAGS, "× <")):
        count = visible.count(char)
        if count > limit:
            offset = visible.index(char)
            return [Problem(entry.path, entry.body_line + visible.count("\n", 0, offset), None, None, "too_complex",
                            {"what": f"{count} {what}", "limit": limit})]
    return []


def render(entry: Entry, converter: Markdown) -> tuple[str, list[Problem]]:
    """The body as sanitised HTML, and what the person must hear about it."""
    problems = nesting_problems(entry) or complexity_problems(entry)
    if problems:
        return "", problems
    converter.reset().parser.state.clear()  # (reset() leaves the block parser's nesting: see spoiled)
    try:
        with deadline(DEADLINE_S):
            raw = converter.convert(entry.body)
    except RecursionError:  # nesting the line check does not see (e.g. raw HTML); never a traceback
        converter.portal_spoiled = True
        return "", [Problem(entry.path, entry.body_line, None, None, "too_deep",
                            {"depth": "?", "limit": MAX_DEPTH})]
    except TooSlow:
        converter.portal_spoiled = True
        return "", [too_slow(entry)]
    except BaseException:
        converter.portal_spoiled = True
        raise
    return sanitise(raw), inspect(entry, raw)


def too_slow(entry: Entry) -> Problem:
    """The error of a body whose reading ran past DEADLINE_S (Markdown, or the search for its links)."""
    return Problem(entry.path, entry.body_line, None, None, "too_complex",
                   {"what": f"> {DEADLINE_S:.0f} s", "limit": "—"})


def spoiled(converter: Markdown | None) -> bool:
    """Whether ``converter`` must be made again before the next body: a conversion stopped midway (too
    deep, too slow, any error) leaves state that ``Markdown.reset`` does not clear (the block parser's
    nesting, an extension's own), and the next bodies it converted came out wrong: lists closed early,
    indented paragraphs taken as code, in every file a reused converter read after it."""
    return converter is None or getattr(converter, "portal_spoiled", False)
