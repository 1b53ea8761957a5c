"""Interface language: translated strings and locale-free Vietnamese dates.

Templates call ``_("Tiếng Việt")``: the Vietnamese text is the key, and
theme/translations/<lang>.json maps it to another language. Dates never
depend on the machine's installed locales.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2.ext
from jinja2.lexer import Token

from .clock import iso, local
from .settings import SettingsError

WEEKDAYS = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July",
             "August", "September", "October", "November", "December")


def catalogue(translations_dir: str, lang: str) -> dict[str, str]:
    """The theme's translations into ``lang``, read again when the file's text changed (the live preview
    builds again after a save in the theme). A file that is not a JSON object of texts is a SettingsError
    naming the file, the place and the fix."""
    path = Path(translations_dir) / f"{lang}.json"
    if lang == "vi":
        return {}
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    return _catalogue(str(path), data)


@lru_cache(maxsize=8)
def _catalogue(path: str, data: bytes) -> dict[str, str]:
    try:
        table = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SettingsError(f"{path}: tệp bản dịch không phải UTF-8. Cách sửa: lưu lại tệp với bảng mã UTF-8",
                            f"{path}: the translations are not UTF-8; save the file as UTF-8") from None
    except json.JSONDecodeError as err:
        raise SettingsError(f"{path}, dòng {err.lineno}, cột {err.colno}: tệp bản dịch không đọc được ({err.msg}). "
                            'Cách sửa: viết mỗi dòng dạng "Tiếng Việt": "English", cách nhau bởi dấu phẩy',
                            f"{path}, line {err.lineno}, column {err.colno}: the translations cannot be read "
                            f'({err.msg}); write "Tiếng Việt": "English" pairs separated by commas') from None
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: tệp bản dịch phải là một đối tượng JSON. Cách sửa: viết cả tệp trong một cặp "
                            'ngoặc nhọn, mỗi dòng dạng "Tiếng Việt": "English": {"Địa chỉ": "Address", …}',
                            f"{path}: the translations must be one JSON object: write the whole file between braces, "
                            'one "Tiếng Việt": "English" pair a line: {"Địa chỉ": "Address", …}')
    for key, value in table.items():
        if not isinstance(value, str):
            raise SettingsError(f'{path}: bản dịch của "{key}" là {json.dumps(value)}, không phải một chuỗi. '
                                'Cách sửa: viết bản dịch trong dấu nháy kép, hoặc xóa dòng đó',
                                f'{path}: the translation of "{key}" is {json.dumps(value)}, not a text; write '
                                "it between double quotes, or remove the line")
    return table


class Translator:
    """The ``_`` of the templates, bound to one language."""

    def __init__(self, translations_dir: str, lang: str):
        self.lang = lang
        self.table = catalogue(translations_dir, lang)
        self.digest = hashlib.blake2b(json.dumps([lang, self.table], sort_keys=True).encode(),
                                      digest_size=16).hexdigest()

    def __call__(self, text: str, **params: object) -> str:
        out = self.table.get(text, text)
        return out.format(**params) if params else out


# where "_" followed by "(" is not a call of the environment's "_": a test, a filter, the {% call %} tag's
# own call, a macro of that name (the template's own "_": nothing in it is translated ahead)
_NOT_OURS = {"is", "filter", "call", "macro"}


class ConstantTranslations(jinja2.ext.Extension):
    """``_("Địa chỉ")`` translated once, when the template is compiled, into the text it stands for: a
    page has forty of them (the header, the footer, the rating form), each a call through Jinja's context
    (1.5 µs, against nothing for a constant, which Jinja escapes as it compiles): 60 µs of every page.

    Only ``_ ( "one string" )`` exactly, of the environment's own ``_`` (``Translator``: a look-up in the
    theme's table, whose texts are strings: ``catalogue`` says so), and never in a template that names
    ``_`` otherwise (``{% set _ = … %}``, a loop's, a macro's, an import's): it would be its own. The theme
    must not pass a ``_`` of its own to another template (an include, an extends, an import with context
    sees the environment's, translated ahead): ``tests/unit/test_constant_translations.py`` checks every
    template of the theme and the plugins. Inside ``{% autoescape %}`` with a value that may be false, the
    text is escaped as every literal there is. The compiled code holds the translations: ``salt`` tells the
    compiled templates' caches (``portal.template_cache``) and the page keys (``portal.renders``) which
    table it was compiled with."""

    def _translator(self) -> Translator | None:
        found = self.environment.globals.get("_")
        return found if isinstance(found, Translator) else None

    def salt(self) -> str:
        translator = self._translator()
        return translator.digest if translator else ""

    def filter_stream(self, stream):  # noqa: ANN001, ANN201 (Jinja's token stream)
        translate = self._translator()
        if translate is None:
            return stream
        tokens = list(stream)
        names = {i for i, t in enumerate(tokens) if t.type == "name" and t.value == "_"}
        if any(i + 1 >= len(tokens) or tokens[i + 1].type != "lparen"
               or (i and tokens[i - 1].type == "name" and tokens[i - 1].value == "macro") for i in names):
            return tokens  # "_" is also the template's own name for something
        out, i = [], 0
        while i < len(tokens):
            token = tokens[i]
            before = tokens[i - 1] if i else None
            if (i in names and i + 3 < len(tokens) and tokens[i + 2].type == "string"
                    and tokens[i + 3].type == "rparen"
                    and (i + 4 >= len(tokens) or (tokens[i + 4].type != "string"  # "a" "b" is one literal
                                                  and i + 4 not in names))  # (and _("a") _("b") no expression)
                    and not (before is not None and (before.type in ("dot", "pipe", "string")
                                                     or (before.type == "name" and before.value in _NOT_OURS)))):
                text = translate(tokens[i + 2].value)
                if type(text) is str:
                    out.append(Token(token.lineno, "string", text))
                    i += 4
                    continue
            out.append(token)
            i += 1
        return out


def format_datetime(value: dt.datetime, lang: str = "vi") -> str:
    """'Thứ Năm, 26/11/2026 09:30'."""
    d = local(value)
    weekday = WEEKDAYS.get(lang, WEEKDAYS["vi"])[d.weekday()]
    return f"{weekday}, {d:%d/%m/%Y %H:%M}"


def format_date(value: dt.datetime, lang: str = "vi") -> str:
    return f"{local(value):%d/%m/%Y}"


def format_month(value: dt.datetime, lang: str = "vi") -> str:
    d = local(value)
    return f"{MONTHS_EN[d.month - 1]} {d.year}" if lang == "en" else f"Tháng {d.month}/{d.year}"


def format_period(numbers: tuple | list, lang: str = "vi") -> str:
    """A period archive's name from Pelican's ``period_num``: (year,), (year, month) or (year, month, day)."""
    parts = [int(n) for n in numbers or ()]
    if len(parts) >= 3:
        return f"{parts[2]:02d}/{parts[1]:02d}/{parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS_EN[parts[1] - 1]} {parts[0]}" if lang == "en" else f"Tháng {parts[1]}/{parts[0]}"
    return f"{parts[0]}" if parts else ""


def format_decimal(value: float, lang: str = "vi", digits: int = 1) -> str:
    """'4,3' in Vietnamese (the decimal comma), '4.3' in English; rounded to `digits` places."""
    text = f"{value:.{digits}f}"
    return text if lang == "en" else text.replace(".", ",")


def short_url(url: str, limit: int = 44) -> str:
    """How a link reads on a page when it has no title: the host and the path, without the scheme
    or "www.", the middle cut when long ('cve.org/CVERecord?id=CVE-2026-21001',
    'microsoft.com/…/exchange-server-update'). The full address stays in the link's href."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    if not host:
        return url
    rest = parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    if len(host) + len(rest) <= limit:
        return host + rest
    last = rest.rstrip("/").rsplit("/", 1)[-1]
    room = max(limit - len(host) - 3, 12)
    if len(last) > room:
        last = last[: room - 1] + "…"
    return f"{host}/…/{last}"


def isodate(value: dt.datetime) -> str:
    """For <time datetime>: 2026-11-26T09:30:00+07:00."""
    return iso(value)
