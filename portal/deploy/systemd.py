"""The systemd units: the ratings service, its daily backup, and the scheduled publish.

- ``portal-ratings.service``: ``python -m ratings serve`` from the project's venv on 127.0.0.1,
  behind nginx (RATINGS_TRUSTED_PROXIES=127.0.0.1), as its own user, with the system read-only
  but for its database and its secret (each in a folder of its own: the secret is kept out of
  the database's backups); with several ports (``--ratings-ports 8081,8082``) the template
  ``portal-ratings@.service`` instead, one instance per port (``portal-ratings@8081.service``…),
  every instance on the same database and the same secret;
- ``portal-ratings-backup.service`` + ``.timer``: ``python -m ratings backup`` (what
  ``invoke ratings-backup`` runs) every night into the backup folder, keeping 30 days;
- ``portal-publish.service`` + ``.timer``: ``invoke publish`` every 15 minutes, as
  docs/operating-publish.md describes, so a future-dated article appears on time and the baked
  rating numbers stay fresh.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from .options import Plan
from .policy import content_security_policy

# What the ratings service may do: listen on loopback, read the release, write its two folders.
HARDENING = (
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes",
    "ProtectClock=yes",
    "ProtectHostname=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "MemoryDenyWriteExecute=yes",
    "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service",
    "CapabilityBoundingSet=",
    "UMask=0077",
)


def _home(plan: Plan) -> str:
    """ProtectHome: hidden, unless the project lives under /home (then read-only)."""
    inside = any(p.startswith(("/home/", "/root/")) for p in (plan.app, plan.base))
    return "ProtectHome=read-only" if inside else "ProtectHome=yes"


def _q(value: str) -> str:
    """An Environment= assignment with spaces, quoted as systemd reads it (no % specifiers here)."""
    return f'"{value}"' if " " in value else value


def _state_dirs(*paths: str) -> list[str]:
    """StateDirectory= names for paths under /var/lib (created, owned by the service's user)."""
    names = []
    for path in paths:
        folder = PurePosixPath(path).parent
        if folder.parent == PurePosixPath("/var/lib"):
            names.append(folder.name)
    return names


def ratings_env(plan: Plan, port: str = "") -> list[tuple[str, str]]:
    """The service's environment (ratings/README.md), in the order the unit lists it; `port`: "%i" in the
    template unit, whose instance name is the port."""
    opts = plan.options
    return [
        ("RATINGS_HOST", "127.0.0.1"),
        ("RATINGS_PORT", port or str(plan.ratings_ports[0])),
        ("RATINGS_DB", opts.ratings_db),
        ("RATINGS_SECRET_FILE", opts.ratings_secret_file),
        ("RATINGS_MANIFEST", plan.manifest),
        ("RATINGS_SITE_DIR", plan.root),
        ("RATINGS_SITE_CSP", content_security_policy(plan.ratings_url)),
        ("RATINGS_ALLOWED_ORIGINS", plan.origin),
        ("RATINGS_TRUSTED_PROXIES", "127.0.0.1"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
    ]


# What the one unit says about its environment file, and what the template says: every instance reads
# the same database and the same secret, or the caps and the voter hashes would differ between them.
ONE_ENV = (
    "# Secrets and local changes, one VAR=value a line, mode 600 (RATINGS_SECRET, RATINGS_DATABASE_URL=",
    "# postgresql://… with After=postgresql.service in a drop-in, RATINGS_MAX_VOTES_PER_HOUR…):",
)
SHARED_ENV = (
    "# Every instance reads the same database and the same secret: the SQLite file RATINGS_DB above (one",
    "# file on this host for all of them), or PostgreSQL with RATINGS_DATABASE_URL=postgresql://… in the",
    "# file below; the secret file above (made once, by the first instance to start), or RATINGS_SECRET",
    "# in the file below. Every instance reads that file (one VAR=value a line, mode 600): never put",
    "# RATINGS_PORT in it (it overrides the lines above: every instance would ask for the same port).",
)


def ratings_service(plan: Plan, header: list[str]) -> str:
    """portal-ratings.service, or with several ports the template portal-ratings@.service (instance = port)."""
    opts = plan.options
    db_dir, secret_dir = str(PurePosixPath(opts.ratings_db).parent), str(PurePosixPath(opts.ratings_secret_file).parent)
    state = _state_dirs(opts.ratings_db, opts.ratings_secret_file)
    several = plan.instances
    lines = [
        *header,
        "[Unit]",
        f"Description=Ratings service of {plan.sitename}" + (" on port %i" if several else "") + " (Đánh giá bài viết)",
        f"Documentation=file://{plan.app}/docs/ratings.md",
        "After=network.target postgresql.service" if several else "After=network.target",
        "",
        "[Service]",
        "Type=exec",
        f"User={opts.ratings_user}",
        f"Group={opts.ratings_user}",
        f"WorkingDirectory={plan.app}",
        *[f"Environment={_q(f'{name}={value}')}" for name, value in ratings_env(plan, "%i" if several else "")],
        *(SHARED_ENV if several else ONE_ENV),
        "EnvironmentFile=-/etc/portal/ratings.env",
        f"ExecStart={plan.python} -m ratings serve",
        "Restart=on-failure",
        "RestartSec=2s",
        "",
        "# Hardening: the database and the secret are the only places it writes.",
        *([f"StateDirectory={' '.join(state)}", "StateDirectoryMode=0700"] if state else []),
        f"ReadWritePaths={db_dir}" + (f" {secret_dir}" if secret_dir != db_dir else ""),
        _home(plan),
        *HARDENING,
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]
    return "\n".join(lines) + "\n"


def backup_service(plan: Plan, header: list[str]) -> str:
    opts = plan.options
    db_dir = str(PurePosixPath(opts.ratings_db).parent)
    dest = f"{opts.backups}/ratings-$$(date +%%Y%%m%%d-%%H%%M).sqlite3"  # $$ and %% as systemd reads them
    lines = [
        *header,
        "[Unit]",
        "Description=Consistent copy of the ratings database (python -m ratings backup), kept 30 days",
        f"Documentation=file://{plan.app}/docs/operating.md",
        "",
        "[Service]",
        "Type=oneshot",
        f"User={opts.ratings_user}",
        f"Group={opts.ratings_user}",
        f"WorkingDirectory={plan.app}",
        f"Environment=RATINGS_DB={opts.ratings_db}",
        "EnvironmentFile=-/etc/portal/ratings.env",
        "# with RATINGS_DATABASE_URL (PostgreSQL) this refuses and says so: back up with pg_dump instead",
        f"ExecStart=/bin/sh -c '{plan.python} -m ratings backup \"{dest}\"'",
        f"ExecStartPost=/usr/bin/find {opts.backups} -name 'ratings-*.sqlite3' -mtime +30 -delete",
        "Nice=10",
        "",
        "# Hardening: reading a WAL database writes its -shm file, so the database's folder stays writable;",
        f"# {opts.backups} is made at installation: install -d -o {opts.ratings_user} -m 700 {opts.backups}",
        f"ReadWritePaths={db_dir} {opts.backups}",
        *([f"StateDirectory={' '.join(_state_dirs(opts.ratings_db))}"] if _state_dirs(opts.ratings_db) else []),
        _home(plan),
        *HARDENING,
    ]
    return "\n".join(lines) + "\n"


def backup_timer(plan: Plan, header: list[str]) -> str:
    return "\n".join([
        *header,
        "[Unit]",
        "Description=Back up the ratings database every night",
        "",
        "[Timer]",
        "OnCalendar=*-*-* 02:30",
        "Persistent=true",
        "RandomizedDelaySec=10min",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]) + "\n"


def publish_service(plan: Plan, header: list[str]) -> str:
    opts = plan.options
    lines = [
        *header,
        "[Unit]",
        f"Description=Build and publish {plan.sitename} (atomic release swap)",
        f"Documentation=file://{plan.app}/docs/operating-publish.md",
        f"After=network-online.target {' '.join(plan.ratings_units)}",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"User={opts.user}",
        f"Group={opts.user}",
        f"WorkingDirectory={plan.app}",
        f"Environment=PORTAL_RELEASES={plan.base}",
        f"Environment=PORTAL_SITEURL={plan.siteurl}",
        f"Environment=RATINGS_API_URL=http://127.0.0.1:{plan.ratings_ports[0]}",
        "Environment=TZ=Asia/Ho_Chi_Minh",
        "# CAP_SIGNING_KEY, CAP_SIGNING_CERT, CSAF_OPENPGP_KEY(_PASSWORD), PORTAL_WEBSUB_HUB…, mode 600:",
        "EnvironmentFile=-/etc/portal/publish.env",
        f"ExecStart={plan.app}/.venv/bin/invoke publish",
        "Nice=10",
        "# a build of a large site takes minutes; never let two overlap (publish also takes a lock)",
        "TimeoutStartSec=30min",
        "",
        "# Hardening: the system's own folders are read-only to it; it writes the releases, and content/issued/",
        "# and var/ of the checkout (the issued-message record, the ratings snapshot).",
        "NoNewPrivileges=yes",
        "ProtectSystem=full",
        _home(plan),
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectControlGroups=yes",
        "RestrictSUIDSGID=yes",
        "LockPersonality=yes",
    ]
    return "\n".join(lines) + "\n"


def publish_timer(plan: Plan, header: list[str]) -> str:
    return "\n".join([
        *header,
        "[Unit]",
        "Description=Publish the portal every 15 minutes (scheduled articles appear within 15 minutes)",
        "",
        "[Timer]",
        "OnCalendar=*:0/15",
        "# also shortly after boot, and catch up a run missed while the machine was off",
        "OnBootSec=2min",
        "Persistent=true",
        "AccuracySec=30s",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]) + "\n"
