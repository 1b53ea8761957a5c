"""Sanitized HTML to Markdown blocks: paragraphs, headings, lists, quotes, and pictures with their captions.

The portal's articles are written in plain Markdown, so whatever HTML survives
sanitizing (nh3, in html.py) is rewritten as Markdown blocks; nothing of the
old page's markup reaches the article. It is its own module because it is a
walk over the tree with its own rules (old portals' <br><br> paragraph breaks,
pictures in boxes, tables and figures, captions on the line below a picture)
that have nothing to do with how the page's chrome or metadata were found.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import NavigableString, Tag

from .legacy import Legacy, Picture, caption_into, find_local, md_block, md_text, plain, squash
from .words import CREDIT

# elements that hold blocks of their own when they have any; the last group always does
_BOX_TAGS = ("p", "div", "td", "th", "tr", "tbody", "thead", "table", "caption", "figure", "span")
_ALWAYS_BOX_TAGS = ("div", "table", "tbody", "thead", "tr", "figure")
_PARAGRAPH_TAGS = ("p", "td", "th", "caption")


class MarkdownBlocks:
    """Sanitized HTML to Markdown blocks; images become pictures of the Legacy."""

    def __init__(self, legacy: Legacy, path: Path):
        self.legacy = legacy
        self.path = path
        self.out: list[str] = []
        # elements written as blocks of their own (everything else is inline text)
        self._writers = {**dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), self._heading),
                         "ul": self._list, "ol": self._list, "blockquote": self._quote,
                         "img": lambda img: self._picture(img, caption_node=None)}

    def blocks(self, root: Tag) -> list[str]:
        self._blocks(root)
        return [b for b in self.out if b.strip()]

    def _blocks(self, node: Tag) -> None:
        inline: list = []  # the running inline nodes of the paragraph being gathered
        for child in list(node.children):
            if isinstance(child, NavigableString):
                inline.append(child)
            elif isinstance(child, Tag):
                self._child(child, inline)
        self._flush(inline)

    def _flush(self, inline: list) -> None:
        text = squash(self._inline_list(inline))
        inline.clear()
        if text:
            self._paragraph(text)

    def _child(self, child: Tag, inline: list) -> None:
        """One element among a node's children: a break, a box of blocks, a block, or inline text."""
        name = child.name
        if name == "br":
            self._break(child, inline)
        elif name in _BOX_TAGS and self._has_block(child) or name in _ALWAYS_BOX_TAGS:
            self._flush(inline)
            if name == "figure" or (name in ("table", "div", "p") and self._is_picture_box(child)):
                self._picture_box(child)
            else:
                self._blocks(child)
        elif name in _PARAGRAPH_TAGS:
            self._flush(inline)
            self._paragraph_node(child)
        elif name in self._writers:
            self._flush(inline)
            self._writers[name](child)
        else:
            inline.append(child)

    def _break(self, br: Tag, inline: list) -> None:
        before = [n for n in inline if not (isinstance(n, NavigableString) and not n.strip())]
        if before and isinstance(before[-1], Tag) and before[-1].name == "br":
            self._flush(inline)  # <br><br>: the old portals' paragraph break
            return
        inline.append(br)

    def _heading(self, child: Tag) -> None:
        text = squash(self._inline(child))
        if text:
            level = {"h1": 2, "h2": 2, "h3": 3}.get(child.name, 4)
            self.out.append("#" * level + " " + text)

    def _list(self, child: Tag) -> None:
        items = []
        for n, li in enumerate(child.find_all("li", recursive=False), 1):
            text = squash(self._inline(li))
            if text:
                items.append(f"{n}. {text}" if child.name == "ol" else f"- {text}")
        if items:
            self.out.append("\n".join(items))

    def _quote(self, child: Tag) -> None:
        text = squash(self._inline(child))
        if text:
            self.out.append("> " + text)

    @staticmethod
    def _has_block(tag: Tag) -> bool:
        return tag.find(["p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
                         "blockquote", "img"]) is not None

    @staticmethod
    def _is_picture_box(tag: Tag) -> bool:
        imgs = tag.find_all("img")
        return len(imgs) == 1 and len(squash(tag.get_text(" "))) < 400 and tag.find("p") is None or \
            (len(imgs) == 1 and tag.name == "p")

    def _picture_box(self, box: Tag) -> None:
        img = box.find("img")
        if img is None:
            self._blocks(box)
            return
        caption = box.find("figcaption")
        text = squash(caption.get_text(" ")) if caption else squash(box.get_text(" "))
        self._picture(img, text)

    def _picture(self, img: Tag, caption_node: str | None) -> None:
        src = img.get("src") or ""
        if not src:
            return
        name = Path(urlsplit(src).path).name or "anh"
        local = None if urlsplit(src).scheme else find_local(self.path, src)
        url = src if urlsplit(src).scheme in ("http", "https") else (
            urljoin(self.legacy.original_url, src) if self.legacy.original_url else "")
        pic = Picture(name, local, alt=squash(img.get("alt") or ""), url=url)
        if caption_node:
            caption_into(pic, caption_node)
        elif img.get("title"):
            caption_into(pic, img["title"])
        self.legacy.pictures.append(pic)
        self.out.append(f"\0IMG{len(self.legacy.pictures) - 1}")

    def _paragraph_node(self, node: Tag) -> None:
        if node.find("img") is not None:
            self._blocks(node)
            return
        text = squash(self._inline(node))
        if text:
            self._paragraph(text)

    def _paragraph(self, text: str) -> None:
        # a caption line right after a picture belongs to it
        if self.out and self.out[-1].startswith("\0IMG"):
            pic = self.legacy.pictures[int(self.out[-1][4:])]
            words = plain(text)
            if not pic.caption and (CREDIT.search(words) or len(words) < 200):
                caption_into(pic, words)
                return
        self.out.append(md_block(text))

    def _inline_list(self, nodes: list) -> str:
        return "".join(self._inline_node(n) for n in nodes)

    def _inline(self, node: Tag) -> str:
        return "".join(self._inline_node(n) for n in node.children)

    def _inline_node(self, n) -> str:
        if isinstance(n, NavigableString):
            return md_text(str(n))
        if not isinstance(n, Tag):
            return ""
        inner = self._inline(n)
        if n.name == "br":
            return " "
        if n.name in ("strong", "b") and inner.strip():
            return f"**{inner.strip()}**"
        if n.name in ("em", "i") and inner.strip():
            return f"*{inner.strip()}*"
        if n.name == "a":
            href = (n.get("href") or "").strip()
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto") and inner.strip():
                return f"[{inner.strip()}]({href.replace(')', '%29').replace(' ', '%20')})"
            if not parts.scheme and href and not href.startswith("#") and self.legacy.original_url and inner.strip():
                absolute = urljoin(self.legacy.original_url, href)
                return f"[{inner.strip()}]({absolute.replace(')', '%29').replace(' ', '%20')})"
            return inner
        if n.name == "img":
            return ""
        return inner
