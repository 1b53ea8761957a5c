"""`portal check`: every problem in all content at once, grouped by file.

Exit status: 0 when there is no error, 1 otherwise.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from ..checks import Checker, display
from ..model import Problem, report
from ..settings import SettingsError, load, messages_lang


def check(content: Path, settings: dict, now: dt.datetime | None = None, lang: str = "vi",
          build_errors_only: bool = False) -> tuple[list[Problem], int]:
    return Checker(content, settings, now, lang).run(build_errors_only)


def plugins_refuse(settings: dict) -> SettingsError | None:
    """What the plugins' own checks of the settings refuse, as at a build's start (Pelican's ``initialized``:
    a CAP sender with a space, a calendar folder that is not a name, a site address without http://…)."""
    import logging

    from pelican import Pelican

    from ..live.jobs import ErrorsLogged

    errors = ErrorsLogged()  # Pelican logs a plugin it cannot load or register, and goes on
    logging.getLogger("pelican").addHandler(errors)
    try:
        Pelican(dict(settings))  # loads the plugins; their checks run; nothing is read or written
    except SettingsError as problem:
        return problem
    finally:
        logging.getLogger("pelican").removeHandler(errors)
    if errors.messages:
        said = "; ".join(m.split("\n")[0] for m in errors.messages)
        return SettingsError(f"PLUGINS: Pelican không nạp được plugin ({said}). Cách sửa: kiểm tra tên trong "
                             "PLUGINS và PLUGIN_PATHS", f"PLUGINS: Pelican could not load a plugin ({said}). Fix: "
                             "check the names in PLUGINS and PLUGIN_PATHS")
    return None


def summary_line(problems: list[Problem], files: int, lang: str = "vi") -> str:
    errors = sum(1 for p in problems if p.level == "error")
    warnings = len(problems) - errors
    if lang == "en":
        if errors:
            return f"{errors} error(s) must be fixed before publishing."
        return f"Checked {files} file(s): no errors" + (f", {warnings} warning(s) to review." if warnings else ".")
    if errors:
        return f"Cần sửa {errors} lỗi trước khi xuất bản (các mục [cảnh báo] nên xem lại nhưng không chặn xuất bản)."
    if warnings:
        return f"Đã kiểm tra {files} tệp: không có lỗi; có {warnings} cảnh báo nên xem lại. Có thể xuất bản."
    return f"Đã kiểm tra {files} tệp: không có lỗi nào. Có thể xuất bản."


def run(settings_file: Path, overrides: dict | None = None, lang: str | None = None, only: list[Path] | None = None,
        build_errors_only: bool = False) -> int:
    """The command: print the report and the summary; 1 when there is an error. ``lang``: the language of
    the messages (None: the build's, ``settings.messages_lang``)."""
    settings = load(settings_file, overrides)
    lang = lang or messages_lang(settings)
    refused = plugins_refuse(settings)
    if refused is not None:  # a build would stop before reading a file: so does the check
        print(f"{'Error' if lang == 'en' else 'Lỗi'}: {refused.said(lang)}", file=sys.stderr)
        return 2
    content = Path(settings["PATH"])
    if not content.is_dir():
        print(f"Lỗi: không có thư mục nội dung {content}." if lang == "vi" else f"Error: no content folder {content}.",
              file=sys.stderr)
        return 2
    problems, files = check(content, settings, lang=lang, build_errors_only=build_errors_only)
    if only is not None:
        wanted = {display(p, content) for p in only}
        problems = [p for p in problems if p.path in wanted]
        files = len(wanted)
    if problems:
        print(report(problems, lang))
        print()
    print(summary_line(problems, files, lang))
    return 1 if any(p.level == "error" for p in problems) else 0
