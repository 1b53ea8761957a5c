"""The plain-text export of the old portal: title line, blank lines between paragraphs, byline at the end.

    Lào Cai: Sơ kết một năm …          <- title (a short first line, not a sentence)
    (Mic.gov.vn) - Ngày 04/6/2010, …   <- paragraphs, one blank line apart
    anh-hoi-nghi.jpg                   <- a picture's file name; below it, a line naming the photo's
                                          source ("… (Ảnh: …)", "Nguồn ảnh: …") is its caption
    Tin, ảnh: Tuấn Anh                 <- byline / "Theo …" source among the last lines
    ĐÁNH GIÁ BÀI VIẾT(0)               <- the portal's rating counter (dropped)

This reader has nothing in common with the HTML one but the Legacy it fills,
so it is a module of its own; so is the question of which bytes-to-text
encoding such an export used (read_text_file).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .dates import take_date_lines, use_date_line
from .legacy import Legacy, Picture, caption_into, caption_line, find_local, md_block, md_text, squash
from .words import BYLINE, CHROME_TEXT, RATING, RELATED_HEAD, SOURCE_LINE

# Old-portal exports are UTF-8 (with or without a BOM) or Windows-1258, what Vietnamese Windows wrote;
# latin-1 only makes sure some text comes back. charset_normalizer was tried in place of this list and not
# kept: over 896 snippets of the portal's Vietnamese text saved as Windows-1258 (20 to 100 000 bytes, tone
# marks precomposed or combining) it named cp1258 for all but two short lines, which it read as hp_roman8
# and cp1250, i.e. as mojibake. Its guess could therefore only be trusted when it says cp1258, the answer
# this list gives anyway: asking it would change no result. tests/unit/test_importer.py keeps both lines.
ENCODINGS = ("utf-8-sig", "cp1258", "latin-1")


def read_text_file(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            return unicodedata.normalize("NFC", data.decode(encoding))
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")  # pragma: no cover


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
    legacy.seen = "\n\n".join(blocks)  # what a reader saw: the chrome gone, nothing else yet
    while blocks and use_date_line(legacy, blocks[0]):  # a date line above the title
        blocks = blocks[1:]
    # title: a short first line that is not a sentence
    if len(blocks) > 1 and len(blocks[0]) <= 250 and "\n" not in blocks[0] and not blocks[0].endswith((".", "…")):
        legacy.title, legacy.title_from = blocks.pop(0), "dòng đầu tiên của tệp"
    body: list[str] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if re.fullmatch(r"[\w\-.()%~ ]+\.(?:jpe?g|png|gif|webp)", b, re.IGNORECASE):
            pic = Picture(b, find_local(path, b))
            legacy.set_aside.append(b)  # the file name stands for the picture: no words of the article
            if i + 1 < len(blocks) and caption_line(blocks[i + 1]):
                caption_into(pic, blocks[i + 1])
                i += 1
            legacy.pictures.append(pic)
            body.append(f"\0IMG{len(legacy.pictures) - 1}")
            i += 1
            continue
        bm = BYLINE.match(b)
        if bm and not legacy.byline and i >= len(blocks) - 3:
            legacy.byline = squash(bm.group(1))
            legacy.set_aside.append(b)
            i += 1
            continue
        sm = SOURCE_LINE.match(b)
        if sm and len(b) < 120 and i >= len(blocks) - 3:
            legacy.source, legacy.source_from = sm.group(1).strip(), f'dòng "{b}" cuối bài'
            legacy.set_aside.append(b)
            i += 1
            continue
        body.append(md_block(md_text(b)))
        i += 1
    legacy.blocks = take_date_lines(legacy, body)
    return legacy

