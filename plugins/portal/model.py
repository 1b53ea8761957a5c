"""The portal's content model: kinds, fields, values and their validation.

This is the one place a field is defined. The Pelican reader, the checker
(`invoke check`), the article scaffolder (`invoke new`), the feeds, the CAP
alerts and the importer all import it; nothing else spells a field name.

A file is one article: a block of ``Field: value`` lines at the top (the
front matter, ended by the first blank line), then the Markdown body.
Continuation lines of a field start with spaces. A line starting with "#"
in the front matter is a note for staff and is skipped. The kind is the folder.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from unidecode import unidecode

from .messages import Problem

TIMEZONE_NAME = "Asia/Ho_Chi_Minh"
TZ = ZoneInfo(TIMEZONE_NAME)


# --------------------------------------------------------------------------
# Kinds
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    key: str  # the folder under content/, also the URL segment
    label_vi: str
    label_en: str
    description_vi: str
    description_en: str

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


NEWS, MEETING, DRILL, WARNING = "tin-tuc", "hoi-nghi", "dien-tap", "canh-bao"
PAGE = "pages"

KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(WARNING, "Cảnh báo", "Warnings",
             "Cảnh báo an toàn thông tin: lỗ hổng, mã độc, lừa đảo trực tuyến.",
             "Security warnings: vulnerabilities, malware, online fraud."),
        Kind(NEWS, "Tin tức", "News",
             "Tin hoạt động bảo đảm an ninh, an toàn thông tin trên địa bàn tỉnh.",
             "News of network security work in the province."),
        Kind(DRILL, "Diễn tập", "Drills",
             "Diễn tập ứng cứu sự cố an toàn thông tin mạng.",
             "Cyber-security incident response drills."),
        Kind(MEETING, "Hội nghị", "Meetings",
             "Hội nghị, cuộc họp phối hợp giữa các cơ quan, đơn vị.",
             "Inter-agency coordination meetings."),
    )
}
ARTICLE_KINDS = tuple(KINDS)  # display order: warnings first


# --------------------------------------------------------------------------
# Severity (four steps, mapped to CAP 1.2)
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Severity:
    value: str  # as staff write it
    slug: str
    rank: int  # 1 (lowest) .. 4 (highest)
    cap: str  # CAP 1.2 <severity>
    label_en: str

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.value.capitalize()

    @property
    def is_severe(self) -> bool:
        """Cao and nghiêm trọng raise the site-wide banner while active."""
        return self.rank >= 3

    def __str__(self) -> str:
        return self.value


SEVERITIES: tuple[Severity, ...] = (
    Severity("thấp", "thap", 1, "Minor", "Low"),
    Severity("trung bình", "trung-binh", 2, "Moderate", "Medium"),
    Severity("cao", "cao", 3, "Severe", "High"),
    Severity("nghiêm trọng", "nghiem-trong", 4, "Extreme", "Critical"),
)
_SEVERITY_BY_VALUE = {s.value: s for s in SEVERITIES}
_SEVERITY_BY_VALUE.update({unidecode(s.value): s for s in SEVERITIES})


def severity(value: str) -> Severity | None:
    return _SEVERITY_BY_VALUE.get(" ".join(value.lower().split()))


# --------------------------------------------------------------------------
# Warning status at a given time
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Status:
    key: str
    label_vi: str
    label_en: str

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


ACTIVE = Status("active", "Đang hiệu lực", "Active")
EXPIRED = Status("expired", "Hết hiệu lực", "Expired")
WITHDRAWN = Status("withdrawn", "Đã thu hồi", "Withdrawn")
UPDATED_LABEL = {"vi": "Đã cập nhật", "en": "Updated"}


# --------------------------------------------------------------------------
# Value types
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Revision:
    """One dated change: a warning's revision or its withdrawal."""

    date: dt.datetime
    note: str


@dataclass(frozen=True)
class Byline:
    """'Tin, ảnh: Tuấn Anh' -> role 'Tin, ảnh', names ['Tuấn Anh']."""

    text: str
    role: str
    names: tuple[str, ...]


# field types
TEXT, LINES, LIST, DATETIME, SLUG, URL, IMAGE, SEVERITY, CVES = (
    "text", "lines", "list", "datetime", "slug", "url", "image", "severity", "cves")
IDENTIFIER, REVISIONS, EVENT, BOOL, STATUS, BYLINE = (
    "identifier", "revisions", "event", "bool", "status", "byline")


@dataclass(frozen=True)
class Field:
    name: str  # as written in the front matter
    type: str
    label_vi: str
    label_en: str
    help_vi: str  # what to write: shown by `invoke new` and in error fixes
    help_en: str
    example: str
    required: bool = False
    kinds: tuple[str, ...] = ARTICLE_KINDS

    @property
    def key(self) -> str:
        """The lowercase key Pelican uses for the metadata."""
        return self.name.lower()

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi

    def help(self, lang: str = "vi") -> str:
        return self.help_en if lang == "en" else self.help_vi


_ALL = ARTICLE_KINDS + (PAGE,)
DATE_EXAMPLE = "2026-11-26 09:30"

FIELDS: tuple[Field, ...] = (
    # ---- common to every article --------------------------------------------------
    Field("Title", TEXT, "Tiêu đề", "Title",
          "Tiêu đề bài viết.", "The article's title.",
          "Hội nghị sơ kết công tác phối hợp bảo đảm an ninh mạng", True, _ALL),
    Field("Date", DATETIME, "Ngày đăng", "Published",
          f"Ngày giờ đăng, giờ Việt Nam, dạng {DATE_EXAMPLE}. Bài có ngày trong tương lai chỉ xuất bản khi đến ngày.",
          f"Publication date and time, Vietnam time, as {DATE_EXAMPLE}. A future date embargoes the article.",
          DATE_EXAMPLE, True),
    Field("Slug", SLUG, "Đường dẫn", "Slug",
          "Tên đường dẫn cố định: chữ thường không dấu, số và dấu gạch ngang. Không đổi khi sửa tiêu đề.",
          "The permanent URL name: lowercase ASCII letters, digits and hyphens. "
          "Never changes when the title is edited.",
          "hoi-nghi-so-ket-phoi-hop-2026", True, _ALL),
    Field("Summary", TEXT, "Tóm tắt", "Summary",
          "Đoạn mở đầu (sapo), một đến ba câu, dưới 300 ký tự.",
          "The lead paragraph, one to three sentences, under 300 characters.",
          "Sáng 26/11, Sở Thông tin và Truyền thông phối hợp với Công an tỉnh tổ chức hội nghị…", True, _ALL),
    Field("Authors", BYLINE, "Tác giả", "Byline",
          "Dòng tác giả như trên báo: vai trò, dấu hai chấm, tên (nhiều tên cách nhau bằng dấu ;).",
          "The byline: role, a colon, the names (several names separated by ;).",
          "Tin, ảnh: Tuấn Anh", True),
    Field("Tags", LIST, "Từ khóa", "Tags",
          "Các từ khóa, cách nhau bằng dấu phẩy.", "Tags, separated by commas.",
          "an ninh mạng, phối hợp liên ngành"),
    Field("Modified", DATETIME, "Cập nhật", "Updated",
          f"Ngày giờ sửa đổi gần nhất, dạng {DATE_EXAMPLE}.", f"Last updated, as {DATE_EXAMPLE}.",
          DATE_EXAMPLE, False, _ALL),
    Field("Source", TEXT, "Nguồn", "Source",
          "Tên nguồn gốc của tin (nếu lấy từ nơi khác).", "Name of the original source, if any.",
          "Cổng TTĐT Bộ Công an"),
    Field("Source_url", URL, "Địa chỉ nguồn", "Source URL",
          "Địa chỉ web của bài gốc, bắt đầu bằng https://.", "Web address of the original, starting https://.",
          "https://bocongan.gov.vn/"),
    Field("Image", IMAGE, "Ảnh đại diện", "Lead image",
          "Đường dẫn ảnh trong thư mục content, ví dụ images/ten-anh.png.",
          "Path of the image inside content/, e.g. images/name.png.",
          "images/hoi-nghi-phoi-hop.png"),
    Field("Image_caption", TEXT, "Chú thích ảnh", "Image caption",
          "Chú thích hiển thị dưới ảnh (bắt buộc khi có Image).",
          "The caption shown under the image (required with Image).",
          "Quang cảnh hội nghị."),
    Field("Image_credit", TEXT, "Nguồn ảnh", "Image credit",
          "Người chụp hoặc nơi cung cấp ảnh, hiển thị sau \"Nguồn ảnh:\" (bắt buộc khi có Image).",
          "Who took or provided the photo, shown after \"Photo:\" (required with Image).",
          "Cổng thông tin điện tử Bộ Công an"),
    Field("Image_alt", TEXT, "Mô tả ảnh", "Image alt text",
          "Mô tả nội dung ảnh cho người khiếm thị (nếu bỏ trống, dùng chú thích).",
          "What the image shows, for blind readers (defaults to the caption).",
          "Đại biểu ngồi quanh bàn họp"),
    Field("Status", STATUS, "Trạng thái", "Status",
          "published (mặc định) hoặc draft (bản nháp, không xuất bản).",
          "published (default) or draft (not published).", "draft", False, _ALL),
    # ---- warnings ------------------------------------------------------------
    Field("Identifier", IDENTIFIER, "Số hiệu", "Identifier",
          "Số hiệu cảnh báo dạng CB-năm-số thứ tự ba chữ số; không bao giờ đổi.",
          "Warning identifier as CB-year-three-digit number; never changes.",
          "CB-2026-014", True, (WARNING,)),
    Field("Severity", SEVERITY, "Mức độ", "Severity",
          "Một trong: thấp, trung bình, cao, nghiêm trọng.",
          "One of: thấp, trung bình, cao, nghiêm trọng (low, medium, high, critical).",
          "cao", True, (WARNING,)),
    Field("CVE", CVES, "Mã CVE", "CVE identifiers",
          "Các mã CVE, dạng CVE-2026-12345, cách nhau bằng dấu phẩy.",
          "CVE identifiers as CVE-2026-12345, separated by commas.",
          "CVE-2026-21001, CVE-2026-21002", False, (WARNING,)),
    Field("Affected", LINES, "Sản phẩm, hệ thống bị ảnh hưởng", "Affected products or systems",
          "Mỗi sản phẩm hoặc hệ thống trên một dòng (dòng sau thụt vào 4 dấu cách).",
          "One product or system per line (following lines indented by 4 spaces).",
          "Microsoft Exchange Server 2019", True, (WARNING,)),
    Field("Actions", LINES, "Việc cần làm ngay", "Actions to take now",
          "Mỗi việc cần làm trên một dòng (dòng sau thụt vào 4 dấu cách).",
          "One action per line (following lines indented by 4 spaces).",
          "Cài đặt ngay bản vá của nhà sản xuất.", True, (WARNING,)),
    Field("References", LINES, "Tài liệu tham khảo", "References",
          "Mỗi địa chỉ tham khảo trên một dòng, bắt đầu bằng https://.",
          "One reference URL per line, starting https://.",
          "https://www.cve.org/", False, (WARNING,)),
    Field("Expires", DATETIME, "Hiệu lực đến", "Expires",
          f"Thời điểm cảnh báo hết hiệu lực, dạng {DATE_EXAMPLE}; phải sau ngày đăng.",
          f"When the warning stops being active, as {DATE_EXAMPLE}; after the publication date.",
          "2026-12-31 23:59", True, (WARNING,)),
    Field("Revisions", REVISIONS, "Lịch sử cập nhật", "Revision history",
          f"Mỗi lần cập nhật một dòng: ngày giờ | nội dung thay đổi, ví dụ {DATE_EXAMPLE} | Bổ sung mã CVE.",
          f"One line per update: date | what changed, e.g. {DATE_EXAMPLE} | Added a CVE.",
          f"{DATE_EXAMPLE} | Bổ sung mã CVE", False, (WARNING,)),
    Field("Withdrawn", EVENT, "Thu hồi", "Withdrawn",
          f"Nếu cảnh báo bị thu hồi: ngày giờ | lý do, ví dụ {DATE_EXAMPLE} | Cảnh báo nhầm.",
          f"If the warning is withdrawn: date | reason, e.g. {DATE_EXAMPLE} | Issued in error.",
          f"{DATE_EXAMPLE} | Cảnh báo phát hành nhầm", False, (WARNING,)),
    # ---- drills ----------------------------------------------------------------
    Field("Start", DATETIME, "Bắt đầu", "Starts",
          f"Thời điểm bắt đầu diễn tập, dạng {DATE_EXAMPLE}.", f"When the drill starts, as {DATE_EXAMPLE}.",
          "2026-12-03 08:00", True, (DRILL,)),
    Field("End", DATETIME, "Kết thúc", "Ends",
          f"Thời điểm kết thúc, dạng {DATE_EXAMPLE}; sau thời điểm bắt đầu.",
          f"When the drill ends, as {DATE_EXAMPLE}; after the start.",
          "2026-12-03 17:00", True, (DRILL,)),
    Field("Location", TEXT, "Địa điểm", "Location",
          "Nơi tổ chức.", "Where it takes place.",
          "Hội trường Sở Thông tin và Truyền thông, TP. Lào Cai", True, (DRILL, MEETING)),
    Field("Organisers", LIST, "Đơn vị tổ chức", "Organisers",
          "Các đơn vị tổ chức, cách nhau bằng dấu phẩy.", "Organising units, separated by commas.",
          "Sở Thông tin và Truyền thông, Công an tỉnh", True, (DRILL,)),
    Field("Units", LIST, "Đơn vị tham gia", "Participating units",
          "Các đơn vị tham gia, cách nhau bằng dấu phẩy.", "Participating units, separated by commas.",
          "Cục An toàn thông tin, Viettel Lào Cai, VNPT Lào Cai", True, (DRILL, MEETING)),
    Field("Scenario", TEXT, "Kịch bản", "Scenario",
          "Tóm tắt kịch bản diễn tập.", "A short description of the drill's scenario.",
          "Tấn công mã hóa dữ liệu (ransomware) vào cổng dịch vụ công của tỉnh", True, (DRILL,)),
    Field("Public_alert", BOOL, "Thông báo công khai", "Public announcement",
          "có: phát thông báo CAP (trạng thái Exercise) cho công chúng; không (mặc định).",
          "có (yes): publish a CAP alert with status Exercise; không (no, default).",
          "có", False, (DRILL,)),
    # ---- meetings --------------------------------------------------------------
    Field("Held", DATETIME, "Thời gian họp", "Held on",
          f"Thời điểm diễn ra hội nghị, dạng {DATE_EXAMPLE}.", f"When the meeting took place, as {DATE_EXAMPLE}.",
          "2026-11-25 08:00", True, (MEETING,)),
    Field("Chair", LIST, "Chủ trì", "Chaired by",
          "Người chủ trì (họ tên - chức vụ), cách nhau bằng dấu phẩy.",
          "Who chaired (name - position), separated by commas.",
          "Giám đốc Sở Thông tin và Truyền thông", True, (MEETING,)),
)

FIELDS_BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
PAGE_REQUIRED = ("title", "slug")  # static pages need little else


def is_required(f: Field, kind: str) -> bool:
    return f.required and (kind != PAGE or f.key in PAGE_REQUIRED)


def fields_for(kind: str) -> list[Field]:
    return [f for f in FIELDS if kind in f.kinds]


def kind_of(path: Path, content_root: Path) -> str | None:
    """The kind of a content file is the first folder under content/."""
    try:
        rel = path.resolve().relative_to(content_root.resolve())
    except ValueError:
        return None
    top = rel.parts[0] if len(rel.parts) > 1 else None
    if top in KINDS or top == PAGE:
        return top
    return None


# --------------------------------------------------------------------------
# Front matter
# --------------------------------------------------------------------------
COMMENT = "#"  # a front-matter line starting with "#" is a note, never a field
_KEY_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$")


@dataclass
class RawField:
    name: str  # as written
    line: int  # 1-based
    lines: list[str]  # the first value plus continuation lines, stripped, non-empty
    line_numbers: list[int] = field(default_factory=list)  # where each of `lines` stands

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass
class FrontMatter:
    fields: dict[str, RawField]  # by lowercase name
    body: str
    body_line: int  # line number where the body starts
    problems: list[Problem]


def parse_front_matter(text: str, path: str) -> FrontMatter:
    """Split ``Field: value`` lines from the body, keeping line numbers."""
    # only real line ends: str.splitlines() would also split on \x0b, \x1c, \u2028…
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    fields: dict[str, RawField] = {}
    problems: list[Problem] = []
    current: RawField | None = None
    i = 0
    for i, line in enumerate(lines):
        if not line.strip():
            break
        if line.startswith(COMMENT):
            continue  # a note for staff (written by `invoke new` / `invoke import`)
        if line[:1] in (" ", "\t"):
            if current is None:
                problems.append(Problem(path, i + 1, None, line.strip(), "front_matter_indent"))
            elif line.strip():
                current.lines.append(line.strip())
                current.line_numbers.append(i + 1)
            continue
        m = _KEY_LINE.match(line)
        if not m:
            problems.append(Problem(path, i + 1, None, line.strip(), "front_matter_line"))
            current = None
            continue
        name, value = m.group(1), m.group(2).strip()
        if name.lower() in fields:
            problems.append(Problem(path, i + 1, name, value, "duplicate_field",
                                    {"first_line": fields[name.lower()].line}))
            current = None
            continue
        current = RawField(name, i + 1, [value] if value else [], [i + 1] if value else [])
        fields[name.lower()] = current
    else:
        i = len(lines)
    body = "\n".join(lines[i + 1:])
    return FrontMatter(fields, body, i + 2, problems)


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d",
                 "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_IDENTIFIER_RE = re.compile(r"^CB-(\d{4})-(\d{3,})$")
_CVE_RE = re.compile(r"^CVE-(\d{4})-(\d{4,})$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_BOOL = {"có": True, "co": True, "yes": True, "true": True,
         "không": False, "khong": False, "no": False, "false": False}
STATUSES = ("published", "draft")


class BadValue(ValueError):
    """A value that does not fit its field: code and params for the message."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def parse_datetime(text: str) -> dt.datetime:
    """Local Vietnam time; an explicit +07:00 offset is accepted too."""
    value = text.strip()
    m = re.match(r"^(.*?)([+-]\d{2}:?\d{2}|Z)$", value)
    if m and "-" in m.group(1):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed.astimezone(TZ)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=TZ)
        except ValueError:
            continue
    raise BadValue("bad_date", example=DATE_EXAMPLE)


SLUG_MAX = 80


def make_slug(title: str) -> str:
    """Vietnamese folded to ASCII ('Đ' to 'd'); '12/2025' becomes '12-2025'."""
    text = unidecode(title.replace("đ", "d").replace("Đ", "D")).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) <= SLUG_MAX:
        return text
    cut = text[: SLUG_MAX + 1].rsplit("-", 1)[0]  # whole words only
    return cut if cut else text[:SLUG_MAX]


def parse_byline(text: str) -> Byline:
    role, sep, names = text.rpartition(":")
    if not sep:
        role, names = "", text
    parts = tuple(n.strip() for n in re.split(r";|\s+và\s+", names) if n.strip())
    if not parts:
        raise BadValue("bad_byline")
    return Byline(text.strip(), role.strip(), parts)


def _split_list(raw: RawField) -> list[str]:
    """Items one per line, or separated by commas; by semicolons when a line has
    any (for names holding a comma: "Phòng An ninh mạng và phòng, chống tội phạm")."""
    items: list[str] = []
    for line in raw.lines:
        items.extend(part.strip() for part in line.split(";" if ";" in line else ","))
    return [i for i in items if i]


def _parse_event(line: str) -> Revision:
    date_text, sep, note = line.partition("|")
    if not sep or not note.strip():
        raise BadValue("bad_revision", example=f"{DATE_EXAMPLE} | Bổ sung mã CVE")
    return Revision(parse_datetime(date_text), note.strip())


def parse_value(f: Field, raw: RawField, content_root: Path | None) -> Any:
    """Turn the written text into the field's value, or raise BadValue."""
    text = raw.text.strip()
    if f.type in (TEXT, SLUG, URL, IDENTIFIER, SEVERITY, BOOL, STATUS, DATETIME, IMAGE,
                  BYLINE, EVENT) and not text:
        raise BadValue("empty")
    if f.type == TEXT:
        return text
    if f.type == DATETIME:
        return parse_datetime(text)
    if f.type == SLUG:
        if not _SLUG_RE.match(text):
            raise BadValue("bad_slug", suggestion=make_slug(text) or "bai-viet")
        return text
    if f.type == URL:
        if not _URL_RE.match(text):
            raise BadValue("bad_url")
        return text
    if f.type == IDENTIFIER:
        if not _IDENTIFIER_RE.match(text):
            raise BadValue("bad_identifier")
        return text
    if f.type == SEVERITY:
        found = severity(text)
        if not found:
            raise BadValue("bad_severity", choices=", ".join(s.value for s in SEVERITIES))
        return found
    if f.type == BOOL:
        if text.lower() not in _BOOL:
            raise BadValue("bad_bool")
        return _BOOL[text.lower()]
    if f.type == STATUS:
        if text.lower() not in STATUSES:
            raise BadValue("bad_status", choices=", ".join(STATUSES))
        return text.lower()
    if f.type == BYLINE:
        return parse_byline(text)
    if f.type == LIST:
        return _split_list(raw)
    if f.type == LINES:
        if f.name == "References":
            for line in raw.lines:
                if not _URL_RE.match(line):
                    raise BadValue("bad_reference", bad=line)
        return list(raw.lines)
    if f.type == CVES:
        cves = [c.upper() for c in _split_list(raw)]
        for cve in cves:
            if not _CVE_RE.match(cve):
                raise BadValue("bad_cve", bad=cve)
        if len(set(cves)) != len(cves):
            raise BadValue("duplicate_cve")
        return cves
    if f.type == REVISIONS:
        return [_parse_event(line) for line in raw.lines]
    if f.type == EVENT:
        return _parse_event(text)
    if f.type == IMAGE:
        rel = text.lstrip("/")
        if rel.startswith("{static}") or rel.startswith("{attach}"):
            rel = rel.split("}", 1)[1].lstrip("/")
        if ".." in Path(rel).parts:
            raise BadValue("bad_image_path")
        if content_root is not None and not (content_root / rel).is_file():
            raise BadValue("missing_image", path=f"content/{rel}")
        return rel
    raise AssertionError(f"unknown field type {f.type}")  # pragma: no cover


# --------------------------------------------------------------------------
# A validated article
# --------------------------------------------------------------------------
@dataclass
class Entry:
    """One content file after validation: typed values by lowercase key."""

    path: str  # as shown to people, e.g. content/canh-bao/x.md
    kind: str
    values: dict[str, Any]
    lines: dict[str, int]  # field key -> line number
    raw: dict[str, RawField]
    body: str
    body_line: int
    problems: list[Problem] = field(default_factory=list)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def ok(self) -> bool:
        return not any(p.level == "error" for p in self.problems)


# Characters XML 1.0 forbids (pasted from office documents); they would break every feed.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def drop_control_characters(text: str, path: str) -> tuple[str, list[Problem]]:
    """Remove XML-forbidden control characters, with one warning per line that held any."""
    if not _XML_FORBIDDEN.search(text):
        return text, []
    problems = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        found = sorted({f"U+{ord(c):04X}" for c in _XML_FORBIDDEN.findall(line)})
        if found:
            problems.append(Problem(path, number, None, None, "control_characters",
                                    {"chars": ", ".join(found)}, level="warning"))
    return _XML_FORBIDDEN.sub("", text), problems


def validate(text: str, path: str, kind: str, content_root: Path | None) -> Entry:
    """Check one file and return its entry with every problem found in it."""
    text, cleaned = drop_control_characters(text, path)
    fm = parse_front_matter(text, path)
    problems = cleaned + list(fm.problems)
    allowed = {f.key: f for f in fields_for(kind)}
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}

    for key, raw in fm.fields.items():
        lines[key] = raw.line
        f = allowed.get(key)
        if f is None:
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            if close:
                problems.append(Problem(path, raw.line, raw.name, raw.text, "unknown_field_typo",
                                        {"suggestion": allowed[close[0]].name}))
            elif key in FIELDS_BY_KEY:
                problems.append(Problem(path, raw.line, raw.name, raw.text, "field_wrong_kind",
                                        {"kind": kind}))
            else:
                problems.append(Problem(path, raw.line, raw.name, raw.text, "unknown_field",
                                        {"allowed": ", ".join(x.name for x in allowed.values())}))
            continue
        try:
            values[key] = parse_value(f, raw, content_root)
            if values[key] == [] and is_required(f, kind):
                raise BadValue("empty")
        except BadValue as bad:
            params = dict(bad.params)
            params.setdefault("help", f.help_vi)
            params.setdefault("help_en", f.help_en)
            code = bad.code
            if code == "empty" and is_required(f, kind):  # "delete the line" would be wrong advice
                code = "empty_required"
                params.setdefault("example", f.example)
            problems.append(Problem(path, raw.line, f.name, raw.text, code, params))

    for f in allowed.values():
        if is_required(f, kind) and f.key not in fm.fields:
            problems.append(Problem(path, 1, f.name, None, "missing_field",
                                    {"help": f.help_vi, "help_en": f.help_en, "example": f.example}))

    entry = Entry(path, kind, values, lines, fm.fields, fm.body, fm.body_line, problems)
    _check_relations(entry)
    return entry


def _check_relations(e: Entry) -> None:
    """Rules that tie two fields of one file together."""

    def add(key: str, code: str, index: int | None = None, **params: Any) -> None:
        """Report on field `key`; `index` picks one line of a multi-line value."""
        f = FIELDS_BY_KEY[key]
        raw = e.raw.get(key)
        line, shown = e.lines.get(key, 1), raw.text if raw else None
        if raw and index is not None:
            line, shown = raw.line_numbers[index], raw.lines[index]
        e.problems.append(Problem(e.path, line, f.name, shown, code, params))

    v = e.values
    date = v.get("date")
    if "image" in v:
        for needed in ("image_caption", "image_credit"):
            if needed not in v and needed not in e.lines:
                add("image", "image_needs", field=FIELDS_BY_KEY[needed].name)
    if "source_url" in v and "source" not in v and "source" not in e.lines:
        add("source_url", "source_url_needs_source")
    if date and v.get("modified") and v["modified"] < date:
        add("modified", "before_date", date=date.strftime("%Y-%m-%d %H:%M"))
    if date and v.get("expires") and v["expires"] <= date:
        add("expires", "expires_before_date", date=date.strftime("%Y-%m-%d %H:%M"))
    if v.get("start") and v.get("end") and v["end"] <= v["start"]:
        add("end", "end_before_start", start=v["start"].strftime("%Y-%m-%d %H:%M"))
    revisions = v.get("revisions") or []
    previous = date
    for index, rev in enumerate(revisions):
        if previous and rev.date <= previous:
            add("revisions", "revision_order", index, bad=rev.date.strftime("%Y-%m-%d %H:%M"))
            break
        previous = rev.date
    if date and v.get("withdrawn") and v["withdrawn"].date < date:
        add("withdrawn", "before_date", date=date.strftime("%Y-%m-%d %H:%M"))


def check_collection(entries: list[Entry]) -> list[Problem]:
    """Rules across files: unique slugs, identifiers and tag spellings."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], Entry] = {}
    entries = sorted(entries, key=lambda e: e.path)  # the first file by name keeps its slug
    for e in entries:
        space = "page" if e.kind == PAGE else "article"
        for key, code in (("slug", "duplicate_slug"), ("identifier", "duplicate_identifier")):
            value = e.values.get(key)
            if not value:
                continue
            other = seen.get((space + key, value))
            if other is not None:
                problems.append(Problem(e.path, e.lines.get(key, 1), FIELDS_BY_KEY[key].name,
                                        value, code, {"other": other.path}))
            else:
                seen[(space + key, value)] = e
    tag_spellings: dict[str, tuple[str, Entry]] = {}
    for e in entries:
        for tag in e.values.get("tags") or []:
            folded = make_slug(tag)
            first = tag_spellings.setdefault(folded, (tag, e))
            if first[0] != tag:
                problems.append(Problem(e.path, e.lines.get("tags", 1), "Tags", tag,
                                        "tag_spelling", {"other": first[0], "other_path": first[1].path}))
    return problems


def warning_status(values: dict[str, Any], now: dt.datetime) -> Status:
    if values.get("withdrawn") and values["withdrawn"].date <= now:
        return WITHDRAWN
    expires = values.get("expires")
    if expires and expires <= now:
        return EXPIRED
    return ACTIVE


def next_identifier(existing: list[str], year: int) -> str:
    """The next free CB-YYYY-NNN for the year."""
    numbers = [int(m.group(2)) for i in existing if (m := _IDENTIFIER_RE.match(i)) and int(m.group(1)) == year]
    return f"CB-{year}-{(max(numbers) + 1 if numbers else 1):03d}"
