"""Jinja's autoescape of a plain string, without MarkupSafe's Python-level detour.

With autoescape on, every ``{{ value }}`` of a template runs ``markupsafe.escape(value)``: about 200
per page of the portal (addresses, titles, dates, labels). For a ``str`` that function escapes it in
C, then makes the result a ``Markup`` through ``Markup.__new__``, a Python method that asks the escaped
text whether it has ``__html__`` (a plain string never has). That detour was an eighth of the time a
page takes to render.

``escape`` here gives the same object, ``str.__new__(Markup, _escape_inner(value))``, for a value whose
type is exactly ``str``, and hands anything else (``Markup``, numbers, objects with ``__html__``) to
MarkupSafe's own function. ``install`` puts it where compiled templates take their ``escape`` from
(``jinja2.runtime``: each template's code imports it when loaded), only when MarkupSafe has the C
function this rests on and both give the same results on a set of tricky strings; otherwise Jinja keeps
MarkupSafe's. ``tests/unit/test_jinja_escape.py`` compares the two on random text.
"""

from __future__ import annotations

import markupsafe
from markupsafe import Markup

_ORIGINAL = markupsafe.escape
_inner = getattr(markupsafe, "_escape_inner", None)  # MarkupSafe 2.1+: the C escaping of a str
_new = str.__new__


def escape(s, /):
    """``markupsafe.escape(s)``, the same value and type."""
    if type(s) is str and _inner is not None:
        return _new(Markup, _inner(s))
    return _ORIGINAL(s)


_SAMPLES = ("", "plain", "<a href=\"x\">'&'</a>", "&amp; &#39; &lt;", "Đà Lạt — “ngoặc” <>", "\x00\ud800")


def usable() -> bool:
    if not callable(_inner):
        return False
    try:
        return all(type(escape(s)) is Markup and escape(s) == _ORIGINAL(s) for s in _SAMPLES)
    except Exception:  # noqa: BLE001 (a MarkupSafe whose inner function works otherwise: not used)
        return False


def install() -> bool:
    """Make compiled templates use ``escape`` (before any is loaded); whether it was."""
    import jinja2.runtime

    if jinja2.runtime.escape is escape:
        return True
    if jinja2.runtime.escape is not _ORIGINAL or not usable():
        return False
    jinja2.runtime.escape = escape
    return True
