"""What the build prints when Pelican itself fails on a file: the file, the cause, the fix."""

from __future__ import annotations

import logging

import pytest

from portal.tools.build import _SayWhatFailed

pytestmark = pytest.mark.hostile


def test_pelicans_bare_could_not_process_names_the_cause_and_the_fix():
    logger = logging.getLogger("pelican.generators")
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    handler = Keep()
    handler.addFilter(_SayWhatFailed())
    logger.addHandler(handler)
    try:
        try:
            raise RecursionError("maximum recursion depth exceeded")
        except RecursionError:  # Pelican logs from inside its except block, with no cause in the message
            logger.error("Could not process %s", "tin-tuc/x.md", exc_info=False)
    finally:
        logger.removeHandler(handler)
    assert seen == ["tin-tuc/x.md: [lỗi] Không xử lý được tệp (RecursionError: maximum recursion depth exceeded). "
                    "Cách sửa: mở tệp, kiểm tra phần vừa sửa; nếu không thấy lỗi, gửi tệp cho quản trị viên "
                    "kèm thông báo này."]
