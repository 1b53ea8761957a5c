"""What makes the advisories findable and checkable: CSAF 2.0 section 7.1.

- requirement 7 and 9: /.well-known/csaf/provider-metadata.json
- requirements 11 to 13: white/<year>/<file>.json, white/index.txt, white/changes.csv
  (requirement 14, directory listings, is the web server's: docs/subscribing.md)
- requirements 15 and 16: the ROLIE feed white/csaf-feed-tlp-white.json and the service
  document service.json (the file names the BSI's csaf_provider uses)
- requirement 18: <file>.json.sha256 and .sha512 beside each advisory, as sha256sum prints
- requirements 19 and 20 (signing.py): <file>.json.asc, and the public key under openpgp/

The role (7.2) is csaf_provider; csaf_trusted_provider when every advisory is signed.
Dates are the advisories' own: an unchanged site gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json

from ..clock import EPOCH, iso
from ..paths import CSAF_WHITE, SitePaths
from ..urls import absolute
from .advisory import CSAF_VERSION, SCHEMA, Advisory
from .settings import CsafSettings

ROLIE_CATEGORY = {"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}
FEED_ID = "csaf-feed-tlp-white"
HASHES = ("sha256", "sha512")


def to_json(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def hash_file(data: bytes, filename: str, algorithm: str) -> bytes:
    """'<hex>  <file name>\\n', as sha256sum and sha512sum print it (requirement 18)."""
    return f"{hashlib.new(algorithm, data).hexdigest()}  {filename}\n".encode("ascii")


def _relative(advisory: Advisory) -> str:
    """The advisory's path below white/: '2026/cb-2026-014.json'."""
    return advisory.path.removeprefix(CSAF_WHITE + "/")


def index_txt(advisories: list[Advisory]) -> bytes:
    """Requirement 12: every advisory's file name below white/, one a line (sorted)."""
    return "".join(f"{name}\n" for name in sorted(_relative(a) for a in advisories)).encode("utf-8")


def changes_csv(advisories: list[Advisory]) -> bytes:
    """Requirement 13: "<file>","<current_release_date>" without a heading, the latest change first."""
    ordered = sorted(advisories, key=lambda a: (a.current_release, _relative(a)), reverse=True)
    return "".join(f'"{_relative(a)}","{a.tracking["current_release_date"]}"\n'
                   for a in ordered).encode("utf-8")


def _updated(advisories: list[Advisory]) -> str:
    return iso(max((a.current_release for a in advisories), default=EPOCH))


def rolie_feed(advisories: list[Advisory], cs: CsafSettings, paths: SitePaths, signed: bool) -> bytes:
    """Requirement 15: one ROLIE feed (RFC 8322, JSON) of every TLP:WHITE advisory, newest change first,
    each entry linking its hashes (rel "hash") and, when signed, its signature (rel "signature")."""
    base = cs.base
    entries = []
    for a in sorted(advisories, key=lambda a: (a.current_release, a.tracking["id"]), reverse=True):
        links = [{"rel": "self", "href": a.url}]
        links += [{"rel": "hash", "href": f"{a.url}.{alg}"} for alg in HASHES]
        if signed:
            links.append({"rel": "signature", "href": f"{a.url}.asc"})
        entries.append({
            "content": {"src": a.url, "type": "application/json"},
            "format": {"schema": SCHEMA, "version": CSAF_VERSION},
            "id": a.tracking["id"],
            "link": links,
            "published": a.tracking["initial_release_date"],
            "summary": {"content": a.view.lead},
            "title": a.title,
            "updated": a.tracking["current_release_date"],
        })
    return to_json({"feed": {
        "category": [dict(ROLIE_CATEGORY)],
        "entry": entries,
        "id": FEED_ID,
        "link": [{"rel": "self", "href": absolute(base, paths.csaf_rolie_feed())},
                 {"rel": "service", "href": absolute(base, paths.csaf_rolie_service())}],
        "title": f"{cs.site_name}: CSAF (TLP:WHITE)",
        "updated": _updated(advisories),
    }})


def rolie_service(cs: CsafSettings, paths: SitePaths) -> bytes:
    """Requirement 16: the service document listing the feed."""
    return to_json({"service": {"workspace": [{
        "collection": [{"categories": {"category": [dict(ROLIE_CATEGORY)]},
                        "href": absolute(cs.base, paths.csaf_rolie_feed()),
                        "title": f"{cs.site_name}: CSAF (TLP:WHITE)"}],
        "title": f"{cs.site_name}: CSAF công khai (public CSAF)",
    }]}})


def provider_metadata(advisories: list[Advisory], cs: CsafSettings, paths: SitePaths,
                      fingerprint: str | None) -> bytes:
    """Requirement 7: provider-metadata.json, its last_updated the newest advisory's release."""
    base = cs.base
    data = {
        "canonical_url": absolute(base, paths.csaf_provider_metadata()),
        "distributions": [{
            "directory_url": absolute(base, CSAF_WHITE + "/"),
            "rolie": {
                "feeds": [{"summary": f"Mọi cảnh báo công khai (TLP:WHITE) của {cs.publisher['name']}.",
                           "tlp_label": "WHITE", "url": absolute(base, paths.csaf_rolie_feed())}],
                "services": [absolute(base, paths.csaf_rolie_service())],
            },
        }],
        "last_updated": _updated(advisories),
        "list_on_CSAF_aggregators": cs.list_on_aggregators,
        "metadata_version": CSAF_VERSION,
        "mirror_on_CSAF_aggregators": cs.mirror_on_aggregators,
        "publisher": dict(cs.publisher),
        "role": "csaf_trusted_provider" if fingerprint else "csaf_provider",
    }
    if fingerprint:
        data["public_openpgp_keys"] = [{"fingerprint": fingerprint,
                                        "url": absolute(base, paths.csaf_openpgp_key(fingerprint))}]
    return to_json(data)
