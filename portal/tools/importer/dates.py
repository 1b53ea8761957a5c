"""The old pages' dates: a date in running text, a line that holds nothing but a date, ISO metadata.

Dates come from three places (page metadata, a date-only line above or below
the article, a date inside the lead) and both readers need all of them; a
date-only line also has to leave the body so that the lead, the summary and
the "(Source) -" prefix are read from the first real paragraph. That shared,
fiddly logic lives here.
"""

from __future__ import annotations

import datetime as dt
import re

from ... import model
from .legacy import Legacy, plain, squash
from .words import DATE_LINE_WORDS, DATE_TEXT, PART_OF_DAY, TIME_BEFORE_DATE, TIME_TEXT


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


def use_date_line(legacy: Legacy, block: str) -> bool:
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
    legacy.set_aside.append(block)
    return True


def take_date_lines(legacy: Legacy, blocks: list[str], tail: int = 4) -> list[str]:
    """blocks without the date-only lines above the lead and among the last `tail` blocks.

    Such a line is the page's date, never its text: it goes to legacy.date and out of the body,
    so the lead, the summary and the "(Source) -" prefix are read from the first real paragraph."""
    kept: list[str] = []
    leading = True
    for block in blocks:
        if leading and use_date_line(legacy, block):
            continue
        if not block.startswith(("\0IMG", "#")):
            leading = False  # the lead: a date line below it is text, unless it is in the tail
        kept.append(block)
    start = max(0, len(kept) - tail)
    return kept[:start] + [b for b in kept[start:] if not use_date_line(legacy, b)]


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
