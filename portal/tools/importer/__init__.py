"""`invoke import PATH...`: old-portal pages to Markdown articles.

    portal import tests/data/legacy/*.html old-portal/*.txt

Reads two forms: the plain-text export of the old portal (title line, blank
lines between paragraphs, "Tin, ảnh: …" and "ĐÁNH GIÁ BÀI VIẾT(0)" at the end)
and HTML pages saved from a provincial portal (menus, banners, share buttons,
rating counter, scripts, inline styles and tracking images around the article).

It extracts the title, date, byline, source, photo captions and credits,
proposes a kind from the words used, sanitizes the body (the page parsed as a
browser parses it, BeautifulSoup to drop the portal's chrome, nh3 to keep only
harmless tags, then plain Markdown), and writes content/KIND/YYYY-MM-DD-slug.md.
Words a reader of the old page saw that the new article lacks are quoted in a
"CẢNH BÁO — chữ bị mất" warning (the file is still written, for a person to
mend). Every value it had to guess is marked by a "# ĐOÁN: …" note above the
field (`invoke check` lists them until a person deletes the note). A content
fingerprint is recorded in the file, and a page whose fingerprint or opening
paragraph is already in content/ is skipped, so importing the same page twice
never creates a duplicate.
"""

from __future__ import annotations

from pathlib import Path

from .. import shown

# The package, one module a job (each module's docstring says why it is apart):
#   words      the old portals' words and markup, as patterns
#   legacy     what one old page holds (Legacy, Picture) and the shared text helpers
#   dates      dates in text, date-only lines, ISO metadata
#   plaintext  the plain-text export reader (and its encodings)
#   html       the saved-HTML reader: metadata, then chrome.py, then markdown.py
#   chrome     which part of a page is the article, and what is the portal's chrome
#   markdown   sanitized HTML to Markdown blocks
#   loss       the lost-words check: what a reader saw against what was written
#   guess      the kind, the organisations and the kind's own fields, each guess with its reason
#   article    the Markdown article built from a Legacy
#   store      one file through the importer; the duplicate index; writing into content/
from .article import FINGERPRINT_NOTE, build_article
from .dates import date_line, parse_date, parse_iso, take_date_lines
from .guess import Guess, guesses_for, propose_kind
from .html import parse_html
from .legacy import Legacy, Picture, fingerprint, md_block, md_text, normalized_words, plain, shorten, squash
from .plaintext import parse_plain, read_text_file
from .store import Imported, existing_index, import_file

__all__ = [
    "FINGERPRINT_NOTE", "Guess", "Imported", "Legacy", "Picture", "build_article", "date_line", "existing_index",
    "fingerprint", "guesses_for", "import_file", "md_block", "md_text", "normalized_words", "parse_date",
    "parse_html", "parse_iso", "parse_plain", "plain", "propose_kind", "read_text_file", "run", "shorten", "squash",
    "take_date_lines",
]


def run(paths: list[Path], content: Path, kind: str | None = None, force: bool = False,
        dry_run: bool = False) -> int:
    """The command: import every file (a folder: its .txt and .html files), then the report."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix.lower() in (".txt", ".html", ".htm")))
        else:
            files.append(p)
    results: list[Imported] = []
    index = existing_index(content)
    for src in files:
        if not src.is_file():
            results.append(Imported(src, "failed", report=["Không có tệp này."]))
        else:
            results.append(import_file(src, content, kind=kind, force=force, dry_run=dry_run, index=index))
        r = results[-1]
        head = {"written": "ĐÃ NHẬP" if not dry_run else "SẼ NHẬP", "duplicate": "BỎ QUA (trùng)",
                "failed": "KHÔNG NHẬP ĐƯỢC"}[r.status]
        print(f"\n{head}: {shown(src)}")
        if r.status == "written" and r.path:
            print(f"  → {shown(r.path)}")
        for line in r.report:
            print(f"  {line}")
        if r.guessed:
            print(f"  Cần người kiểm tra (ĐOÁN): {', '.join(r.guessed)}")
        for line in r.lost:
            print(f"  {line}")
    written = sum(r.status == "written" for r in results)
    dup = sum(r.status == "duplicate" for r in results)
    failed = sum(r.status == "failed" for r in results)
    print(f"\nTổng cộng: nhập {written} bài, bỏ qua {dup} bài trùng, {failed} tệp không nhập được.")
    lossy = [r for r in results if r.lost]
    if lossy:
        print(f"{len(lossy)} bài mất chữ so với trang cũ: " + ", ".join(shown(r.path or r.source) for r in lossy)
              + ". Xem các dòng CẢNH BÁO ở trên.")
    if written and not dry_run:
        print("Việc tiếp theo: mở từng tệp mới, xem các dòng \"# ĐOÁN\", sửa nếu sai rồi xóa ghi chú; "
              "sau đó chạy invoke check và invoke preview.")
    return 1 if failed else 0
