"""The facts of an article as labelled rows, and the two ways they are written.

A warning's record (identifier, severity, status, CVEs, affected products,
actions, references, history) and a drill's or meeting's when, where and who
are rows built once per article by the typed view, from the fields the model
marks with ``facts``. The article page and every feed write them with
``rows_html``; the CAP description writes them with ``rows_text``. Labels come
from the model (and the theme's translations for the few words that are not
fields), so a new field shows everywhere with one edit of the model.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import i18n, model

CVE_RECORD = "https://www.cve.org/CVERecord?id={}"


@dataclass(frozen=True)
class Item:
    """One value in a row: text, optionally a link, a time, a style and a note after it."""

    text: str
    href: str | None = None
    when: dt.datetime | None = None
    css: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Row:
    key: str  # the field key, or "status"; "revisions" is the whole history
    label: str
    items: tuple[Item, ...]
    style: str = "row"  # "row": a labelled row; "list" / "steps": a headed (numbered) list
    css: str | None = None  # the <ul> of a row with several values
    lines: bool = False  # one value a line (products, addresses): a list in text too


Translate = Callable[[str], str]


# ---- building rows ---------------------------------------------------------------------------
def _items(f: model.Field, value: Any, lang: str, _: Translate) -> tuple[Item, ...]:
    """The items of one field's value, by the field's type."""
    if f.type == model.SEVERITY:
        return (Item(value.label(lang), css=f"severity sev-{value.slug}", note=f"({_('mức')} {value.rank}/4)"),)
    if f.type == model.DATETIME:
        return (Item(i18n.format_datetime(value, lang), when=value),)
    if f.type == model.EVENT:
        return (Item(value.note, when=value.date),)
    if f.type == model.CVES:
        return tuple(Item(c, href=CVE_RECORD.format(c)) for c in value)
    if f.type == model.URLS:
        return tuple(Item(u, href=u) for u in value)
    if f.type == model.URL:
        return (Item(value, href=value),)
    if f.type == model.BOOL:
        if value and f.yes:
            return (Item(f.yes[1] if lang == "en" else f.yes[0]),)
        return (Item(_("Có") if value else _("Không")),)
    if isinstance(value, list | tuple):
        return tuple(Item(str(v)) for v in value)
    return (Item(str(value)),)


def rows_for(kind: str, values: dict[str, Any], lang: str, _: Translate,
             status: model.Status | None = None, history: Iterable[Item] = ()) -> tuple[Row, ...]:
    """Every fact the model marks for this kind, in the model's order; for a warning, its
    status after the severity and its history at the end."""
    rows: list[Row] = []
    for f in model.fields_for(kind):
        value = values.get(f.key)
        if not f.facts or value is None or value is False or value in ("", [], ()):
            continue
        css = "cve-list" if f.type == model.CVES else None
        lines = f.type in (model.LINES, model.URLS)
        rows.append(Row(f.key, f.label(lang), _items(f, value, lang, _), f.facts, css, lines))
        if f.type == model.SEVERITY and status is not None:
            revised = len(values.get("revisions") or [])
            note = f"· {_(model.UPDATED_LABEL['vi'])} ({revised} {_('lần')})" if revised else None
            rows.append(Row("status", _("Trạng thái"),
                            (Item(status.label(lang), css=f"status status-{status.key}", note=note),)))
    history = tuple(history)
    if history:
        rows.append(Row("revisions", model.FIELDS_BY_KEY["revisions"].label(lang), history, "steps"))
    return tuple(rows)


def history_items(date: dt.datetime, revisions: list[model.Revision], withdrawn: model.Revision | None,
                  _: Translate) -> tuple[Item, ...]:
    """First publication, each revision, the withdrawal: the visible revision history."""
    items = [Item(_("Phát hành lần đầu."), when=date)]
    items += [Item(r.note, when=r.date) for r in revisions]
    if withdrawn is not None:
        items.append(Item(f"{_('Thu hồi')}: {withdrawn.note}", when=withdrawn.date))
    return tuple(items)


# ---- writing rows ----------------------------------------------------------------------------
def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _item_html(item: Item, lang: str) -> str:
    out = ""
    if item.when is not None and item.text != i18n.format_datetime(item.when, lang):
        out += f'<time datetime="{i18n.isodate(item.when)}">{_esc(i18n.format_datetime(item.when, lang))}</time>: '
        text = _esc(item.text)
    elif item.when is not None:
        text = f'<time datetime="{i18n.isodate(item.when)}">{_esc(item.text)}</time>'
    else:
        text = _esc(item.text)
    if item.href:
        text = f'<a href="{_esc(item.href)}" rel="noopener">{text}</a>'
    if item.css:
        text = f'<span class="{_esc(item.css)}">{text}</span>'
    out += text
    if item.note:
        out += f' <span class="note">{_esc(item.note)}</span>'
    return out


def _row_html(row: Row, lang: str) -> str:
    if len(row.items) == 1 and not row.css:
        value = _item_html(row.items[0], lang)
    else:
        css = f' class="{row.css}"' if row.css else ""
        value = f"<ul{css}>" + "".join(f"<li>{_item_html(i, lang)}</li>" for i in row.items) + "</ul>"
    return f'<div class="fact-{row.key}"><dt>{_esc(row.label)}</dt><dd>{value}</dd></div>'


def rows_html(rows: Iterable[Row], lang: str = "vi", heading: str = "h3") -> str:
    """The labelled rows as a <dl class="facts">, then each list under its heading."""
    rows = tuple(rows)
    inline = [r for r in rows if r.style == "row"]
    parts = []
    if inline:
        parts.append('<dl class="facts">' + "".join(_row_html(r, lang) for r in inline) + "</dl>")
    for row in rows:
        if row.style == "row":
            continue
        tag = "ol" if row.style == "steps" else "ul"
        items = "".join(f"<li>{_item_html(i, lang)}</li>" for i in row.items)
        parts.append(f"<{heading}>{_esc(row.label)}</{heading}>\n<{tag} class=\"{row.key}\">{items}</{tag}>")
    return "\n".join(parts)


def _item_text(item: Item, lang: str) -> str:
    text = item.text
    if item.when is not None and item.text != i18n.format_datetime(item.when, lang):
        text = f"{i18n.format_datetime(item.when, lang)}: {text}"
    return f"{text} {item.note}" if item.note else text


def rows_text(rows: Iterable[Row], lang: str = "vi", skip: Iterable[str] = ()) -> str:
    """The rows as plain text (CAP <description>): 'Label: value' lines, then headed lists."""
    skip = set(skip)
    rows = [r for r in rows if r.key not in skip]
    lines = [f"{r.label}: {', '.join(_item_text(i, lang) for i in r.items)}" for r in rows
             if r.style == "row" and not r.lines]
    blocks = ["\n".join(lines)] if lines else []
    for row in rows:
        if row.style == "row" and not row.lines:
            continue
        numbered = row.style == "steps"
        blocks.append(f"{row.label}:\n" + "\n".join(
            f"{n}. {_item_text(i, lang)}" if numbered else f"- {_item_text(i, lang)}"
            for n, i in enumerate(row.items, 1)))
    return "\n\n".join(blocks)


def steps_text(rows: Iterable[Row], key: str, lang: str = "vi") -> str:
    """One list of the rows as numbered lines (CAP <instruction> from the actions)."""
    row = next((r for r in rows if r.key == key), None)
    return "\n".join(f"{n}. {_item_text(i, lang)}" for n, i in enumerate(row.items, 1)) if row else ""
