"""The CSAF settings, read once and checked before anything is written.

A wrong value stops the build with a message that names the setting and the fix, in
Vietnamese by default and in English with PORTAL_LANG = "en".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from ..settings import SettingsError, messages_lang
from ..urls import DEFAULT_NAMESPACE, site_base

# CSAF 2.0 section 3.2.1.8.1
PUBLISHER_CATEGORIES = ("coordinator", "discoverer", "other", "translator", "user", "vendor")
CONTACT_SCHEMES = ("mailto:", "https://", "tel:")  # RFC 9116 section 2.5.3
GENERATOR = "laocai-security-portal"  # the distribution name in pyproject.toml
PASSWORD_ENV = "CSAF_OPENPGP_KEY_PASSWORD"


def say(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


def _refused(vi: str, en: str) -> SettingsError:
    """A CSAF setting to fix, in both languages (``SettingsError.said``)."""
    return SettingsError("csaf: " + vi, "csaf: " + en)


@dataclass(frozen=True)
class CsafSettings:
    base: str  # the absolute site URL every link starts with
    lang: str  # of the messages people read (the documents are Vietnamese, lang "vi")
    site_name: str
    publisher: dict  # CSAF /document/publisher, also provider-metadata.json's
    severity_namespace: str  # /document/aggregate_severity/namespace: the portal's four-step scale
    list_on_aggregators: bool
    mirror_on_aggregators: bool
    contacts: tuple[str, ...]  # security.txt Contact fields
    openpgp_key: Path | None
    generator_version: str | None
    settings: dict = field(repr=False, compare=False, default_factory=dict)  # all of them, for SitePaths


def _contact_details(contact: object) -> str | None:
    """The publisher's contact_details: the hotline, e-mail, phone and address of SITE_CONTACT."""
    if not isinstance(contact, dict):
        return None
    parts = []
    if contact.get("hotline"):
        parts.append(f"{contact.get('hotline_label') or 'Đường dây nóng'}: {contact['hotline']}")
    for key, label in (("email", "Thư điện tử"), ("phone", "Điện thoại"), ("address", "Địa chỉ")):
        if contact.get(key):
            parts.append(f"{label}: {contact[key]}")
    return "; ".join(parts) or None


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _version() -> str | None:
    try:
        return metadata.version(GENERATOR)
    except metadata.PackageNotFoundError:
        return None


def _publisher(s: dict, lang: str) -> dict:
    category = s.get("CSAF_PUBLISHER_CATEGORY", "coordinator")
    if category not in PUBLISHER_CATEGORIES:
        raise _refused(
            f"CSAF_PUBLISHER_CATEGORY = {category!r} trong cấu hình không hợp lệ. Cách sửa: viết một trong "
            f"{', '.join(PUBLISHER_CATEGORIES)} (cơ quan điều phối ứng cứu sự cố như CERT: \"coordinator\").",
            f"CSAF_PUBLISHER_CATEGORY = {category!r} in the settings is not allowed. Fix: write one of "
            f"{', '.join(PUBLISHER_CATEGORIES)} (a CERT-like authority coordinating responses: \"coordinator\").")
    name = str(s.get("CSAF_PUBLISHER_NAME") or s.get("SITE_OWNER") or "").strip()
    if not name:
        raise _refused(
            "Thiếu tên đơn vị phát hành. Cách sửa: đặt SITE_OWNER (hoặc CSAF_PUBLISHER_NAME) trong tệp cấu hình.",
            "The publisher has no name. Fix: set SITE_OWNER (or CSAF_PUBLISHER_NAME) in the settings file.")
    namespace = str(s.get("CSAF_PUBLISHER_NAMESPACE") or s.get("PORTAL_PRODUCTION_URL") or "").strip()
    if not _is_url(namespace):
        raise _refused(
            f"CSAF_PUBLISHER_NAMESPACE = {namespace!r} phải là địa chỉ web đầy đủ của đơn vị, ví dụ "
            '"https://antoanthongtin.laocai.gov.vn"; không bao giờ đổi sau khi đã phát hành.',
            f"CSAF_PUBLISHER_NAMESPACE = {namespace!r} must be the issuer's full web address, e.g. "
            '"https://antoanthongtin.laocai.gov.vn"; never change it once advisories are out.')
    publisher = {"category": category, "name": name, "namespace": namespace}
    details = _contact_details(s.get("SITE_CONTACT"))
    if details:
        publisher["contact_details"] = details
    authority = s.get("CSAF_ISSUING_AUTHORITY")
    if authority is not None:
        if not isinstance(authority, str) or not authority.strip():
            raise _refused(
                lang, "CSAF_ISSUING_AUTHORITY phải là một đoạn văn bản hoặc None.",
                "CSAF_ISSUING_AUTHORITY must be a text or None.")
        publisher["issuing_authority"] = authority.strip()
    return publisher


def _contacts(s: dict, lang: str) -> tuple[str, ...]:
    given = s.get("SECURITY_TXT_CONTACTS")
    if given is None:
        contact = s.get("SITE_CONTACT")
        email = str(contact.get("email") or "").strip() if isinstance(contact, dict) else ""
        given = [f"mailto:{email}"] if email else []
    if isinstance(given, str) or not isinstance(given, list | tuple) or not given or not all(
            isinstance(c, str) and c.startswith(CONTACT_SCHEMES) and len(c) > 7 for c in given):
        raise _refused(
            f"SECURITY_TXT_CONTACTS = {given!r}: security.txt cần ít nhất một địa chỉ liên hệ. Cách sửa: điền "
            'SITE_CONTACT["email"], hoặc đặt SECURITY_TXT_CONTACTS = ["mailto:…", "https://…", "tel:…"].',
            f"SECURITY_TXT_CONTACTS = {given!r}: security.txt needs at least one contact. Fix: fill in "
            'SITE_CONTACT["email"], or set SECURITY_TXT_CONTACTS = ["mailto:…", "https://…", "tel:…"].')
    return tuple(given)


def _flag(s: dict, name: str, lang: str) -> bool:
    value = s.get(name, True)
    if not isinstance(value, bool):
        raise _refused(f"{name} = {value!r}: viết True hoặc False.",
                                           f"{name} = {value!r}: write True or False.")
    return value


def _key(s: dict, lang: str) -> Path | None:
    value = s.get("CSAF_OPENPGP_KEY")
    if not value:
        return None
    path = Path(os.path.expanduser(str(value)))
    if not path.is_file():
        raise _refused(
            f"CSAF_OPENPGP_KEY = {str(value)!r}: không có tệp này. Cách sửa: chỉ đường dẫn tệp khóa bí mật OpenPGP "
            "dạng ASCII (gpg --export-secret-keys --armor), hoặc bỏ trống để không ký.",
            f"CSAF_OPENPGP_KEY = {str(value)!r}: no such file. Fix: give the path of an ASCII-armoured OpenPGP "
            "secret key (gpg --export-secret-keys --armor), or leave it empty to publish unsigned.")
    return path


def read_settings(s: dict) -> CsafSettings:
    """The CSAF settings, or a SettingsError naming the setting and the fix."""
    lang = messages_lang(s)  # of the messages only: a CSAF document's language is its own
    namespace = str(s.get("FEEDS_NAMESPACE") or DEFAULT_NAMESPACE)
    return CsafSettings(
        base=site_base(s), lang=lang, site_name=str(s.get("SITENAME") or ""),
        publisher=_publisher(s, lang), severity_namespace=f"{namespace}#muc-do",
        list_on_aggregators=_flag(s, "CSAF_LIST_ON_AGGREGATORS", lang),
        mirror_on_aggregators=_flag(s, "CSAF_MIRROR_ON_AGGREGATORS", lang),
        contacts=_contacts(s, lang), openpgp_key=_key(s, lang), generator_version=_version(),
        settings=s)
