"""Sanitized HTML to Markdown blocks: paragraphs, headings, lists, quotes, and pictures with their captions.

The portal's articles are written in plain Markdown, so whatever HTML survives
sanitizing (nh3, in html.py) is rewritten as Markdown blocks; nothing of the
old page's markup reaches the article. It is its own module because it is a
walk over the tree with its own rules (old portals' <br><br> paragraph breaks,
pictures in boxes, tables and figures, captions) that have nothing to do with
how the page's chrome or metadata were found.

A caption comes only from caption markup: <figcaption>, a table's <caption>,
an element the old CMS gave a caption class (html.py marks it CAPTION_MARK),
the img's title, or a line right below the picture that names the photo's
source ("… Nguồn ảnh: …", "(Ảnh: …)", legacy.caption_line). A paragraph of body
text next to a picture stays in the body, however short: moved into the
caption of a picture that has no file, it would vanish from the article.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

from bs4 import NavigableString, Tag

from .legacy import (
    CAPTION_LIMIT,
    Legacy,
    Picture,
    caption_into,
    caption_line,
    find_local,
    md_block,
    md_text,
    plain,
    squash,
)

# elements that hold blocks of their own when they have any; the last group always does
_BOX_TAGS = ("p", "div", "td", "th", "tr", "tbody", "thead", "table", "caption", "figure", "span")
_ALWAYS_BOX_TAGS = ("div", "table", "tbody", "thead", "tr", "figure")
_PARAGRAPH_TAGS = ("p", "td", "th", "caption")
CAPTION_MARK = "caption"  # the class html.py leaves on the old CMS's caption elements (nh3 keeps no other)


class MarkdownBlocks:
    """Sanitized HTML to Markdown blocks; images become pictures of the Legacy."""

    def __init__(self, legacy: Legacy, path: Path):
        self.legacy = legacy
        self.path = path
        self.out: list[str] = []
        self._titles: dict[int, str] = {}  # picture -> its img title: the caption if no caption markup gives one
        # elements written as blocks of their own (everything else is inline text)
        self._writers = {**dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), self._heading),
                         "ul": self._list, "ol": self._list, "blockquote": self._quote, "img": self._picture}

    def blocks(self, root: Tag) -> list[str]:
        self._blocks(root)
        for n, title in self._titles.items():
            if not self.legacy.pictures[n].caption:
                caption_into(self.legacy.pictures[n], title)
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
        elif self._is_caption(child):
            self._flush(inline)
            self._caption(child)
        elif name in _BOX_TAGS and self._has_block(child) or name in _ALWAYS_BOX_TAGS:
            self._flush(inline)
            self._caption_last(child)
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
        items: list[str] = []
        for node in child.children:  # an <li>, or text an old editor left between the items
            item = isinstance(node, Tag) and node.name == "li"
            text = squash(self._inline(node) if item else self._inline_node(node))
            if text:
                items.append(f"{len(items) + 1}. {text}" if child.name == "ol" else f"- {text}")
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
    def _is_caption(tag: Tag) -> bool:
        return tag.name in ("figcaption", "caption") or CAPTION_MARK in (tag.get("class") or [])

    def _caption_last(self, box: Tag) -> None:
        """A figure's or a picture table's caption is read after its picture, wherever the markup put it."""
        if box.name in ("figure", "table") and len(box.find_all("img")) == 1:
            caption = box.find(self._is_caption)
            if caption is not None:
                box.append(caption.extract())

    def _last_picture(self) -> Picture | None:
        """The picture written just before, if the last block is one."""
        if self.out and self.out[-1].startswith("\0IMG"):
            return self.legacy.pictures[int(self.out[-1][4:])]
        return None

    def _caption(self, node: Tag) -> None:
        """Caption markup: the caption of the picture just before it; text of the body when there is none."""
        text = squash(self._inline(node))
        if not text:
            return
        pic = self._last_picture()
        if pic is not None and not pic.caption and len(plain(text)) <= CAPTION_LIMIT:
            caption_into(pic, plain(text))
            return
        self.out.append(md_block(text))

    def _picture(self, img: Tag) -> None:
        src = img.get("src") or ""
        if not src:
            return
        name = Path(urlsplit(src).path).name or "anh"
        local = None if urlsplit(src).scheme else find_local(self.path, src)
        url = src if urlsplit(src).scheme in ("http", "https") else (
            urljoin(self.legacy.original_url, src) if self.legacy.original_url else "")
        self.legacy.pictures.append(Picture(name, local, alt=squash(img.get("alt") or ""), url=url))
        if img.get("title"):
            self._titles[len(self.legacy.pictures) - 1] = img["title"]
        self.out.append(f"\0IMG{len(self.legacy.pictures) - 1}")

    def _paragraph_node(self, node: Tag) -> None:
        if node.find("img") is not None:
            self._blocks(node)
            return
        text = squash(self._inline(node))
        if text:
            self._paragraph(text)

    def _paragraph(self, text: str) -> None:
        # right below a picture, the line naming the photo's source is its caption; any other text is body
        pic = self._last_picture()
        if pic is not None and not pic.caption and caption_line(plain(text)):
            caption_into(pic, plain(text))
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
            return _around(inner, "**", "**")
        if n.name in ("em", "i") and inner.strip():
            return _around(inner, "*", "*")
        if n.name == "a":
            href = (n.get("href") or "").strip()
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto") and inner.strip():
                return _around(inner, "[", f"]({href.replace(')', '%29').replace(' ', '%20')})")
            if not parts.scheme and href and not href.startswith("#") and self.legacy.original_url and inner.strip():
                absolute = urljoin(self.legacy.original_url, href)
                return _around(inner, "[", f"]({absolute.replace(')', '%29').replace(' ', '%20')})")
            return inner
        if n.name == "img":
            return ""
        return inner


def _around(inner: str, before: str, after: str) -> str:
    """Markup around inner's words, the spaces at its ends left outside: "chữ<b> đậm</b>" is "chữ **đậm**"."""
    core = inner.strip()
    return (" " if inner[:1].isspace() else "") + before + core + after + (" " if inner[-1:].isspace() else "")
