"""The old portals' own words and markup, as patterns: one place for what the readers drop and the guessers read.

Both readers (plain text and saved HTML) and the guessers recognise the same
things (the rating counter, "Các tin khác", bylines, "Theo …" source lines,
photo credits, date lines, kind words), so the patterns live here once rather
than in whichever module happened to need them first; changing what counts as
chrome or as a byline is a change to this file alone.
"""

from __future__ import annotations

import re

from ... import model

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
# what a reader without JavaScript or without the plugin saw in place of the script or the object: dropped with
# the chrome, but only after the lost-words check has read the page as that reader saw it
FALLBACK_TAGS = ("noscript", "object", "svg")  # svg: a chart's <text> is words a reader saw
# the classes old CMSes give a photo's caption (a table cell, a paragraph or a span below the picture)
CAPTION_CLASS = re.compile(
    r"caption|chu-?thich|chuthich|ghi-?chu-?anh|(?:image|img|photo|pic|anh)[-_]?(?:desc|note|text)", re.IGNORECASE)
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
# a bare bold name closing the article: the byline of pages without "Tin:" (a guess)
NAME_ONLY = re.compile(r"^\*{1,2}([A-ZĐÀ-Ỹ][\wÀ-ỹ.]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ.]*){1,5}(?:\s*\([^()]{2,40}\))?)\*{1,2}$")
