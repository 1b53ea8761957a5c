"""The Markdown article written from a Legacy: front matter with every guess marked, body, pictures to copy.

    # Nhập từ cổng cũ: FILE · mã nội dung HASH (…)   <- fingerprint, so the page is never imported twice
    # ĐOÁN: why                                       <- above each guessed field, until a person checks it
    Title: …
    …
    body in Markdown, pictures as images/SLUG-N.EXT

Building the text is kept apart from writing it (store.py) so that a dry run,
the duplicate check and the content model's validation all see exactly the
text that would be written. The front matter is filled field by field into a
Draft (value, why it is a guess, what the report says), one helper a field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ... import model
from ...checks import GUESS_NOTE
from ..new import free_slug, used_slugs
from .dates import parse_date
from .guess import guesses_for, title_from_text
from .legacy import Legacy, Picture, md_text, plain, shorten, squash
from .words import SOURCE_IN_TEXT, SOURCE_PREFIX

FINGERPRINT_NOTE = "# Nhập từ cổng cũ"  # + ": <file> · mã nội dung <hash> (…)"
SUMMARY_LIMIT = 300
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg")


@dataclass
class Draft:
    """The article's fields as they are filled in, and what the report says about them."""
    values: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # field key -> why it is a guess
    report: list[str] = field(default_factory=list)


def build_article(legacy: Legacy, content: Path, kind: str, kind_why: str, now: dt.datetime,
                  hash_: str) -> tuple[str, Path, list[str], list[str], list[tuple[Path, Path]]]:
    """The Markdown text, its path, the report lines, the guessed field names and images to copy."""
    draft = Draft()
    title = _title(legacy, draft)
    date = _date(legacy, now, draft)
    draft.values["slug"] = free_slug(title, used_slugs(content))
    _summary(legacy, title, draft)
    source = _source(legacy, draft)
    _authors(legacy, source, draft)
    draft.report.insert(0, f"Loại bài đề xuất: {kind} ({model.KINDS[kind].label_vi}) — {kind_why}")
    # kind's own fields
    for key, guess in guesses_for(kind, legacy, date, content).items():
        draft.values[key] = guess.value
        if guess.note:
            draft.notes[key] = guess.note
    body_blocks, copies, missing_pics = _pictures(legacy, content, title, draft)
    lead_missing = _lead_missing(missing_pics, draft)
    if lead_missing is not None:
        missing_pics = missing_pics[1:]
    # ---- the file ---------------------------------------------------------------------
    lines, guessed = _front_matter(legacy, kind, now, hash_, draft, lead_missing, missing_pics)
    body = "\n\n".join(body_blocks).strip()
    text = "\n".join(lines) + "\n\n" + body + "\n"
    path = content / kind / f"{date:%Y-%m-%d}-{draft.values['slug']}.md"
    if legacy.dropped:
        draft.report.append("Đã bỏ phần trang trí của cổng cũ: " + ", ".join(
            f"{name} ×{count}" if count > 1 else name for name, count in sorted(legacy.dropped.items())))
    return text, path, draft.report, guessed, copies


# --------------------------------------------------------------------------
# The fields read from the page (or guessed when it has none)
# --------------------------------------------------------------------------
def _title(legacy: Legacy, draft: Draft) -> str:
    title = squash(legacy.title)
    if not title:
        title = title_from_text(legacy) or Path(legacy.path).stem
        draft.notes["title"] = "trang cũ không có tiêu đề; lấy từ câu đầu của bài"
        draft.report.append(f'Tiêu đề: "{title}" — ĐOÁN từ câu đầu của bài')
    else:
        draft.report.append(f'Tiêu đề: "{title}" (từ {legacy.title_from})')
    draft.values["title"] = title
    return title


def _date(legacy: Legacy, now: dt.datetime, draft: Draft) -> dt.datetime:
    date = legacy.date
    if date is None:
        found = parse_date(legacy.text()[:1500])
        if found:
            date = found[0]
            legacy.date_from = f'"{found[1]}" trong bài' + (" (giờ là đoán)" if found[2] else "")
    if date is None:
        date = now
        draft.notes["date"] = "không tìm thấy ngày trong trang; ghi tạm ngày nhập"
        draft.report.append(f"Ngày đăng: {date:%Y-%m-%d %H:%M} — ĐOÁN (không tìm thấy ngày)")
    else:
        if "giờ là đoán" in legacy.date_from:
            draft.notes["date"] = f"ngày lấy từ {legacy.date_from}"
        draft.report.append(f"Ngày đăng: {date:%Y-%m-%d %H:%M} (từ {legacy.date_from})")
    draft.values["date"] = f"{date:%Y-%m-%d %H:%M}"
    return date


def _summary(legacy: Legacy, title: str, draft: Draft) -> None:
    if legacy.summary:
        summary, why = shorten(legacy.summary, SUMMARY_LIMIT), legacy.summary_from
    else:
        first = next((b for b in legacy.blocks if not b.startswith("\0IMG") and not b.startswith("#")), "")
        first = SOURCE_PREFIX.sub("", plain(first))
        summary, why = shorten(first, SUMMARY_LIMIT) or title, "đoạn đầu của bài"
    draft.values["summary"] = summary
    draft.report.append(f"Tóm tắt: từ {why} ({len(summary)} ký tự)")


def _source(legacy: Legacy, draft: Draft) -> str:
    """The source line of the page, else "(Source) -" opening the text, else "Theo …" in it; "" if none."""
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
        draft.values["source"] = source
        draft.report.append(f"Nguồn: {source} (từ {legacy.source_from})")
    return source


def _authors(legacy: Legacy, source: str, draft: Draft) -> None:
    values, notes, report = draft.values, draft.notes, draft.report
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


# --------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------
def _pictures(legacy: Legacy, content: Path, title: str,
              draft: Draft) -> tuple[list[str], list[tuple[Path, Path]], list[Picture]]:
    """The body's blocks, the image files to copy and the pictures that have no file.

    The first picture with a file is the lead photo (the Image fields); the others stay in the body."""
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
        rel = _picture_path(pic, draft.values["slug"], n)
        if pic.found is None:
            missing_pics.append(pic)
            draft.report.append(f"Ảnh {pic.name}: KHÔNG có tệp ảnh đi kèm — chưa đưa vào bài (xem ghi chú trong tệp)")
            continue
        copies.append((pic.found, content / rel))
        alt = pic.alt or pic.caption or title
        draft.report.append(f"Ảnh {pic.name} → content/{rel}"
                            + (f'; chú thích "{pic.caption[:60]}"' if pic.caption else "")
                            + (f"; nguồn ảnh: {pic.credit}" if pic.credit else ""))
        if not lead_done:
            lead_done = True
            _lead_picture(pic, rel, alt, draft)
            continue
        body_blocks.append(_picture_block(pic, rel, alt))
    return body_blocks, copies, missing_pics


def _picture_path(pic: Picture, slug: str, n: int) -> str:
    ext = Path(pic.name).suffix.lower() if Path(pic.name).suffix.lower() in IMAGE_EXT else ".jpg"
    return f"images/{slug[:60]}-{n}{ext}"


def _lead_picture(pic: Picture, rel: str, alt: str, draft: Draft) -> None:
    values = draft.values
    values["image"] = rel
    values["image_caption"] = pic.caption or alt
    values["image_credit"] = pic.credit or values.get("source") or values["authors"]
    values["image_alt"] = alt
    if not pic.caption:
        draft.notes["image_caption"] = "ảnh không có chú thích; dùng mô tả ảnh"
    if not pic.credit:
        draft.notes["image_credit"] = "ảnh không ghi nguồn; ghi theo nguồn/tác giả bài"


def _picture_block(pic: Picture, rel: str, alt: str) -> str:
    caption = (pic.caption or "") + (f" Nguồn ảnh: {pic.credit}" if pic.credit else "")
    caption = caption.strip() or alt
    return f'![{md_text(alt)}]({rel} "{caption.replace(chr(34), "“")}")'


def _lead_missing(missing_pics: list[Picture], draft: Draft) -> Picture | None:
    """A lead photo without its file: keep its caption and credit as fields, the Image line as a note."""
    if not (missing_pics and "image" not in draft.values and missing_pics[0].caption):
        return None
    lead = missing_pics[0]
    draft.values["image_caption"] = lead.caption
    if lead.credit:
        draft.values["image_credit"] = lead.credit
    if lead.alt:
        draft.values["image_alt"] = lead.alt
    return lead


# --------------------------------------------------------------------------
# The front matter
# --------------------------------------------------------------------------
def _front_matter(legacy: Legacy, kind: str, now: dt.datetime, hash_: str, draft: Draft,
                  lead_missing: Picture | None, missing_pics: list[Picture]) -> tuple[list[str], list[str]]:
    """The front matter's lines, in the kind's field order, and the names of the guessed fields."""
    lines = [f"{FINGERPRINT_NOTE}: {legacy.path.name} · mã nội dung {hash_} "
             "(giữ dòng này để không nhập trùng)"]
    if legacy.original_url:
        lines.append(f"# Địa chỉ trang cũ: {legacy.original_url}")
    lines.append(f"# Nhập lúc {now:%Y-%m-%d %H:%M}. Các dòng {GUESS_NOTE.strip()} là giá trị công cụ đoán: "
                 "kiểm tra, sửa nếu sai, rồi xóa dòng ghi chú đó.")
    guessed: list[str] = []
    for f in model.fields_for(kind):
        if f.key == "image_caption" and lead_missing is not None:
            lines.extend(_missing_lead_lines(lead_missing, draft.values["slug"]))
        if f.key not in draft.values:
            continue
        if f.key in draft.notes:
            lines.append(f"{GUESS_NOTE} {draft.notes[f.key]}")
            guessed.append(f.name)
        lines.append(f"{f.name}: {draft.values[f.key]}")
    for pic in missing_pics:
        lines.extend(_missing_picture_lines(pic))
    return lines, guessed


def _missing_lead_lines(pic: Picture, slug: str) -> list[str]:
    """The lead photo's Image line as a note, to be uncommented once its file is copied."""
    ext = Path(pic.name).suffix.lower() if Path(pic.name).suffix else ".jpg"
    where = f" (địa chỉ cũ: {pic.url})" if pic.url else ""
    return [f"# ẢNH CHƯA CÓ TỆP: {pic.name}{where}. Chép ảnh vào content/images/ với tên "
            "dưới đây rồi xóa dấu # ở dòng Image:",
            f"#Image: images/{slug[:60]}-1{ext}"]


def _missing_picture_lines(pic: Picture) -> list[str]:
    """A body picture without its file, as a note with the Markdown to add once it is copied."""
    caption = pic.caption + (f" Nguồn ảnh: {pic.credit}" if pic.credit else "")
    where = f" (địa chỉ cũ: {pic.url})" if pic.url else ""
    return [f"# ẢNH CHƯA CÓ TỆP: {pic.name}{where}. Chép ảnh vào content/images/ rồi thêm vào bài:",
            f'#   ![{pic.alt or "mô tả ảnh"}](images/{pic.name} "{caption.strip() or "chú thích"}")']
