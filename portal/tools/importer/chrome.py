"""Which part of a saved portal page is the article, and what around it is the portal's chrome.

A page saved from a provincial portal is mostly not the article: menus,
banners, share buttons, the rating counter, "Các tin khác", scripts, tracking
images. Deciding what to throw away (by tag, by class name, by its words) and
which element holds the running text is the riskiest judgement the importer
makes, so it is kept apart from reading the page's metadata and from turning
what is left into Markdown. One rule holds throughout: a block that carries
the article itself is never dropped, whatever its class says.

<noscript> and <object> hold what a reader without JavaScript or without the
plugin saw instead (every reader of an old Flash object, today); they stay in
the page until html.py has read the article as that reader saw it (for the
lost-words check), then drop_fallbacks() takes them out with the chrome.
"""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup, Comment, Tag

from .legacy import Legacy, squash
from .words import CHROME_CLASS, CHROME_TAGS, CHROME_TEXT, FALLBACK_TAGS, RATING, RELATED_HEAD, TRACKER

# how the report names what was dropped, by tag (other tags: "thẻ <name>")
CHROME_TAG_NAMES = {"script": "đoạn mã script", "style": "khối style", "iframe": "khung nhúng (iframe)",
                    "form": "biểu mẫu", "nav": "menu", "header": "đầu trang", "footer": "chân trang",
                    "aside": "cột bên", "noscript": "phần cho trình duyệt tắt JavaScript (noscript)",
                    "object": "đối tượng nhúng (object)", "svg": "hình vẽ SVG"}


def classes(tag: Tag) -> str:
    return " ".join([*(tag.get("class") or []), tag.get("id") or ""])


def drop_chrome(soup: BeautifulSoup, legacy: Legacy) -> Tag:
    """Drop the portal's chrome from the page, counting it in legacy.dropped; return the article's container.

    The fallback content of <noscript> and <object> is left for drop_fallbacks()."""
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    for form in soup.find_all("form"):
        if len(squash(form.get_text(" "))) > 400:
            form.unwrap()  # ASP.NET pages wrap the whole page in one form
    _drop_chrome_tags(soup, legacy)
    _drop_trackers(soup, legacy)
    _drop_chrome_classes(soup.body or soup, legacy)
    container = _best_container(soup)
    _drop_chrome_classes(container, legacy)
    _drop_chrome_text(container, legacy)
    return container


def drop_fallbacks(soup: BeautifulSoup | Tag, legacy: Legacy) -> None:
    """<noscript> and <object>, once the lost-words check has read the article as a reader saw it."""
    for name in FALLBACK_TAGS:
        for tag in soup.find_all(name):
            if not tag.decomposed:
                legacy.dropped[CHROME_TAG_NAMES.get(name, f"thẻ <{name}>")] += 1
                tag.decompose()


def _drop_chrome_tags(soup: BeautifulSoup, legacy: Legacy) -> None:
    for name in CHROME_TAGS:
        if name in FALLBACK_TAGS:
            continue
        for tag in soup.find_all(name):
            legacy.dropped[CHROME_TAG_NAMES.get(name, f"thẻ <{name}>")] += 1
            tag.decompose()


def _drop_trackers(soup: BeautifulSoup, legacy: Legacy) -> None:
    for img in soup.find_all("img"):
        if _is_tracker(img):
            legacy.dropped["ảnh theo dõi (tracker)"] += 1
            img.decompose()


def _is_tracker(img: Tag) -> bool:
    src = img.get("src") or ""
    tiny = any((img.get(a) or "").strip() in ("0", "1", "2", "0px", "1px") for a in ("width", "height"))
    hidden = "display:none" in (img.get("style") or "").replace(" ", "") or "-9999" in (img.get("style") or "")
    return tiny or hidden or bool(TRACKER.search(src))


def _drop_chrome_text(container: Tag, legacy: Legacy) -> None:
    """Blocks known by their words: "Các tin khác" and all after it, the rating counter, share/print lines."""
    for tag in list(container.find_all(["p", "div", "span", "h3", "h4", "b", "strong", "li"])):
        if tag.decomposed:
            continue
        text = squash(tag.get_text(" "))
        if RELATED_HEAD.match(text):
            legacy.dropped["danh sách tin khác"] += 1
            for sib in list(tag.find_next_siblings()):
                sib.decompose()
            tag.decompose()
        elif RATING.search(text) and len(text) < 80:
            legacy.dropped['bộ đếm "ĐÁNH GIÁ BÀI VIẾT"'] += 1
            tag.decompose()
        elif CHROME_TEXT.search(text) and len(text) < 60 and not tag.find("img"):
            legacy.dropped["dòng chức năng của cổng cũ"] += 1
            tag.decompose()


def _best_container(soup: BeautifulSoup) -> Tag:
    """The element holding most of the running text (paragraphs, or bare text between <br>s)."""
    scores: Counter = Counter()
    for el in soup.find_all(True):
        if el.name in FALLBACK_TAGS or el.find_parent(FALLBACK_TAGS) is not None:
            continue  # not what a reader with JavaScript and a browser of today saw: no say in the choice
        if el.name in ("p", "li", "blockquote", "h2", "h3", "h4", "figure"):
            text, target = squash(el.get_text(" ")), el.parent
        elif el.name in ("a", "b", "strong", "em", "i", "span", "u", "font", "br", "img") and el.parent is not None \
                and el.parent.name in ("p", "li"):
            continue
        else:
            text, target = squash(" ".join(s for s in el.find_all(string=True, recursive=False))), el
        if len(text) < 30 or target is None:
            continue
        scores[id(target)] += len(text)
        if target.parent is not None:
            scores[id(target.parent)] += len(text) // 3
    by_id = {id(t): t for t in soup.find_all(True)}
    if not scores:
        return soup.body or soup
    best = max(scores, key=lambda k: scores[k])
    return by_id.get(best, soup.body or soup)


def _holds_article(tag: Tag) -> bool:
    """Never drop a block that carries the article itself, whatever its class says."""
    if tag.name in ("html", "body", "main", "article"):
        return True
    long_paragraphs = [p for p in tag.find_all(["p", "div"]) if len(squash(p.get_text(" "))) > 120
                       and p.find(["p", "div"]) is None]
    return len(long_paragraphs) >= 2


def _drop_chrome_classes(root: Tag, legacy: Legacy) -> None:
    for tag in list(root.find_all(True)):
        if tag.decomposed:
            continue
        cls = classes(tag)
        if cls.strip() and CHROME_CLASS.search(cls) and not _holds_article(tag):
            legacy.dropped[_chrome_name(cls)] += 1
            tag.decompose()


def _chrome_name(cls: str) -> str:
    low = cls.lower()
    for words, name in ((("share", "social", "chiase", "fb-like"), "nút chia sẻ"),
                        (("rating", "vote", "danh"), "khung đánh giá"), (("comment", "binh"), "bình luận"),
                        (("related", "lien", "other", "khac"), "danh sách tin khác"),
                        (("menu", "nav"), "menu"), (("banner", "logo"), "băng rôn"),
                        (("advert", "ads", "quang"), "quảng cáo"), (("print", "tool"), "nút in/gửi"),
                        (("counter", "count", "luot"), "bộ đếm lượt xem")):
        if any(w in low for w in words):
            return name
    return "phần trang trí của cổng cũ"

