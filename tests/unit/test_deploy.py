"""portal.deploy: the files deploy-config writes, the checks of its options, the precompressed copies.

Fast: no server is started here (tests/e2e/test_deploy_nginx.py runs the files with nginx and the
ratings service, and checks them with `nginx -t` and `systemd-analyze verify`).
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest
from conftest import ROOT, STRICT_CSP

from portal import cli
from portal.deploy import command, nginx, systemd
from portal.deploy.compress import gzip_bytes, precompress
from portal.deploy.options import DeployError, DeployOptions, make_plan, parse_ports
from portal.deploy.policy import content_security_policy
from portal.paths import fingerprinted
from portal.settings import load
from portal.tools.build import keep_unchanged

SITE = "https://antoanthongtin.laocai.gov.vn"


@pytest.fixture
def settings(monkeypatch) -> dict:
    monkeypatch.delenv("PORTAL_SITEURL", raising=False)
    return load(ROOT / "publishconf.py")


def files(settings: dict, **options) -> dict[str, str]:
    return command.render(make_plan(settings, DeployOptions(**options)), Path("publishconf.py"))


def test_fingerprinted_names_change_with_the_bytes_only():
    assert fingerprinted("css/site.css", "0123456789abcdef") == "css/site.0123456789.css"
    assert fingerprinted("js/app.min.js", "ffffffffff00") == "js/app.min.ffffffffff.js"
    assert fingerprinted("LICENSE", "abcdefabcdef") == "LICENSE.abcdefabcd"


def test_the_policy_is_the_one_the_browser_tests_run_under():
    assert content_security_policy() == STRICT_CSP
    other = content_security_policy("https://danh-gia.example.vn/")
    assert "form-action 'self' https://danh-gia.example.vn;" in other
    assert "connect-src 'self' https://danh-gia.example.vn;" in other


def test_the_plan_comes_from_the_publish_settings(settings):
    plan = make_plan(settings, DeployOptions())
    assert (plan.siteurl, plan.server_name, plan.origin) == (SITE, "antoanthongtin.laocai.gov.vn", SITE)
    assert plan.root == "/srv/portal/current" and plan.app == "/srv/portal/app"
    assert plan.manifest == "/srv/portal/current/api/ratings-manifest.json"
    assert plan.tls_cert == "/etc/letsencrypt/live/antoanthongtin.laocai.gov.vn/fullchain.pem"
    assert plan.production


def test_what_cannot_be_deployed_is_refused_with_the_fix(settings):
    dev = load(ROOT / "pelicanconf.py")
    with pytest.raises(DeployError) as refused:
        make_plan(dev, DeployOptions())
    assert "SITEURL = ''" in refused.value.text("vi")
    assert "Cách sửa: dùng --settings publishconf.py" in str(refused.value)
    assert "Fix: use --settings publishconf.py" in refused.value.text("en")
    http = {**settings, "SITEURL": "http://antoanthongtin.laocai.gov.vn"}
    with pytest.raises(DeployError, match="phải bắt đầu bằng https://"):
        make_plan(http, DeployOptions())
    assert not make_plan(http, DeployOptions(listen="127.0.0.1:8080")).production  # a test machine: plain HTTP
    for bad, words in [(DeployOptions(base=Path("/srv/my portal")), "--base"),
                       (DeployOptions(server_name="x; include /etc/shadow"), "--server-name"),
                       (DeployOptions(listen="localhost:http"), "--listen"),
                       (DeployOptions(api_rate="5/s"), "--api-rate"),
                       (DeployOptions(user="Portal Admin"), "--user")]:
        with pytest.raises(DeployError, match=re.escape(words)):
            make_plan(settings, bad)


def test_nginx_passes_the_client_address_it_saw_and_nothing_the_client_wrote(settings):
    conf = files(settings)["portal.conf"]
    assert conf.count("proxy_set_header X-Forwarded-For $remote_addr;") == 2  # /api/ and the page after a vote
    assert "proxy_add_x_forwarded_for" not in conf
    # the http-context part comes before the servers that use it
    assert conf.index("limit_req_zone $binary_remote_addr zone=portal_api:10m rate=5r/s;") < conf.index("server {")
    assert "root /srv/portal/current;" in conf and "gzip_static on;" in conf
    assert "gzip on;" in conf and "gzip_comp_level 6;" in conf  # pages: compressed as sent (no .gz copy)
    assert f'add_header Content-Security-Policy "{STRICT_CSP}" always;' in conf
    assert "return 301 https://antoanthongtin.laocai.gov.vn$request_uri;" in conf
    # no location sets a header of its own: nginx would drop the server's security headers there
    server = conf[conf.index("# ---- the site"):]
    assert server.count("add_header") == 7 and "location" not in server[:server.index("add_header")]
    assert f"proxy_redirect \"~^([^#?]*)#danh-gia-cam-on$\" \"$1?{nginx.AFTER_VOTE}#danh-gia-cam-on\";" in conf
    assert "brotli" not in conf  # only gzip is precompressed (portal/deploy/compress.py says why)


def test_the_ratings_unit_runs_the_service_behind_nginx_with_little_it_may_touch(settings):
    unit = files(settings, ratings_port=8090)["portal-ratings.service"]
    for line in ("ExecStart=/srv/portal/app/.venv/bin/python -m ratings serve", "User=portal-ratings",
                 "Environment=RATINGS_TRUSTED_PROXIES=127.0.0.1", "Environment=RATINGS_PORT=8090",
                 f"Environment=RATINGS_ALLOWED_ORIGINS={SITE}",
                 "Environment=RATINGS_MANIFEST=/srv/portal/current/api/ratings-manifest.json",
                 "Environment=RATINGS_DB=/var/lib/portal-ratings/ratings.sqlite3",
                 "Environment=RATINGS_SECRET_FILE=/var/lib/portal-ratings-key/ratings-secret",
                 "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "ProtectHome=yes",
                 "ReadWritePaths=/var/lib/portal-ratings /var/lib/portal-ratings-key",
                 "StateDirectory=portal-ratings portal-ratings-key", "CapabilityBoundingSet="):
        assert line in unit.splitlines(), line
    assert f'Environment="RATINGS_SITE_CSP={STRICT_CSP}"' in unit
    assert "upstream portal_ratings {\n    server 127.0.0.1:8090;" in files(settings, ratings_port=8090)["portal.conf"]
    backup = files(settings)["portal-ratings-backup.service"]
    assert "-m ratings backup" in backup and "$$(date +%%Y%%m%%d-%%H%%M)" in backup


def ini_block(markdown: str, name: str) -> list[str]:
    """The lines of the ```ini block that follows the line naming `name` in a page of docs/."""
    start = markdown.index(f"`/etc/systemd/system/{name}`")
    block = markdown[markdown.index("```ini\n", start) + 7:]
    return block[:block.index("```")].splitlines()


def test_the_scheduled_publish_is_the_one_docs_operating_publish_describes(settings):
    doc = (ROOT / "docs" / "operating-publish.md").read_text(encoding="utf-8")
    made = files(settings)
    timer = [line for line in made["portal-publish.timer"].splitlines() if not line.startswith("# portal-")]
    documented = ini_block(doc, "portal-publish.timer")
    assert [line for line in timer if not line.startswith(("# Install", "# To change"))] == documented
    service = made["portal-publish.service"].splitlines()
    for line in ini_block(doc, "portal-publish.service"):
        if line.startswith(("Type=", "User=", "WorkingDirectory=", "Environment=PORTAL_RELEASES", "Environment=TZ",
                            "ExecStart=", "Nice=", "TimeoutStartSec=")):
            assert line in service, line
    assert f"Environment=PORTAL_SITEURL={SITE}" in service
    assert "Environment=RATINGS_API_URL=http://127.0.0.1:8081" in service  # the timer bakes fresh numbers


def test_precompressed_copies_are_the_same_bytes_every_time_and_keep_their_time(tmp_path):
    def site(folder: Path) -> Path:
        (folder / "nguon-tin").mkdir(parents=True)
        (folder / "index.html").write_text("<p>Trang chủ</p>" * 200, encoding="utf-8")  # nginx compresses pages
        (folder / "tat-ca.json").write_text('{"items": ["Trang chủ"]}' * 200, encoding="utf-8")
        (folder / "nguon-tin" / "tat-ca.atom.xml").write_text("<feed>" + "<entry/>" * 300 + "</feed>")
        (folder / "tiny.txt").write_text("x")
        (folder / "anh.png").write_bytes(b"\x89PNG" * 300)
        return folder

    old, new = site(tmp_path / "old"), site(tmp_path / "new")
    assert precompress(old) == 2 and precompress(new) == 2  # not the tiny text, not the picture, not the page
    assert not (old / "tiny.txt.gz").exists() and not (old / "anh.png.gz").exists()
    assert not (old / "index.html.gz").exists()
    for rel in ("tat-ca.json.gz", "nguon-tin/tat-ca.atom.xml.gz"):
        assert (old / rel).read_bytes() == (new / rel).read_bytes()
        assert (old / rel).read_bytes()[4:8] == b"\0\0\0\0"  # no time in the gzip header
        assert gzip.decompress((new / rel).read_bytes()) == (new / rel.removesuffix(".gz")).read_bytes()
    os.utime(old / "tat-ca.json.gz", ns=(0, 1_000_000_000))
    keep_unchanged(old, new)  # what `portal build` does before swapping a rebuild in
    assert (new / "tat-ca.json.gz").stat().st_mtime_ns == 1_000_000_000  # same ETag for nginx: 304
    assert gzip_bytes(b"abc") == gzip_bytes(b"abc")

    # a rebuild compresses only what changed: an unchanged file's .gz is taken from the output it replaces
    again = site(tmp_path / "again")
    (again / "tat-ca.json").write_text('{"items": ["Trang chủ đã sửa"]}' * 200, encoding="utf-8")
    (new / "nguon-tin" / "tat-ca.atom.xml.gz").write_bytes(b"taken as it was")
    assert precompress(again, previous=new) == 2
    assert (again / "nguon-tin" / "tat-ca.atom.xml.gz").read_bytes() == b"taken as it was"
    assert gzip.decompress((again / "tat-ca.json.gz").read_bytes()) == (again / "tat-ca.json").read_bytes()


def test_the_command_writes_every_file_and_says_where_it_goes(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PORTAL_SITEURL", raising=False)
    monkeypatch.chdir(ROOT)
    assert cli.main(["deploy-config", "--out", str(tmp_path), "--ratings-port", "8082"]) == 0
    said = capsys.readouterr().out
    assert f"Đã ghi cấu hình triển khai cho {SITE} vào {tmp_path}/" in said
    assert "Cách cài đặt từng bước: docs/operating.md." in said
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(set(command.INSTALL) - {"portal-ratings@.service"})
    assert "server 127.0.0.1:8082;" in (tmp_path / "portal.conf").read_text(encoding="utf-8")
    assert cli.main(["deploy-config", "--lang", "en", "--out", str(tmp_path), "--settings", "pelicanconf.py"]) == 2
    assert "Error: SITEURL = ''" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["deploy-config", "--lang", "en", "--help"])
    assert "test machines only: plain HTTP at ADDRESS:PORT" in capsys.readouterr().out


def test_the_ratings_environment_is_what_the_service_reads():
    from ratings.config import Settings

    plan = make_plan({"SITEURL": SITE, "SITENAME": "x"}, DeployOptions())
    settings = Settings.from_env(dict(systemd.ratings_env(plan)))
    assert settings.trusted_proxies == ("127.0.0.1/32",) and settings.allowed_origins == (SITE,)
    assert settings.site_csp == STRICT_CSP and settings.port == 8081


def test_several_instances_get_one_upstream_and_a_template_unit(settings):
    made = files(settings, ratings_ports=(8081, 8082))
    assert "portal-ratings@.service" in made and "portal-ratings.service" not in made
    conf = made["portal.conf"]
    upstream = conf[conf.index("upstream portal_ratings {"):]
    upstream = upstream[:upstream.index("}")].splitlines()
    assert upstream[1:] == [
        "    server 127.0.0.1:8081 max_fails=1 fail_timeout=5s;  # portal-ratings@8081.service",
        "    server 127.0.0.1:8082 max_fails=1 fail_timeout=5s;  # portal-ratings@8082.service",
        "    keepalive 16;",
    ]
    # a vote already sent to an instance is never sent to another one (nginx's default, written out)
    assert conf.count("proxy_next_upstream error timeout;") == 2 and "non_idempotent" not in conf.replace(
        "never non_idempotent", "")
    unit = made["portal-ratings@.service"].splitlines()
    for line in ("Environment=RATINGS_PORT=%i", "Environment=RATINGS_HOST=127.0.0.1",
                 "Environment=RATINGS_DB=/var/lib/portal-ratings/ratings.sqlite3",  # one file for every instance
                 "Environment=RATINGS_SECRET_FILE=/var/lib/portal-ratings-key/ratings-secret",  # one secret
                 "EnvironmentFile=-/etc/portal/ratings.env", "After=network.target postgresql.service",
                 "Restart=on-failure", "ProtectSystem=strict", "WantedBy=multi-user.target"):
        assert line in unit, line
    assert next(line for line in unit if line.startswith("Description=")).endswith("on port %i (Đánh giá bài viết)")
    # the only % specifier of the template is the instance; everything else is written as it is read
    assert [line for line in unit if "%" in line and not line.startswith("#")] == [
        line for line in unit if "%i" in line and not line.startswith("#")]
    publish = made["portal-publish.service"].splitlines()
    assert "After=network-online.target portal-ratings@8081.service portal-ratings@8082.service" in publish
    assert "Environment=RATINGS_API_URL=http://127.0.0.1:8081" in publish
    # one port given as a list is the one unit, as before
    one = files(settings, ratings_ports=(8090,))
    assert "portal-ratings.service" in one and "Environment=RATINGS_PORT=8090" in one["portal-ratings.service"]
    assert "upstream portal_ratings {\n    server 127.0.0.1:8090;  # portal-ratings.service" in one["portal.conf"]


def test_the_template_environment_is_what_each_instance_reads():
    from ratings.config import Settings

    plan = make_plan({"SITEURL": SITE, "SITENAME": "x"}, DeployOptions(ratings_ports=(8081, 8082)))
    env = dict(systemd.ratings_env(plan, "%i"))
    for port in plan.ratings_ports:
        settings = Settings.from_env({k: v.replace("%i", str(port)) for k, v in env.items()})
        assert settings.port == port and settings.secret_path == Path("/var/lib/portal-ratings-key/ratings-secret")
        assert settings.db_path == "/var/lib/portal-ratings/ratings.sqlite3"


def test_the_ports_are_checked(settings):
    assert parse_ports("8081,8082") == (8081, 8082) and parse_ports(" 8081 , 8082 ") == (8081, 8082)
    for text in ("8081;8082", "8081,", "a,b", ""):
        with pytest.raises(DeployError, match="--ratings-ports"):
            parse_ports(text)
    for ports, words in [((8081, 8081), "a port of its own"), ((8081, 70000), "from 1 to 65535"),
                         (tuple(range(9000, 9017)), "at most 16")]:
        with pytest.raises(DeployError, match="--ratings-ports ") as refused:
            make_plan(settings, DeployOptions(ratings_ports=ports))
        assert words in refused.value.text("en")
    with pytest.raises(DeployError, match="--ratings-port 0"):
        make_plan(settings, DeployOptions(ratings_port=0))


def test_the_command_writes_the_template_and_says_how_to_start_each_instance(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PORTAL_SITEURL", raising=False)
    monkeypatch.chdir(ROOT)
    assert cli.main(["deploy-config", "--out", str(tmp_path)]) == 0  # one instance first, into the same folder
    assert (tmp_path / "portal-ratings.service").exists()
    capsys.readouterr()
    assert cli.main(["deploy-config", "--lang", "en", "--out", str(tmp_path), "--ratings-ports", "8081,8082"]) == 0
    said = capsys.readouterr().out
    assert "portal-ratings@.service         → /etc/systemd/system/, then one instance per port" in said
    assert "systemctl enable --now portal-ratings@8081.service portal-ratings@8082.service" in said
    # only the files to install: the unit of the earlier run is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(set(command.INSTALL) - {"portal-ratings.service"})
    assert cli.main(["deploy-config", "--lang", "en", "--out", str(tmp_path), "--ratings-ports", "8081;8082"]) == 2
    assert "Error: --ratings-ports \"8081;8082\": write the ports separated by commas" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # one or the other
        cli.main(["deploy-config", "--out", str(tmp_path), "--ratings-port", "8081", "--ratings-ports", "8081,8082"])
    capsys.readouterr()


def test_operating_md_shows_the_template_deploy_config_writes(settings):
    """docs/operating.md's steps for several instances name the files and units the command writes."""
    doc = (ROOT / "docs" / "operating.md").read_text(encoding="utf-8")
    made = files(settings, ratings_ports=(8081, 8082))
    assert "--ratings-ports 8081,8082" in doc and "portal-ratings@.service" in doc
    assert "systemctl enable --now portal-ratings@8081.service portal-ratings@8082.service" in doc
    for line in made["portal.conf"].splitlines():
        if line.startswith("    server 127.0.0.1:"):
            assert line.split("#")[0].strip() in doc, line


def test_the_build_links_the_gz_of_exactly_the_files_precompress_compresses():
    from portal import outputs
    from portal.deploy import compress

    assert outputs._COMPRESSED == compress.COMPRESSED_SUFFIXES


def test_a_file_compressed_as_it_was_written_is_left_alone_and_the_rest_compressed_after(tmp_path):
    """The output steps' files get their .gz as they are written (portal.outputs.pack_as_written): the same
    bytes precompress would make, none for a file too small to gain; precompress leaves what is listed."""
    from portal import outputs

    feed = tmp_path / "nguon-tin" / "tat-ca.atom.xml"
    data = b"<feed>" + b"<entry/>" * 300 + b"</feed>"
    outputs.pack_as_written(True)
    try:
        outputs.write_file(feed, data)
        outputs.write_file(tmp_path / "tiny.txt", b"x")
        outputs.write_file(tmp_path / "trang.html", b"<p>page</p>" * 300)  # pages: nginx compresses them
        outputs.save_packed(tmp_path / "listing")
    finally:
        outputs.pack_as_written(False)
    assert (tmp_path / "nguon-tin" / "tat-ca.atom.xml.gz").read_bytes() == gzip_bytes(data)
    assert not (tmp_path / "tiny.txt.gz").exists() and not (tmp_path / "trang.html.gz").exists()
    done = outputs.packed_files(tmp_path / "listing")
    assert done == {str(feed), str(tmp_path / "tiny.txt")}
    (tmp_path / "nguon-tin" / "tat-ca.atom.xml.gz").write_bytes(b"made as written")  # to see it is left
    (tmp_path / "style.css").write_text("body { color: black }\n" * 100)  # copied by another writer
    assert precompress(tmp_path, done=done) == 2
    assert (tmp_path / "nguon-tin" / "tat-ca.atom.xml.gz").read_bytes() == b"made as written"
    assert gzip.decompress((tmp_path / "style.css.gz").read_bytes()) == (tmp_path / "style.css").read_bytes()
    outputs.pack_as_written(True)
    try:  # a file written twice in one build: its copy is of the last bytes, or it has none
        outputs.write_file(tmp_path / "twice.json", b"[1]" * 500)
        outputs.write_file(tmp_path / "twice.json", b"[2]" * 500)
        assert gzip.decompress((tmp_path / "twice.json.gz").read_bytes()) == b"[2]" * 500
        outputs.write_file(tmp_path / "twice.json", b"{}")
        assert not (tmp_path / "twice.json.gz").exists()
    finally:
        outputs.pack_as_written(False)
    outputs.write_file(tmp_path / "later.json", b"{}" * 500)  # off: no copy
    assert not (tmp_path / "later.json.gz").exists()
    assert outputs.packed_files(tmp_path / "none") == set()
