"""Words a reader of the old page saw that the imported article does not have: the lost-words check.

Every step of the importer is a judgement that can lose text without a sound: which element is the
article, what is chrome, what nh3 lets through, what the Markdown walk understands, what a caption
is. This check trusts none of them. It lines up two word sequences:

    seen  the article as a reader saw it: its content region once the portal's chrome (menus, share
          buttons, scripts, styles, trackers, "Các tin khác", the rating counter) is gone (Legacy.seen,
          read by each reader before anything else is taken out)
    kept  every word of the written article: title, summary, byline, source, the image fields and the
          body (pictures' alt text and captions included), plus what the importer set aside on
          purpose (date lines, "Theo …" lines: Legacy.set_aside) and each picture's caption as written

Words are compared NFC-normalised, casefolded and without punctuation. difflib.SequenceMatcher lines
the sequences up; a run of seen words with no partner in kept is lost, unless it stands elsewhere in
kept (the byline moved to Authors, a caption to Image_caption, the lead copied into Summary): moved
text is not lost. What is left is reported with its words as the page wrote them and the words just
before it, so a person can find the place; the article is still written, for that person to mend.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import CData, NavigableString, PageElement, Tag

from ... import model
from .legacy import Legacy, squash

QUOTE_WORDS = 20  # how much of a lost passage the report quotes
BEFORE_WORDS = 6  # how many words before it say where it was
MOVED_LEAST = 4  # a piece of a lost run found elsewhere in the article is moved text from this many words on
JOINED = 8  # two lost pieces of one run this few words apart are one passage (a common phrase between them)
SHOWN = 10  # lost passages listed per file; the rest are counted
KEPT_FIELDS = ("title", "summary", "authors", "source", "image_caption", "image_credit", "image_alt")
# elements a browser lays out apart from their neighbours: words on each side of them never run together
BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "img",
    "li", "main", "nav", "noscript", "object", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul"))
_WORD = re.compile(r"[^\W_]+")
_GAP = "\x00"  # between two parts of the article: no passage is found across it


@dataclass
class Lost:
    """One run of words the reader saw and the article does not have."""
    words: int
    quote: str  # its first QUOTE_WORDS words, as the page wrote them
    before: str  # the words just before it ("" at the start of the article)


def visible_text(root: Tag) -> str:
    """The text of root as a browser lays it out: blocks apart, inline elements run together.

    Scripts, styles and comments are not text a reader sees; neither are attributes (alt, title)."""
    out: list[str] = []
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(root.children), False)]
    while stack:  # no recursion: an old page may nest thousands of tags
        children, block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if block:
                out.append(" ")
        elif isinstance(child, Tag):
            is_block = child.name in BLOCK_TAGS
            if is_block:
                out.append(" ")
            stack.append((iter(child.children), is_block))
        elif type(child) in (NavigableString, CData):
            out.append(str(child))
    return squash("".join(out))


def lost_report(legacy: Legacy, article: str) -> list[str]:
    """The warning lines for the words of legacy.seen that the written article (its whole text) lacks."""
    lost = lost_passages(legacy.seen, kept_parts(legacy, article))
    if not lost:
        return []
    total = sum(passage.words for passage in lost)
    lines = [f"CẢNH BÁO — chữ bị mất: {len(lost)} đoạn ({total} từ) có trên trang cũ nhưng không có trong bài "
             "mới. Mở tệp, chép lại vào đúng chỗ (hoặc xóa hẳn nếu đó không phải chữ của bài):"]
    for passage in lost[:SHOWN]:
        where = f'ngay sau "{passage.before}"' if passage.before else "ở đầu bài"
        lines.append(f'  - "{passage.quote}" ({passage.words} từ, {where})')
    if len(lost) > SHOWN:
        lines.append(f"  … và {len(lost) - SHOWN} đoạn nữa.")
    return lines


def kept_parts(legacy: Legacy, article: str) -> list[str]:
    """The texts of the written article and what was set aside on purpose, one string a part."""
    fm = model.parse_front_matter(article, str(legacy.path))
    parts = [" ".join(fm.fields[key].lines) for key in KEPT_FIELDS if key in fm.fields]
    parts.append(markdown_text(fm.body))
    parts.extend(legacy.set_aside)
    parts.extend(pic.said for pic in legacy.pictures)  # a picture without its file keeps its caption in a note
    return parts


def markdown_text(body: str) -> str:
    """The words a reader of the Markdown body sees: link texts, pictures' alt and caption, no markup."""
    text = re.sub(r'!\[((?:\\.|[^\]\\])*)\]\([^)\s]*(?:\s+"([^"]*)")?\)', r" \1 \2 ", body)
    text = re.sub(r"\[((?:\\.|[^\]\\])*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(?<!\\)\*+", "", text)  # emphasis marks are no letters: "đậm**chữ**" reads "đậmchữ"
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def words(text: str) -> list[tuple[str, int, int]]:
    """Each word of text: (NFC, casefolded, punctuation stripped; where it starts; where it ends)."""
    text = unicodedata.normalize("NFC", text)
    return [(unicodedata.normalize("NFC", m.group().casefold()), m.start(), m.end()) for m in _WORD.finditer(text)]


def lost_passages(seen: str, kept: list[str]) -> list[Lost]:
    """The runs of seen's words that kept lacks, in the order of seen; moved text is not lost."""
    seen = unicodedata.normalize("NFC", seen)
    found = words(seen)
    seen_words = [w for w, _, _ in found]
    kept_words: list[str] = []
    for part in kept:
        kept_words.extend(w for w, _, _ in words(part))
        kept_words.append(_GAP)
    kept_line = f" {' '.join(kept_words)} "
    missing: list[int] = []
    matcher = difflib.SequenceMatcher(None, seen_words, kept_words, autojunk=False)
    for op, i1, i2, _, _ in matcher.get_opcodes():
        if op in ("delete", "replace"):
            missing.extend(_not_moved(seen_words, i1, i2, kept_line))
    runs: list[list[int]] = []
    for i in missing:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [_passage(seen, found, _slid(seen, found, run, set(missing))) for run in runs]


def _slid(seen: str, found: list[tuple[str, int, int]], run: list[int], missing: set[int]) -> list[int]:
    """The run moved, if it can be, to start a sentence: "Đoạn hai … Đoạn" lost between "Đoạn một" and
    "ba" is the same loss as "Đoạn hai …" (a diff of repeated words may pick either); the reader's is shown."""
    starts = [run[0]]
    first, last = run[0], run[-1]
    while first > 0 and first - 1 not in missing and found[first - 1][0] == found[last][0]:  # slide back
        first, last = first - 1, last - 1
        starts.append(first)
    first, last = run[0], run[-1]
    while last + 1 < len(found) and last + 1 not in missing and found[last + 1][0] == found[first][0]:  # on
        first, last = first + 1, last + 1
        starts.append(first)
    best = next((s for s in starts if s == 0 or re.search(r"[.!?…:;\n]", seen[found[s - 1][2]:found[s][1]])),
                run[0])
    return list(range(best, best + len(run)))


def _not_moved(seen_words: list[str], start: int, end: int, kept_line: str) -> list[int]:
    """The positions in seen_words[start:end] whose words do not stand elsewhere in the article.

    Words stand elsewhere when they occur there in the same order: a piece of at least MOVED_LEAST
    words (a caption next to a lost paragraph), or a whole stretch between such pieces and the ends
    of the run (the byline "Tin: Tuấn Anh", now in Authors). A shorter phrase inside a lost stretch is
    one the article happens to use elsewhere too: it belongs to the lost passage."""
    def found(i: int, j: int) -> bool:
        return f" {' '.join(seen_words[i:j])} " in kept_line

    lost: list[int] = []
    stretch = i = start  # stretch: where the words not placed yet begin
    while True:
        j = i
        while j < end and found(i, j + 1):
            j += 1
        if i < end and j - i < MOVED_LEAST:
            i += 1
            continue
        # a moved piece starts at i, or the run ends there: the stretch before it is moved or lost as a whole
        if stretch < i and not found(stretch, i):
            lost.extend(range(stretch, i))
        if i >= end:
            break
        stretch = i = j
    joined: list[int] = []
    for i in lost:
        if joined and i - joined[-1] - 1 <= JOINED:
            joined.extend(range(joined[-1] + 1, i))
        joined.append(i)
    return joined


def _passage(seen: str, found: list[tuple[str, int, int]], run: list[int]) -> Lost:
    """The run quoted as the page wrote it, whole words with the punctuation around them."""
    shown = run[:QUOTE_WORDS]
    start, end = _chunk_start(seen, found[shown[0]][1]), found[shown[-1]][2]
    if len(run) <= QUOTE_WORDS:
        end = _chunk_end(seen, end)
    quote = squash(seen[start:end]) + (" …" if len(run) > QUOTE_WORDS else "")
    before = ""
    if run[0] > 0:
        first = max(0, run[0] - BEFORE_WORDS)
        before = ("…" if first > 0 else "") + squash(seen[_chunk_start(seen, found[first][1]):start])
    return Lost(len(run), quote, before)


def _chunk_start(text: str, at: int) -> int:
    """Where the stretch of text without spaces that holds position `at` begins ("24/7", "(Ảnh")."""
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def _chunk_end(text: str, at: int) -> int:
    while at < len(text) and not text[at].isspace():
        at += 1
    return at
