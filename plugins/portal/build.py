"""Build the site into a fresh folder and swap it in only when all went well.

    python -m portal.build [--settings pelicanconf.py] [--output output]

With any content error, every problem is printed at once, the exit status is
1 and the previous output folder is left exactly as it was.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .messages import ContentErrors

log = logging.getLogger("portal.build")

# Steps run on the fresh folder after Pelican, before the swap (search index…).
# They are named in the setting PORTAL_POST_BUILD as "module:function" strings
# (no functions in settings: Pelican pickles them).
PostStep = Callable[[Path, dict], None]


def post_build_steps(settings: dict) -> list[PostStep]:
    steps = []
    for name in settings.get("PORTAL_POST_BUILD", []):
        module, _, func = name.partition(":")
        steps.append(getattr(importlib.import_module(module), func))
    return steps


class BuildFailed(Exception):
    pass


class _ErrorCounter(logging.Handler):
    """Pelican logs some failures instead of raising: any ERROR fails the build."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _CoveredByOurReport(logging.Filter):
    """Pelican's English warnings about what the portal reports itself, in Vietnamese,
    with file, line and fix (a missing image, a dead {filename} link, a duplicate slug)."""

    COVERED = ("Cannot get modification stamp", "Unable to find '", 'There are %s items "%s" with lang',
               "There are %s original (not translated) items")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("pelican") and str(record.msg).startswith(self.COVERED))


def _setup_logging(verbose: bool) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_portal", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.addFilter(_CoveredByOurReport())
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        handler._portal = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)


def read_settings(settings_file: Path, overrides: dict | None = None) -> dict:
    from pelican.settings import read_settings as pelican_read_settings

    return pelican_read_settings(str(settings_file), override=overrides or {})


def drop_withheld_images(site: Path) -> None:
    """An embargoed warning's photo must not be reachable before the warning is."""
    from .state import STATE

    for rel in sorted(STATE.withheld_images - STATE.published_images):
        (site / rel).unlink(missing_ok=True)


def swap_in(fresh: Path, output: Path) -> None:
    """Replace output by fresh with two renames on one filesystem."""
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        output.rename(old)
        fresh.rename(output)
        shutil.rmtree(old, ignore_errors=True)
    else:
        fresh.rename(output)


def build(settings_file: Path, output: Path, overrides: dict | None = None,
          post_steps: list[PostStep] | None = None) -> dict:
    """Build; raise ContentErrors or BuildFailed, leaving ``output`` untouched."""
    from pelican import Pelican

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fresh = output.with_name(f".{output.name}.new-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    settings = read_settings(settings_file, {**(overrides or {}), "OUTPUT_PATH": str(fresh)})
    counter = _ErrorCounter()
    logging.getLogger().addHandler(counter)
    try:
        Pelican(settings).run()
        if counter.records:
            raise BuildFailed("\n".join(r.getMessage() for r in counter.records))
        drop_withheld_images(fresh)
        for step in post_build_steps(settings) + (post_steps or []):
            step(fresh, settings)
        swap_in(fresh, output)
    finally:
        logging.getLogger().removeHandler(counter)
        shutil.rmtree(fresh, ignore_errors=True)
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portal.build", description=__doc__.splitlines()[0])
    parser.add_argument("--settings", default="pelicanconf.py", type=Path)
    parser.add_argument("--output", default="output", type=Path)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    _setup_logging(args.verbose)
    started = time.monotonic()
    try:
        build(args.settings, args.output)
    except ContentErrors as errors:
        print(errors, file=sys.stderr)
        print(_stopped(errors.lang, args.output), file=sys.stderr)
        return 1
    except BuildFailed as failed:
        print(f"{failed}\n{_stopped('vi', args.output)}", file=sys.stderr)
        return 1
    print(f"Đã xây dựng trang vào {args.output}/ trong {time.monotonic() - started:.1f} giây.")
    return 0


def _stopped(lang: str, output: Path) -> str:
    if lang == "en":
        return f"\nBuild stopped: nothing was published; {output}/ is unchanged."
    return f"\nĐã dừng: chưa xuất bản gì; thư mục {output}/ giữ nguyên như trước."


if __name__ == "__main__":
    sys.exit(main())
