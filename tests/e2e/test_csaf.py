"""CSAF 2.0 as a CSAF aggregator or a vulnerability management tool sees it: every warning an
advisory at the place the standard fixes, valid against the OASIS CSAF 2.0 schema (as the BSI
validator library ships it, also checked in Python with jsonschema_rs) and passing every
mandatory test of the BSI's validator library
(@secvisogram/csaf-validator-lib, run with Node), the provider's files (provider-metadata.json,
ROLIE feed, index.txt, changes.csv, hashes, security.txt), byte-identical rebuilds, the dev
server's media types, and OpenPGP signatures made and checked with gpg."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema_rs
import pytest
from conftest import ROOT, missing_tool, npm_installed, run_build, tree_digest
from support import FIXTURE, NOW, build  # noqa: E402

WELL_KNOWN = ".well-known"
WHITE = ".well-known/csaf/white"
VALIDATOR = ROOT / "tests" / "csaf-validator"
PRODUCTION = "https://antoanthongtin.laocai.gov.vn"
FEEDS_SITE_ADVISORIES = {"2026/cb-2026-002.json", "2026/cb-2026-010.json", "2026/cb-2026-014.json",
                         "2026/cb-2026-020.json"}
# What the validator's optional (6.2) and informative (6.3) tests may say, and why:
ALLOWED_REMARKS = {
    "optionalTest_6_2_3",  # missing score: the portal gives no CVSS, and none is invented
    "optionalTest_6_2_16",  # missing product identification helper: products are named as staff write them
    "informativeTest_6_3_4",  # missing CWE: warnings do not classify weaknesses
}
CANONICAL_URL_TEST = "optionalTest_6_2_11"  # the canonical URL must be https: met by the production build


# ---- builds ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def production(tmp_path_factory):
    """The same site with its production address (https), as publishconf.py builds it."""
    return build(tmp_path_factory, "csaf-https", extra_settings={"FEED_DOMAIN": PRODUCTION})


def advisory_files(output: Path) -> list[Path]:
    return sorted(p for p in (output / WHITE).glob("*/*.json"))


def load(output: Path, rel: str) -> dict:
    return json.loads((output / WHITE / rel).read_text(encoding="utf-8"))


# ---- the OASIS schema, as the BSI validator library ships it -----------------------------------
@pytest.fixture(scope="session")
def schemas(validator_folder):
    """A validator for the CSAF 2.0 schema, every $ref (FIRST's CVSS schemas) resolved offline."""
    done = subprocess.run([shutil.which("node"), str(validator_folder / "schemas.mjs")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    csaf = found.pop("csaf")
    registry = jsonschema_rs.Registry([*found.items(), (csaf["$id"], csaf)])
    return {"csaf": jsonschema_rs.validator_for(csaf, registry=registry, validate_formats=True, offline=True)}


def schema_errors(validator, path: Path) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(json.loads(path.read_text("utf-8")))]


# ---- the BSI validator library (Node) ----------------------------------------------------------
@pytest.fixture(scope="session")
def validator_folder() -> Path:
    """tests/csaf-validator installed once per machine (npm ci from the committed lock file, into a
    cache folder named after the lock's hash), with its scripts."""
    return npm_installed(VALIDATOR, "@secvisogram/csaf-validator-lib")


@pytest.fixture(scope="session")
def bsi_validator(validator_folder):
    """A function: files -> the library's report."""
    node = shutil.which("node")

    def run(files: list[Path]) -> list[dict]:
        done = subprocess.run([node, str(validator_folder / "validate.mjs"), *map(str, files)], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


@pytest.fixture(scope="session")
def reports(bsi_validator, sample_site, fixture_site, site, production) -> dict[str, list[dict]]:
    """The library's report on every advisory of the sample site (content/), the fixture sites
    and the production build, by build (one run of Node: its start-up takes seconds)."""
    builds = {"sample_site": sample_site, "fixture_site": fixture_site, "site": site, "production": production}
    files = {name: advisory_files(built.output) for name, built in builds.items()}
    by_file = {item["file"]: item for item in bsi_validator([f for fs in files.values() for f in fs])}
    return {name: [by_file[str(f)] for f in fs] for name, fs in files.items()}


def remarks(report: list[dict], groups: tuple[str, ...]) -> dict[str, list[str]]:
    """'file: test' -> its errors and warnings, for the tests of the groups that said anything."""
    out = {}
    for item in report:
        for t in item["tests"]:
            said = [m["message"] for m in t["errors"] + t["warnings"] + t["infos"]]
            if t["group"] in groups and (said or not t["isValid"]):
                out[f"{Path(item['file']).name}: {t['name']}"] = said
    return out


@pytest.mark.parametrize("which", ["sample_site", "fixture_site", "site", "production"])
def test_every_advisory_passes_the_schema_and_every_mandatory_test(which, request, schemas, reports):
    built = request.getfixturevalue(which)
    files = advisory_files(built.output)
    assert len(files) == len(reports[which]) > 0
    for path in files:
        assert schema_errors(schemas["csaf"], path) == [], path.name
    mandatory = [t for item in reports[which] for t in item["tests"] if t["group"] in ("schema", "mandatory")]
    assert len(mandatory) == len(files) * 44  # the strict schema and the 43 mandatory tests (6.1.1-6.1.33)
    assert remarks(reports[which], ("schema", "mandatory")) == {}
    # the optional and informative tests say only what the portal cannot know; 6.2.11 asks for an
    # https canonical URL, which only the production build has
    said = {key.split(": ")[1] for key in remarks(reports[which], ("optional", "informative"))}
    assert said <= ALLOWED_REMARKS | ({CANONICAL_URL_TEST} if which != "production" else set())


def test_the_production_build_has_valid_provider_files(production):
    """CSAF 2.0 7.1.20 (provider-metadata.json) and the ROLIE feed (RFC 8322, as CSAF 7.1.16 uses it):
    every required member, https everywhere."""
    out = production.output
    meta = json.loads((out / WELL_KNOWN / "csaf/provider-metadata.json").read_text("utf-8"))
    assert {"canonical_url", "last_updated", "list_on_CSAF_aggregators", "metadata_version",
            "mirror_on_CSAF_aggregators", "publisher", "role"} <= set(meta)
    assert meta["metadata_version"] == "2.0" and meta["role"] in ("csaf_provider", "csaf_trusted_provider")
    assert {"category", "name", "namespace"} <= set(meta["publisher"])
    feeds = [f["url"] for d in meta["distributions"] for f in d.get("rolie", {}).get("feeds", [])]
    assert feeds == [f"{PRODUCTION}/{WHITE}/csaf-feed-tlp-white.json"]
    rolie = json.loads((out / WHITE / "csaf-feed-tlp-white.json").read_text("utf-8"))["feed"]
    assert {"id", "title", "link", "category", "updated", "entry"} <= set(rolie)
    assert any(link["rel"] == "self" and link["href"] == feeds[0] for link in rolie["link"])
    for entry in rolie["entry"]:
        assert {"id", "title", "link", "published", "updated", "content", "format"} <= set(entry)
        assert entry["content"]["src"].startswith(f"{PRODUCTION}/{WHITE}/") and entry["format"]["version"] == "2.0"
    assert meta["canonical_url"] == f"{PRODUCTION}/.well-known/csaf/provider-metadata.json"
    assert f"CSAF: {PRODUCTION}/.well-known/csaf/provider-metadata.json" in \
        (out / WELL_KNOWN / "security.txt").read_text("utf-8").splitlines()
    self_refs = [r["url"] for r in load(out, "2026/cb-2026-014.json")["document"]["references"]
                 if r["category"] == "self"]
    assert self_refs[0] == f"{PRODUCTION}/.well-known/csaf/white/2026/cb-2026-014.json"


def test_the_schemas_catch_what_they_should(schemas, site):
    doc = load(site.output, "2026/cb-2026-014.json")
    doc["document"]["tracking"]["status"] = "withdrawn"  # CSAF 2.0 has no such status
    assert not schemas["csaf"].is_valid(doc)


# ---- what each advisory says -----------------------------------------------------------------
def test_one_advisory_per_warning_at_the_standard_place(site):
    files = {p.relative_to(site.output / WHITE).as_posix() for p in advisory_files(site.output)}
    assert files == FEEDS_SITE_ADVISORIES
    for rel in files:
        tracking = load(site.output, rel)["document"]["tracking"]
        assert rel == f"{tracking['initial_release_date'][:4]}/{tracking['id'].lower()}.json"  # 5.1, req. 11


def test_a_warning_with_cves_is_a_security_advisory_of_its_products(site):
    doc = load(site.output, "2026/cb-2026-014.json")
    assert doc["document"]["category"] == "csaf_security_advisory"
    products = doc["product_tree"]["full_product_names"]
    assert [p["name"] for p in products] == ["Microsoft Exchange Server 2019", "Microsoft Exchange Server 2016"]
    ids = [p["product_id"] for p in products]
    assert ids == ["CSAFPID-0001", "CSAFPID-0002"]
    assert [v["cve"] for v in doc["vulnerabilities"]] == ["CVE-2026-21001", "CVE-2026-21002"]
    for vuln in doc["vulnerabilities"]:
        assert vuln["product_status"] == {"known_affected": ids}
        assert [(r["category"], r["details"], r["product_ids"]) for r in vuln["remediations"]] == [
            ("vendor_fix", "Cài đặt ngay bản vá của Microsoft.", ids),
            ("mitigation", "Kiểm tra nhật ký truy cập để phát hiện dấu hiệu khai thác.", ids)]
        assert vuln["notes"] and {"category": "external", "summary": f"Bản ghi {vuln['cve']} (cve.org)",
                                  "url": f"https://www.cve.org/CVERecord?id={vuln['cve']}"} in vuln["references"]
    d = doc["document"]
    assert d["aggregate_severity"] == {"namespace": "https://antoanthongtin.laocai.gov.vn/ns/canh-bao/1.0#muc-do",
                                       "text": "nghiêm trọng"}
    assert d["publisher"]["category"] == "coordinator" and d["lang"] == "vi" and d["csaf_version"] == "2.0"
    assert d["publisher"]["name"] == "Công an tỉnh Lào Cai"  # SITE_OWNER in pelicanconf.py
    assert d["distribution"]["tlp"] == {"label": "WHITE", "url": "https://www.first.org/tlp/"}
    refs = {(r["category"], r["url"]) for r in d["references"]}
    assert ("self", "http://127.0.0.1:8000/.well-known/csaf/white/2026/cb-2026-014.json") in refs
    assert ("self", "http://127.0.0.1:8000/canh-bao/lo-hong-exchange-server.html") in refs
    assert ("external", "https://msrc.microsoft.com/update-guide/") in refs
    notes = {n["category"]: n["text"] for n in d["notes"]}
    assert notes["summary"].startswith("Phát hiện lỗ hổng cho phép thực thi mã từ xa")


def test_a_warning_without_cves_is_informational(site):
    doc = load(site.output, "2026/cb-2026-020.json")
    assert doc["document"]["category"] == "csaf_informational_advisory"
    assert "vulnerabilities" not in doc and "product_tree" not in doc
    assert any(r["category"] == "external" for r in doc["document"]["references"])
    assert doc["document"]["tracking"]["version"] == "1"
    assert [r["number"] for r in doc["document"]["tracking"]["revision_history"]] == ["1"]


def test_revisions_are_versions(site):
    tracking = load(site.output, "2026/cb-2026-014.json")["document"]["tracking"]
    assert tracking["status"] == "final" and tracking["version"] == "3"
    assert [(r["number"], r["date"], r["summary"]) for r in tracking["revision_history"]] == [
        ("1", "2026-11-20T08:00:00+07:00", "Phát hành lần đầu."),
        ("2", "2026-11-21T10:00:00+07:00", "Cập nhật: Bổ sung mã CVE-2026-21002"),
        ("3", "2026-11-22T15:30:00+07:00", "Cập nhật: Bổ sung hướng dẫn kiểm tra nhật ký")]
    assert tracking["initial_release_date"] == "2026-11-20T08:00:00+07:00"
    assert tracking["current_release_date"] == "2026-11-22T15:30:00+07:00"


def test_a_new_revision_makes_version_2(site, edited):
    tracking = load(edited.output, "2026/cb-2026-020.json")["document"]["tracking"]
    assert tracking["version"] == "2" and len(tracking["revision_history"]) == 2
    assert tracking["revision_history"][1] == {"date": "2026-11-26T08:00:00+07:00", "number": "2",
                                               "summary": "Cập nhật: Bổ sung phiên bản Chrome bị ảnh hưởng"}
    assert tracking["current_release_date"] == "2026-11-26T08:00:00+07:00"
    assert tracking["initial_release_date"] == \
        load(site.output, "2026/cb-2026-020.json")["document"]["tracking"]["initial_release_date"]
    changes = (edited.output / WHITE / "changes.csv").read_text("utf-8").splitlines()
    assert changes[0] == '"2026/cb-2026-020.json","2026-11-26T08:00:00+07:00"'  # the latest change first


def test_a_withdrawn_warning_ends_with_a_final_revision_saying_so(site):
    d = load(site.output, "2026/cb-2026-010.json")["document"]
    tracking = d["tracking"]
    assert tracking["status"] == "final" and tracking["version"] == "2"
    assert tracking["revision_history"][-1] == {
        "date": "2026-11-12T08:00:00+07:00", "number": "2",
        "summary": "Thu hồi cảnh báo. Lý do: Cảnh báo phát hành nhầm, đã có thông báo chính thức khác"}
    assert tracking["current_release_date"] == "2026-11-12T08:00:00+07:00"
    assert d["title"] == "Đã thu hồi: Chiến dịch lừa đảo giả mạo cơ quan thuế"
    reasons = [n for n in d["notes"] if n["category"] == "description"]
    assert len(reasons) == 1 and reasons[0]["title"] == "Lý do thu hồi"
    assert "đã được thu hồi lúc 08:00 ngày 12/11/2026" in reasons[0]["text"]


# ---- the provider's files ----------------------------------------------------------------------
def test_hash_files_match_the_advisories(site):
    for path in advisory_files(site.output):
        for algorithm in ("sha256", "sha512"):
            text = path.with_name(f"{path.name}.{algorithm}").read_text("ascii")
            assert text == f"{hashlib.new(algorithm, path.read_bytes()).hexdigest()}  {path.name}\n"


def test_index_txt_and_changes_csv_list_every_advisory(site):
    white = site.output / WHITE
    assert (white / "index.txt").read_text("utf-8").splitlines() == sorted(FEEDS_SITE_ADVISORIES)
    rows = list(csv.reader(io.StringIO((white / "changes.csv").read_text("utf-8"))))
    assert {name for name, _ in rows} == FEEDS_SITE_ADVISORIES
    for name, date in rows:
        assert date == load(site.output, name)["document"]["tracking"]["current_release_date"]
    dates = [dt.datetime.fromisoformat(date) for _, date in rows]
    assert dates == sorted(dates, reverse=True)


def test_provider_metadata_and_rolie_feed_point_at_every_advisory(site):
    base = "http://127.0.0.1:8000/.well-known/csaf"
    meta = json.loads((site.output / WELL_KNOWN / "csaf/provider-metadata.json").read_text("utf-8"))
    assert meta["role"] == "csaf_provider" and "public_openpgp_keys" not in meta
    assert meta["metadata_version"] == "2.0" and meta["last_updated"] == "2026-11-25T14:00:00+07:00"
    assert meta["distributions"] == [{"directory_url": f"{base}/white/", "rolie": {
        "feeds": [{"summary": meta["distributions"][0]["rolie"]["feeds"][0]["summary"], "tlp_label": "WHITE",
                   "url": f"{base}/white/csaf-feed-tlp-white.json"}], "services": [f"{base}/service.json"]}}]
    assert meta["publisher"] == load(site.output, "2026/cb-2026-014.json")["document"]["publisher"]
    feed = json.loads((site.output / WHITE / "csaf-feed-tlp-white.json").read_text("utf-8"))["feed"]
    assert {e["content"]["src"].removeprefix(f"{base}/white/") for e in feed["entry"]} == FEEDS_SITE_ADVISORIES
    for entry in feed["entry"]:
        src = entry["content"]["src"]
        assert entry["link"] == [{"rel": "self", "href": src}, {"rel": "hash", "href": f"{src}.sha256"},
                                 {"rel": "hash", "href": f"{src}.sha512"}]
        doc = json.loads((site.output / WHITE / src.removeprefix(f"{base}/white/")).read_text("utf-8"))
        assert (entry["id"], entry["updated"]) == (doc["document"]["tracking"]["id"],
                                                   doc["document"]["tracking"]["current_release_date"])
    service = json.loads((site.output / WELL_KNOWN / "csaf/service.json").read_text("utf-8"))
    assert service["service"]["workspace"][0]["collection"][0]["href"] == f"{base}/white/csaf-feed-tlp-white.json"


def test_security_txt_points_at_the_provider(site):
    lines = (site.output / WELL_KNOWN / "security.txt").read_text("utf-8").splitlines()
    fields = [line.split(": ", 1) for line in lines if not line.startswith("#")]
    assert fields == [["Contact", "mailto:antoanthongtin@laocai.gov.vn"],
                      ["Expires", "2027-11-01T00:00:00+07:00"],  # from the build clock, within a year
                      ["Preferred-Languages", "vi, en"],
                      ["Canonical", "http://127.0.0.1:8000/.well-known/security.txt"],
                      ["CSAF", "http://127.0.0.1:8000/.well-known/csaf/provider-metadata.json"]]


def test_a_rebuild_gives_byte_identical_files(site, tmp_path_factory):
    again = build(tmp_path_factory, "csaf-again")
    assert tree_digest(again.output / WELL_KNOWN) == tree_digest(site.output / WELL_KNOWN)


def test_pages_link_the_csaf_files(site):
    page = site.page("canh-bao/lo-hong-exchange-server.html")
    link = page.find("a", href="/.well-known/csaf/white/2026/cb-2026-014.json")
    assert link is not None and link["type"] == "application/json"
    assert site.page("tin-tuc/" + next(p.name for p in (site.output / "tin-tuc").glob("*.html"))).find(
        "a", href=lambda h: h and "/.well-known/csaf/" in h) is None
    feeds = site.page("nguon-tin.html")
    section = feeds.find(id="csaf")
    assert section is not None
    hrefs = {a["href"] for a in section.find_all("a")}
    assert "http://127.0.0.1:8000/.well-known/csaf/provider-metadata.json" in hrefs
    assert "http://127.0.0.1:8000/.well-known/security.txt" in hrefs


def test_the_dev_server_and_the_publish_check_serve_well_known(site, tmp_path):
    """`portal serve` (the ratings service serving the site) answers with JSON and text media types;
    a release with .well-known/ passes the publish verification."""
    from portal.tools.publish import links_in_release
    from ratings.app import create_app
    from ratings.config import Settings
    from ratings.testing import AsgiClient

    settings = Settings(db_path=str(tmp_path / "r.sqlite3"), site_dir=str(site.output),
                        manifest_path=str(site.output / "api" / "ratings-manifest.json"))
    client = AsgiClient(create_app(settings))
    for path, media_type in ((".well-known/csaf/provider-metadata.json", "application/json"),
                             (".well-known/csaf/white/csaf-feed-tlp-white.json", "application/json"),
                             (".well-known/csaf/white/2026/cb-2026-014.json", "application/json"),
                             (".well-known/security.txt", "text/plain")):
        answer = client.request("GET", f"/{path}")
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].split(";")[0] == media_type, path
        assert answer.content == (site.output / path).read_bytes()
    assert "charset=utf-8" in client.request("GET", "/.well-known/security.txt").headers["content-type"]
    assert links_in_release(site.output) == []


# ---- settings ------------------------------------------------------------------------------------
def test_a_wrong_setting_stops_the_build_with_the_fix(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    built = run_build(content, tmp_path / "out", search=False,
                      extra_settings={"CSAF_PUBLISHER_CATEGORY": "cert"})
    assert built.returncode == 1
    assert "CSAF_PUBLISHER_CATEGORY = 'cert' trong cấu hình không hợp lệ" in built.stderr
    assert "coordinator" in built.stderr and "Traceback" not in built.stderr
    assert not (tmp_path / "out").exists()


# ---- OpenPGP signatures -----------------------------------------------------------------------
PASSPHRASE = "mật khẩu thử nghiệm"  # not Latin-1: the key file and the passphrase are UTF-8
KEY_CREATED = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # older than every advisory: signatures keep their dates


def _gpg(home: Path, *options: str):
    try:
        import gnupg
    except ImportError:
        missing_tool("python-gnupg is not installed (make installs requirements.txt)")
    if not shutil.which("gpg"):
        missing_tool("gpg is not installed (apt-get install gnupg)")
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return gnupg.GPG(gnupghome=str(home), options=list(options), encoding="utf-8")


def _kill_agent(home: Path) -> None:
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)


@pytest.fixture(scope="session")
def openpgp_key(tmp_path_factory):
    """A throwaway Ed25519 key made in 2020 (gpg's clock set back), protected by a passphrase:
    the ASCII-armoured secret key file and its fingerprint."""
    folder = tmp_path_factory.mktemp("openpgp")
    home = folder / "home"
    gpg = _gpg(home, "--faked-system-time", f"{int(KEY_CREATED.timestamp())}!")
    try:
        key = gpg.gen_key(gpg.gen_key_input(key_type="EDDSA", key_curve="ed25519", key_usage="sign",
                                            name_real="Cổng An ninh mạng Lào Cai (thử)",
                                            name_email="csaf@example.org", passphrase=PASSPHRASE, expire_date=0))
        assert key.fingerprint, key.stderr
        path = folder / "csaf-key.asc"
        path.write_text(gpg.export_keys(key.fingerprint, secret=True, passphrase=PASSPHRASE), encoding="ascii")
    finally:
        _kill_agent(home)
    return path, key.fingerprint


def _signed_build(tmp_path_factory, name: str, key: Path, passphrase: str = PASSPHRASE):
    base = tmp_path_factory.mktemp(name)
    content = base / "content"
    shutil.copytree(FIXTURE, content)
    return run_build(content, base / "output", now=NOW, search=False,
                     extra_env={"CSAF_OPENPGP_KEY_PASSWORD": passphrase},
                     extra_settings={"CSAF_OPENPGP_KEY": str(key)})


@pytest.fixture(scope="session")
def signed(tmp_path_factory, openpgp_key):
    built = _signed_build(tmp_path_factory, "csaf-signed", openpgp_key[0])
    assert built.returncode == 0, built.stderr
    return built


@pytest.fixture(scope="session")
def verifier(tmp_path_factory, signed, openpgp_key):
    """A keyring holding only the public key the site publishes."""
    home = tmp_path_factory.mktemp("verify") / "home"
    gpg = _gpg(home)
    fingerprint = openpgp_key[1]
    imported = gpg.import_keys((signed.output / f".well-known/csaf/openpgp/{fingerprint}.asc").read_text("ascii"))
    assert imported.fingerprints == [fingerprint] and not gpg.list_keys(secret=True)  # the public part only
    yield gpg
    _kill_agent(home)


def test_every_advisory_has_a_signature_that_verifies(signed, verifier, openpgp_key):
    fingerprint = openpgp_key[1]
    files = advisory_files(signed.output)
    assert len(files) == 4
    for path in files:
        result = verifier.verify_data(str(path.with_name(path.name + ".asc")), path.read_bytes())
        assert result.valid and result.fingerprint == fingerprint, (path.name, result.stderr)
        current = json.loads(path.read_text("utf-8"))["document"]["tracking"]["current_release_date"]
        assert int(result.sig_timestamp) == int(dt.datetime.fromisoformat(current).timestamp())  # dated by content
        tampered = path.read_bytes().replace(b'"final"', b'"interim"')
        assert not verifier.verify_data(str(path.with_name(path.name + ".asc")), tampered).valid


def test_a_signing_provider_is_a_trusted_provider(signed, verifier, openpgp_key):
    fingerprint = openpgp_key[1]
    out = signed.output / WELL_KNOWN
    meta = json.loads((out / "csaf/provider-metadata.json").read_text("utf-8"))
    assert meta["role"] == "csaf_trusted_provider"
    assert meta["public_openpgp_keys"] == [{
        "fingerprint": fingerprint, "url": f"http://127.0.0.1:8000/.well-known/csaf/openpgp/{fingerprint}.asc"}]
    feed = json.loads((out / "csaf/white/csaf-feed-tlp-white.json").read_text("utf-8"))["feed"]
    for entry in feed["entry"]:
        assert entry["link"][-1] == {"rel": "signature", "href": entry["content"]["src"] + ".asc"}
    text = (out / "security.txt").read_text("utf-8")
    assert text.startswith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n# ")
    assert verifier.verify(text).valid  # RFC 9116 section 2.3: a cleartext signature


def test_signed_rebuilds_are_byte_identical(signed, openpgp_key, tmp_path_factory):
    again = _signed_build(tmp_path_factory, "csaf-signed-again", openpgp_key[0])
    assert again.returncode == 0, again.stderr
    assert tree_digest(again.output / WELL_KNOWN) == tree_digest(signed.output / WELL_KNOWN)


def test_a_wrong_passphrase_stops_the_build_before_anything_is_written(openpgp_key, tmp_path_factory):
    built = _signed_build(tmp_path_factory, "csaf-bad-passphrase", openpgp_key[0], passphrase="sai")
    assert built.returncode == 1
    assert "CSAF_OPENPGP_KEY" in built.stderr and "CSAF_OPENPGP_KEY_PASSWORD" in built.stderr
    assert "Traceback" not in built.stderr and not built.output.exists()
