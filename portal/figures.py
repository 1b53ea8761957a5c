"""Markdown: a paragraph holding only an image becomes a captioned figure.

    ![Đại biểu dự hội nghị](images/hoi-nghi.png "Quang cảnh hội nghị. Nguồn ảnh: Sở TT&TT")

renders as <figure><img alt=…><figcaption>Quang cảnh hội nghị.
<span class="credit">Nguồn ảnh: Sở TT&TT</span></figcaption></figure>,
the way the old portal printed photo captions with their credit.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

CREDIT = re.compile(r"\s*(Nguồn ảnh|Ảnh)\s*:\s*(.+)$")


def _is_local_relative(src: str) -> bool:
    return bool(src) and not re.match(r"^([a-z][a-z0-9+.-]*:|/|\{|#)", src, re.IGNORECASE)


class FigureProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            # "images/x.png" means the file in content/images: let Pelican link it.
            src = img.get("src", "")
            if _is_local_relative(src):
                img.set("src", "{static}/" + src.removeprefix("./"))
            img.set("loading", "lazy")
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag != "p" or len(child) != 1 or (child.text or "").strip():
                    continue
                img = child[0]
                if img.tag != "img" or (img.tail or "").strip() or not img.get("title"):
                    continue
                caption_text = img.attrib.pop("title")
                figure = etree.Element("figure")
                figure.append(img)
                img.tail = None
                caption = etree.SubElement(figure, "figcaption")
                match = CREDIT.search(caption_text)
                caption.text = caption_text[: match.start()].strip() if match else caption_text
                if match:
                    credit = etree.SubElement(caption, "span", {"class": "credit"})
                    credit.text = f"Nguồn ảnh: {match.group(2).strip()}"
                    caption.text = (caption.text + " ") if caption.text else ""
                parent.remove(child)
                parent.insert(index, figure)


class FigureExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(FigureProcessor(md), "portal_figures", 5)
