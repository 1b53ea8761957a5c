"""The portal's content model: kinds, fields, values and their validation.

    kinds     kinds of article, the severity scale, a warning's status
    fields    every field of every kind (the one place a field is defined)
    values    one parser per field type
    entry     one file: front matter, validation, rules across files
    problems  what is wrong and how to fix it, in Vietnamese and English

Everything the rest of the house needs is importable from ``portal.model``.
"""

from .entry import (
    COMMENT,
    Entry,
    FrontMatter,
    RawField,
    check_collection,
    drop_control_characters,
    future_event_problems,
    kind_of,
    next_identifier,
    parse_front_matter,
    published_events,
    resolved_root,
    validate,
    warning_status,
)
from .fields import *  # noqa: F403 - field types and the table of fields
from .fields import FIELDS, FIELDS_BY_KEY, Field, fields_for, is_required
from .kinds import *  # noqa: F403 - kinds, severities, statuses
from .kinds import KINDS, SEVERITIES, TZ, Kind, Severity, Status, severity
from .problems import ContentErrors, Problem, report
from .values import BadValue, Byline, Revision, make_slug, parse_byline, parse_datetime, parse_value, split_list
