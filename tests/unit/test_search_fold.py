"""portal.search: folding with the table gives unidecode's answer for every Vietnamese letter, in both cases and
both normal forms, without calling unidecode; the search plugin does nothing when no index is built; the records
reach Pagefind one at a time."""

from __future__ import annotations

import json
import os
import sys
import types
import unicodedata
from pathlib import Path

import helpers
import pytest
from unidecode import unidecode

from portal import search

ROOT = Path(__file__).resolve().parents[2]

# the vowels with each of the five tone marks (and none), then đ
BASES = {"a": "aàáảãạ", "ă": "ăằắẳẵặ", "â": "âầấẩẫậ", "e": "eèéẻẽẹ", "ê": "êềếểễệ", "i": "iìíỉĩị",
         "o": "oòóỏõọ", "ô": "ôồốổỗộ", "ơ": "ơờớởỡợ", "u": "uùúủũụ", "ư": "ừứửữựư", "y": "yỳýỷỹỵ"}
LOWER = "".join(BASES.values()) + "đ"
LETTERS = LOWER + LOWER.upper()


def test_every_vietnamese_letter_in_both_cases_folds_as_unidecode_and_to_its_ascii_letter():
    assert len(set(LOWER)) == 12 * 6 + 1 and len(set(LETTERS)) == 2 * len(set(LOWER))
    for letter in LETTERS:
        ascii_letter = "d" if letter.lower() == "đ" else unicodedata.normalize("NFD", letter)[0].lower()
        for form in ("NFC", "NFD"):
            written = unicodedata.normalize(form, letter)
            assert search.fold(written) == unidecode(written), (letter, form)
            assert search.fold(written) == (ascii_letter.upper() if letter.isupper() else ascii_letter), (letter, form)
    words = "Đồng Ưu Ơn Ắt Ẩn Ậy Ễnh Ỗi Ỡm Ữa Ỹ đ Đ " + " ".join(LETTERS)
    assert search.fold(words) == unidecode(words)


def test_vietnamese_text_never_reaches_unidecode(monkeypatch):
    monkeypatch.setattr(search, "unidecode", lambda text: pytest.fail(f"unidecode called for {text!r}"))
    for text in (LETTERS, unicodedata.normalize("NFD", LETTERS), "“Bảo mật” – 2026… Sở TT&TT, Công an tỉnh Lào Cai"):
        assert search.fold(text).isascii()
    body = (ROOT / "content").rglob("*.md")
    for path in body:
        assert search.fold(path.read_text(encoding="utf-8")).isascii(), path


def test_another_script_still_goes_through_unidecode():
    for text in ("Привет, Đà Lạt", "東京 và Hà Nội", "\U0001F600 ok"):
        assert search.fold(text) == unidecode(text)


def test_without_an_index_the_plugin_makes_no_record_and_runs_nothing(monkeypatch, tmp_path):
    plugin = helpers.plugin("search")
    monkeypatch.setattr(plugin, "record", lambda *a: pytest.fail("a record was made"))
    monkeypatch.setattr(plugin, "write_index", lambda *a: pytest.fail("Pagefind ran"))
    gen = types.SimpleNamespace(settings={"SEARCH_INDEX": False, "OUTPUT_PATH": str(tmp_path)}, articles=[])
    plugin.build_index([gen])
    assert not any(tmp_path.iterdir())


def test_records_are_written_one_at_a_time_and_pagefind_gets_the_allocator_setting(monkeypatch, tmp_path):
    seen, written = [], []
    shadow_page = search.shadow_page
    monkeypatch.setattr(search, "shadow_page", lambda r: written.append(r["url"]) or shadow_page(r))

    def records():
        start = len(written)
        for n in range(3):
            assert len(written) == start + n  # every earlier record was written before this one was made
            yield {"url": f"/tin-tuc/b{n}.html", "title": f"b{n}", "content": "x", "meta": {"title": f"b{n}"},
                   "filters": {"status": "active"} if n == 1 else {}}

    class Run:  # Pagefind's run, as subprocess.Popen starts it
        returncode = 0

        def __init__(self, cmd, **kwargs):
            site = Path(cmd[cmd.index("--site") + 1])
            seen.append((sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")), kwargs["env"]))
            Path(cmd[cmd.index("--output-path") + 1]).mkdir(parents=True)

        def communicate(self):
            return "", ""

        def poll(self):
            return 0

    monkeypatch.setattr(search.subprocess, "Popen", Run)
    monkeypatch.delenv("_RJEM_MALLOC_CONF", raising=False)
    assert search.write_index(records(), tmp_path / "pagefind") == 3
    pages, env = seen[0]
    assert pages == ["tin-tuc/b0.html", "tin-tuc/b1.html", "tin-tuc/b2.html"]
    assert env["_RJEM_MALLOC_CONF"] == search.PAGEFIND_MALLOC_CONF
    statuses = json.loads((tmp_path / "pagefind" / search.STATUS_FILE).read_text(encoding="utf-8"))
    assert statuses == {"/tin-tuc/b1.html": {"status": "active"}}
    monkeypatch.setenv("_RJEM_MALLOC_CONF", "narenas:1")
    search.write_index(records(), tmp_path / "pagefind")
    assert seen[1][1]["_RJEM_MALLOC_CONF"] == "narenas:1"  # the operator's own setting wins


def test_the_plugin_hands_pagefind_its_records_lazily_in_url_order(monkeypatch, tmp_path):
    plugin = helpers.plugin("search")
    made, given = [], []
    monkeypatch.setattr(plugin, "record", lambda view, lang: made.append(view.url) or {"url": "/" + view.url})

    def write_index(records, target, part_mib=None):
        given.append(type(records))
        assert made == []  # nothing made before Pagefind's writer asks for it
        return len([r["url"] for r in records])

    monkeypatch.setattr(plugin, "write_index", write_index)
    gen = types.SimpleNamespace(settings={"OUTPUT_PATH": str(tmp_path)}, articles=[])
    monkeypatch.setattr(plugin, "ArticlesGenerator", types.SimpleNamespace)
    gen.articles = [types.SimpleNamespace(view=types.SimpleNamespace(url=u)) for u in ("tin-tuc/b.html", "a.html")]
    plugin.build_index([gen])
    assert given and given[0] not in (list, tuple) and made == ["a.html", "tin-tuc/b.html"]


def test_an_index_is_split_into_as_few_parts_as_keep_each_pagefind_run_within_the_budget():
    def pages(count: int, size: int) -> dict:
        return {f"tin-tuc/bai-{i}.html": os.stat_result((0o100644, i, 1, 1, 0, 0, size, 0, 0, 0))
                for i in range(count)}

    site = pages(10_000, 2_530)  # the benchmark's 10,000 shadow pages: about 1 GB for one Pagefind run
    assert 950 < search.pagefind_mib(10_000 * 2_530) < 1_050
    assert search.parts(site, None) == 1 and search.parts(site, 2_000) == 1
    count = search.parts(site, 600)
    assert count == 2 and search.pagefind_mib(10_000 * 2_530 / count) <= 600
    assert search.parts(pages(1_000, 2_530), 600) == 1
    assert search.parts(pages(3, 10**7), 31) == 3  # never more parts than pages
    assert search.parts({}, 600) == 1
    # a page keeps its part from build to build; parts of about the same size
    spread = [search.part_of(name, 4) for name in site]
    assert spread == [search.part_of(name, 4) for name in site]
    assert all(2_300 < spread.count(n) < 2_700 for n in range(4))


def test_the_default_budgets_make_as_few_parts_as_fit_and_index_two_at_once_only_when_they_are_small():
    def pages(count: int, size: int) -> dict:
        return {f"tin-tuc/bai-{i}.html": os.stat_result((0o100644, i, 1, 1, 0, 0, size, 0, 0, 0))
                for i in range(count)}

    assert search.parts(pages(10_000, 2_530), search.PART_MIB) == 2  # a reader's search: as few parts as fit
    assert search.parts(pages(1_000, 4_700), search.PART_MIB) == 1
    half = search.pagefind_mib(10_000 * 2_530 / 2)
    assert half <= search.PART_MIB and 2 * half > search.MEMORY_MIB  # one after the other within 1 GB
    small = search.pagefind_mib(6_000 * 2_530 / 2)  # 6,000 articles: two parts of about 320 MiB
    assert search.parts(pages(6_000, 2_530), search.PART_MIB) == 2 and 2 * small <= search.MEMORY_MIB


def _jobs(log: list, marks: list, fail: int | None = None, seconds: float = 0.05):
    import threading
    import time

    lock = threading.Lock()
    going = [0]

    def job(n: int):
        def run():
            with lock:
                going[0] += 1
                marks.append(going[0])
            time.sleep(seconds / 3 if n == fail else seconds)
            with lock:
                going[0] -= 1
                log.append(n)
            if n == fail:
                raise search.IndexFailed(f"part {n}")
        return run

    return job


def test_parts_are_indexed_at_once_up_to_the_runs_and_within_the_memory_they_may_take_together():
    def run(sizes: list[float], runs: int, memory_mib: float | None) -> tuple[list, int]:
        log, at_once = [], []
        job = _jobs(log, at_once)
        search._run_all([(mib, job(n)) for n, mib in enumerate(sizes)], runs=runs, memory_mib=memory_mib)
        return log, max(at_once)

    log, most = run([100] * 4, 2, 900)
    assert sorted(log) == [0, 1, 2, 3] and most == 2
    assert run([500] * 3, 2, 900) == ([0, 1, 2], 1)  # two would take 1,000
    assert run([100] * 3, 3, 250)[1] == 2  # a third would take 300
    log, _ = run([2000, 100], 2, 900)  # one larger than all it may take: run, alone
    assert sorted(log) == [0, 1]
    assert run([100] * 3, 1, None) == ([0, 1, 2], 1)
    assert run([100] * 3, 3, None)[1] == 3


def test_after_a_part_fails_no_other_starts_and_its_error_is_raised_once_the_runs_going_on_end():
    log, at_once = [], []
    job = _jobs(log, at_once, fail=0, seconds=0.3)  # the failing part at once, the others after
    with pytest.raises(search.IndexFailed, match="part 0"):
        search._run_all([(100, job(0)), (100, job(1)), (100, job(2)), (100, job(3))], runs=2, memory_mib=None)
    assert sorted(log) == [0, 1]  # the second was going on, and ended before the error was raised


@pytest.mark.parametrize("value", ["900", True, 0, 30, float("nan"), float("inf")])
def test_a_memory_for_the_runs_together_pagefind_cannot_keep_stops_the_build_naming_the_setting(value):
    from portal.settings import SettingsError

    pelican = types.SimpleNamespace(settings={"SEARCH_INDEX": True, "SEARCH_MEMORY_MIB": value,
                                              "PLUGINS": ["articles", "search"]})
    with pytest.raises(SettingsError, match="SEARCH_MEMORY_MIB"):
        helpers.plugin("search").check_settings(pelican)
    for good in (None, 31, 2048):
        helpers.plugin("search").check_settings(types.SimpleNamespace(
            settings={"SEARCH_INDEX": True, "SEARCH_MEMORY_MIB": good, "PLUGINS": ["articles", "search"]}))


@pytest.mark.parametrize("value", ["600", True, 0, -5, 30, float("nan"), float("inf")])
def test_a_part_budget_pagefind_cannot_keep_stops_the_build_naming_the_setting(value):
    from portal.settings import SettingsError

    pelican = types.SimpleNamespace(settings={"SEARCH_INDEX": True, "SEARCH_PART_MIB": value,
                                              "PLUGINS": ["articles", "search"]})
    with pytest.raises(SettingsError, match="SEARCH_PART_MIB"):
        helpers.plugin("search").check_settings(pelican)


def test_a_part_budget_of_more_than_pagefinds_own_share_or_none_is_taken():
    for value in (search.PAGEFIND_OWN_MIB + 0.01, 600, None):
        helpers.plugin("search").check_settings(types.SimpleNamespace(
            settings={"SEARCH_INDEX": True, "SEARCH_PART_MIB": value, "PLUGINS": ["articles", "search"]}))


def test_pagefind_runs_as_its_own_program_not_through_the_python_wrapper(monkeypatch, tmp_path):
    """``python -m pagefind`` only finds the binary and runs it, after a Python start of its own (0.2-0.3 s a
    run): the build runs the binary the wrapper would run, honours PAGEFIND_BINARY_PATH as the wrapper does,
    and falls back to the wrapper when no binary package is installed."""
    import importlib

    from pagefind.service import get_executable

    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    (program,) = search.pagefind_command()
    assert Path(program) == get_executable().resolve() and os.access(program, os.X_OK)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "pagefind"))
    assert search.pagefind_command() == [str(tmp_path / "pagefind")]
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    real = importlib.import_module

    def missing(name, *args):
        if name.startswith("pagefind_bin"):
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(search.importlib, "import_module", missing)
    assert search.pagefind_command() == [sys.executable, "-m", "pagefind"]


def test_a_pagefind_that_cannot_be_started_is_a_clear_failure(monkeypatch, tmp_path):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nope"))
    with pytest.raises(search.IndexFailed, match="Không chạy được Pagefind .*nope.*PAGEFIND_BINARY_PATH"):
        search._pagefind(tmp_path, tmp_path / "out")


def test_stopping_the_index_ends_the_pagefind_runs_going_on_and_starts_no_other(tmp_path, monkeypatch):
    """What the build command does when it is stopped while the index is made in its thread
    (portal.tools.build, _EarlyIndex): the runs going on end at once, no other part starts, and the
    thread gets IndexStopped; the next build may index again."""
    import threading
    import time

    log, fake = tmp_path / "runs.log", tmp_path / "slow-pagefind"
    fake.write_text(f"#!/bin/sh\necho $$ >> {log}\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    site = tmp_path / "site"
    site.mkdir()

    def job(n):
        return lambda: search._pagefind(site, tmp_path / f"out-{n}")

    outcome = []

    def index():
        try:
            search._run_all([(100, job(n)) for n in range(5)], runs=2, memory_mib=None)
        except search.IndexFailed as problem:
            outcome.append(problem)

    search.allow_indexing()
    thread = threading.Thread(target=index)
    thread.start()
    deadline = time.monotonic() + 30
    while len(log.read_text().split() if log.exists() else []) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    search.stop_indexing()
    thread.join(10)
    try:
        assert not thread.is_alive() and isinstance(outcome[0], search.IndexStopped)
        runs = log.read_text().split()
        assert len(runs) == 2  # the two going on; the three others never started
        time.sleep(0.1)
        assert all(not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
                   == "Z" for pid in runs)
        with pytest.raises(search.IndexStopped):  # while stopping, nothing starts
            search._pagefind(site, tmp_path / "out-later")
    finally:
        search.allow_indexing()
