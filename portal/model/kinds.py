"""Kinds of article, the four-step severity scale and a warning's status.

Each is a small frozen record with its Vietnamese and English labels; the rest
of the house reads these, never a spelled-out label.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from unidecode import unidecode

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


