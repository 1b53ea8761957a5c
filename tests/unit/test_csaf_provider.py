"""The provider's files from advisories (no build): index, changes, hashes, ROLIE, security.txt,
and the settings' messages."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from helpers import WARNING, view_of
from test_csaf_advisory import SETTINGS, WITHOUT_CVE

from portal import model
from portal.csaf import advisory, provider, security_txt
from portal.csaf.settings import read_settings
from portal.paths import SitePaths
from portal.settings import SettingsError

CS = read_settings(SETTINGS)
PATHS = SitePaths(SETTINGS)


def advisories() -> list[advisory.Advisory]:
    old = view_of(WITHOUT_CVE.replace("Identifier: CB-2026-014", "Identifier: CB-2025-003")
                  .replace("Date: 2026-11-20 09:30", "Date: 2025-03-02 08:00")
                  .split("Revisions:")[0] + "\nNội dung cảnh báo.\n", model.WARNING)
    new = view_of(WARNING, model.WARNING)
    return [advisory.build(v, CS, PATHS.csaf_advisory(v)) for v in (old, new)]


def test_index_and_changes_follow_requirements_12_and_13():
    items = advisories()
    assert provider.index_txt(items) == b"2025/cb-2025-003.json\n2026/cb-2026-014.json\n"
    rows = list(csv.reader(io.StringIO(provider.changes_csv(items).decode())))
    assert rows == [["2026/cb-2026-014.json", "2026-11-21T10:00:00+07:00"],
                    ["2025/cb-2025-003.json", "2025-03-02T08:00:00+07:00"]]  # the latest change first
    assert provider.changes_csv(items).startswith(b'"2026/cb-2026-014.json","')  # every field quoted


def test_hash_files_print_like_sha256sum():
    data = b'{"document": {}}\n'
    assert provider.hash_file(data, "cb-2026-014.json", "sha256") == \
        f"{hashlib.sha256(data).hexdigest()}  cb-2026-014.json\n".encode()
    assert provider.hash_file(data, "x.json", "sha512").split(b"  ")[0] == hashlib.sha512(data).hexdigest().encode()


def test_rolie_feed_and_provider_metadata():
    items = advisories()
    feed = json.loads(provider.rolie_feed(items, CS, PATHS, signed=False))["feed"]
    assert feed["id"] == "csaf-feed-tlp-white" and feed["updated"] == "2026-11-21T10:00:00+07:00"
    assert feed["category"] == [{"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}]
    assert [e["id"] for e in feed["entry"]] == ["CB-2026-014", "CB-2025-003"]
    first = feed["entry"][0]
    assert [link["rel"] for link in first["link"]] == ["self", "hash", "hash"]
    assert first["format"] == {"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
                               "version": "2.0"}
    signed = json.loads(provider.rolie_feed(items, CS, PATHS, signed=True))["feed"]
    assert signed["entry"][0]["link"][-1] == {"rel": "signature", "href": first["link"][0]["href"] + ".asc"}
    meta = json.loads(provider.provider_metadata(items, CS, PATHS, None))
    assert meta["role"] == "csaf_provider" and "public_openpgp_keys" not in meta
    assert meta["canonical_url"] == "https://antoanthongtin.laocai.gov.vn/.well-known/csaf/provider-metadata.json"
    assert meta["publisher"] == items[0].document["document"]["publisher"]
    trusted = json.loads(provider.provider_metadata(items, CS, PATHS, "A" * 40))
    assert trusted["role"] == "csaf_trusted_provider"
    key_url = f"https://antoanthongtin.laocai.gov.vn/.well-known/csaf/openpgp/{'A' * 40}.asc"
    assert trusted["public_openpgp_keys"] == [{"fingerprint": "A" * 40, "url": key_url}]


def test_security_txt_expires_within_a_year_and_moves_once_a_month():
    now = model.parse_datetime("2026-11-26 09:00")
    text = security_txt.render(CS, PATHS, now).decode()
    assert "Expires: 2027-11-01T00:00:00+07:00" in text.splitlines()
    assert security_txt.render(CS, PATHS, model.parse_datetime("2026-11-02 00:00")) == text.encode()
    assert security_txt.expires(model.parse_datetime("2028-02-29 12:00")).isoformat() == "2029-02-01T00:00:00+07:00"
    assert text.splitlines()[1:] == [
        "Contact: mailto:antoanthongtin@laocai.gov.vn", "Expires: 2027-11-01T00:00:00+07:00",
        "Preferred-Languages: vi, en", "Canonical: https://antoanthongtin.laocai.gov.vn/.well-known/security.txt",
        "CSAF: https://antoanthongtin.laocai.gov.vn/.well-known/csaf/provider-metadata.json"]


@pytest.mark.parametrize(("override", "vi", "en"), [
    ({"CSAF_PUBLISHER_CATEGORY": "cert"}, "CSAF_PUBLISHER_CATEGORY = 'cert' trong cấu hình không hợp lệ",
     "CSAF_PUBLISHER_CATEGORY = 'cert' in the settings is not allowed"),
    ({"CSAF_PUBLISHER_NAMESPACE": "laocai.gov.vn"}, "phải là địa chỉ web đầy đủ", "must be the issuer's full web"),
    ({"SITE_CONTACT": {}, "SECURITY_TXT_CONTACTS": None}, "security.txt cần ít nhất một địa chỉ liên hệ",
     "security.txt needs at least one contact"),
    ({"SECURITY_TXT_CONTACTS": ["antoanthongtin@laocai.gov.vn"]}, "mailto:", "mailto:"),
    ({"CSAF_OPENPGP_KEY": "/khong/co/khoa.asc"}, "không có tệp này", "no such file"),
    ({"CSAF_LIST_ON_AGGREGATORS": "yes"}, "viết True hoặc False", "write True or False"),
])
def test_settings_problems_name_the_setting_and_the_fix(override, vi, en):
    with pytest.raises(SettingsError, match="^csaf: ") as vietnamese:
        read_settings({**SETTINGS, **override})
    assert vi in str(vietnamese.value)
    assert en in vietnamese.value.said("en")  # both texts, whatever the settings' language
    with pytest.raises(SettingsError) as english:
        read_settings({**SETTINGS, **override, "PORTAL_LANG": "en"})
    assert en in english.value.said("en")
