"""One file through the importer, and the content/ it is written into: refuse, read, skip duplicates, write.

import_file is the path of a single file: refuse what is not text, read it
with the reader for its form, skip it if content/ already holds the article,
propose its kind, build the article, let the content model validate it, compare
its words with what a reader of the old page saw (loss.py: a lost passage is a
warning, and the file is still written for a person to mend), and only then
write it (never over an existing file). The duplicate index (the
fingerprints earlier imports recorded, the opening paragraphs of every
article) is built once per run and kept up to date here, so that importing
the same page twice, in one run or in two, never creates a duplicate.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ... import model
from ...checks import content_files
from ...clock import build_time
from .. import shown
from .article import build_article
from .guess import propose_kind, title_from_text
from .html import parse_html
from .legacy import Legacy, fingerprint, normalized_words, plain
from .loss import lost_report
from .plaintext import parse_plain

HTML_SUFFIXES = (".html", ".htm", ".aspx", ".php", ".shtml")
Index = tuple[dict[str, Path], dict[str, Path]]  # fingerprint -> file, opening paragraph's words -> file


@dataclass
class Imported:
    source: Path
    status: str  # "written", "duplicate", "failed"
    path: Path | None = None
    kind: str = ""
    report: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)  # the lost-words warning, empty when nothing was lost


def existing_index(content: Path) -> Index:
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


def import_file(src: Path, content: Path, now: dt.datetime | None = None, kind: str | None = None,
                force: bool = False, dry_run: bool = False, index: Index | None = None) -> Imported:
    """Import one file. `index` (from existing_index) is reused and updated across a run."""
    now = now or build_time({})
    refused = _refused(src)
    if refused is not None:
        return refused
    try:
        legacy = parse_html(src) if src.suffix.lower() in HTML_SUFFIXES else parse_plain(src)
    except (OSError, ValueError) as err:
        return Imported(src, "failed", report=[f"Không đọc được tệp: {err}"])
    body_text = legacy.plain_text()
    if len(body_text) < 60 or body_text.count("\ufffd") > 5:
        return Imported(src, "failed", report=["Không tìm thấy nội dung bài viết trong tệp (không có đoạn văn nào "
                                              "đủ dài, hoặc chữ bị lỗi bảng mã)."])
    hash_ = fingerprint(legacy)
    prints, openings = index if index is not None else existing_index(content)
    duplicate = None if force else _duplicate(src, legacy, hash_, (prints, openings))
    if duplicate is not None:
        return duplicate
    why = "chọn bằng --kind"
    if kind is None:
        kind, why = propose_kind(legacy, legacy.title or title_from_text(legacy))
    text, path, report, guessed, copies = build_article(legacy, content, kind, why, now, hash_)
    entry = model.validate(text, str(path), kind, None)
    errors = [p for p in entry.problems if p.level == "error"]
    if errors:  # should not happen: report it rather than write a file the build would refuse
        return Imported(src, "failed", None, kind, report + [p.format() for p in errors], guessed)
    lost = lost_report(legacy, text)
    if not dry_run:
        _write(path, text, copies)
    prints[hash_] = path  # a second copy later in the same run is a duplicate too
    for key in _opening_keys(legacy):
        openings.setdefault(key, path)
    return Imported(src, "written", path, kind, report, guessed, lost)


def _refused(src: Path) -> Imported | None:
    """A failed import for a file that cannot be read or is not text (an image, a PDF…); None for text."""
    try:
        head = src.read_bytes()[:4096]
    except OSError as err:
        return Imported(src, "failed", report=[f"Không đọc được tệp: {err.strerror}"])
    control = sum(1 for b in head if b < 9 or 13 < b < 27 or 27 < b < 32)
    if b"\x00" in head or control > len(head) * 0.02:
        return Imported(src, "failed", report=["Tệp không phải văn bản hay trang HTML (có thể là ảnh, PDF, Word…). "
                                              "Cách sửa: xuất bài ra văn bản (.txt) hoặc lưu trang (.html)."])
    return None


def _opening_keys(legacy: Legacy) -> list[str]:
    """The words of the opening blocks long enough to recognise the article by."""
    keys = (normalized_words(plain(block)) for block in legacy.blocks[:3])
    return [key for key in keys if len(key) >= 60]


def _duplicate(src: Path, legacy: Legacy, hash_: str, index: Index) -> Imported | None:
    """A skipped import if content/ already holds this article (same fingerprint or opening); else None."""
    prints, openings = index
    if hash_ in prints:
        return Imported(src, "duplicate", prints[hash_],
                        report=[f"Đã nhập trước đây: {shown(prints[hash_])} (cùng mã nội dung {hash_})."])
    for key in _opening_keys(legacy):
        if key in openings:
            return Imported(src, "duplicate", openings[key],
                            report=[f"Bài đã có trên cổng: {shown(openings[key])} (đoạn mở đầu giống hệt). "
                                    "Dùng --force nếu vẫn muốn nhập thêm một bản."])
    return None


def _write(path: Path, text: str, copies: list[tuple[Path, Path]]) -> None:
    """The article and its images; an existing article is never overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for original, target in copies:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original, target)
    with path.open("x", encoding="utf-8") as fh:
        fh.write(text)
