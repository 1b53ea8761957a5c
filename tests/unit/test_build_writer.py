"""portal.live.jobs.BuildWriter: pages written on several cores are the pages written on one, and a
failure in another process stops the build with the same error."""

from __future__ import annotations

import jinja2
import pytest
from pelican import signals
from pelican.settings import DEFAULT_CONFIG

from portal.live.jobs import BuildWriter

ENV = jinja2.Environment()


class Broken(Exception):
    pass


def raise_broken(message):
    raise Broken(message)


ENV.globals["fail"] = raise_broken


def writer(out, count: int, broken: int | None = None) -> BuildWriter:
    w = BuildWriter(str(out), settings=dict(DEFAULT_CONFIG))
    good = ENV.from_string("<p>{{ n }} {{ output_file }}</p>")
    bad = ENV.from_string("{{ fail('trang hỏng ' ~ n) }}")
    for n in range(count):
        w.write_file(f"p/{n}.html", bad if n == broken else good, {"SITEURL": ""}, n=n)
    return w


def files(root) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_two_processes_write_what_one_writes(tmp_path):
    seen: list[str] = []

    def written(path, context):
        seen.append(context["output_file"])

    signals.content_written.connect(written)
    try:
        writer(tmp_path / "one", 300).write_all(1)
        one = sorted(seen)
        seen.clear()
        writer(tmp_path / "two", 300).write_all(2)
    finally:
        signals.content_written.disconnect(written)
    assert files(tmp_path / "one") == files(tmp_path / "two")
    assert len(files(tmp_path / "two")) == 300
    assert sorted(seen) == one  # content_written once per page, in this process


@pytest.mark.parametrize("broken", [0, 1, 299])  # a page of this process, of the other, the last
def test_a_page_that_fails_in_any_process_fails_the_build(tmp_path, broken):
    with pytest.raises(Broken, match=f"trang hỏng {broken}"):
        writer(tmp_path / "out", 300, broken=broken).write_all(2)


def test_a_build_process_that_dies_is_reported_in_words():
    from portal.model import ContentErrors
    from portal.tools.build import BuildFailed, as_build_failure

    killed = as_build_failure(RuntimeError("a build process ended with status -9"))
    assert isinstance(killed, BuildFailed) and "PORTAL_WORKERS = 1" in str(killed) and "status -9" in str(killed)
    content = ContentErrors([], "vi")
    assert as_build_failure(content) is content
