"""python -m ratings [serve|backup DEST|export [OUT]|purge|report [--out DIR]]

serve (the default) runs the service on uvicorn with its access log off (no
client address is ever logged). Settings: environment variables, README.md.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

from .config import ConfigError, Settings


def serve(settings: Settings) -> None:
    import uvicorn

    from .app import create_app

    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s: %(message)s")
    app = create_app(settings)
    print(app.state.store.key_note, file=sys.stderr, flush=True)
    if settings.trusted_proxies:
        print(f"ratings: X-Forwarded-For is believed from {', '.join(settings.trusted_proxies)} "
              "(RATINGS_TRUSTED_PROXIES)", file=sys.stderr, flush=True)
    where = f"http://{settings.host}:{settings.port}"
    print(f"ratings: {where}/api/ratings" + (f" and the site {where}/" if settings.site_dir else ""), flush=True)
    # proxy_headers off: the one rule for forwarded addresses is client.py (RATINGS_TRUSTED_PROXIES)
    uvicorn.run(app, host=settings.host, port=settings.port, access_log=False, log_level=settings.log_level,
                proxy_headers=False, server_header=False, date_header=True)


def write_json_atomically(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args.pop(0) if args else "serve"
    try:
        settings = Settings.from_env()
        return _run(command, args, settings)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2


def _run(command: str, args: list[str], settings: Settings) -> int:
    if command == "serve":
        serve(settings)
    elif command == "backup":
        from .store import backup

        if settings.database_url:
            print("ratings: the database is PostgreSQL (RATINGS_DATABASE_URL): back it up with pg_dump",
                  file=sys.stderr)
            return 2
        if not Path(settings.db_path).is_file():
            print(f"ratings: no database at {settings.db_path} (RATINGS_DB)", file=sys.stderr)
            return 1
        dest = args[0] if args else f"{settings.db_path}.backup"
        print(f"ratings: consistent copy of {settings.db_path} written to {backup(settings.db_path, dest)}")
    elif command == "export":
        from .store import export, make_store

        data = {"ratings": make_store(settings).all()} if settings.database_url else export(settings.db_path)
        if args:
            write_json_atomically(Path(args[0]), data)
        else:
            print(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1))
    elif command == "report":
        from .report import main as report

        return report(settings, args)
    elif command == "purge":
        from .store import make_store

        make_store(settings).purge()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
