"""`portal deploy-config --out DIR`: the files the operator installs, written from the settings.

    portal deploy-config --out deploy/ [--base /srv/portal] [--server-name …]
                         [--ratings-port 8081 | --ratings-ports 8081,8082]
                         [--settings publishconf.py] [--listen 127.0.0.1:8080] [--tls-cert … --tls-key …]

Nothing is installed: the operator copies each file where the summary (and docs/operating.md)
says, so what runs on the server is always what this command wrote, from the same settings the
build uses (the site's address, the feed and CAP folders, the ratings manifest).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..settings import SettingsError, load, messages_lang
from .options import DeployError, DeployOptions, Plan, make_plan, parse_ports

# file -> where it goes on the server (Vietnamese, English)
INSTALL = {
    "portal.conf": ("/etc/nginx/sites-available/portal.conf, rồi ln -s vào /etc/nginx/sites-enabled/",
                    "/etc/nginx/sites-available/portal.conf, then ln -s into /etc/nginx/sites-enabled/"),
    "portal-ratings.service": ("/etc/systemd/system/", "/etc/systemd/system/"),
    "portal-ratings@.service": ("/etc/systemd/system/, rồi mỗi cổng một phiên bản: portal-ratings@CỔNG.service",
                                "/etc/systemd/system/, then one instance per port: portal-ratings@PORT.service"),
    "portal-ratings-backup.service": ("/etc/systemd/system/", "/etc/systemd/system/"),
    "portal-ratings-backup.timer": ("/etc/systemd/system/", "/etc/systemd/system/"),
    "portal-publish.service": ("/etc/systemd/system/", "/etc/systemd/system/"),
    "portal-publish.timer": ("/etc/systemd/system/", "/etc/systemd/system/"),
}


RATINGS_UNITS = ("portal-ratings.service", "portal-ratings@.service")  # one instance, or one per port


def header(plan: Plan, settings_file: Path, name: str) -> list[str]:
    return [
        f"# {name}: written by `portal deploy-config` from {settings_file.name} for {plan.siteurl}.",
        f"# Install as {INSTALL[name][1]} (docs/operating.md).",
        "# To change it, change the settings or the options and run deploy-config again.",
    ]


def render(plan: Plan, settings_file: Path) -> dict[str, str]:
    """Every file, by name."""
    ratings = RATINGS_UNITS[1] if plan.instances else RATINGS_UNITS[0]
    from . import nginx, systemd  # here: every command builds the parser that names this module

    writers: dict[str, Callable[[Plan, list[str]], str]] = {
        "portal.conf": nginx.portal_conf,
        ratings: systemd.ratings_service,
        "portal-ratings-backup.service": systemd.backup_service,
        "portal-ratings-backup.timer": systemd.backup_timer,
        "portal-publish.service": systemd.publish_service,
        "portal-publish.timer": systemd.publish_timer,
    }
    return {name: write(plan, header(plan, settings_file, name)) for name, write in writers.items()}


def write_files(out: Path, files: dict[str, str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        tmp = out / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out / name)


def add_arguments(p, T) -> None:  # noqa: N803 - T is the command's translator (portal.cli.T)
    """The options besides --settings and --set (portal.cli adds those, as for every command)."""
    p.add_argument("--out", type=Path, required=True,
                   help=T("thư mục ghi các tệp cấu hình", "folder to write the configuration files into"))
    p.add_argument("--base", type=Path, default=Path("/srv/portal"),
                   help=T("thư mục chứa releases/ và current (mặc định /srv/portal)",
                          "folder holding releases/ and current (default /srv/portal)"))
    p.add_argument("--app", type=Path, default=None,
                   help=T("thư mục mã nguồn có .venv (mặc định <base>/app)",
                          "the project checkout with its .venv (default <base>/app)"))
    p.add_argument("--server-name", default="", help=T("tên miền (mặc định: lấy từ SITEURL)",
                                                       "host name (default: from SITEURL)"))
    ports = p.add_mutually_exclusive_group()
    ports.add_argument("--ratings-port", type=int, default=8081,
                       help=T("cổng của dịch vụ đánh giá trên 127.0.0.1 (mặc định 8081)",
                              "port of the ratings service on 127.0.0.1 (default 8081)"))
    ports.add_argument("--ratings-ports", default="", metavar="PORT,PORT…",
                       help=T("nhiều phiên bản của dịch vụ đánh giá, mỗi phiên bản một cổng, ví dụ 8081,8082: "
                              "ghi portal-ratings@.service (docs/operating.md)",
                              "several instances of the ratings service, one per port, e.g. 8081,8082: writes "
                              "portal-ratings@.service (docs/operating.md)"))
    p.add_argument("--listen", default="",
                   help=T("chỉ cho máy thử nghiệm: nghe HTTP (không TLS) tại ĐỊA_CHỈ:CỔNG thay cho 443",
                          "test machines only: plain HTTP at ADDRESS:PORT instead of HTTPS on 443"))
    p.add_argument("--tls-cert", default="", help=T("chứng thư TLS (mặc định của certbot)",
                                                    "TLS certificate (default: certbot's)"))
    p.add_argument("--tls-key", default="", help=T("khóa riêng TLS (mặc định của certbot)",
                                                   "TLS private key (default: certbot's)"))
    p.add_argument("--api-rate", default="5r/s", help=T("giới hạn yêu cầu /api/ mỗi địa chỉ (mặc định 5r/s)",
                                                        "/api/ requests per client address (default 5r/s)"))
    p.add_argument("--api-burst", type=int, default=20, help=T("số yêu cầu dồn cho phép (mặc định 20)",
                                                               "burst allowed (default 20)"))


def options_from(args) -> DeployOptions:
    ports = parse_ports(args.ratings_ports) if args.ratings_ports else ()
    return DeployOptions(base=args.base, app=args.app, server_name=args.server_name, listen=args.listen,
                         ratings_port=args.ratings_port, ratings_ports=ports, tls_cert=args.tls_cert,
                         tls_key=args.tls_key, api_rate=args.api_rate, api_burst=args.api_burst)


def run(args, overrides: dict, lang: str | None = None) -> int:
    """The command: check, write, say where each file goes; exit status 2 on a setting to fix. ``lang``: the
    language asked (``--lang``); None: the one the settings ask for (PORTAL_MESSAGES_LANG, PORTAL_LANG)."""
    try:
        settings = load(args.settings, overrides)
        lang = lang or messages_lang(settings)
        plan = make_plan(settings, options_from(args))
    except DeployError as problem:
        lang = lang or "vi"
        print(("Lỗi: " if lang != "en" else "Error: ") + problem.text(lang), file=sys.stderr)
        return 2
    except SettingsError as problem:
        lang = lang or problem.lang or "vi"
        print(f"{'Error' if lang == 'en' else 'Lỗi'}: {problem.said(lang)}", file=sys.stderr)
        return 2
    files = render(plan, args.settings)
    write_files(args.out, files)
    for unit in RATINGS_UNITS:  # the other form, from an earlier run into this folder: not to be installed
        if unit not in files:
            (args.out / unit).unlink(missing_ok=True)
    en = lang == "en"
    print(f"Wrote the deployment configuration for {plan.siteurl} into {args.out}/:" if en else
          f"Đã ghi cấu hình triển khai cho {plan.siteurl} vào {args.out}/:")
    for name in files:
        print(f"  {name:31} → {INSTALL[name][1 if en else 0]}")
    if plan.instances:
        units = " ".join(plan.ratings_units)
        print(f"Start one instance per port: systemctl enable --now {units}" if en else
              f"Chạy mỗi cổng một phiên bản: systemctl enable --now {units}")
    print("How to install them, step by step: docs/operating.md." if en else
          "Cách cài đặt từng bước: docs/operating.md.")
    return 0
