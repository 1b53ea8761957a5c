"""What the operator chooses (``DeployOptions``) and what the settings fix (``Plan``), checked once.

Every value ends up inside an nginx or systemd file, so each is checked before anything is
written: a path with a space or a ``;`` would change what those files say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..paths import SitePaths


class DeployError(ValueError):
    """A setting or an option deploy-config cannot use; the message names it and the fix."""

    def __init__(self, vi: str, en: str):
        super().__init__(vi)
        self.vi, self.en = vi, en

    def text(self, lang: str = "vi") -> str:
        return self.en if lang == "en" else self.vi


SAFE_PATH = re.compile(r"/[A-Za-z0-9._/+@-]*")
SAFE_NAME = re.compile(r"[A-Za-z0-9*][A-Za-z0-9.*-]*")
SAFE_USER = re.compile(r"[a-z_][a-z0-9_-]*")
RATE = re.compile(r"[1-9][0-9]*r/[sm]")
MAX_INSTANCES = 16  # of the ratings service; they share one write lock, so more store votes no faster


@dataclass(frozen=True)
class DeployOptions:
    base: Path = Path("/srv/portal")  # releases/ and the current symlink (portal publish --base)
    app: Path | None = None  # the project checkout with its .venv; default <base>/app
    server_name: str = ""  # default: the host of SITEURL
    listen: str = ""  # "": HTTPS on 443 (and 80 redirecting); "127.0.0.1:8080": plain HTTP there only
    ratings_port: int = 8081
    # several instances of the ratings service, one per port (portal-ratings@PORT.service) behind one
    # nginx upstream; () = the one instance on ratings_port (portal-ratings.service)
    ratings_ports: tuple[int, ...] = ()
    tls_cert: str = ""  # default: certbot's /etc/letsencrypt/live/<server name>/fullchain.pem
    tls_key: str = ""
    acme_webroot: str = "/var/www/letsencrypt"  # certbot certonly --webroot -w <this>
    api_rate: str = "5r/s"  # per client address, on /api/ and the service-rendered page
    api_burst: int = 20
    user: str = "portal"  # owns the checkout and the releases, runs the scheduled publish
    ratings_user: str = "portal-ratings"  # runs the ratings service, owns its database
    ratings_db: str = "/var/lib/portal-ratings/ratings.sqlite3"
    ratings_secret_file: str = "/var/lib/portal-ratings-key/ratings-secret"  # not beside the database
    backups: str = "/var/backups/portal-ratings"  # the daily consistent copy of the database


@dataclass(frozen=True)
class Plan:
    """The options with every default filled in, and what the settings say."""

    options: DeployOptions
    base: str
    app: str
    siteurl: str  # absolute, without a trailing /
    origin: str  # scheme://host[:port]
    sitename: str
    server_name: str
    listen_host: str  # "" with listen_port 0: production (443 + 80)
    listen_port: int
    tls_cert: str
    tls_key: str
    ratings_url: str  # RATINGS_URL: "" = the same origin (nginx proxies /api/)
    paths: SitePaths

    @property
    def production(self) -> bool:
        return not self.listen_port

    @property
    def root(self) -> str:
        return f"{self.base}/current"

    @property
    def python(self) -> str:
        return f"{self.app}/.venv/bin/python"

    @property
    def manifest(self) -> str:
        return f"{self.root}/{self.paths.ratings_manifest()}"

    @property
    def ratings_ports(self) -> tuple[int, ...]:
        """The port of every instance of the ratings service, in the order the operator gave them."""
        return self.options.ratings_ports or (self.options.ratings_port,)

    @property
    def instances(self) -> bool:
        """Several instances: the template unit portal-ratings@.service, one instance per port."""
        return len(self.ratings_ports) > 1

    @property
    def ratings_units(self) -> list[str]:
        """The unit of each instance, as systemctl names it."""
        if not self.instances:
            return ["portal-ratings.service"]
        return [f"portal-ratings@{port}.service" for port in self.ratings_ports]


def _path(value: Path | str, name: str) -> str:
    text = str(Path(value).absolute()) if str(value) else ""
    if not SAFE_PATH.fullmatch(text):
        raise DeployError(f"{name} = {str(value)!r}: đường dẫn chỉ được có chữ không dấu, số và . _ - / + @ "
                          "(không dấu cách, không ; hay dấu nháy). Cách sửa: chọn thư mục khác.",
                          f"{name} = {str(value)!r}: a path may hold only letters, digits and . _ - / + @ "
                          "(no spaces, no ; or quotes). Fix: choose another folder.")
    return text.rstrip("/") or "/"


def _listen(text: str) -> tuple[str, int]:
    if not text:
        return "", 0
    host, _, port = text.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not (port.isdigit() and 0 < int(port) < 65536) or not re.fullmatch(r"[0-9a-fA-F.:]+|localhost", host):
        raise DeployError(f'--listen "{text}": viết ĐỊA_CHỈ:CỔNG, ví dụ --listen 127.0.0.1:8080.',
                          f'--listen "{text}": write ADDRESS:PORT, e.g. --listen 127.0.0.1:8080.')
    return host, int(port)


def _siteurl(settings: dict, production: bool) -> tuple[str, str]:
    siteurl = str(settings.get("SITEURL") or "").rstrip("/")
    parts = urlsplit(siteurl)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise DeployError(
            f"SITEURL = {siteurl!r}: cấu hình triển khai cần địa chỉ tuyệt đối của cổng, ở gốc tên miền "
            "(https://…). Cách sửa: dùng --settings publishconf.py và đặt PORTAL_PRODUCTION_URL trong "
            "pelicanconf.py (hoặc biến môi trường PORTAL_SITEURL).",
            f"SITEURL = {siteurl!r}: the deployment needs the portal's absolute address at the root of its host "
            "(https://…). Fix: use --settings publishconf.py and set PORTAL_PRODUCTION_URL in pelicanconf.py "
            "(or the environment variable PORTAL_SITEURL).")
    if production and parts.scheme != "https":
        raise DeployError(
            f"SITEURL = {siteurl!r}: nginx sẽ phục vụ qua HTTPS, địa chỉ phải bắt đầu bằng https://. Cách sửa: "
            "đổi PORTAL_PRODUCTION_URL, hoặc dùng --listen ĐỊA_CHỈ:CỔNG cho máy thử nghiệm không có TLS.",
            f"SITEURL = {siteurl!r}: nginx will serve HTTPS, so the address must start with https://. Fix: change "
            "PORTAL_PRODUCTION_URL, or use --listen ADDRESS:PORT for a test machine without TLS.")
    return siteurl, f"{parts.scheme}://{parts.netloc}"


def _check_words(opts: DeployOptions, server_name: str) -> None:
    if not SAFE_NAME.fullmatch(server_name):
        raise DeployError(f'--server-name "{server_name}": chỉ chữ không dấu, số, dấu chấm và gạch ngang.',
                          f'--server-name "{server_name}": letters, digits, dots and hyphens only.')
    for flag, user in (("--user", opts.user), ("--ratings-user", opts.ratings_user)):
        if not SAFE_USER.fullmatch(user):
            raise DeployError(f'{flag} "{user}": tên người dùng hệ thống viết thường, ví dụ portal.',
                              f'{flag} "{user}": a system user name in lower case, e.g. portal.')
    if not RATE.fullmatch(opts.api_rate) or not 0 <= opts.api_burst <= 10000:
        raise DeployError(f'--api-rate "{opts.api_rate}" --api-burst {opts.api_burst}: viết ví dụ --api-rate 5r/s '
                          "--api-burst 20 (số yêu cầu mỗi giây hoặc mỗi phút, r/s hoặc r/m).",
                          f'--api-rate "{opts.api_rate}" --api-burst {opts.api_burst}: write e.g. --api-rate 5r/s '
                          "--api-burst 20 (requests per second or per minute, r/s or r/m).")
    _check_ports(opts)


def parse_ports(text: str) -> tuple[int, ...]:
    """--ratings-ports 8081,8082: the ports, in that order (checked by make_plan)."""
    words = [word.strip() for word in text.split(",")]
    if not all(word.isascii() and word.isdigit() for word in words):
        raise DeployError(f'--ratings-ports "{text}": viết các cổng cách nhau bằng dấu phẩy, ví dụ '
                          "--ratings-ports 8081,8082.",
                          f'--ratings-ports "{text}": write the ports separated by commas, e.g. '
                          "--ratings-ports 8081,8082.")
    return tuple(int(word) for word in words)


def _check_ports(opts: DeployOptions) -> None:
    flag = "--ratings-ports " + ",".join(map(str, opts.ratings_ports)) if opts.ratings_ports else \
        f"--ratings-port {opts.ratings_port}"
    ports = opts.ratings_ports or (opts.ratings_port,)
    if not all(0 < port < 65536 for port in ports):
        raise DeployError(f"{flag}: mỗi cổng từ 1 đến 65535.", f"{flag}: each port from 1 to 65535.")
    if len(set(ports)) != len(ports):
        raise DeployError(f"{flag}: mỗi phiên bản của dịch vụ đánh giá cần một cổng riêng.",
                          f"{flag}: each instance of the ratings service needs a port of its own.")
    if len(ports) > MAX_INSTANCES:
        raise DeployError(f"{flag}: nhiều nhất {MAX_INSTANCES} phiên bản (docs/ratings.md: hai là đủ để dịch vụ "
                          "vẫn trả lời khi một phiên bản khởi động lại).",
                          f"{flag}: at most {MAX_INSTANCES} instances (docs/ratings.md: two are enough to keep "
                          "the service answering while one restarts).")


def make_plan(settings: dict, opts: DeployOptions) -> Plan:
    """Check every option and the settings; fill in the defaults."""
    host, port = _listen(opts.listen)
    siteurl, origin = _siteurl(settings, production=not port)
    server_name = opts.server_name or urlsplit(siteurl).hostname or ""
    _check_words(opts, server_name)
    base = _path(opts.base, "--base")
    app = _path(opts.app or Path(base) / "app", "--app")
    tls_cert = _path(opts.tls_cert or f"/etc/letsencrypt/live/{server_name}/fullchain.pem", "--tls-cert")
    tls_key = _path(opts.tls_key or f"/etc/letsencrypt/live/{server_name}/privkey.pem", "--tls-key")
    for name in ("ratings_db", "ratings_secret_file", "backups", "acme_webroot"):
        _path(getattr(opts, name), "--" + name.replace("_", "-"))
    ratings_url = str(settings.get("RATINGS_URL") or "").rstrip("/")
    return Plan(options=opts, base=base, app=app, siteurl=siteurl, origin=origin,
                sitename=str(settings.get("SITENAME") or "portal"), server_name=server_name,
                listen_host=host, listen_port=port, tls_cert=tls_cert, tls_key=tls_key,
                ratings_url=ratings_url, paths=SitePaths(settings))
