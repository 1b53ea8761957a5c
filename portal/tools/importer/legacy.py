"""What one old page holds (Legacy, Picture) and the small text helpers every step shares.

The readers fill a Legacy, the guessers read it and the article is written
from it; keeping the record and the Markdown/plain-text helpers in a module of
their own lets each of those steps depend on them without depending on each
other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .words import CREDIT


# --------------------------------------------------------------------------
# What one old page holds
# --------------------------------------------------------------------------
@dataclass
class Picture:
    name: str  # file name as the old page gave it
    found: Path | None  # the local file, if the saved page kept it
    alt: str = ""
    caption: str = ""
    credit: str = ""
    url: str = ""  # remote address, when known
    said: str = ""  # the caption as the page wrote it, credit and all (caption_into splits it)


@dataclass
class Legacy:
    path: Path
    title: str = ""
    title_from: str = ""
    date: dt.datetime | None = None
    date_from: str = ""
    byline: str = ""
    byline_guessed: bool = False
    section: str = ""  # breadcrumb / category words of the old page
    source: str = ""
    source_from: str = ""
    summary: str = ""
    summary_from: str = ""
    blocks: list[str] = field(default_factory=list)  # Markdown blocks; "\0IMG<n>" marks a picture
    pictures: list[Picture] = field(default_factory=list)
    original_url: str = ""
    dropped: Counter = field(default_factory=Counter)
    # what a reader saw as the article (the chrome gone), for the lost-words check (loss.py)
    seen: str = ""
    # lines taken out of the body on purpose, their words now in a field or known to be no text
    # (date lines, the byline and "Theo …" lines, a picture's file name in the text export)
    set_aside: list[str] = field(default_factory=list)

    def text(self) -> str:
        return "\n\n".join(b for b in self.blocks if not b.startswith("\0IMG"))

    def plain_text(self) -> str:
        return "\n\n".join(plain(b) for b in self.blocks if not b.startswith("\0IMG"))


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------
def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).replace("\xa0", " ").split())


def normalized_words(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[*_\\`#>\[\]()!]", " ", text)
    text = re.sub(r"https?://\S+", " ", text)
    return " ".join(re.findall(r"\w+", text))


def fingerprint(legacy: Legacy) -> str:
    return hashlib.sha256(normalized_words(legacy.text()).encode()).hexdigest()[:20]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?…])\s+(?=[A-ZÀ-Ỹ\"“(])", text) if s.strip()]


def shorten(text: str, limit: int) -> str:
    text = squash(text)
    if len(text) <= limit:
        return text
    cut = ""
    for s in sentences(text):
        if len(cut) + len(s) + 1 > limit:
            break
        cut = f"{cut} {s}".strip()
    if cut:
        return cut
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-– ") + "…"


_MD_ESCAPE = str.maketrans({"\\": "\\\\", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "`": "\\`",
                            "<": "&lt;", ">": "&gt;"})


def md_text(text: str) -> str:
    """Plain text made safe as Markdown: no markup, no raw HTML can come through."""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text).translate(_MD_ESCAPE)
    return text


def plain(block: str) -> str:
    """A Markdown block of ours back to plain text (for fields and guesses)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", block)
    text = re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)\*+", "", text))
    return squash(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def md_block(text: str) -> str:
    """Escape what would start a heading, list or quote at the start of a block."""
    text = re.sub(r"^(\s*)([#+\-=|])", r"\1\\\2", text)
    return re.sub(r"^(\s*\d+)([.)])(\s)", r"\1\\\2\3", text)


# --------------------------------------------------------------------------
# Pictures (both readers)
# --------------------------------------------------------------------------
def find_local(path: Path, name: str) -> Path | None:
    name = unquote(name.split("?")[0].split("#")[0]).replace("\\", "/")
    candidates = [path.parent / name, path.parent / Path(name).name,
                  path.parent / f"{path.stem}_files" / Path(name).name, path.parent / "images" / Path(name).name]
    for c in candidates:
        try:
            if c.is_file():
                return c
        except OSError:
            continue
    return None


CAPTION_LIMIT = 300  # a caption line is short


def caption_line(text: str) -> bool:
    """A line that says whose photo it is ("… Nguồn ảnh: Cổng TTĐT", "(Ảnh: Minh Hà)"): the old portals' caption.

    This is the only text outside caption markup (figcaption, a caption class, the img's title) that becomes a
    caption: a plain paragraph next to a picture is body text, however short."""
    text = squash(text)
    m = CREDIT.search(text)
    return m is not None and len(text) <= CAPTION_LIMIT and len(m.group(1)) <= 80


def caption_into(pic: Picture, text: str) -> None:
    text = squash(text)
    pic.said = text
    m = CREDIT.search(text)
    if m:
        pic.credit = m.group(1).strip().rstrip(".")
        text = text[: m.start()].strip()
    pic.caption = text
