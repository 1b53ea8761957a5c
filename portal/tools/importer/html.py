"""The saved-HTML reader: a page saved from a provincial portal to a Legacy record.

    the page                    <- parsed as a browser parses it (html5lib, the WHATWG algorithm)
    title, date, section, sapo  <- the page's metadata and marked-up elements, read first
    chrome                      <- dropped (chrome.py), leaving the article's container
    what a reader saw           <- the container's text, kept for the lost-words check (loss.py)
    body                        <- sanitized with nh3, then Markdown blocks (markdown.py)
    byline, "Theo …", dates     <- pulled out of the end of the body into fields

The metadata is read before the chrome goes, since much of it (og: tags, the
<time> element, breadcrumbs, the sapo) sits in what is about to be dropped.
Each of those readings is a function of its own so that the order of the
steps above stays readable in parse_html.

Old portals' markup is often broken (a <div> closed inside a table cell, a
byline after </html>). Python's html.parser and libxml2 (lxml) each repair it
their own way, and the stray </div> of `<table><td><p><div>…</p></td></div>`
made html.parser close the article's box early: everything after the table,
byline included, fell out of the article. html5lib builds the tree a browser
builds (the same as Chromium's for that table, and it keeps a byline written
after </html> in the body), so the article is what a reader of the old page saw.
"""

from __future__ import annotations

import re
from pathlib import Path

import nh3
from bs4 import BeautifulSoup, Tag, UnicodeDammit

from .article import SUMMARY_LIMIT
from .chrome import classes, drop_chrome, drop_fallbacks
from .dates import parse_date, parse_iso, take_date_lines
from .legacy import Legacy, plain, squash
from .loss import visible_text
from .markdown import CAPTION_MARK, MarkdownBlocks
from .words import BYLINE, CAPTION_CLASS, NAME_ONLY, SOURCE_LINE

ALLOWED_TAGS = {"p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "b", "em", "i", "a",
                "img", "figure", "figcaption", "blockquote", "table", "thead", "tbody", "tr", "td", "th", "caption",
                "div", "span", "sup", "sub", "u"}
ALLOWED_ATTRS = {"a": {"href"}, "img": {"src", "alt", "title"}, "td": {"colspan", "rowspan"},
                 "th": {"colspan", "rowspan"}}
TITLED = re.compile(r"title|tieu-?de|tieude|heading|headline", re.IGNORECASE)


def parse_html(path: Path) -> Legacy:
    legacy = Legacy(path)
    soup = read_page(path)
    legacy.original_url = _original_url(soup)
    # ---- title, date and lead from the page's metadata, before the chrome goes ----
    heading = _read_title(soup, legacy)
    _read_date(soup, legacy)
    _read_section(soup, legacy)
    sapo = _read_sapo(soup, legacy)
    if heading is not None:
        heading.decompose()
    # ---- drop the portal's chrome; what is left is what a reader saw as the article ----
    container = drop_chrome(soup, legacy)
    legacy.seen = "\n\n".join(text for text in (sapo, visible_text(container)) if text)
    drop_fallbacks(soup, legacy)
    if legacy.date is None:
        found = parse_date(container.get_text(" "))
        if found:
            legacy.date, legacy.date_from = found[0], f'"{found[1]}" trong bài' + (" (giờ là đoán)" if found[2] else "")
    # ---- sanitize, then Markdown -------------------------------------------------------
    _mark_captions(container)
    body = _sanitized(container, legacy)
    legacy.blocks = take_date_lines(legacy, MarkdownBlocks(legacy, path).blocks(body))
    _pull_byline_and_source(legacy)
    legacy.blocks = take_date_lines(legacy, legacy.blocks, tail=1)  # "Tin: …" then a date line below it
    return legacy


def read_page(path: Path) -> BeautifulSoup:
    """The saved page as a browser builds it: decoded as bs4 always did (the declared charset, else UTF-8,
    else Windows-1252), then parsed by html5lib, the WHATWG parsing algorithm browsers implement."""
    data = path.read_bytes()
    markup = UnicodeDammit(data, is_html=True).unicode_markup
    return BeautifulSoup(markup if markup is not None else data.decode("utf-8", "replace"), "html5lib")


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name}) \
            or soup.find("meta", attrs={"itemprop": name})
        if tag and tag.get("content"):
            return squash(tag["content"])
    return ""


def _original_url(soup: BeautifulSoup) -> str:
    url = _meta(soup, "og:url")
    canonical = soup.find("link", rel="canonical")
    if not url and canonical and canonical.get("href"):
        url = canonical["href"]
    return url


# --------------------------------------------------------------------------
# The page's metadata
# --------------------------------------------------------------------------
def _read_title(soup: BeautifulSoup, legacy: Legacy) -> Tag | None:
    """legacy.title from og:title, the article's heading or <title>; return the heading, to be dropped later."""
    title_tag = squash(soup.title.get_text()) if soup.title else ""
    og_title = _meta(soup, "og:title", "title", "headline")
    heading = _title_heading(soup, title_tag)
    if og_title:
        legacy.title, legacy.title_from = og_title, "thẻ og:title của trang"
    elif heading is not None:
        legacy.title, legacy.title_from = squash(heading.get_text(" ")), f"tiêu đề <{heading.name}> của bài"
    elif title_tag:
        parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+", title_tag) if p.strip()]
        legacy.title, legacy.title_from = max(parts, key=len), "thẻ <title> (bỏ tên cổng)"
    return heading


def _title_heading(soup: BeautifulSoup, title_tag: str) -> Tag | None:
    """The article's own heading: marked as a title, or an <h1>/<h2> whose words are in <title>."""
    candidates = [h for h in soup.find_all(True, class_=TITLED)
                  if h.name not in ("html", "body", "title", "meta")] + soup.find_all(["h1", "h2"])
    for h in candidates:
        if _is_site_heading(h):
            continue
        text = squash(h.get_text(" "))
        if not 15 < len(text) < 300 or text.upper() == text:
            continue
        if TITLED.search(classes(h)) or not title_tag or text.lower() in title_tag.lower():
            return h
    return None


def _is_site_heading(h: Tag) -> bool:
    """A heading of the portal (in its menu, page header, logo or a side box), not of the article."""
    site_header = h.find_parent("header") is not None and h.find_parent(["article", "main"]) is None
    return bool(h.find_parent("nav") or site_header
                or re.search(r"logo|brand|site|cot|col|box|menu", classes(h), re.IGNORECASE))


def _read_date(soup: BeautifulSoup, legacy: Legacy) -> None:
    """legacy.date from the metadata; the hour from the page's date line when the metadata has none."""
    meta_date = _meta(soup, "article:published_time", "datePublished", "pubdate", "date", "dc.date",
                      "DC.date.issued")
    if not meta_date:
        stamp = soup.find("time", attrs={"datetime": True})
        meta_date = stamp["datetime"] if stamp else ""
    published = parse_iso(meta_date)
    if published:
        legacy.date, legacy.date_from = published, "siêu dữ liệu của trang (ngày đăng)"
    has_time = bool(re.search(r"\d[T ]\d{1,2}:\d{2}", meta_date))
    if not has_time and not _date_from_date_tags(soup, legacy) and legacy.date is not None:
        legacy.date = legacy.date.replace(hour=8, minute=0)
        legacy.date_from += " (giờ là đoán)"


def _date_from_date_tags(soup: BeautifulSoup, legacy: Legacy) -> bool:
    """The first element marked as a date whose date agrees with the metadata's (if any) sets legacy.date."""
    for tag in soup.find_all(True, class_=re.compile(r"date|ngay|time|meta", re.IGNORECASE)):
        found = parse_date(tag.get_text(" "))
        if found and (legacy.date is None or found[0].date() == legacy.date.date()):
            shown = squash(tag.get_text(" "))[:60]
            legacy.date = found[0]
            legacy.date_from = f'dòng ngày đăng "{shown}"' + (" (giờ là đoán)" if found[2] else "")
            return True
    return False


def _read_section(soup: BeautifulSoup, legacy: Legacy) -> None:
    section = [_meta(soup, "article:section")] + [
        squash(t.get_text(" ")) for t in soup.find_all(True, class_=re.compile(
            r"breadcrumb|cat-links|category|chuyen-?muc|chuyenmuc", re.IGNORECASE))]
    legacy.section = " ".join(x for x in section if x)[:300]


def _read_sapo(soup: BeautifulSoup, legacy: Legacy) -> str:
    """The sapo (lead paragraph set apart) becomes the summary; its text if it left the body, else "".

    A sapo longer than a summary may be stays in the body as its first paragraph: the summary keeps only
    its first sentences, and the rest must not be lost."""
    sapo = soup.find(True, class_=re.compile(r"sapo|summary|lead|description|intro|tom-?tat|tomtat", re.IGNORECASE))
    text = squash(visible_text(sapo)) if sapo is not None else ""
    if not 20 < len(text) < 800:
        return ""
    legacy.summary, legacy.summary_from = text, "đoạn sapo (tóm tắt) của trang"
    if len(text) > SUMMARY_LIMIT:
        legacy.summary_from += ", rút gọn; cả đoạn giữ ở đầu bài"
        return ""
    sapo.decompose()
    return text


# --------------------------------------------------------------------------
# The body
# --------------------------------------------------------------------------
def _mark_captions(container: Tag) -> None:
    """The old CMS's caption elements (a caption class, no picture inside) carry CAPTION_MARK, the one class
    nh3 keeps, so that markdown.py knows real caption markup from a paragraph of body text next to a picture."""
    for tag in container.find_all(True):
        own = " ".join(tag.get("class") or [])
        if own and CAPTION_CLASS.search(own) and tag.find("img") is None:
            tag["class"] = [CAPTION_MARK]
        elif "class" in tag.attrs:
            del tag["class"]


def _sanitized(container: Tag, legacy: Legacy) -> BeautifulSoup:
    """The container with only harmless tags and attributes left (nh3)."""
    for tag in container.find_all(True):
        if tag.get("style") or any(a.startswith("on") for a in tag.attrs):
            legacy.dropped["thuộc tính style/sự kiện (onclick…)"] += 1
    clean = nh3.clean(str(container), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                      url_schemes={"http", "https", "mailto", "tel"}, link_rel=None, strip_comments=True,
                      allowed_classes={tag: {CAPTION_MARK} for tag in ALLOWED_TAGS})
    return BeautifulSoup(clean, "html.parser")  # nh3 writes well-formed HTML: no repair needed here


def _pull_byline_and_source(legacy: Legacy) -> None:
    """Byline and "Theo …" lines at the end of the body become fields."""
    for block in list(reversed(legacy.blocks[-4:])):
        words = plain(block)
        bm = BYLINE.match(words)
        if bm and not legacy.byline:
            legacy.byline = squash(bm.group(1))
            legacy.blocks.remove(block)
            legacy.set_aside.append(words)
            continue
        sm = SOURCE_LINE.match(words)
        if sm and len(words) < 120 and not legacy.source:
            legacy.source, legacy.source_from = sm.group(1).strip(), f'dòng "{words}" cuối bài'
            legacy.blocks.remove(block)
            legacy.set_aside.append(words)
    if legacy.blocks and not legacy.byline:
        m = NAME_ONLY.match(legacy.blocks[-1].strip())
        if m:
            legacy.byline, legacy.byline_guessed = f"Tin: {m.group(1)}", True
            legacy.set_aside.append(plain(legacy.blocks.pop()))
