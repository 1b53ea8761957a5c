"""csaf: a CSAF 2.0 advisory for every published warning, published as a CSAF provider.

    .well-known/csaf/provider-metadata.json           who publishes, where, in which role
    .well-known/csaf/service.json                     the ROLIE service document
    .well-known/csaf/white/csaf-feed-tlp-white.json   the ROLIE feed of every advisory
    .well-known/csaf/white/index.txt, changes.csv     the directory-based index
    .well-known/csaf/white/<year>/<identifier>.json   one advisory per warning, with .sha256
                                                      and .sha512 beside it (.asc when signed)
    .well-known/csaf/openpgp/<FINGERPRINT>.asc        the public key (when signed)
    .well-known/security.txt                          RFC 9116, with its CSAF field

Settings (pelicanconf.py, the block "CSAF 2.0 advisories"): CSAF_PUBLISHER_CATEGORY,
CSAF_PUBLISHER_NAME, CSAF_PUBLISHER_NAMESPACE, CSAF_ISSUING_AUTHORITY,
CSAF_LIST_ON_AGGREGATORS, CSAF_MIRROR_ON_AGGREGATORS, SECURITY_TXT_CONTACTS and
CSAF_OPENPGP_KEY (passphrase: the environment variable CSAF_OPENPGP_KEY_PASSWORD).
Advisories are built from each warning's typed view (``article.view``, made by the
``articles`` plugin; portal.csaf).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from pelican import signals
from pelican.generators import ArticlesGenerator

from portal.cap.record import Record
from portal.clock import build_time
from portal.csaf import advisory, provider, security_txt
from portal.csaf.settings import read_settings, say
from portal.csaf.signing import Signer, SigningError, from_settings
from portal.outputs import output_step, write_file, write_keyed
from portal.paths import SitePaths
from portal.settings import SettingsError, require_after_articles
from portal.urls import absolute

log = logging.getLogger("csaf")


def check_settings(pelican) -> None:
    """Settings problems, a key that cannot sign included, stop the build before anything is written."""
    s = pelican.settings
    cs = read_settings(s)
    require_after_articles(s, "csaf")
    if cs.openpgp_key:
        try:
            with Signer(cs.openpgp_key, None, build_time(s), cs.lang):
                pass
        except SigningError as problem:
            raise SettingsError(f"csaf: CSAF_OPENPGP_KEY = {str(cs.openpgp_key)!r}: {problem}") from None


def add_links(generators) -> None:
    """The provider's addresses, absolute, for the feeds page (``csaf_links``)."""
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_gen is None:
        return
    cs, paths = read_settings(articles_gen.settings), SitePaths(articles_gen.settings)
    articles_gen.context["csaf_links"] = {
        "provider_metadata": absolute(cs.base, paths.csaf_provider_metadata()),
        "rolie_feed": absolute(cs.base, paths.csaf_rolie_feed()),
        "index": absolute(cs.base, paths.csaf_index()),
        "changes": absolute(cs.base, paths.csaf_changes()),
        "security_txt": absolute(cs.base, paths.security_txt()),
        "signed": cs.openpgp_key is not None,
    }


def _publish(out: Path, item: advisory.Advisory, signer: Signer | None, record: Record, inputs: tuple) -> None:
    """The advisory, its hash files and, with a key, its detached signature dated by its release.

    A version already published is served as recorded (portal.cap.record), its signature too. An
    unsigned one not recorded is made from ``inputs`` (its view, the settings) alone: a file the previous
    build made from the same inputs is linked, not made again (``write_keyed``)."""
    recorded, recorded_signature = record.csaf(str(item.tracking["id"]), str(item.tracking["version"]))
    name = item.path.rpartition("/")[2]
    if recorded is None and signer is None:
        document = functools.cache(item.to_bytes)
        write_keyed(out / item.path, inputs, document)
        for algorithm in provider.HASHES:
            write_keyed(out / f"{item.path}.{algorithm}", (*inputs, algorithm),
                        lambda algorithm=algorithm: provider.hash_file(document(), name, algorithm))
        return
    data = recorded or item.to_bytes()
    write_file(out / item.path, data)
    for algorithm in provider.HASHES:
        write_file(out / f"{item.path}.{algorithm}", provider.hash_file(data, name, algorithm))
    if recorded_signature is not None and recorded is not None:
        write_file(out / f"{item.path}.asc", recorded_signature)
    elif signer is not None:
        write_file(out / f"{item.path}.asc", signer.detached(data, item.current_release))


@output_step
def write_advisories(generators) -> None:
    articles_gen = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles_gen is None:
        return
    settings = articles_gen.settings
    cs, paths, out, now = read_settings(settings), SitePaths(settings), Path(settings["OUTPUT_PATH"]), \
        build_time(settings)
    signer = from_settings(cs.openpgp_key, now, cs.lang)
    record = Record(settings)
    items = []
    try:
        for a in articles_gen.articles:
            path = paths.csaf_advisory(a.view)
            if path:  # each document built, published and let go, one at a time
                item = advisory.build(a.view, cs, path)
                _publish(out, item, signer, record, (a.view, path))  # cs: from the settings
                items.append(item.slim())
        fingerprint = signer.fingerprint if signer else None
        write_file(out / paths.csaf_index(), provider.index_txt(items))
        write_file(out / paths.csaf_changes(), provider.changes_csv(items))
        write_file(out / paths.csaf_rolie_feed(), provider.rolie_feed(items, cs, paths, signed=signer is not None))
        write_file(out / paths.csaf_rolie_service(), provider.rolie_service(cs, paths))
        write_file(out / paths.csaf_provider_metadata(), provider.provider_metadata(items, cs, paths, fingerprint))
        text = security_txt.render(cs, paths, now)
        if signer is not None:
            write_file(out / paths.csaf_openpgp_key(signer.fingerprint), signer.public_key)
            text = signer.clearsign(text, security_txt.month_start(now))
        write_file(out / paths.security_txt(), text)
    finally:
        if signer is not None:
            signer.close()
    security = sum(1 for i in items if i.category == advisory.SECURITY)
    log.info("csaf: %s", say(cs.lang, f"đã ghi {len(items)} tài liệu CSAF ({security} security advisory), "
                                      f"{'có' if signer else 'không'} chữ ký OpenPGP",
                             f"wrote {len(items)} CSAF advisories ({security} security advisories), "
                             f"{'signed' if signer else 'unsigned'}"))


def register() -> None:
    signals.initialized.connect(check_settings)
    signals.all_generators_finalized.connect(add_links)
    signals.all_generators_finalized.connect(write_advisories)
