"""What the importer has to guess: the kind of article, the organisations named, the kind's own fields.

An old page says what it says; the new portal asks for more (a kind, a
meeting's chair and units, a warning's identifier, severity and actions…).
Every guess is made here, from the words of the page, and comes with the
reason it is a guess (Guess.note), which the article writes as a "# ĐOÁN: …"
note above the field so that a person reviews it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ... import model
from ..new import used_identifiers
from .legacy import Legacy, plain, sentences, shorten, squash
from .words import CVE, DATE_TEXT, KIND_WORDS, ORG_START, ORG_WORDS, SOURCE_PREFIX

TITLE_LIMIT = 150


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


def title_from_text(legacy: Legacy) -> str:
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

