"""One content file: its front matter, its validation and the rules across files.

A file is one article: a block of ``Field: value`` lines at the top (the
front matter, ended by the first blank line), then the Markdown body.
Continuation lines of a field start with spaces. A line starting with "#"
in the front matter is a note for staff and is skipped. The kind is the folder.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fields import FIELDS_BY_KEY, IMAGE, URL, URLS, fields_for, is_required
from .kinds import ACTIVE, EXPIRED, KINDS, PAGE, WITHDRAWN, Status
from .problems import Problem
from .values import IDENTIFIER_RE, BadValue, Revision, make_slug, parse_value


@functools.lru_cache(maxsize=16)
def resolved_root(root: str) -> Path:
    """A content folder, resolved once a process (each file's kind asked it again: an lstat a folder of
    its path, for every file of the site)."""
    return Path(root).resolve()


def kind_of(path: Path, content_root: Path, resolved: Path | None = None) -> str | None:
    """The kind of a content file is the first folder under content/ (where it really is: a link is
    followed). ``resolved``: ``path.resolve()``, when the caller has it."""
    try:
        rel = (resolved or path.resolve()).relative_to(resolved_root(str(content_root)))
    except ValueError:
        return None
    top = rel.parts[0] if len(rel.parts) > 1 else None
    if top in KINDS or top == PAGE:
        return top
    return None




# --------------------------------------------------------------------------
# Front matter
# --------------------------------------------------------------------------
COMMENT = "#"  # a front-matter line starting with "#" is a note, never a field
_KEY_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$")


@dataclass
class RawField:
    name: str  # as written
    line: int  # 1-based
    lines: list[str]  # the first value plus continuation lines, stripped, non-empty
    line_numbers: list[int] = field(default_factory=list)  # where each of `lines` stands

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass
class FrontMatter:
    fields: dict[str, RawField]  # by lowercase name
    body: str
    body_line: int  # line number where the body starts
    problems: list[Problem]


def parse_front_matter(text: str, path: str) -> FrontMatter:
    """Split ``Field: value`` lines from the body, keeping line numbers."""
    # only real line ends: str.splitlines() would also split on \x0b, \x1c, \u2028…
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    fields: dict[str, RawField] = {}
    problems: list[Problem] = []
    current: RawField | None = None
    i = 0
    for i, line in enumerate(lines):
        if not line.strip():
            break
        if line.startswith(COMMENT):
            continue  # a note for staff (written by `invoke new` / `invoke import`)
        if line[:1] in (" ", "\t"):
            if current is None:
                problems.append(Problem(path, i + 1, None, line.strip(), "front_matter_indent"))
            elif line.strip():
                current.lines.append(line.strip())
                current.line_numbers.append(i + 1)
            continue
        m = _KEY_LINE.match(line)
        if not m:
            problems.append(Problem(path, i + 1, None, line.strip(), "front_matter_line"))
            current = None
            continue
        name, value = m.group(1), m.group(2).strip()
        if name.lower() in fields:
            problems.append(Problem(path, i + 1, name, value, "duplicate_field",
                                    {"first_line": fields[name.lower()].line}))
            current = None
            continue
        current = RawField(name, i + 1, [value] if value else [], [i + 1] if value else [])
        fields[name.lower()] = current
    else:
        i = len(lines)
    body = "\n".join(lines[i + 1:])
    return FrontMatter(fields, body, i + 2, problems)


# --------------------------------------------------------------------------
# A validated article
# --------------------------------------------------------------------------
@dataclass
class Entry:
    """One content file after validation: typed values by lowercase key."""

    path: str  # as shown to people, e.g. content/canh-bao/x.md
    kind: str
    values: dict[str, Any]
    lines: dict[str, int]  # field key -> line number
    raw: dict[str, RawField]  # the lines as written; a build lets them go once read (``let_go_of_raw``)
    body: str
    body_line: int
    problems: list[Problem] = field(default_factory=list)
    prints: dict[str, str] | None = None  # portal.cap.record.fingerprint, kept when ``raw`` is let go
    # worked out where the body is parsed (a worker process, the parse cache), not in the build:
    refs: tuple | None = None  # portal.checks.body_refs: the body's images and links, with their lines
    html_settled: bool = False  # its sanitised HTML comes out of the sanitiser again unchanged
    # BLAKE2b of the file's path, kind and text, which (with the code and settings) its values and body
    # are made of: what portal.renders digests an article's own part by ("" when not parsed from a file)
    digest: str = ""

    def let_go_of_raw(self, prints: dict[str, str] | None) -> None:
        """Forget the front matter's lines as written (about 4.5 KB an article: half of an entry), once
        validated; ``prints`` keeps what a CAP message compares them by."""
        self.prints = prints
        self.raw = {}

    def let_go_of_body(self) -> None:
        """Forget the body's Markdown once every check of it is done (its HTML is the content's)."""
        self.body = ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    @property
    def ok(self) -> bool:
        return not any(p.level == "error" for p in self.problems)


# Characters XML 1.0 forbids (pasted from office documents), which would break every feed; DEL and the C1
# controls, which iCalendar forbids and no one sees; and the bidirectional overrides, embeddings and isolates,
# which turn the text after them around ("Tin \u202eanh" makes the tab read "iaC oàL…" in the site's name).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def drop_control_characters(text: str, path: str) -> tuple[str, list[Problem]]:
    """Remove invisible control characters (``_INVISIBLE``), with one warning per line that held any."""
    if not _INVISIBLE.search(text):
        return text, []
    problems = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        found = sorted({f"U+{ord(c):04X}" for c in _INVISIBLE.findall(line)})
        if found:
            problems.append(Problem(path, number, None, None, "control_characters",
                                    {"chars": ", ".join(found)}, level="warning"))
    return _INVISIBLE.sub("", text), problems


_AS_WRITTEN = (IMAGE, URL, URLS)  # a file's or a site's name: looked up as it is written


def _composed(raw: RawField, kind: str) -> RawField:
    """A field's value in Unicode's composed form (NFC), as the web expects it: a keyboard that types
    Vietnamese as letters and combining marks (Unikey's "tổ hợp", macOS) gives "nghiêm trọng" as other code
    points, which looked the same in an error saying it is no severity, and made "Lào Cai" a second tag
    with the first one's address. A name of a file or an address stays as written: a picture copied from
    macOS has its name decomposed on the disk. (The body stays as written too: its links name files.)"""
    if kind in _AS_WRITTEN or all(unicodedata.is_normalized("NFC", line) for line in raw.lines):
        return raw
    return RawField(raw.name, raw.line, [unicodedata.normalize("NFC", line) for line in raw.lines], raw.line_numbers)


def validate(text: str, path: str, kind: str, content_root: Path | None) -> Entry:
    """Check one file and return its entry with every problem found in it."""
    text, cleaned = drop_control_characters(text, path)
    fm = parse_front_matter(text, path)
    problems = cleaned + list(fm.problems)
    allowed = {f.key: f for f in fields_for(kind)}
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}

    for key, raw in fm.fields.items():
        lines[key] = raw.line
        f = allowed.get(key)
        if f is None:
            close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
            if close:
                problems.append(Problem(path, raw.line, raw.name, raw.text, "unknown_field_typo",
                                        {"suggestion": allowed[close[0]].name}))
            elif key in FIELDS_BY_KEY:
                problems.append(Problem(path, raw.line, raw.name, raw.text, "field_wrong_kind",
                                        {"kind": kind}))
            else:
                problems.append(Problem(path, raw.line, raw.name, raw.text, "unknown_field",
                                        {"allowed": ", ".join(x.name for x in allowed.values())}))
            continue
        try:
            values[key] = parse_value(f, _composed(raw, f.type), content_root)
            if values[key] == [] and is_required(f, kind):
                raise BadValue("empty")
        except BadValue as bad:
            params = dict(bad.params)
            params.setdefault("help", f.help_vi)
            params.setdefault("help_en", f.help_en)
            code = bad.code
            if code == "empty" and is_required(f, kind):  # "delete the line" would be wrong advice
                code = "empty_required"
                params.setdefault("example", f.example)
            problems.append(Problem(path, raw.line, f.name, raw.text, code, params))

    for f in allowed.values():
        if is_required(f, kind) and f.key not in fm.fields:
            problems.append(Problem(path, 1, f.name, None, "missing_field",
                                    {"help": f.help_vi, "help_en": f.help_en, "example": f.example}))

    entry = Entry(path, kind, values, lines, fm.fields, fm.body, fm.body_line, problems)
    _check_relations(entry)
    return entry


def _check_relations(e: Entry) -> None:
    """Rules that tie two fields of one file together."""

    def add(key: str, code: str, index: int | None = None, **params: Any) -> None:
        """Report on field `key`; `index` picks one line of a multi-line value."""
        f = FIELDS_BY_KEY[key]
        raw = e.raw.get(key)
        line, shown = e.lines.get(key, 1), raw.text if raw else None
        if raw and index is not None:
            line, shown = raw.line_numbers[index], raw.lines[index]
        e.problems.append(Problem(e.path, line, f.name, shown, code, params))

    v = e.values
    date = v.get("date")
    if "image" in v:
        for needed in ("image_caption", "image_credit"):
            if needed not in v and needed not in e.lines:
                add("image", "image_needs", field=FIELDS_BY_KEY[needed].name)
    if "source_url" in v and "source" not in v and "source" not in e.lines:
        add("source_url", "source_url_needs_source")
    if date and v.get("modified") and v["modified"] < date:
        add("modified", "before_date", date=date.strftime("%Y-%m-%d %H:%M"))
    if date and v.get("expires") and v["expires"] <= date:
        add("expires", "expires_before_date", date=date.strftime("%Y-%m-%d %H:%M"))
    if v.get("start") and v.get("end") and v["end"] <= v["start"]:
        add("end", "end_before_start", start=v["start"].strftime("%Y-%m-%d %H:%M"))
    revisions = v.get("revisions") or []
    previous = date
    for index, rev in enumerate(revisions):
        if previous and rev.date <= previous:
            add("revisions", "revision_order", index, bad=rev.date.strftime("%Y-%m-%d %H:%M"))
            break
        previous = rev.date
    if date and v.get("withdrawn") and v["withdrawn"].date < date:
        add("withdrawn", "before_date", date=date.strftime("%Y-%m-%d %H:%M"))
    _check_withdrawal_and_tags(v, add)


def _check_withdrawal_and_tags(v: dict[str, Any], add) -> None:
    withdrawn = v.get("withdrawn")
    for index, rev in enumerate(v.get("revisions") or []):
        if withdrawn and rev.date > withdrawn.date:  # CAP's Cancel, the page's history and CSAF's would disagree
            add("revisions", "revision_after_withdrawal", index, bad=rev.date.strftime("%Y-%m-%d %H:%M"),
                withdrawn=withdrawn.date.strftime("%Y-%m-%d %H:%M"))
            break
    addresses: dict[str, str] = {}
    for tag in v.get("tags") or []:
        slug = make_slug(tag)
        if not slug:  # "🔒": its page would be the tags' own folder
            add("tags", "tag_without_slug", value=tag)
        elif slug in addresses:  # the article twice on the tag's page, and the tag twice on its own
            add("tags", "tag_twice", value=tag, other=addresses[slug])
        else:
            addresses[slug] = tag


def check_collection(entries: list[Entry]) -> list[Problem]:
    """Rules across files: unique slugs, identifiers and tag spellings."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], Entry] = {}
    entries = sorted(entries, key=lambda e: e.path)  # the first file by name keeps its slug
    for e in entries:
        space = "page" if e.kind == PAGE else "article"
        for key, code in (("slug", "duplicate_slug"), ("identifier", "duplicate_identifier")):
            value = e.values.get(key)
            if not value:
                continue
            other = seen.get((space + key, value))
            if other is not None:
                problems.append(Problem(e.path, e.lines.get(key, 1), FIELDS_BY_KEY[key].name,
                                        value, code, {"other": other.path}))
            else:
                seen[(space + key, value)] = e
    tag_spellings: dict[str, tuple[str, Entry]] = {}
    for e in entries:
        own: set[str] = set()
        for tag in e.values.get("tags") or []:
            folded = make_slug(tag)
            if not folded or folded in own:
                continue  # (tag_without_slug; tag_twice, in the file itself)
            own.add(folded)
            first = tag_spellings.setdefault(folded, (tag, e))
            if first[0] != tag:
                # "Lào Cai" and "lao cai" are one tag spelt two ways; "C++" and "C#" are two tags with one address
                spelt = _spelling(first[0]) == _spelling(tag)
                problems.append(Problem(e.path, e.lines.get("tags", 1), "Tags", tag,
                                        "tag_spelling" if spelt else "tag_same_slug",
                                        {"other": first[0], "other_path": first[1].path, "slug": folded}))
    return problems


def _spelling(tag: str) -> str:
    """A tag without its accents, case and spacing: two tags alike so are one spelt two ways."""
    from unidecode import unidecode

    return " ".join(unidecode(tag.replace("đ", "d").replace("Đ", "D")).casefold().split())


def published_events(values: dict[str, Any], now: dt.datetime) -> tuple[list[Revision], Revision | None]:
    """The revisions and the withdrawal published by `now`: one dated after the build
    clock is held back everywhere (page, feeds, CAP) until a build after its date,
    like a future-dated article."""
    revisions = sorted((r for r in values.get("revisions") or [] if r.date <= now), key=lambda r: r.date)
    withdrawn = values.get("withdrawn")
    return revisions, withdrawn if withdrawn is not None and withdrawn.date <= now else None


def future_event_problems(entry: Entry, now: dt.datetime) -> list[Problem]:
    """A warning (not an error) for each revision or withdrawal held back by the clock."""
    events = [("revisions", r) for r in entry.values.get("revisions") or []]
    events.append(("withdrawn", entry.values.get("withdrawn")))
    return [Problem(entry.path, entry.lines.get(key), FIELDS_BY_KEY[key].name, None, "future_revision",
                    {"date": f"{event.date:%Y-%m-%d %H:%M}"}, level="warning")
            for key, event in events if event and event.date > now]


def warning_status(values: dict[str, Any], now: dt.datetime) -> Status:
    if values.get("withdrawn") and values["withdrawn"].date <= now:
        return WITHDRAWN
    expires = values.get("expires")
    if expires and expires <= now:
        return EXPIRED
    return ACTIVE


def next_identifier(existing: list[str], year: int) -> str:
    """The next free CB-YYYY-NNN for the year."""
    numbers = [int(m.group(2)) for i in existing if (m := IDENTIFIER_RE.match(i)) and int(m.group(1)) == year]
    return f"CB-{year}-{(max(numbers) + 1 if numbers else 1):03d}"
