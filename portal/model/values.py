"""Values: one parser per field type, from the text staff write to a typed value."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unidecode import unidecode

from ..images import header_problem
from .fields import (
    BOOL,
    BYLINE,
    CVES,
    DATE_EXAMPLE,
    DATETIME,
    EVENT,
    IDENTIFIER,
    IMAGE,
    LINES,
    LIST,
    REVISIONS,
    SEVERITY,
    SLUG,
    STATUS,
    TEXT,
    URL,
    URLS,
    Field,
)
from .kinds import SEVERITIES, TZ, severity

if TYPE_CHECKING:
    from .entry import RawField

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


_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d",
                 "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# ASCII digits only ("２０２６" is a digit to \d), and a number no file name or schema refuses (a warning's
# identifier names its CAP and CSAF files)
IDENTIFIER_RE = re.compile(r"^CB-([0-9]{4})-([0-9]{3,8})$")
_CVE_RE = re.compile(r"^CVE-([0-9]{4})-([0-9]{4,19})$")
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


# Dates this portal can hold: before 1975 Vietnam's offset was not +07:00 (before 1906 zoneinfo gives
# the old local mean time, +07:06:30), which no feed or CAP reader accepts; far ahead is a typo.
YEARS = (1990, 2099)


def parse_datetime(text: str) -> dt.datetime:
    """Local Vietnam time; an explicit +07:00 offset is accepted too. Years outside YEARS are refused."""
    value = _parse_datetime(text.strip())
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise BadValue("date_out_of_range", low=YEARS[0], high=YEARS[1])
    return value


def _parse_datetime(value: str) -> dt.datetime:
    m = re.match(r"^(.*?)([+-][0-9]{2}:?[0-9]{2}|Z)$", value)
    if m and "-" in m.group(1):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if YEARS[0] <= parsed.year <= YEARS[1]:
                return parsed.astimezone(TZ)
            return parsed
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=TZ)
        except ValueError:
            continue
    raise BadValue("bad_date", example=DATE_EXAMPLE)


SLUG_MAX = 80


@functools.lru_cache(maxsize=8192)  # tags repeat across articles: checks fold each name thousands of times
def make_slug(title: str) -> str:
    """Vietnamese folded to ASCII ('Đ' to 'd'); '12/2025' becomes '12-2025'."""
    text = unidecode(title.replace("đ", "d").replace("Đ", "D")).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) <= SLUG_MAX:
        return text
    cut = text[: SLUG_MAX + 1].rsplit("-", 1)[0]  # whole words only
    return cut if cut else text[:SLUG_MAX]


# words an organisation's name starts with: its "và" is inside the name ("Sở Thông tin và Truyền thông")
_ORGANISATION = re.compile(r"(?:Sở|Bộ|Phòng|Ban|Cục|Chi cục|Tổng cục|Vụ|Viện|Học viện|Trung tâm|Ủy ban|Uỷ ban|UBND|"
                           r"Công an|Đội|Hội|Hiệp hội|Văn phòng|Trường|Báo|Đài|Tạp chí|Cổng|Công ty|Tập đoàn|"
                           r"Ngân hàng|Bệnh viện|Tỉnh|Huyện|Xã|Thành phố)\b")


# what follows "và" in the names of the state's ministries, departments, centres and stations (before and after
# the 2025 mergers): written capitalised ("Sở Thông tin và Truyền Thông") it would read as a person's name, and
# "Xã hội" as a commune's ("Sở Lao động - Thương binh và Xã hội")
_SECOND_HALF = re.compile(r"(?:truyền thông|công nghệ|đào tạo|xã hội|du lịch|môi trường|phát triển nông thôn|"
                          r"đầu tư|truyền hình|truyền thanh|tôn giáo|trật tự|an toàn xã hội|nhân văn|dân vận|"
                          r"thông tin|thể thao|thông tin điện tử)(?:\s|,|$)")


def _person(text: str) -> bool:
    """A person's name as bylines write it: one to four words, each capitalised ("Minh Hà", "CTV")."""
    words = text.split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() for w in words)


def _names(text: str) -> list[str]:
    """A byline's names: separated by ";" when it has one (as the field's help says), else by "và", but
    for the "và" inside an organisation's name: after a name that starts as one does, a piece that is the
    second half of an agency's name ("Sở Thông tin và Truyền Thông", "Sở Lao động - Thương binh và Xã hội"),
    or that neither starts another organisation nor reads as a person's name ("Phòng An ninh mạng và phòng,
    chống tội phạm…"; but "Phòng PA05 và Minh Hà" are two)."""
    if ";" in text:
        return [n.strip() for n in text.split(";")]
    names: list[str] = []
    for piece in re.split(r"\s+và\s+", text.strip()):
        inside = _SECOND_HALF.match(" ".join(piece.split()).lower()) or (
            not _ORGANISATION.match(piece) and not _person(piece))
        if names and _ORGANISATION.match(names[-1]) and inside:
            names[-1] = f"{names[-1]} và {piece}"
        else:
            names.append(piece)
    return names


def parse_byline(text: str) -> Byline:
    role, sep, names = text.rpartition(":")
    if not sep:
        role, names = "", text
    parts = tuple(n for n in _names(names) if n)
    if not parts:
        raise BadValue("bad_byline")
    return Byline(text.strip(), role.strip(), parts)


def split_list(lines: list[str]) -> list[str]:
    """Items one per line, or separated by commas; by semicolons when a line has
    any (for names holding a comma: "Phòng An ninh mạng và phòng, chống tội phạm")."""
    items: list[str] = []
    for line in lines:
        items.extend(part.strip() for part in line.split(";" if ";" in line else ","))
    return [i for i in items if i]


def parse_event(line: str) -> Revision:
    """'2026-11-27 08:00 | Bổ sung mã CVE' -> Revision(date, note)."""
    date_text, sep, note = line.partition("|")
    if not sep or not note.strip():
        raise BadValue("bad_revision", example=f"{DATE_EXAMPLE} | Bổ sung mã CVE")
    return Revision(parse_datetime(date_text), note.strip())


# ---- one parser per field type: (text, lines, content_root) -> value -------------------
def _matching(pattern: re.Pattern, code: str, **params: Any) -> Callable[[str, list[str], Path | None], str]:
    def parse(text: str, lines: list[str], root: Path | None) -> str:
        if not pattern.match(text):
            raise BadValue(code, **params)
        return text
    return parse


SLUG_LONGEST = 150  # a Slug written by hand: a file name holds 255 bytes, and the site adds to it (.html, .ics.gz…)


def _slug(text: str, lines: list[str], root: Path | None) -> str:
    if not _SLUG_RE.match(text):
        raise BadValue("bad_slug", suggestion=make_slug(text) or "bai-viet")
    if len(text) > SLUG_LONGEST:
        raise BadValue("slug_too_long", length=len(text), most=SLUG_LONGEST, suggestion=make_slug(text))
    return text


def _severity(text: str, lines: list[str], root: Path | None):
    found = severity(text)
    if not found:
        raise BadValue("bad_severity", choices=", ".join(s.value for s in SEVERITIES))
    return found


def _bool(text: str, lines: list[str], root: Path | None) -> bool:
    if text.lower() not in _BOOL:
        raise BadValue("bad_bool")
    return _BOOL[text.lower()]


def _status(text: str, lines: list[str], root: Path | None) -> str:
    if text.lower() not in STATUSES:
        raise BadValue("bad_status", choices=", ".join(STATUSES))
    return text.lower()


def _urls(text: str, lines: list[str], root: Path | None) -> list[str]:
    for line in lines:
        if not _URL_RE.match(line):
            raise BadValue("bad_reference", bad=line)
    return list(lines)


def _cves(text: str, lines: list[str], root: Path | None) -> list[str]:
    cves = [c.upper() for c in split_list(lines)]
    for cve in cves:
        if not _CVE_RE.match(cve):
            raise BadValue("bad_cve", bad=cve)
    if len(set(cves)) != len(cves):
        raise BadValue("duplicate_cve")
    return cves


# what a web address cannot carry as it is written: the file's name goes into the page, the feeds, the social
# tags and CAP as its address ("ảnh #1?.png" would be asked for as "ảnh ", "50%.png" is no address at all)
UNSAFE_IN_ADDRESS = re.compile(r'[\s%#?"<>\\^`{|}]')


def safe_name(rel: str) -> str:
    """``rel`` renamed as it could be: images/Hội nghị/Ảnh đại diện #1.PNG -> images/hoi-nghi/anh-dai-dien-1.png."""
    path = Path(rel)
    folders = [(make_slug(part) or "anh") if UNSAFE_IN_ADDRESS.search(part) else part for part in path.parent.parts]
    return str(Path(*folders, (make_slug(path.stem) or "anh") + path.suffix.lower()))


def _image(text: str, lines: list[str], root: Path | None) -> str:
    rel = text.lstrip("/")
    if rel.startswith("{static}") or rel.startswith("{attach}"):
        rel = rel.split("}", 1)[1].lstrip("/")
    if ".." in Path(rel).parts:
        raise BadValue("bad_image_path")
    if UNSAFE_IN_ADDRESS.search(rel):
        raise BadValue("image_name_unsafe", path=f"content/{rel}", suggestion=f"content/{safe_name(rel)}")
    if root is not None and not (root / rel).is_file():
        raise BadValue("missing_image", path=f"content/{rel}")
    found = header_problem(root / rel) if root is not None else None
    if found is not None:
        raise BadValue(found[0], path=f"content/{rel}", used_by=f"Image: {rel}", **found[1])
    return rel


PARSERS: dict[str, Callable[[str, list[str], Path | None], Any]] = {
    TEXT: lambda text, lines, root: text,
    DATETIME: lambda text, lines, root: parse_datetime(text),
    SLUG: _slug,
    URL: _matching(_URL_RE, "bad_url"),
    IDENTIFIER: _matching(IDENTIFIER_RE, "bad_identifier"),
    SEVERITY: _severity,
    BOOL: _bool,
    STATUS: _status,
    BYLINE: lambda text, lines, root: parse_byline(text),
    LIST: lambda text, lines, root: split_list(lines),
    LINES: lambda text, lines, root: list(lines),
    URLS: _urls,
    CVES: _cves,
    REVISIONS: lambda text, lines, root: [parse_event(line) for line in lines],
    EVENT: lambda text, lines, root: parse_event(text),
    IMAGE: _image,
}
MULTI_LINE = (LIST, LINES, URLS, CVES, REVISIONS)  # may be empty; the others may not


def parse_value(f: Field, raw: RawField, content_root: Path | None) -> Any:
    """Turn the written text into the field's value, or raise BadValue."""
    text = raw.text.strip()
    if f.type not in MULTI_LINE and not text:
        raise BadValue("empty")
    return PARSERS[f.type](text, raw.lines, content_root)
