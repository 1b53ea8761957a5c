"""cap_alerts: CAP 1.2 alert files for warnings and public drills.

    cap/canh-bao/<Identifier>.xml            the warning's current message (stable URL)
    cap/canh-bao/<Identifier>/<message>.xml  every message of the warning, one file each
    cap/dien-tap/<slug>.xml                  a drill with Public_alert: có (status Exercise)
    cap/index.atom.xml                       Atom index of the current alerts

Settings (pelicanconf.py): CAP_SENDER, CAP_SENDER_NAME, CAP_CONTACT,
CAP_AREA_DESC, CAP_GEOCODES, CAP_PATH, and optionally CAP_SIGNING_KEY and
CAP_SIGNING_CERT (PEM files): with both, every file carries an enveloped
XML signature.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from feeds import catalogue as cat
from feeds.common import Cleaner, absolute, site_base
from lxml import etree
from pelican import signals
from pelican.generators import ArticlesGenerator
from portal import model
from portal.state import STATE

from . import index, messages, signing

log = logging.getLogger("cap_alerts")
_SENDER_RE = re.compile(r"^[^\s,<&]+$")


class _State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.articles: list = []
        self.signer: signing.Signer | None = None
        self.cleaner = Cleaner()
        self.ok = True


CAP = _State()


def check_settings(pelican) -> None:
    """Settings problems are logged as errors: the build stops, nothing is published."""
    CAP.reset()
    s = pelican.settings
    sender = s.get("CAP_SENDER") or ""
    if not _SENDER_RE.match(sender):
        log.error("cap_alerts: CAP_SENDER = %r in pelicanconf.py: write one word without spaces, "
                  "commas, < or &, e.g. \"antoanthongtin@laocai.gov.vn\"", sender)
        CAP.ok = False
    try:
        CAP.signer = signing.from_settings(s)
    except signing.SigningSettingsError as problem:
        log.error("cap_alerts: %s", problem)
        CAP.ok = False


def collect(generators) -> None:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    CAP.articles = list(articles_gen.articles) if articles_gen else []


def _serialise(root: etree._Element, signer: signing.Signer | None) -> bytes:
    if signer is not None:
        return signer.sign(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_alerts(pelican) -> None:
    if not CAP.ok:
        return
    settings = pelican.settings
    out = Path(settings["OUTPUT_PATH"])
    base = site_base(settings)
    sender = settings["CAP_SENDER"]
    now = STATE.now
    current: list[tuple[messages.Message, str]] = []
    written = 0
    for article in CAP.articles:
        path = cat.cap_alert_path(settings, article)
        if path is None:
            continue
        if article.kind == model.WARNING:
            chain = messages.warning_chain(article, now, sender, CAP.cleaner)
            folder = path[: -len(".xml")]
            for message in chain:
                data = _serialise(messages.to_xml(message, settings, base), CAP.signer)
                _write(out / folder / f"{message.identifier}.xml", data)
                written += 1
            latest = chain[-1]
            status = getattr(article, "warning_status", None) or model.warning_status(article.metadata, now)
            expires = getattr(article, "expires", None)
            if status is model.ACTIVE or (status is model.WITHDRAWN and (expires is None or expires > now)):
                current.append((latest, absolute(base, path)))
        else:
            latest = messages.drill_message(article, CAP.cleaner)
            end = getattr(article, "end", None)
            if end is None or end > now:
                current.append((latest, absolute(base, path)))
        _write(out / path, _serialise(messages.to_xml(latest, settings, base), CAP.signer))
        written += 1
    feed = cat.build_catalogue(settings, []).cap_index
    if feed is not None:
        _write(out / feed.path(cat.ATOM), index.render(settings, feed, current))
    CAP.cleaner.report(settings.get("PORTAL_LANG", "vi"), log, "cap_alerts")
    log.info("cap_alerts: wrote %d CAP files, %d current", written, len(current))
    CAP.articles = []
    CAP.cleaner.reset()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.all_generators_finalized.connect(collect)
    signals.finalized.connect(write_alerts)
