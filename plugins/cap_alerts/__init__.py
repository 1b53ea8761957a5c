"""cap_alerts: CAP 1.2 alert files for warnings and public drills.

    cap/canh-bao/<Identifier>.xml            the warning's current message (stable URL)
    cap/canh-bao/<Identifier>/<message>.xml  every message of the warning, one file each
    cap/dien-tap/<slug>.xml                  a drill with Public_alert: có (status Exercise)
    cap/index.atom.xml                       Atom index of the current alerts

Settings (pelicanconf.py): CAP_SENDER, CAP_SENDER_NAME, CAP_CONTACT,
CAP_AREA_DESC, CAP_GEOCODES, CAP_PATH, and optionally CAP_SIGNING_KEY and
CAP_SIGNING_CERT (PEM files): with both, every file carries an enveloped
XML signature. Messages are built from each article's typed view
(``article.view``, made by the ``articles`` plugin; portal.cap).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from pathlib import Path

from lxml import etree
from pelican import signals
from pelican.generators import ArticlesGenerator

from portal import model
from portal.cap import index, messages, signing
from portal.cap.record import Record
from portal.clock import build_time
from portal.model import ContentErrors
from portal.outputs import output_step, write_file, write_keyed
from portal.paths import SitePaths
from portal.settings import SettingsError, messages_lang, require_after_articles
from portal.urls import absolute, site_base

log = logging.getLogger("cap_alerts")
_SENDER_RE = re.compile(r"^[^\s,<&]+$")


def check_settings(pelican) -> None:
    """Settings problems stop the build before anything is written, with the fix."""
    s = pelican.settings
    sender = s.get("CAP_SENDER") or ""
    if not _SENDER_RE.match(sender):
        raise SettingsError(f"cap_alerts: CAP_SENDER = {sender!r} trong cấu hình: ghi một từ, không có dấu "
                            'cách, dấu phẩy, < hay &, ví dụ "antoanthongtin@laocai.gov.vn"',
                            f"cap_alerts: CAP_SENDER = {sender!r} in the settings: write one word without "
                            'spaces, commas, < or &, e.g. "antoanthongtin@laocai.gov.vn"')
    try:
        signing.from_settings(s)
    except signing.SigningSettingsError as problem:
        raise problem.prefixed("cap_alerts: ") from None
    require_after_articles(s, "cap_alerts")


def _serialise(root: etree._Element, signer: signing.Signer | None) -> bytes:
    if signer is not None:
        return signer.sign(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class _Made:
    """One message's bytes, made once and only when needed: an unsigned message that is not in the
    issued record is a function of its warning's view (and the settings), so a file the previous build
    made from the same view is linked, not made again (``write_keyed``)."""

    def __init__(self, message: Callable[[], messages.Message], served: bytes | None, settings: dict, base: str,
                 signer: signing.Signer | None) -> None:
        self.message, self.served, self.settings, self.base, self.signer = message, served, settings, base, signer
        self._data: bytes | None = served

    def data(self) -> bytes:
        if self._data is None:
            self._data = _serialise(messages.to_xml(self.message(), self.settings, self.base), self.signer)
        return self._data

    def write(self, path: Path, inputs: tuple) -> None:
        if self.served is None and self.signer is None:
            write_keyed(path, inputs, self.data)
        else:  # the record's bytes, or signed with a key that is not in the settings: written (linked if the same)
            write_file(path, self.data())


def _is_current(view, now) -> bool:
    """In the index: an active warning, a withdrawal until the warning would have expired,
    a public drill until it ends."""
    if view.is_warning:
        return view.status is model.ACTIVE or (
            view.status is model.WITHDRAWN and (view.expires is None or view.expires > now))
    return view.end is None or view.end > now


@output_step
def write_alerts(generators) -> None:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_gen is None:
        return
    settings = articles_gen.settings
    out, base, paths = Path(settings["OUTPUT_PATH"]), site_base(settings), SitePaths(settings)
    sender, now, lang = settings["CAP_SENDER"], build_time(settings), settings.get("PORTAL_LANG", "vi")
    signer = signing.from_settings(settings)
    record = Record(settings)
    problems = record.problems([a.entry for a in articles_gen.articles], now)
    if problems:
        raise ContentErrors(problems, messages_lang(settings))
    current: list[tuple[messages.Message, str]] = []
    written = 0
    for view in (a.view for a in articles_gen.articles):
        path = paths.cap_alert(view)
        if path is None:
            continue
        # the messages are made only for a file that is not linked, and for the index
        if view.is_warning:
            chain = functools.cache(lambda view=view: messages.warning_chain(view, sender, lang))
            for n, identifier in enumerate(messages.warning_identifiers(view)):
                rel = paths.cap_message(model.WARNING, view.identifier, identifier)
                # an issued message is served exactly as first published (portal.cap.record)
                made = _Made(lambda n=n, chain=chain: chain()[n], record.served(rel), settings, base, signer)
                made.write(out / rel, (view, rel, sender, lang))
                written += 1
            latest = lambda chain=chain: chain()[-1]  # noqa: E731
        else:
            latest = functools.cache(lambda view=view: messages.drill_message(view, lang))
            made = _Made(latest, None, settings, base, signer)
        if _is_current(view, now):
            current.append((latest(), absolute(base, path)))
        made.write(out / path, (view, path, sender, lang))  # the stable address: the latest message, byte for byte
        written += 1
    write_file(out / paths.cap_index(), index.render(settings, _index_feed(settings), current))
    log.info("cap_alerts: wrote %d CAP files, %d current", written, len(current))


def _index_feed(settings: dict):
    from portal.feeds.catalogue import build_catalogue

    return build_catalogue(settings, []).cap_index


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.all_generators_finalized.connect(write_alerts)
