"""`invoke import PATH...`: old-portal pages to Markdown articles.

    python -m portal.importer tests/data/legacy/*.html ../shared/legacy-samples/*.txt

Reads two forms: the plain-text export of the old portal (title line, blank
lines between paragraphs, "Tin, ảnh: …" and "ĐÁNH GIÁ BÀI VIẾT(0)" at the end)
and HTML pages saved from a provincial portal (menus, banners, share buttons,
rating counter, scripts, inline styles and tracking images around the article).

It extracts the title, date, byline, source, photo captions and credits,
proposes a kind from the words used, sanitizes the body (BeautifulSoup to drop
the portal's chrome, nh3 to keep only harmless tags, then plain Markdown), and
writes content/KIND/YYYY-MM-DD-slug.md. Every value it had to guess is marked
by a "# ĐOÁN: …" note above the field (`invoke check` lists them until a person
deletes the note). A content fingerprint is recorded in the file, and a page
whose fingerprint or opening paragraph is already in content/ is skipped, so
importing the same page twice never creates a duplicate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import shutil
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import nh3
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from . import model
from .checker import GUESS_NOTE, content_files
from .scaffold import free_slug, used_identifiers, used_slugs
from .state import build_time

ROOT = Path(__file__).resolve().parents[2]
FINGERPRINT_NOTE = "# Nhập từ cổng cũ"  # + ": <file> · mã nội dung <hash> (…)"
SUMMARY_LIMIT = 300
TITLE_LIMIT = 150
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg")

# ---- words of the old portal ------------------------------------------------------
CHROME_TEXT = re.compile(
    r"ĐÁNH\s*GIÁ\s*BÀI\s*VIẾT\s*\(\s*\d*\s*\)|^\s*(?:Chia sẻ|In bài( viết)?|In trang|Gửi email|Bản in|"
    r"Lượt xem|Lượt truy cập|Số lượt truy cập|Đang online|Bình luận|Gửi đánh giá|Từ khóa|Tags?)\b",
    re.IGNORECASE)
RATING = re.compile(r"ĐÁNH\s*GIÁ\s*BÀI\s*VIẾT\s*\(\s*\d*\s*\)", re.IGNORECASE)
RELATED_HEAD = re.compile(r"^\s*\**(?:Các tin khác|Tin khác|Tin liên quan|Tin cùng chuyên mục|Tin đã đưa|"
                          r"Bài viết liên quan|Bài liên quan|Có liên quan|Tin mới|Tin nổi bật|Xem nhiều|"
                          r"Bài viết mới|Tin cùng loại)\**\s*:?\s*$", re.IGNORECASE)
CHROME_CLASS = re.compile(
    r"(?:^|[\s_-])(?:menu|nav|navbar|navigation|banner|header|footer|breadcrumbs?|share\w*|sharing|social\w*|"
    r"sharethis|addthis\w*|fb-like|like|rating|rate|vote|danhgia|danh-gia|comment\w*|binh-?luan|related\w*|"
    r"lien-?quan|tinlienquan|"
    r"other-?news|tin-?khac|print|tool-?bar|tools|sidebar|side|widget|advert|ads|quang-?cao|counter|"
    r"view-?count|luot-?xem|search|login|weather|clock|marquee|chu-chay|chiase|post-meta|tags?|post-tags|"
    r"top-links|logo|col-side|right-col|left-col|sidebar-box)(?:$|[\s_-])",
    re.IGNORECASE)
CHROME_TAGS = ("script", "style", "noscript", "iframe", "frame", "form", "button", "input", "select", "textarea",
               "svg", "object", "embed", "link", "meta", "template", "header", "footer", "nav", "aside",
               "marquee", "canvas", "audio", "video", "map")
TRACKER = re.compile(r"google-analytics|googletagmanager|doubleclick|facebook\.com/tr|statcounter|yandex|"
                     r"/counter|counter\.|hit\.aspx|pixel|beacon|/tracking|analytics|histats|addthis|sharethis",
                     re.IGNORECASE)
BYLINE = re.compile(r"^\s*((?:Tin|Bài|Ảnh|Tin,\s*ảnh|Tin\s+và\s+ảnh|Bài,\s*ảnh|Bài\s+và\s+ảnh|Tin\s*-\s*ảnh|"
                    r"Nhóm\s+PV|PV|Tác\s+giả|Người\s+viết)\s*:\s*([^\n]{2,80}?))\s*\.?\s*$", re.IGNORECASE)
SOURCE_LINE = re.compile(r"^\s*\(?\s*(?:Theo|Nguồn)\s*:?\s+([^\n]{2,100}?)\s*\)?\s*\.?\s*$", re.IGNORECASE)
SOURCE_PREFIX = re.compile(r"^\s*\(([^()\n]{2,60})\)\s*[-–—]\s*")
SOURCE_IN_TEXT = re.compile(
    r"\bTheo\s+((?:Cổng|Báo|Trang|Đài|Thông tấn|TTXVN|VNCERT|Cục|Bộ|Sở|Tạp chí|Website|Trung tâm|"
    r"[A-Z][\w-]*\.(?:vn|gov\.vn|com|net))[^,.;:()\n]{0,80}?)(?=\s+đưa tin|\s+cho biết|\s*[,.;)]|$)")
CREDIT = re.compile(r"\s*\(?\s*(?:Nguồn\s*ảnh|Ảnh)\s*:\s*([^()\n]+?)\s*\)?\s*\.?\s*$", re.IGNORECASE)
DATE_TEXT = re.compile(r"(?:\b(sáng|trưa|chiều|tối|đêm)\s+)?(?:\b(?:ngày|hôm)\s+)?"
                       r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\3\s*(\d{4})\b"
                       r"(?:\s*(?:\||,|-|lúc)?\s*(\d{1,2})[:h](\d{2}))?", re.IGNORECASE)
TIME_BEFORE_DATE = re.compile(r"(\d{1,2})[:h](\d{2})\s*(?:\||,|-|ngày)?\s*(\d{1,2})/(\d{1,2})/(\d{4})")
PART_OF_DAY = {"sáng": 8, "trưa": 12, "chiều": 14, "tối": 19, "đêm": 21}
# what a date-only line may hold besides the date and time: "Thứ Sáu, 15/03/2019 09:20",
# "Cập nhật lúc: 10:25 | 14/05/2019", "Ngày đăng: 05.04.2019", "(GMT+7)"
DATE_LINE_WORDS = re.compile(
    r"(?<!\w)(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cn|t[2-7]|"
    r"(?:ngày\s*)?cập\s*nhật(?:\s*lần\s*cuối)?|ngày\s*(?:đăng(?:\s*tải)?|đưa\s*tin|xuất\s*bản|viết)|"
    r"đăng\s*(?:tải\s*)?(?:ngày|lúc|vào)?|(?:thời\s*gian|ngày\s*giờ)(?:\s*đăng)?|xuất\s*bản|"
    r"ngày|lúc|hôm|vào|giờ|sáng|trưa|chiều|tối|đêm|am|pm|sa|ch|gmt\s*[+-]?\s*\d{1,2}(?::?\d{2})?)(?!\w)",
    re.IGNORECASE)
TIME_TEXT = re.compile(r"(?<![\d/.])\d{1,2}\s*[:h]\s*\d{2}(?::\d{2})?(?![\d/])", re.IGNORECASE)
CVE = re.compile(r"\bCVE-\d{4}-\d{4,}\b", re.IGNORECASE)
ORG_START = re.compile(r"(?<!\w)(?:Sở|Cục|Bộ|Công an|Ủy ban|Uỷ ban|UBND|Ban|Trung tâm|Viettel|VNPT|Bưu điện|Tổ|"
                       r"Đội|Tỉnh ủy|Tỉnh uỷ|Học viện|Trường|Ngân hàng)(?!\w)")
ORG_WORDS = {"tỉnh", "thành", "phố", "huyện", "an", "toàn", "thông", "tin", "truyền", "ninh", "mạng", "điện", "tử",
             "máy", "tính", "sự", "cố", "ứng", "cứu", "nhân", "dân", "quốc", "gia", "công", "nghệ", "số", "và",
             "-", "–", "&", "chuyển", "đổi", "chỉ", "huy", "quân", "vụ", "bưu", "chính", "viễn"}
KIND_WORDS: dict[str, tuple[str, ...]] = {
    model.WARNING: ("cảnh báo", "lỗ hổng", "mã độc", "cve-", "tống tiền", "ransomware", "bản vá", "khuyến cáo"),
    model.DRILL: ("diễn tập",),
    model.MEETING: ("hội nghị", "hội thảo", "cuộc họp", "sơ kết", "tổng kết", "giao ban", "phiên họp"),
    model.NEWS: ("tập huấn", "thăm", "làm việc", "cuộc thi", "tuyên truyền", "khai trương", "ra mắt"),
}


# --------------------------------------------------------------------------
# What one old page holds
# --------------------------------------------------------------------------
@dataclass
class Picture:
    name: str  # file name as the old page gave it
    found: Path | None  # the local file, if the saved page kept it
    alt: str = ""
    caption: str = ""
    credit: str = ""
    url: str = ""  # remote address, when known


@dataclass
class Legacy:
    path: Path
    title: str = ""
    title_from: str = ""
    date: dt.datetime | None = None
    date_from: str = ""
    byline: str = ""
    byline_guessed: bool = False
    section: str = ""  # breadcrumb / category words of the old page
    source: str = ""
    source_from: str = ""
    summary: str = ""
    summary_from: str = ""
    blocks: list[str] = field(default_factory=list)  # Markdown blocks; "\0IMG<n>" marks a picture
    pictures: list[Picture] = field(default_factory=list)
    original_url: str = ""
    dropped: Counter = field(default_factory=Counter)

    def text(self) -> str:
        return "\n\n".join(b for b in self.blocks if not b.startswith("\0IMG"))

    def plain_text(self) -> str:
        return "\n\n".join(plain(b) for b in self.blocks if not b.startswith("\0IMG"))


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------
def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("\xa0", " ").split())


def normalized_words(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[*_\\`#>\[\]()!]", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    return " ".join(re.findall(r"\w+", text))


def fingerprint(legacy: Legacy) -> str:
    return hashlib.sha256(normalized_words(legacy.text()).encode()).hexdigest()[:20]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?…])\s+(?=[A-ZÀ-Ỹ\"“(])", text) if s.strip()]


def shorten(text: str, limit: int) -> str:
    text = squash(text)
    if len(text) <= limit:
        return text
    cut = ""
    for s in sentences(text):
        if len(cut) + len(s) + 1 > limit:
            break
        cut = f"{cut} {s}".strip()
    if cut:
        return cut
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-– ") + "…"


def parse_date(text: str) -> tuple[dt.datetime, str, bool] | None:
    """The first full date in text: (value, the words it came from, time guessed?)."""
    m = TIME_BEFORE_DATE.search(text)
    best = None
    for found in DATE_TEXT.finditer(text):
        part, d, _sep, mo, y, hh, mm = found.groups()
        try:
            day = dt.date(int(y), int(mo), int(d))
        except ValueError:
            continue
        if hh:
            hour, minute, guessed = int(hh), int(mm), False
        elif m and (int(m.group(3)), int(m.group(4)), int(m.group(5))) == (day.day, day.month, day.year):
            hour, minute, guessed = int(m.group(1)), int(m.group(2)), False
        else:
            hour, minute, guessed = PART_OF_DAY.get((part or "").lower(), 8), 0, True
        if not (0 <= hour < 24 and 0 <= minute < 60):
            continue
        best = (dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=model.TZ),
                squash(found.group(0)), guessed)
        break
    return best


def date_line(block: str) -> tuple[dt.datetime, str, bool] | None:
    """The date of a block that holds nothing but a date line ("Thứ Sáu, 15/03/2019 09:20",
    "Cập nhật lúc: 10:25 | 14/05/2019", "Ngày đăng: 05.04.2019"); None for any other block."""
    if block.startswith(("\0IMG", "#")):
        return None
    words = plain(block)
    if not words or len(words) > 90:
        return None
    found = parse_date(words)
    if found is None:
        return None
    rest = DATE_LINE_WORDS.sub(" ", TIME_TEXT.sub(" ", DATE_TEXT.sub(" ", words)))
    return found if re.fullmatch(r"[\s,.;:|/()\[\]\-–—•·]*", rest) else None


def _use_date_line(legacy: Legacy, block: str) -> bool:
    """True if block is a date-only line; its date becomes legacy.date when the page had none
    (or only a guessed hour on the same day)."""
    found = date_line(block)
    if found is None:
        return False
    value, _, guessed = found
    same_day_better = legacy.date is not None and "giờ là đoán" in legacy.date_from and not guessed \
        and value.date() == legacy.date.date()
    if legacy.date is None or same_day_better:
        legacy.date = value
        legacy.date_from = f'dòng ngày đăng "{plain(block)[:60]}"' + (" (giờ là đoán)" if guessed else "")
    legacy.dropped["dòng ngày đăng"] += 1
    return True


def take_date_lines(legacy: Legacy, blocks: list[str], tail: int = 4) -> list[str]:
    """blocks without the date-only lines above the lead and among the last `tail` blocks.

    Such a line is the page's date, never its text: it goes to legacy.date and out of the body,
    so the lead, the summary and the "(Source) -" prefix are read from the first real paragraph."""
    kept: list[str] = []
    leading = True
    for block in blocks:
        if leading and _use_date_line(legacy, block):
            continue
        if not block.startswith(("\0IMG", "#")):
            leading = False  # the lead: a date line below it is text, unless it is in the tail
        kept.append(block)
    start = max(0, len(kept) - tail)
    return kept[:start] + [b for b in kept[start:] if not _use_date_line(legacy, b)]


def parse_iso(text: str) -> dt.datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        found = parse_date(text)
        return found[0] if found else None
    if value.tzinfo is None:
        value = value.replace(tzinfo=model.TZ)
    return value.astimezone(model.TZ)


_MD_ESCAPE = str.maketrans({"\\": "\\\\", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "`": "\\`",
                            "<": "&lt;", ">": "&gt;"})


def md_text(text: str) -> str:
    """Plain text made safe as Markdown: no markup, no raw HTML can come through."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text).translate(_MD_ESCAPE)
    return text


def plain(block: str) -> str:
    """A Markdown block of ours back to plain text (for fields and guesses)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", block)
    text = re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*+", "", text))
    return squash(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def md_block(text: str) -> str:
    """Escape what would start a heading, list or quote at the start of a block."""
    text = re.sub(r"^(\s*)([#+\-=|])", r"\1\\\2", text)
    return re.sub(r"^(\s*\d+)([.)])(\s)", r"\1\\\2\3", text)


# --------------------------------------------------------------------------
# Plain-text export
# --------------------------------------------------------------------------
def read_text_file(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            return unicodedata.normalize("NFC", data.decode(encoding))
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")  # pragma: no cover


def _find_local(path: Path, name: str) -> Path | None:
    name = unquote(name.split("?")[0].split("#")[0]).replace("\\", "/")
    candidates = [path.parent / name, path.parent / Path(name).name,
                  path.parent / f"{path.stem}_files" / Path(name).name, path.parent / "images" / Path(name).name]
    for c in candidates:
        try:
            if c.is_file():
                return c
        except OSError:
            continue
    return None


def parse_plain(path: Path) -> Legacy:
    legacy = Legacy(path)
    text = read_text_file(path)
    if RATING.search(text):
        legacy.dropped['bộ đếm "ĐÁNH GIÁ BÀI VIẾT"'] += len(RATING.findall(text))
        text = RATING.sub("", text)
    raw_blocks = [squash(b) for b in re.split(r"\n\s*\n", text)]
    blocks = [b for b in raw_blocks if b]
    # chrome at the end: share/print/view counters, "Các tin khác" and what follows
    kept: list[str] = []
    for b in blocks:
        if RELATED_HEAD.match(b):
            legacy.dropped["danh sách tin khác"] += 1
            break
        if CHROME_TEXT.search(b) and len(b) < 80:
            legacy.dropped["dòng chức năng của cổng cũ"] += 1
            continue
        kept.append(b)
    blocks = kept
    while blocks and _use_date_line(legacy, blocks[0]):  # a date line above the title
        blocks = blocks[1:]
    # title: a short first line that is not a sentence
    if len(blocks) > 1 and len(blocks[0]) <= 250 and "\n" not in blocks[0] and not blocks[0].endswith((".", "…")):
        legacy.title, legacy.title_from = blocks.pop(0), "dòng đầu tiên của tệp"
    body: list[str] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if re.fullmatch(r"[\w\-.()%~ ]+\.(?:jpe?g|png|gif|webp)", b, re.IGNORECASE):
            pic = Picture(b, _find_local(path, b))
            if i + 1 < len(blocks) and (CREDIT.search(blocks[i + 1]) or len(blocks[i + 1]) < 250):
                _caption_into(pic, blocks[i + 1])
                i += 1
            legacy.pictures.append(pic)
            body.append(f"\0IMG{len(legacy.pictures) - 1}")
            i += 1
            continue
        bm = BYLINE.match(b)
        if bm and not legacy.byline and i >= len(blocks) - 3:
            legacy.byline = squash(bm.group(1))
            i += 1
            continue
        sm = SOURCE_LINE.match(b)
        if sm and len(b) < 120 and i >= len(blocks) - 3:
            legacy.source, legacy.source_from = sm.group(1).strip(), f'dòng "{b}" cuối bài'
            i += 1
            continue
        body.append(md_block(md_text(b)))
        i += 1
    legacy.blocks = take_date_lines(legacy, body)
    return legacy


def _caption_into(pic: Picture, text: str) -> None:
    text = squash(text)
    m = CREDIT.search(text)
    if m:
        pic.credit = m.group(1).strip().rstrip(".")
        text = text[: m.start()].strip()
    pic.caption = text


# --------------------------------------------------------------------------
# Saved HTML page
# --------------------------------------------------------------------------
ALLOWED_TAGS = {"p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "b", "em", "i", "a",
                "img", "figure", "figcaption", "blockquote", "table", "thead", "tbody", "tr", "td", "th", "caption",
                "div", "span", "sup", "sub", "u"}
ALLOWED_ATTRS = {"a": {"href"}, "img": {"src", "alt", "title"}, "td": {"colspan", "rowspan"},
                 "th": {"colspan", "rowspan"}}


def _classes(tag: Tag) -> str:
    return " ".join([*(tag.get("class") or []), tag.get("id") or ""])


def _is_tracker(img: Tag) -> bool:
    src = img.get("src") or ""
    tiny = any((img.get(a) or "").strip() in ("0", "1", "2", "0px", "1px") for a in ("width", "height"))
    hidden = "display:none" in (img.get("style") or "").replace(" ", "") or "-9999" in (img.get("style") or "")
    return tiny or hidden or bool(TRACKER.search(src))


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name}) \
            or soup.find("meta", attrs={"itemprop": name})
        if tag and tag.get("content"):
            return squash(tag["content"])
    return ""


def _best_container(soup: BeautifulSoup) -> Tag:
    """The element holding most of the running text (paragraphs, or bare text between <br>s)."""
    scores: Counter = Counter()
    for el in soup.find_all(True):
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


def parse_html(path: Path) -> Legacy:
    legacy = Legacy(path)
    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    legacy.original_url = _meta(soup, "og:url")
    canonical = soup.find("link", rel="canonical")
    if not legacy.original_url and canonical and canonical.get("href"):
        legacy.original_url = canonical["href"]
    # ---- title, date and lead from the page's metadata, before the chrome goes ----
    title_tag = squash(soup.title.get_text()) if soup.title else ""
    og_title = _meta(soup, "og:title", "title", "headline")
    heading = None
    titled = re.compile(r"title|tieu-?de|tieude|heading|headline", re.IGNORECASE)
    candidates = [h for h in soup.find_all(True, class_=titled)
                  if h.name not in ("html", "body", "title", "meta")] + soup.find_all(["h1", "h2"])
    for h in candidates:
        site_header = h.find_parent("header") is not None and h.find_parent(["article", "main"]) is None
        if h.find_parent("nav") or site_header or re.search(r"logo|brand|site|cot|col|box|menu", _classes(h),
                                                              re.IGNORECASE):
            continue
        text = squash(h.get_text(" "))
        if not 15 < len(text) < 300 or text.upper() == text:
            continue
        if titled.search(_classes(h)) or not title_tag or text.lower() in title_tag.lower():
            heading = h
            break
    if og_title:
        legacy.title, legacy.title_from = og_title, "thẻ og:title của trang"
    elif heading is not None:
        legacy.title, legacy.title_from = squash(heading.get_text(" ")), f"tiêu đề <{heading.name}> của bài"
    elif title_tag:
        parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+", title_tag) if p.strip()]
        legacy.title, legacy.title_from = max(parts, key=len), "thẻ <title> (bỏ tên cổng)"
    meta_date = _meta(soup, "article:published_time", "datePublished", "pubdate", "date", "dc.date",
                      "DC.date.issued")
    if not meta_date:
        stamp = soup.find("time", attrs={"datetime": True})
        meta_date = stamp["datetime"] if stamp else ""
    published = parse_iso(meta_date)
    if published:
        legacy.date, legacy.date_from = published, "siêu dữ liệu của trang (ngày đăng)"
    has_time = bool(re.search(r"\d[T ]\d{1,2}:\d{2}", meta_date))
    if not has_time:
        for tag in soup.find_all(True, class_=re.compile(r"date|ngay|time|meta", re.IGNORECASE)):
            found = parse_date(tag.get_text(" "))
            if found and (legacy.date is None or found[0].date() == legacy.date.date()):
                shown = squash(tag.get_text(" "))[:60]
                legacy.date = found[0]
                legacy.date_from = f'dòng ngày đăng "{shown}"' + (" (giờ là đoán)" if found[2] else "")
                break
        else:
            if legacy.date is not None:
                legacy.date = legacy.date.replace(hour=8, minute=0)
                legacy.date_from += " (giờ là đoán)"
    section = [_meta(soup, "article:section")] + [
        squash(t.get_text(" ")) for t in soup.find_all(True, class_=re.compile(
            r"breadcrumb|cat-links|category|chuyen-?muc|chuyenmuc", re.IGNORECASE))]
    legacy.section = " ".join(x for x in section if x)[:300]
    sapo = soup.find(True, class_=re.compile(r"sapo|summary|lead|description|intro|tom-?tat|tomtat", re.IGNORECASE))
    if sapo is not None and 20 < len(squash(sapo.get_text(" "))) < 800:
        legacy.summary, legacy.summary_from = squash(sapo.get_text(" ")), "đoạn sapo (tóm tắt) của trang"
        sapo.decompose()
    if heading is not None:
        heading.decompose()
    # ---- drop the portal's chrome -----------------------------------------------------
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    for form in soup.find_all("form"):
        if len(squash(form.get_text(" "))) > 400:
            form.unwrap()  # ASP.NET pages wrap the whole page in one form
    for name in CHROME_TAGS:
        for tag in soup.find_all(name):
            legacy.dropped[{"script": "đoạn mã script", "style": "khối style", "iframe": "khung nhúng (iframe)",
                            "form": "biểu mẫu", "nav": "menu", "header": "đầu trang", "footer": "chân trang",
                            "aside": "cột bên"}.get(name, f"thẻ <{name}>")] += 1
            tag.decompose()
    for img in soup.find_all("img"):
        if _is_tracker(img):
            legacy.dropped["ảnh theo dõi (tracker)"] += 1
            img.decompose()
    _drop_chrome_classes(soup.body or soup, legacy)
    container = _best_container(soup)
    _drop_chrome_classes(container, legacy)
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
    if legacy.date is None:
        found = parse_date(container.get_text(" "))
        if found:
            legacy.date, legacy.date_from = found[0], f'"{found[1]}" trong bài' + (" (giờ là đoán)" if found[2] else "")
    # ---- sanitize, then Markdown -------------------------------------------------------
    for tag in container.find_all(True):
        if tag.get("style") or any(a.startswith("on") for a in tag.attrs):
            legacy.dropped["thuộc tính style/sự kiện (onclick…)"] += 1
    clean = nh3.clean(str(container), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                      url_schemes={"http", "https", "mailto", "tel"}, link_rel=None, strip_comments=True)
    body = BeautifulSoup(clean, "html.parser")
    legacy.blocks = take_date_lines(legacy, _Markdown(legacy, path).blocks(body))
    _pull_byline_and_source(legacy)
    legacy.blocks = take_date_lines(legacy, legacy.blocks, tail=1)  # "Tin: …" then a date line below it
    return legacy


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
        cls = _classes(tag)
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


class _Markdown:
    """Sanitized HTML to Markdown blocks; images become pictures of the Legacy."""

    def __init__(self, legacy: Legacy, path: Path):
        self.legacy = legacy
        self.path = path
        self.out: list[str] = []

    def blocks(self, root: Tag) -> list[str]:
        self._blocks(root)
        return [b for b in self.out if b.strip()]

    def _blocks(self, node: Tag) -> None:
        inline: list = []

        def flush() -> None:
            text = squash(self._inline_list(inline))
            inline.clear()
            if text:
                self._paragraph(text)

        for child in list(node.children):
            if isinstance(child, NavigableString):
                inline.append(child)
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name == "br":
                before = [n for n in inline if not (isinstance(n, NavigableString) and not n.strip())]
                if before and isinstance(before[-1], Tag) and before[-1].name == "br":
                    flush()  # <br><br>: the old portals' paragraph break
                    continue
                inline.append(child)
                continue
            if name in ("p", "div", "td", "th", "tr", "tbody", "thead", "table", "caption", "figure", "span") \
                    and self._has_block(child) or name in ("div", "table", "tbody", "thead", "tr", "figure"):
                flush()
                if name == "figure" or (name in ("table", "div", "p") and self._is_picture_box(child)):
                    self._picture_box(child)
                else:
                    self._blocks(child)
            elif name == "p" or name in ("td", "th", "caption"):
                flush()
                self._paragraph_node(child)
            elif name in ("h1", "h2", "h3", "h4", "h5", "h6"):
                flush()
                text = squash(self._inline(child))
                if text:
                    level = {"h1": 2, "h2": 2, "h3": 3}.get(name, 4)
                    self.out.append("#" * level + " " + text)
            elif name in ("ul", "ol"):
                flush()
                items = []
                for n, li in enumerate(child.find_all("li", recursive=False), 1):
                    text = squash(self._inline(li))
                    if text:
                        items.append(f"{n}. {text}" if name == "ol" else f"- {text}")
                if items:
                    self.out.append("\n".join(items))
            elif name == "blockquote":
                flush()
                text = squash(self._inline(child))
                if text:
                    self.out.append("> " + text)
            elif name == "img":
                flush()
                self._picture(child, caption_node=None)
            else:
                inline.append(child)
        flush()

    @staticmethod
    def _has_block(tag: Tag) -> bool:
        return tag.find(["p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
                         "blockquote", "img"]) is not None

    @staticmethod
    def _is_picture_box(tag: Tag) -> bool:
        imgs = tag.find_all("img")
        return len(imgs) == 1 and len(squash(tag.get_text(" "))) < 400 and tag.find("p") is None or \
            (len(imgs) == 1 and tag.name == "p")

    def _picture_box(self, box: Tag) -> None:
        img = box.find("img")
        if img is None:
            self._blocks(box)
            return
        caption = box.find("figcaption")
        text = squash(caption.get_text(" ")) if caption else squash(box.get_text(" "))
        self._picture(img, text)

    def _picture(self, img: Tag, caption_node: str | None) -> None:
        src = img.get("src") or ""
        if not src:
            return
        name = Path(urlsplit(src).path).name or "anh"
        local = None if urlsplit(src).scheme else _find_local(self.path, src)
        url = src if urlsplit(src).scheme in ("http", "https") else (
            urljoin(self.legacy.original_url, src) if self.legacy.original_url else "")
        pic = Picture(name, local, alt=squash(img.get("alt") or ""), url=url)
        if caption_node:
            _caption_into(pic, caption_node)
        elif img.get("title"):
            _caption_into(pic, img["title"])
        self.legacy.pictures.append(pic)
        self.out.append(f"\0IMG{len(self.legacy.pictures) - 1}")

    def _paragraph_node(self, node: Tag) -> None:
        if node.find("img") is not None:
            self._blocks(node)
            return
        text = squash(self._inline(node))
        if text:
            self._paragraph(text)

    def _paragraph(self, text: str) -> None:
        # a caption line right after a picture belongs to it
        if self.out and self.out[-1].startswith("\0IMG"):
            pic = self.legacy.pictures[int(self.out[-1][4:])]
            words = plain(text)
            if not pic.caption and (CREDIT.search(words) or len(words) < 200):
                _caption_into(pic, words)
                return
        self.out.append(md_block(text))

    def _inline_list(self, nodes: list) -> str:
        return "".join(self._inline_node(n) for n in nodes)

    def _inline(self, node: Tag) -> str:
        return "".join(self._inline_node(n) for n in node.children)

    def _inline_node(self, n) -> str:
        if isinstance(n, NavigableString):
            return md_text(str(n))
        if not isinstance(n, Tag):
            return ""
        inner = self._inline(n)
        if n.name == "br":
            return " "
        if n.name in ("strong", "b") and inner.strip():
            return f"**{inner.strip()}**"
        if n.name in ("em", "i") and inner.strip():
            return f"*{inner.strip()}*"
        if n.name == "a":
            href = (n.get("href") or "").strip()
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto") and inner.strip():
                return f"[{inner.strip()}]({href.replace(')', '%29').replace(' ', '%20')})"
            if not parts.scheme and href and not href.startswith("#") and self.legacy.original_url and inner.strip():
                absolute = urljoin(self.legacy.original_url, href)
                return f"[{inner.strip()}]({absolute.replace(')', '%29').replace(' ', '%20')})"
            return inner
        if n.name == "img":
            return ""
        return inner


NAME_ONLY = re.compile(r"^\*{1,2}([A-ZĐÀ-Ỹ][\wÀ-ỹ.]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ.]*){1,5}(?:\s*\([^()]{2,40}\))?)\*{1,2}$")


def _pull_byline_and_source(legacy: Legacy) -> None:
    """Byline and "Theo …" lines at the end of the body become fields."""
    for block in list(reversed(legacy.blocks[-4:])):
        words = plain(block)
        bm = BYLINE.match(words)
        if bm and not legacy.byline:
            legacy.byline = squash(bm.group(1))
            legacy.blocks.remove(block)
            continue
        sm = SOURCE_LINE.match(words)
        if sm and len(words) < 120 and not legacy.source:
            legacy.source, legacy.source_from = sm.group(1).strip(), f'dòng "{words}" cuối bài'
            legacy.blocks.remove(block)
    if legacy.blocks and not legacy.byline:
        m = NAME_ONLY.match(legacy.blocks[-1].strip())
        if m:
            legacy.byline, legacy.byline_guessed = f"Tin: {m.group(1)}", True
            legacy.blocks.pop()


# --------------------------------------------------------------------------
# Guesses and the article
# --------------------------------------------------------------------------
@dataclass
class Guess:
    value: str
    note: str  # why; empty when the value was read, not guessed


def propose_kind(legacy: Legacy, title: str = "") -> tuple[str, str]:
    """The title decides (earliest kind word wins); otherwise the lead and the body vote."""
    title = (title or legacy.title).lower()
    in_title = [(title.find(w), kind, w) for kind, words in KIND_WORDS.items() for w in words if w in title]
    if in_title:
        _, kind, word = min(in_title)
        return kind, f'tiêu đề có từ "{word}"'
    text = legacy.plain_text().lower()
    lead = (legacy.summary or plain(legacy.blocks[0] if legacy.blocks else "")).lower()
    scores: Counter = Counter()
    reasons: dict[str, list[str]] = {}
    for kind, words in KIND_WORDS.items():
        for w in words:
            score = 2 * min(lead.count(w), 2) + 0.5 * min(text.count(w), 4)
            if score:
                scores[kind] += score
                reasons.setdefault(kind, []).append(f'"{w}"')
    section = legacy.section.lower()
    for kind, words in KIND_WORDS.items():
        hit = next((w for w in words if w in section), None)
        if hit and kind != model.NEWS:
            scores[kind] += 3
            reasons.setdefault(kind, []).append(f'chuyên mục cũ "{hit}"')
    if CVE.search(text):
        scores[model.WARNING] += 3
        reasons.setdefault(model.WARNING, []).append("mã CVE")
    best, score = (scores.most_common(1)[0] if scores else (model.NEWS, 0))
    if score < 3 or best == model.NEWS:
        why = "không thấy dấu hiệu rõ của cảnh báo, diễn tập hay hội nghị" if best != model.NEWS or not score \
            else "có từ " + ", ".join(reasons.get(model.NEWS, [])[:4])
        return model.NEWS, why
    return best, "có từ " + ", ".join(reasons.get(best, ["CVE"])[:4])


def _title_from_text(legacy: Legacy) -> str:
    first = legacy.summary or plain(legacy.blocks[0] if legacy.blocks else "")
    first = SOURCE_PREFIX.sub("", first)
    s = sentences(first)[0] if sentences(first) else first
    m = DATE_TEXT.search(s)
    if m and m.end() < len(s) * 0.6:
        s = s[m.end():].lstrip(" ,")
    s = re.sub(r"\s+đã\s+", " ", s, count=1).rstrip(" .…")
    s = shorten(s, TITLE_LIMIT).rstrip(".")
    return s[:1].upper() + s[1:]


def _org_at(text: str, start: int) -> str:
    tokens = re.findall(r"\S+", text[start:start + 160])
    name = [tokens[0]] if tokens else []
    for i, tok in enumerate(tokens[1:], 1):
        word = tok.rstrip(",.;:)…")
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word.lower() == "và" and (not nxt[:1].isupper() or ORG_START.match(nxt)):
            break
        if not word or not (word[:1].isupper() or word.lower() in ORG_WORDS or "&" in word):
            break
        name.append(word)
        if word != tok:
            break
    while name and name[-1].lower() in ("và", "-", "–"):
        name.pop()
    return " ".join(name)


def _orgs(text: str, limit: int = 6) -> list[str]:
    seen: list[str] = []
    for m in ORG_START.finditer(text):
        name = _org_at(text, m.start())
        if len(name) < 6 or " " not in name or any(model.make_slug(name) == model.make_slug(s) for s in seen):
            continue
        seen.append(name)
        if len(seen) >= limit:
            break
    return seen


def guesses_for(kind: str, legacy: Legacy, date: dt.datetime, content: Path) -> dict[str, Guess]:
    """Values for the kind's own required fields, read or guessed from the text."""
    text = legacy.plain_text()
    sents = sentences(text)
    g: dict[str, Guess] = {}
    lead_orgs = _orgs(legacy.summary or plain(next((b for b in legacy.blocks if not b.startswith("\0IMG")), "")))
    orgs = lead_orgs if len(lead_orgs) >= 2 else _orgs(text)
    place = re.search(r"\btại\s+((?:Hội trường|Trụ sở|Phòng|Trung tâm|Sở|UBND|Ủy ban|Công an|Nhà văn hóa|"
                      r"khách sạn|TP\.|thành phố)[^,.;\n]{2,80})", text, re.IGNORECASE)
    location = Guess(squash(place.group(1)), 'lấy từ cụm "tại …" trong bài') if place else \
        Guess("Tỉnh Lào Cai", "bài không nêu địa điểm; ghi tạm tên tỉnh")
    units = Guess(", ".join(orgs[:6]), "các cơ quan được nhắc tới trong bài") if orgs else \
        Guess("Sở Thông tin và Truyền thông tỉnh Lào Cai", "bài không nêu đơn vị; ghi tạm")
    if kind == model.MEETING:
        g["held"] = Guess(f"{date:%Y-%m-%d %H:%M}", "lấy theo ngày của bài")
        g["location"] = location
        said = next((s for s in sents if re.search(r"chủ trì", s)), "")
        before = said.split("chủ trì")[0] if said else ""
        people = re.findall(r"(?<!\w)((?:Đ/c|đ/c|Đồng chí|đồng chí|Ông|ông|Bà|bà)\s+.+?)(?=\s+và\s+(?:Đ/c|đ/c|Đồng chí|"
                            r"đồng chí|ông|bà)\s|\s+(?:đồng\s+)?$|$)", before.strip())
        if people:
            who = [p.strip(" ,").replace(",", " -") for p in people]
            g["chair"] = Guess(", ".join(w[:1].upper() + w[1:] for w in who if w), 'lấy từ câu "… chủ trì" trong bài')
        elif before and len(before) < 150:
            g["chair"] = Guess(squash(before.split(",")[-1]) or squash(before), 'lấy từ câu "… chủ trì" trong bài')
        else:
            g["chair"] = Guess("Lãnh đạo Sở Thông tin và Truyền thông", "bài không nêu người chủ trì; ghi tạm")
        g["units"] = units
    elif kind == model.DRILL:
        g["start"] = Guess(f"{date:%Y-%m-%d %H:%M}", "lấy theo ngày của bài")
        end = date.replace(hour=17, minute=0) if date.hour < 17 else date + dt.timedelta(hours=3)
        g["end"] = Guess(f"{end:%Y-%m-%d %H:%M}", "giờ kết thúc là đoán")
        g["location"] = location
        g["organisers"] = Guess(", ".join(orgs[:2]) if orgs else "Sở Thông tin và Truyền thông tỉnh Lào Cai",
                                "các cơ quan nhắc tới đầu tiên trong bài")
        g["units"] = units
        scenario = next((s for s in sents if re.search(r"kịch bản|giả định|tình huống", s, re.IGNORECASE)), "")
        g["scenario"] = Guess(shorten(scenario, 250) if scenario else "Xem nội dung bài.",
                              "câu nói về kịch bản trong bài" if scenario else "bài không nêu kịch bản")
    elif kind == model.WARNING:
        year = date.year
        g["identifier"] = Guess(model.next_identifier(used_identifiers(content), year),
                                f"số hiệu kế tiếp còn trống của năm {year}")
        low = text.lower()
        sev = "nghiêm trọng" if "nghiêm trọng" in low else "cao" if re.search(r"khẩn|nguy hiểm|nguy cơ cao", low) \
            else "trung bình"
        g["severity"] = Guess(sev, "đoán từ lời lẽ trong bài")
        cves = list(dict.fromkeys(c.upper() for c in CVE.findall(text)))
        if cves:
            g["cve"] = Guess(", ".join(cves), "")
        affected = next((s for s in sents if re.search(r"ảnh hưởng|phiên bản", s, re.IGNORECASE)), "")
        g["affected"] = Guess(shorten(affected, 250) if affected else "Xem nội dung bài.",
                              "câu nói về phiên bản/sản phẩm bị ảnh hưởng" if affected else "bài không nêu rõ")
        advice = re.compile(r"khuyến cáo|đề nghị|khẩn trương|yêu cầu|\bhãy\b", re.IGNORECASE)
        actions = [s for s in sents if advice.search(s)][:3]
        g["actions"] = Guess("\n    ".join(shorten(a, 250) for a in actions) if actions else "Xem nội dung bài.",
                             "các câu khuyến cáo trong bài" if actions else "bài không nêu việc cần làm")
        g["expires"] = Guess(f"{date + dt.timedelta(days=30):%Y-%m-%d %H:%M}",
                             "bài cũ không có hạn hiệu lực; ghi tạm 30 ngày sau ngày đăng")
    return g


@dataclass
class Imported:
    source: Path
    status: str  # "written", "duplicate", "failed"
    path: Path | None = None
    kind: str = ""
    report: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)


def _existing_index(content: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    """Fingerprints recorded by earlier imports, and opening paragraphs of every article."""
    prints: dict[str, Path] = {}
    openings: dict[str, Path] = {}
    for p in content_files(content):
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        for m in re.finditer(r"mã nội dung ([0-9a-f]{12,64})", text):
            prints[m.group(1)] = p
        fm = model.parse_front_matter(text, str(p))
        paras = [normalized_words(b) for b in re.split(r"\n\s*\n", fm.body) if len(b.strip()) >= 80]
        for para in paras[:3]:
            openings.setdefault(para, p)
    return prints, openings


def _shown(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def build_article(legacy: Legacy, content: Path, kind: str, kind_why: str, now: dt.datetime,
                  hash_: str) -> tuple[str, Path, list[str], list[str], list[tuple[Path, Path]]]:
    """The Markdown text, its path, the report lines, the guessed field names and images to copy."""
    report: list[str] = []
    guessed: list[str] = []
    notes: dict[str, str] = {}  # field key -> why it is a guess
    values: dict[str, str] = {}
    # title
    title = squash(legacy.title)
    if not title:
        title = _title_from_text(legacy) or Path(legacy.path).stem
        notes["title"] = "trang cũ không có tiêu đề; lấy từ câu đầu của bài"
        report.append(f'Tiêu đề: "{title}" — ĐOÁN từ câu đầu của bài')
    else:
        report.append(f'Tiêu đề: "{title}" (từ {legacy.title_from})')
    values["title"] = title
    # date
    date = legacy.date
    if date is None:
        found = parse_date(legacy.text()[:1500])
        if found:
            date = found[0]
            legacy.date_from = f'"{found[1]}" trong bài' + (" (giờ là đoán)" if found[2] else "")
    if date is None:
        date = now
        notes["date"] = "không tìm thấy ngày trong trang; ghi tạm ngày nhập"
        report.append(f"Ngày đăng: {date:%Y-%m-%d %H:%M} — ĐOÁN (không tìm thấy ngày)")
    else:
        if "giờ là đoán" in legacy.date_from:
            notes["date"] = f"ngày lấy từ {legacy.date_from}"
        report.append(f"Ngày đăng: {date:%Y-%m-%d %H:%M} (từ {legacy.date_from})")
    values["date"] = f"{date:%Y-%m-%d %H:%M}"
    values["slug"] = free_slug(title, used_slugs(content))
    # summary
    if legacy.summary:
        summary, why = shorten(legacy.summary, SUMMARY_LIMIT), legacy.summary_from
    else:
        first = next((b for b in legacy.blocks if not b.startswith("\0IMG") and not b.startswith("#")), "")
        first = SOURCE_PREFIX.sub("", plain(first))
        summary, why = shorten(first, SUMMARY_LIMIT) or title, "đoạn đầu của bài"
    values["summary"] = summary
    report.append(f"Tóm tắt: từ {why} ({len(summary)} ký tự)")
    # source
    source = legacy.source
    text_plain = legacy.plain_text()
    if not source:
        m = SOURCE_PREFIX.match(text_plain)
        if m:
            source, legacy.source_from = m.group(1).strip(), f'"({m.group(1).strip()})" ở đầu bài'
    if not source:
        m = SOURCE_IN_TEXT.search(text_plain)
        if m:
            source, legacy.source_from = squash(m.group(1)), f'cụm "Theo {squash(m.group(1))}" trong bài'
    if source:
        values["source"] = source
        report.append(f"Nguồn: {source} (từ {legacy.source_from})")
    # byline
    if legacy.byline and legacy.byline_guessed:
        values["authors"] = legacy.byline
        notes["authors"] = "tên in đậm ở cuối bài, không có chữ \"Tin:\"; vai trò là đoán"
        report.append(f"Tác giả: {legacy.byline} — ĐOÁN (tên in đậm cuối bài)")
    elif legacy.byline:
        values["authors"] = legacy.byline
        report.append(f"Tác giả: {legacy.byline} (dòng tác giả cuối bài)")
    elif source:
        values["authors"] = f"Theo {source}"
        notes["authors"] = "trang cũ không có dòng tác giả; ghi theo nguồn"
        report.append(f"Tác giả: Theo {source} — ĐOÁN (không có dòng tác giả)")
    else:
        values["authors"] = "Ban biên tập"
        notes["authors"] = "trang cũ không có dòng tác giả"
        report.append("Tác giả: Ban biên tập — ĐOÁN (không có dòng tác giả)")
    report.insert(0, f"Loại bài đề xuất: {kind} ({model.KINDS[kind].label_vi}) — {kind_why}")
    # kind's own fields
    for key, guess in guesses_for(kind, legacy, date, content).items():
        values[key] = guess.value
        if guess.note:
            notes[key] = guess.note
    # pictures
    copies: list[tuple[Path, Path]] = []
    missing_pics: list[Picture] = []
    body_blocks: list[str] = []
    lead_done = False
    n = 0
    for block in legacy.blocks:
        if not block.startswith("\0IMG"):
            body_blocks.append(block)
            continue
        pic = legacy.pictures[int(block[4:])]
        n += 1
        ext = Path(pic.name).suffix.lower() if Path(pic.name).suffix.lower() in IMAGE_EXT else ".jpg"
        rel = f"images/{values['slug'][:60]}-{n}{ext}"
        if pic.found is None:
            missing_pics.append(pic)
            report.append(f"Ảnh {pic.name}: KHÔNG có tệp ảnh đi kèm — chưa đưa vào bài (xem ghi chú trong tệp)")
            continue
        copies.append((pic.found, content / rel))
        alt = pic.alt or pic.caption or title
        report.append(f"Ảnh {pic.name} → content/{rel}" + (f'; chú thích "{pic.caption[:60]}"' if pic.caption else "")
                      + (f"; nguồn ảnh: {pic.credit}" if pic.credit else ""))
        if not lead_done:
            lead_done = True
            values["image"] = rel
            values["image_caption"] = pic.caption or alt
            values["image_credit"] = pic.credit or values.get("source") or values["authors"]
            values["image_alt"] = alt
            if not pic.caption:
                notes["image_caption"] = "ảnh không có chú thích; dùng mô tả ảnh"
            if not pic.credit:
                notes["image_credit"] = "ảnh không ghi nguồn; ghi theo nguồn/tác giả bài"
            continue
        caption = (pic.caption or "") + (f" Nguồn ảnh: {pic.credit}" if pic.credit else "")
        caption = caption.strip() or alt
        body_blocks.append(f'![{md_text(alt)}]({rel} "{caption.replace(chr(34), "“")}")')
    # a lead photo without its file: keep its caption and credit as fields, the Image line as a note
    lead_missing = missing_pics[0] if missing_pics and "image" not in values and missing_pics[0].caption else None
    if lead_missing:
        missing_pics = missing_pics[1:]
        values["image_caption"] = lead_missing.caption
        if lead_missing.credit:
            values["image_credit"] = lead_missing.credit
        if lead_missing.alt:
            values["image_alt"] = lead_missing.alt
    # ---- the file ---------------------------------------------------------------------
    lines = [f"{FINGERPRINT_NOTE}: {legacy.path.name} · mã nội dung {hash_} "
             "(giữ dòng này để không nhập trùng)"]
    if legacy.original_url:
        lines.append(f"# Địa chỉ trang cũ: {legacy.original_url}")
    lines.append(f"# Nhập lúc {now:%Y-%m-%d %H:%M}. Các dòng {GUESS_NOTE.strip()} là giá trị công cụ đoán: "
                 "kiểm tra, sửa nếu sai, rồi xóa dòng ghi chú đó.")
    for f in model.fields_for(kind):
        if f.key == "image_caption" and lead_missing:
            ext = Path(lead_missing.name).suffix.lower() if Path(lead_missing.name).suffix else ".jpg"
            where = f" (địa chỉ cũ: {lead_missing.url})" if lead_missing.url else ""
            lines.append(f"# ẢNH CHƯA CÓ TỆP: {lead_missing.name}{where}. Chép ảnh vào content/images/ với tên "
                         "dưới đây rồi xóa dấu # ở dòng Image:")
            lines.append(f"#Image: images/{values['slug'][:60]}-1{ext}")
        if f.key not in values:
            continue
        if f.key in notes:
            lines.append(f"{GUESS_NOTE} {notes[f.key]}")
            guessed.append(f.name)
        lines.append(f"{f.name}: {values[f.key]}")
    for pic in missing_pics:
        caption = pic.caption + (f" Nguồn ảnh: {pic.credit}" if pic.credit else "")
        where = f" (địa chỉ cũ: {pic.url})" if pic.url else ""
        lines.append(f"# ẢNH CHƯA CÓ TỆP: {pic.name}{where}. Chép ảnh vào content/images/ rồi thêm vào bài:")
        lines.append(f'#   ![{pic.alt or "mô tả ảnh"}](images/{pic.name} "{caption.strip() or "chú thích"}")')
    body = "\n\n".join(body_blocks).strip()
    text = "\n".join(lines) + "\n\n" + body + "\n"
    path = content / kind / f"{date:%Y-%m-%d}-{values['slug']}.md"
    if legacy.dropped:
        report.append("Đã bỏ phần trang trí của cổng cũ: " + ", ".join(
            f"{name} ×{count}" if count > 1 else name for name, count in sorted(legacy.dropped.items())))
    return text, path, report, guessed, copies


def import_file(src: Path, content: Path, now: dt.datetime | None = None, kind: str | None = None,
                force: bool = False, dry_run: bool = False,
                index: tuple[dict[str, Path], dict[str, Path]] | None = None) -> Imported:
    """Import one file. `index` (from _existing_index) is reused and updated across a run."""
    now = now or build_time({})
    try:
        head = src.read_bytes()[:4096]
    except OSError as err:
        return Imported(src, "failed", report=[f"Không đọc được tệp: {err.strerror}"])
    control = sum(1 for b in head if b < 9 or 13 < b < 27 or 27 < b < 32)
    if b"\x00" in head or control > len(head) * 0.02:
        return Imported(src, "failed", report=["Tệp không phải văn bản hay trang HTML (có thể là ảnh, PDF, Word…). "
                                              "Cách sửa: xuất bài ra văn bản (.txt) hoặc lưu trang (.html)."])
    try:
        if src.suffix.lower() in (".html", ".htm", ".aspx", ".php", ".shtml"):
            legacy = parse_html(src)
        else:
            legacy = parse_plain(src)
    except (OSError, ValueError) as err:
        return Imported(src, "failed", report=[f"Không đọc được tệp: {err}"])
    body_text = legacy.plain_text()
    if len(body_text) < 60 or body_text.count("\ufffd") > 5:
        return Imported(src, "failed", report=["Không tìm thấy nội dung bài viết trong tệp (không có đoạn văn nào "
                                              "đủ dài, hoặc chữ bị lỗi bảng mã)."])
    hash_ = fingerprint(legacy)
    prints, openings = index if index is not None else _existing_index(content)
    if not force:
        if hash_ in prints:
            return Imported(src, "duplicate", prints[hash_],
                            report=[f"Đã nhập trước đây: {_shown(prints[hash_])} (cùng mã nội dung {hash_})."])
        for block in legacy.blocks[:3]:
            key = normalized_words(plain(block))
            if len(key) >= 60 and key in openings:
                return Imported(src, "duplicate", openings[key],
                                report=[f"Bài đã có trên cổng: {_shown(openings[key])} (đoạn mở đầu giống hệt). "
                                        "Dùng --force nếu vẫn muốn nhập thêm một bản."])
    why = "chọn bằng --kind"
    if kind is None:
        kind, why = propose_kind(legacy, legacy.title or _title_from_text(legacy))
    text, path, report, guessed, copies = build_article(legacy, content, kind, why, now, hash_)
    entry = model.validate(text, str(path), kind, None)
    errors = [p for p in entry.problems if p.level == "error"]
    if errors:  # should not happen: report it rather than write a file the build would refuse
        return Imported(src, "failed", None, kind, report + [p.format() for p in errors], guessed)
    if not dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        for original, target in copies:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, target)
        with path.open("x", encoding="utf-8") as fh:
            fh.write(text)
    prints[hash_] = path  # a second copy later in the same run is a duplicate too
    for block in legacy.blocks[:3]:
        key = normalized_words(plain(block))
        if len(key) >= 60:
            openings.setdefault(key, path)
    return Imported(src, "written", path, kind, report, guessed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="invoke import", description="Nhập bài từ cổng thông tin cũ.")
    parser.add_argument("paths", nargs="+", type=Path, help="tệp .txt (bản xuất) hoặc .html (trang đã lưu)")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--kind", choices=list(model.KINDS), help="ép loại bài thay vì để công cụ đề xuất")
    parser.add_argument("--force", action="store_true", help="nhập cả khi bài có vẻ đã có")
    parser.add_argument("--dry-run", action="store_true", help="chỉ báo cáo, không ghi tệp")
    args = parser.parse_args(argv)
    files: list[Path] = []
    for p in args.paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix.lower() in (".txt", ".html", ".htm")))
        else:
            files.append(p)
    results = []
    index = _existing_index(args.content)
    for src in files:
        if not src.is_file():
            results.append(Imported(src, "failed", report=["Không có tệp này."]))
        else:
            results.append(import_file(src, args.content, kind=args.kind, force=args.force, dry_run=args.dry_run,
                                       index=index))
        r = results[-1]
        head = {"written": "ĐÃ NHẬP" if not args.dry_run else "SẼ NHẬP", "duplicate": "BỎ QUA (trùng)",
                "failed": "KHÔNG NHẬP ĐƯỢC"}[r.status]
        print(f"\n{head}: {_shown(src)}")
        if r.status == "written" and r.path:
            print(f"  → {_shown(r.path)}")
        for line in r.report:
            print(f"  {line}")
        if r.guessed:
            print(f"  Cần người kiểm tra (ĐOÁN): {', '.join(r.guessed)}")
    written = sum(r.status == "written" for r in results)
    dup = sum(r.status == "duplicate" for r in results)
    failed = sum(r.status == "failed" for r in results)
    print(f"\nTổng cộng: nhập {written} bài, bỏ qua {dup} bài trùng, {failed} tệp không nhập được.")
    if written and not args.dry_run:
        print("Việc tiếp theo: mở từng tệp mới, xem các dòng \"# ĐOÁN\", sửa nếu sai rồi xóa ghi chú; "
              "sau đó chạy invoke check và invoke preview.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
