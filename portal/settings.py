"""Reading the site's settings, with overrides from the command line.

One mechanism for every tool: ``--set KEY=VALUE`` (the value read as JSON
when it parses, else as text, like Pelican's own ``--extra-settings``)
goes into Pelican's settings; no tool writes a settings file.
"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

DEFAULT_SETTINGS = Path("pelicanconf.py")
PUBLISH_SETTINGS = Path("publishconf.py")


class SettingsError(ValueError):
    """A settings file or an override a person must fix, naming the setting and saying how: in Vietnamese,
    and in English when ``en`` is given (``said``: the one a person asked for, PORTAL_MESSAGES_LANG or
    ``--lang en``). ``str()`` is the Vietnamese."""

    lang: str | None = None  # the language the person asked for, when known where it was raised (``load``)

    def __init__(self, message: str, en: str | None = None):
        super().__init__(message, en)  # both in args: the error crosses from the build's process pickled

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def said(self, lang: str) -> str:
        en = self.args[1] if len(self.args) > 1 else None
        return en if lang == "en" and en else str(self)

    def prefixed(self, prefix: str) -> SettingsError:
        """The same error with ``prefix`` (the plugin that read the setting, "feeds: ") before each text."""
        en = self.args[1] if len(self.args) > 1 else None
        return SettingsError(prefix + str(self), prefix + en if en else None)


def parse_override(pair: str) -> tuple[str, object]:
    """'SEARCH_INDEX=false' -> ('SEARCH_INDEX', False); 'PATH=content' -> ('PATH', 'content')."""
    key, sep, text = pair.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier() or not key.isupper():
        raise SettingsError(f'--set "{pair}": viết TÊN=GIÁ_TRỊ, tên viết hoa, ví dụ --set SEARCH_INDEX=false',
                            f'--set "{pair}": write NAME=VALUE, the name in capitals, e.g. --set SEARCH_INDEX=false')
    try:
        return key, json.loads(text)
    except ValueError:
        return key, text


def parse_overrides(pairs: list[str] | None, settings_file: Path | None = None) -> dict:
    """The --set pairs; a malformed one is said in the language the others, or else ``settings_file``, ask for."""
    parsed, wrong = {}, None
    for pair in pairs or []:
        try:
            key, value = parse_override(pair)
            parsed[key] = value
        except SettingsError as problem:
            wrong = wrong or problem
    if wrong is not None:
        wrong.lang = asked_in(settings_file, parsed)
        raise wrong
    return parsed


# Settings a plugin reads with a default, which a settings file may leave out.
OPTIONAL = ("PORTAL_NOW", "PORTAL_WORKERS", "PORTAL_TRUST_FILE_TIMES", "PORTAL_SEARCH_RECORDS", "FEED_DOMAIN",
            "SEARCH_MEMORY_MIB", "PORTAL_MESSAGES_LANG",
            "PORTAL_SITEURL_ABSOLUTE",
            "RATINGS_MANIFEST_SAVE_AS",
            "RATINGS_PRIVACY_SAVE_AS")


def _shown(value: object) -> str:
    """A --set value as it was written (JSON: null, true, 3), not as Python prints it (None, True)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def check_names(known: dict, overrides: dict) -> None:
    """A misspelt --set name is an error with the nearest name, never a silent no-op."""
    import difflib

    for key in overrides:
        if key not in known and key not in OPTIONAL:
            close = difflib.get_close_matches(key, [*known, *OPTIONAL], n=1)
            raise SettingsError(f'--set {key}: không có cấu hình này.' + (f' Có phải "{close[0]}"?' if close else ""),
                                f'--set {key}: no such setting.' + (f' Did you mean "{close[0]}"?' if close else ""))
        if key in known and isinstance(known[key], bool) and not isinstance(overrides[key], bool):
            raise SettingsError(f"--set {key}={_shown(overrides[key])}: viết true hoặc false",
                                f"--set {key}={_shown(overrides[key])}: write true or false")
        if key in known and isinstance(known[key], str) and not isinstance(overrides[key], str | type(None)):
            raise SettingsError(f'--set {key}={_shown(overrides[key])}: viết giá trị là chuỗi trong dấu ngoặc kép, '
                                f'ví dụ --set {key}=\'"{overrides[key]}"\'',
                                f'--set {key}={_shown(overrides[key])}: write a string in double quotes, e.g. '
                                f'--set {key}=\'"{overrides[key]}"\'')


def load(settings_file: Path = DEFAULT_SETTINGS, overrides: dict | None = None) -> dict:
    """Pelican's settings from the file, overrides last (relative paths resolved from here). A SettingsError
    raised here knows the language the person asked for (``lang``: ``asked_in``)."""
    try:
        return _load(settings_file, overrides)
    except SettingsError as problem:
        problem.lang = problem.lang or asked_in(settings_file, overrides)
        raise


def _load(settings_file: Path, overrides: dict | None) -> dict:
    from pelican.settings import read_settings

    if not Path(settings_file).is_file():
        raise SettingsError(f"Không có tệp cấu hình {settings_file}. "
                            "Cách sửa: chạy lệnh trong thư mục dự án, hoặc chỉ rõ --settings TỆP.",
                            f"Settings file {settings_file} not found. "
                            "Fix: run the command in the project's folder, or give --settings FILE.")
    overrides = dict(overrides or {})
    for key in ("PATH", "OUTPUT_PATH"):
        if isinstance(overrides.get(key), str | Path):
            overrides[key] = str(Path(overrides[key]).resolve())
    if overrides:
        check_names(_read(read_settings, settings_file, {"PATH": overrides["PATH"]} if "PATH" in overrides else None),
                    overrides)
    return _read(read_settings, settings_file, overrides)


def asked_in(settings_file: Path | None, overrides: dict | None) -> str:
    """The language of the messages a person asked for, as far as it can be known when the settings cannot be
    read: PORTAL_MESSAGES_LANG or PORTAL_LANG given with --set (``portal … --lang en`` gives the first), else
    in the settings file (as it runs; a file that does not run, as its lines say: ``_written_lang``);
    Vietnamese when none says."""
    known = dict(overrides or {})
    if not ({"PORTAL_MESSAGES_LANG", "PORTAL_LANG"} & set(known)) and settings_file and Path(settings_file).is_file():
        try:
            from pelican.settings import get_settings_from_file

            known = {**get_settings_from_file(str(settings_file)), **known}
        except Exception:  # noqa: BLE001 (a Python mistake in the file: what it was about to say)
            known = {**_written_lang(Path(settings_file)), **known}
    lang = messages_lang(known)
    return lang if lang in ("vi", "en") else "vi"


_LANG_LINE = re.compile(r"""^(PORTAL_MESSAGES_LANG|PORTAL_LANG)[ \t]*=[ \t]*(["'])(vi|en)\2[ \t]*(?:#.*)?$""", re.M)


def _written_lang(settings_file: Path) -> dict[str, str]:
    """PORTAL_MESSAGES_LANG and PORTAL_LANG as the file's own top-level lines set them (``= "en"``; the last
    line of each wins, as it would when the file runs), for a file that does not run."""
    try:
        text = settings_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    return {m.group(1): m.group(3) for m in _LANG_LINE.finditer(text)}


def _read(read_settings, settings_file: Path, overrides: dict | None) -> dict:
    """Pelican's reading of the settings; its own checks' ValueError (a content folder or a theme that is not
    there, above all) and a Python mistake in the file as a SettingsError that says what to do."""
    try:
        return read_settings(str(settings_file), override=overrides)
    except ValueError as problem:
        content = (overrides or {}).get("PATH")
        if content is None:
            from pelican.settings import get_settings_from_file

            with contextlib.suppress(Exception):
                content = get_settings_from_file(str(settings_file)).get("PATH")
        if content and not Path(settings_file).parent.joinpath(content).is_dir():
            raise SettingsError(f"Không có thư mục nội dung {content}. Cách sửa: chỉ rõ --content THƯ_MỤC, "
                                "hoặc PATH trong tệp cấu hình",
                                f"Content folder {content} not found. Fix: give --content FOLDER, or PATH in "
                                "the settings file") from problem
        theme = str(problem).removeprefix("Could not find the theme ")
        if theme != str(problem):
            raise SettingsError(f"{settings_file}: THEME = {theme!r}: không có thư mục giao diện này. Cách sửa: ghi "
                                'đường dẫn thư mục giao diện, ví dụ THEME = "theme"',
                                f"{settings_file}: THEME = {theme!r}: no such theme folder. Fix: give the theme's "
                                'folder, e.g. THEME = "theme"') from problem
        raise SettingsError(f"{settings_file}: Pelican không dùng được cấu hình này ({problem}). Cách sửa: sửa "
                            "như lời Pelican trong ngoặc",
                            f"{settings_file}: Pelican cannot use these settings: {problem}") from problem
    except Exception as err:  # a Python mistake in the file, or in one it imports (publishconf.py: pelicanconf.py)
        shown, line = _where(err, settings_file)
        where = f", dòng {line}" if line else ""
        where_en = f", line {line}" if line else ""
        raise SettingsError(f"Tệp cấu hình {shown}{where} có lỗi Python ({type(err).__name__}: {err}). "
                            "Cách sửa: sửa dòng đó (chuỗi trong dấu ngoặc kép, True/False viết hoa chữ đầu)",
                            f"The settings file {shown}{where_en} has a Python error ({type(err).__name__}: "
                            f"{err}). Fix: correct that line (strings in quotes, True/False capitalised)") from err


def _where(err: Exception, settings_file: Path) -> tuple[str, int | None]:
    """The file and line of a Python mistake: a SyntaxError's own, else the innermost frame of the traceback
    in a file of the site's (not Python's nor an installed package's)."""
    import sys

    if isinstance(err, SyntaxError) and err.filename:
        found, line = err.filename, err.lineno
    else:
        found, line = str(settings_file), None
        libraries = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
        tb = err.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if not name.startswith(("<", *libraries)) and "site-packages" not in name:
                found, line = name, tb.tb_lineno
            tb = tb.tb_next
    with contextlib.suppress(ValueError):
        found = str(Path(found).resolve().relative_to(Path.cwd()))
    return found, line


def messages_lang(settings: dict) -> str:
    """The language of what the build tells the person running it (content errors, the stop): PORTAL_MESSAGES_LANG,
    which ``portal build --lang en`` sets, else the site's own, PORTAL_LANG."""
    return str(settings.get("PORTAL_MESSAGES_LANG") or settings.get("PORTAL_LANG") or "vi")


def require_after_articles(settings: dict, plugin: str) -> None:
    """A plugin that reads ``article.view`` must come after the ``articles`` plugin, which builds it."""
    plugins = list(settings.get("PLUGINS") or [])
    if "articles" not in plugins or plugin not in plugins or plugins.index("articles") > plugins.index(plugin):
        raise SettingsError(f'{plugin}: PLUGINS = {plugins!r}: liệt kê "articles" trước "{plugin}" '
                            f'(articles dựng dữ liệu bài viết mà {plugin} đọc)',
                            f'{plugin}: PLUGINS = {plugins!r}: list "articles" before "{plugin}" '
                            f'(it builds the view {plugin} reads)')
