"""Python-Markdown's inline step, without trying patterns that cannot match.

Markdown's ``InlineProcessor`` runs every inline pattern (code, escapes, links, pictures, HTML,
entities, emphasis…: fifteen with the portal's extensions) over every piece of text of a body, one
after the other, each a regular expression search and a few Python calls, even over a sentence that
holds none of the characters any of them starts with. That was a fifth of a long body's
conversion: 196,000 pattern tries for 1,000 bodies of twelve paragraphs, most of them over text with
no "`", "\\", "[", "<", "&", "*" or "_" in it.

``QuickInline`` replaces the inline step with one that skips a pattern when the text it would search
holds none of the characters every match of that pattern contains (``_NEEDS``). Skipping is what
trying it would have done: a search that finds nothing changes nothing but where the next pattern
starts (from 0). Only the patterns whose expressions are known here, as Python-Markdown 3.11 writes
them, are skipped; any other pattern (another version's, an extension's, one replaced under the same
name) is tried as before, and the step is left as Markdown made it when its inner methods are not
where this expects them. The HTML is the same either way (``tests/unit/test_quick_inline.py`` compares
both on every body of the sample site, the benchmark's corpora and hostile shapes).
"""

from __future__ import annotations

import re

from markdown import Extension, inlinepatterns, treeprocessors, util
from markdown.extensions import footnotes

# (the pattern's class, its expression) -> what every match of it contains (any one of these)
_NEEDS: dict[tuple[type, str], tuple[str, ...]] = {
    (inlinepatterns.BacktickInlineProcessor, r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)"): ("`",),
    (inlinepatterns.EscapeInlineProcessor, r"\\(.)"): ("\\",),
    (inlinepatterns.ReferenceInlineProcessor, r"(?<!\!)\["): ("[",),
    (inlinepatterns.LinkInlineProcessor, r"(?<!\!)\["): ("[",),
    (inlinepatterns.ShortReferenceInlineProcessor, r"(?<!\!)\["): ("[",),
    (inlinepatterns.ImageInlineProcessor, r"\!\["): ("![",),
    (inlinepatterns.ImageReferenceInlineProcessor, r"\!\["): ("![",),
    (inlinepatterns.ShortImageReferenceInlineProcessor, r"\!\["): ("![",),
    (inlinepatterns.AutolinkInlineProcessor, r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>"): ("<",),
    (inlinepatterns.AutomailInlineProcessor, r"<([^<> !]+@[^@<> ]+)>"): ("<",),
    (inlinepatterns.SubstituteTagInlineProcessor, r"  \n"): ("  \n",),
    (inlinepatterns.HtmlInlineProcessor, r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)"): ("&",),
    (inlinepatterns.HtmlInlineProcessor,
     r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+"""
     r"""\s*+/?|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)"""):
        ("<",),
    (footnotes.FootnoteInlineProcessor, r"\[\^([^\]]*)\]"): ("[^",),
}

_HANDLE = "_InlineProcessor__handleInline"  # the inner methods this step rests on (name-mangled)
_APPLY = "_InlineProcessor__applyPattern"


def needs(pattern) -> tuple[str, ...] | None:
    """What every match of ``pattern`` contains (one of these strings), or None: not known here."""
    compiled = getattr(pattern, "compiled_re", None)
    if compiled is None:
        return None
    if type(pattern) is getattr(inlinepatterns, "DelimiterProcessor", None):  # emphasis: its tokens ("*", "_")
        tokens = tuple(getattr(pattern, "tokens", ()))
        expected = "|".join(re.escape(t) for t in tokens)
        return tokens if tokens and all(tokens) and compiled.pattern == expected else None
    return _NEEDS.get((type(pattern), compiled.pattern))


class _QuickInlineProcessor(treeprocessors.InlineProcessor):
    _needs: list[tuple[str, ...] | None] = []

    def run(self, tree, ancestors=None):
        # the patterns as they are for this document (an extension may change them between documents)
        patterns = self.inlinePatterns
        self._needs = [needs(patterns[i]) for i in range(len(patterns))]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        # Markdown's own loop (treeprocessors.InlineProcessor.__handleInline), with the skip
        if not isinstance(data, util.AtomicString):
            patterns, wanted = self.inlinePatterns, self._needs
            apply = getattr(self, _APPLY)
            start = 0
            count = len(patterns)
            while patternIndex < count:
                need = wanted[patternIndex] if patternIndex < len(wanted) else None
                if need is not None and not any(s in data for s in need):
                    patternIndex += 1  # a search would find nothing: the next pattern starts from 0
                    start = 0
                    continue
                data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
                if not matched:
                    patternIndex += 1
        return data


class QuickInline(Extension):
    """Markdown's inline step as ``_QuickInlineProcessor`` (last among the extensions: one that replaced
    the step itself keeps its own)."""

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Markdown's API)
        current = md.treeprocessors["inline"] if "inline" in md.treeprocessors else None
        # (Markdown's own step: one an extension made with patterns of its own is kept as it is)
        own = type(current) is treeprocessors.InlineProcessor and current.inlinePatterns is md.inlinePatterns
        if not own or not all(callable(getattr(treeprocessors.InlineProcessor, name, None))
                              for name in (_HANDLE, _APPLY)):
            return
        priority = next((item.priority for item in getattr(md.treeprocessors, "_priority", ())
                         if item.name == "inline"), 20)
        md.treeprocessors.register(_QuickInlineProcessor(md), "inline", priority)
