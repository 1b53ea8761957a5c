"""Interface language: translated strings and locale-free Vietnamese dates.

Templates call ``_("Tiếng Việt")``: the Vietnamese text is the key, and
theme/translations/<lang>.json maps it to another language. Dates never
depend on the machine's installed locales.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .clock import iso, local

WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July",
             "August", "September", "October", "November", "December")


@lru_cache(maxsize=8)
def catalogue(translations_dir: str, lang: str) -> dict[str, str]:
    path = Path(translations_dir) / f"{lang}.json"
    if lang == "vi" or not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


class Translator:
    """The ``_`` of the templates, bound to one language."""

    def __init__(self, translations_dir: str, lang: str):
        self.lang = lang
        self.table = catalogue(translations_dir, lang)

    def __call__(self, text: str, **params: object) -> str:
        out = self.table.get(text, text)
        return out.format(**params) if params else out


def format_datetime(value: dt.datetime, lang: str = "vi") -> str:
    """'Thứ Năm, 26/11/2026 09:30'."""
    d = local(value)
    weekday = WEEKDAYS.get(lang, WEEKDAYS["vi"])[d.weekday()]
    return f"{weekday}, {d:%d/%m/%Y %H:%M}"


def format_date(value: dt.datetime, lang: str = "vi") -> str:
    return f"{local(value):%d/%m/%Y}"


def format_month(value: dt.datetime, lang: str = "vi") -> str:
    d = local(value)
    return f"{MONTHS_EN[d.month - 1]} {d.year}" if lang == "en" else f"Tháng {d.month}/{d.year}"


def format_period(numbers: tuple | list, lang: str = "vi") -> str:
    """A period archive's name from Pelican's ``period_num``: (year,), (year, month) or (year, month, day)."""
    parts = [int(n) for n in numbers or ()]
    if len(parts) >= 3:
        return f"{parts[2]:02d}/{parts[1]:02d}/{parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS_EN[parts[1] - 1]} {parts[0]}" if lang == "en" else f"Tháng {parts[1]}/{parts[0]}"
    return f"{parts[0]}" if parts else ""


def format_decimal(value: float, lang: str = "vi", digits: int = 1) -> str:
    """'4,3' in Vietnamese (the decimal comma), '4.3' in English; rounded to `digits` places."""
    text = f"{value:.{digits}f}"
    return text if lang == "en" else text.replace(".", ",")


def short_url(url: str, limit: int = 44) -> str:
    """How a link reads on a page when it has no title: the host and the path, without the scheme
    or "www.", the middle cut when long ('cve.org/CVERecord?id=CVE-2026-21001',
    'microsoft.com/…/exchange-server-update'). The full address stays in the link's href."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    if not host:
        return url
    rest = parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    if len(host) + len(rest) <= limit:
        return host + rest
    last = rest.rstrip("/").rsplit("/", 1)[-1]
    room = max(limit - len(host) - 3, 12)
    if len(last) > room:
        last = last[: room - 1] + "…"
    return f"{host}/…/{last}"


def isodate(value: dt.datetime) -> str:
    """For <time datetime>: 2026-11-26T09:30:00+07:00."""
    return iso(value)
