"""The issued-message record: a CAP message, once sent, never changes.

    content/issued/                      ISSUED_PATH; written by `portal publish`, never by hand
      cap/canh-bao/CB-2026-014/CB-2026-014.xml              the bytes served, as first published
      cap/canh-bao/CB-2026-014/CB-2026-014-cap-nhat-1.xml
      cap/canh-bao/CB-2026-014/ban-ghi.json                 when and from what each was issued
      csaf/CB-2026-014/3.json (and 3.json.asc)              each CSAF version, as first published

When `portal publish` has put a release live, every warning message in it that
the record does not hold yet is copied into the record, with a fingerprint of
the fields it was made from (``fingerprint``: the text of each field the
message shows, and the body). The record is committed with the content.

Every later build serves a recorded message exactly as recorded (so a change
in the portal's code, its settings or its signing key never rewrites what an
agency already received), and checks the content against the record
(``problems``):

- a change to what the latest issued message says (its fields or its body),
  with no new Revisions line, is an error that tells the person to add one;
  with the line, the build issues a new Update (recorded at the next publish);
- a new Revisions line dated before the latest issued message, an issued
  update whose line was removed or re-dated, and an issued warning whose file
  is gone or whose Identifier changed are errors too: a warning that is no
  longer valid is withdrawn (Withdrawn), never deleted.

A warning's CSAF advisory is recorded the same way, one file per version
(``tracking.version``): a build serves the recorded bytes of the version it
would publish, so its hashes and signature never change either; a change to
what it says needs a new Revisions line, which is a new version.

Only warnings are recorded: a public drill's Exercise message has no
revisions to carry a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .. import model
from ..clock import iso, local
from ..model import Problem
from ..paths import SitePaths
from .messages import CAP_NS

MANIFEST = "ban-ghi.json"
README = "DOC-TRUOC.txt"
# fields a warning's CAP message does not show: editing them issues nothing
NOT_IN_MESSAGE = ("authors", "tags", "modified", "status", "revisions", "withdrawn")
BODY = "body"


def issued_path(settings: dict) -> Path:
    """ISSUED_PATH, else issued/ inside the content folder (committed with the content)."""
    return Path(settings.get("ISSUED_PATH") or Path(settings["PATH"]) / "issued")


def _digest(text: str) -> str:
    squashed = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(squashed.encode("utf-8")).hexdigest()[:16]


def fingerprint(entry: model.Entry) -> dict[str, str]:
    """A digest of each field the message shows, as written, and of the body (whitespace aside)."""
    if entry.prints is not None:
        return entry.prints
    prints = {key: _digest(" ".join(raw.lines)) for key, raw in entry.raw.items() if key not in NOT_IN_MESSAGE}
    prints[BODY] = _digest(entry.body)
    return dict(sorted(prints.items()))


def chain_ids(entry: model.Entry, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """The messages the entry stands for at `now` (the ids portal.cap.messages gives), oldest first."""
    ident = entry.get("identifier")
    revisions, withdrawn = model.published_events(entry.values, now)
    out = [(ident, local(entry.get("date")))]
    out += [(f"{ident}-cap-nhat-{n}", local(r.date)) for n, r in enumerate(revisions, 1)]
    if withdrawn is not None:
        out.append((f"{ident}-thu-hoi", max(local(withdrawn.date), out[-1][1])))
    return out


@dataclass(frozen=True)
class Issued:
    identifier: str
    sent: str  # as in the message
    file: str  # path inside the record, as in the output
    sha256: str
    fields: dict[str, str]


class Record:
    def __init__(self, settings: dict):
        self.settings = settings
        self.root = issued_path(settings)
        self.paths = SitePaths(settings)

    def folder(self, identifier: str) -> Path:
        return self.root / Path(self.paths.cap_message(model.WARNING, identifier, "x")).parent

    def chain(self, identifier: str) -> list[Issued]:
        manifest = self.folder(identifier) / MANIFEST
        if not manifest.is_file():
            return []
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return [Issued(**m) for m in data["messages"]]

    def identifiers(self) -> list[str]:
        base = self.folder("x").parent
        return sorted(p.parent.name for p in base.glob(f"*/{MANIFEST}")) if base.is_dir() else []

    def served(self, rel: str) -> bytes | None:
        """The recorded bytes of the output file `rel` (cap/canh-bao/<id>/<message>.xml), if issued."""
        path = self.root / rel
        return path.read_bytes() if path.is_file() else None

    def csaf(self, identifier: str, version: str) -> tuple[bytes | None, bytes | None]:
        """The recorded bytes of a CSAF version and of its signature (None where not recorded)."""
        path = self.root / "csaf" / identifier / f"{version}.json"
        signature = path.with_name(path.name + ".asc")
        return (path.read_bytes() if path.is_file() else None,
                signature.read_bytes() if signature.is_file() else None)

    def capture_csaf(self, release: Path) -> list[str]:
        """Copy into the record every CSAF version in `release` not recorded yet; 'ID v.N' of each."""
        added = []
        for path in sorted(release.glob(".well-known/csaf/*/*/*.json")):
            try:
                tracking = json.loads(path.read_bytes())["document"]["tracking"]
                ident, version = str(tracking["id"]), str(tracking["version"])
            except (ValueError, KeyError, TypeError):
                continue  # not an advisory
            target = self.root / "csaf" / ident / f"{version}.json"
            if target.exists() or "/" in ident or ident.startswith("."):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            signature = path.with_name(path.name + ".asc")
            if signature.is_file():
                shutil.copyfile(signature, target.with_name(target.name + ".asc"))
            added.append(f"{ident} v.{version}")
        if added:
            self._readme()
        return added

    # ---- checks ----------------------------------------------------------------------------
    def problems(self, entries: list[model.Entry], now: dt.datetime) -> list[Problem]:
        """What in the content contradicts a message already issued (errors, with the fix)."""
        out: list[Problem] = []
        seen: set[str] = set()
        for e in entries:
            ident = e.get("identifier")
            if e.kind != model.WARNING or not ident or not e.ok:
                continue
            seen.add(ident)
            issued = self.chain(ident)
            if issued:
                out.extend(_entry_problems(e, issued, now))
        for ident in self.identifiers():
            if ident not in seen:
                shown = _shown(self.folder(ident), Path(self.settings["PATH"]))
                out.append(Problem(shown, None, None, None, "issued_orphan", {"identifier": ident}))
        return out

    # ---- recording (portal publish) --------------------------------------------------------
    def capture(self, release: Path, entries: list[model.Entry]) -> list[str]:
        """Copy into the record every warning message in `release` not recorded yet; the ids added."""
        by_ident = {e.get("identifier"): e for e in entries if e.kind == model.WARNING and e.get("identifier")}
        added: list[str] = []
        for ident, entry in sorted(by_ident.items()):
            folder = release / Path(self.paths.cap_message(model.WARNING, ident, "x")).parent
            if not folder.is_dir():
                continue
            issued = self.chain(ident)
            known = {m.identifier for m in issued}
            fresh = []
            for path in sorted(folder.glob("*.xml")):
                message_id, sent = _header(path.read_bytes())
                if message_id in known:
                    continue
                rel = str(path.relative_to(release))
                fresh.append(Issued(message_id, sent, rel, hashlib.sha256(path.read_bytes()).hexdigest(),
                                    fingerprint(entry)))
            if not fresh:
                continue
            for m in fresh:
                target = self.root / m.file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(release / m.file, target)
            chain = sorted([*issued, *fresh], key=lambda m: (m.sent, _order(m.identifier)))
            self._write_manifest(ident, chain)
            added += [m.identifier for m in fresh]
        if added:
            self._readme()
        return added

    def _write_manifest(self, ident: str, chain: list[Issued]) -> None:
        data = {"identifier": ident, "messages": [m.__dict__ for m in chain]}
        path = self.folder(ident) / MANIFEST
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def _readme(self) -> None:
        path = self.root / README
        if not path.exists():
            path.write_text(
                "Thư mục này do lệnh xuất bản (invoke publish) ghi: mỗi thông điệp CAP đã phát hành, đúng từng byte.\n"
                "Không sửa tay. Commit thư mục này cùng nội dung.\n"
                "Muốn thay đổi một cảnh báo đã phát hành: thêm một dòng Revisions (hoặc Withdrawn để thu hồi).\n",
                encoding="utf-8")


def _shown(path: Path, content: Path) -> str:
    try:
        return str(Path(content.name) / path.resolve().relative_to(content.resolve()))
    except ValueError:
        return str(path)


def _order(message_id: str) -> tuple[int, int]:
    if message_id.endswith("-thu-hoi"):
        return (2, 0)
    if "-cap-nhat-" in message_id:
        return (1, int(message_id.rsplit("-", 1)[1]))
    return (0, 0)


def _header(data: bytes) -> tuple[str, str]:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return root.findtext(f"{{{CAP_NS}}}identifier"), root.findtext(f"{{{CAP_NS}}}sent")


def _first_line(e: model.Entry, keys: list[str]) -> int | None:
    lines = [e.body_line if k == BODY else e.lines.get(k) for k in keys]
    return min((n for n in lines if n), default=None)


def _names(keys: list[str]) -> str:
    return ", ".join("nội dung bài" if k == BODY else (model.FIELDS_BY_KEY[k].name if k in model.FIELDS_BY_KEY
                                                         else k) for k in keys)


def _entry_problems(e: model.Entry, issued: list[Issued], now: dt.datetime) -> list[Problem]:
    current = chain_ids(e, now)
    ids = [i for i, _ in current]
    sent = dict(current)
    latest = issued[-1]
    for m in issued:
        if m.identifier not in sent:
            return [Problem(e.path, e.lines.get("revisions") or e.lines.get("identifier"), None, None,
                            "issued_missing", {"message": m.identifier, "sent": m.sent})]
        if iso(sent[m.identifier]) != m.sent:
            return [Problem(e.path, e.lines.get("revisions") or e.lines.get("date"), None, None,
                            "issued_redated", {"message": m.identifier, "sent": m.sent})]
    new = ids[ids.index(latest.identifier) + 1:]
    if new:
        return []
    now_prints = fingerprint(e)
    changed = sorted(k for k in set(now_prints) | set(latest.fields) if now_prints.get(k) != latest.fields.get(k))
    if not changed:
        return []
    return [Problem(e.path, _first_line(e, changed), None, None, "issued_changed",
                    {"message": latest.identifier, "sent": latest.sent, "fields": _names(changed),
                     "example": f"{local(now):%Y-%m-%d %H:%M}"})]
