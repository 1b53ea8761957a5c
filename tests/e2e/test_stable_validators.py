"""Stable validators for subscribers: a file whose bytes did not change keeps its modification time
across builds and publishes, so Last-Modified and ETag stay and a conditional GET answers 304."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from conftest import ROOT, run_build
from nginx import serving

NOW = "2026-11-26T09:00:00+07:00"
NEWS = "tin-tuc/2026-11-10-tap-huan.md"
UNCHANGED = ["index.html", "nguon-tin/canh-bao.atom.xml", "nguon-tin/canh-bao.rss.xml", "nguon-tin/canh-bao.json",
             "cap/canh-bao/CB-2026-014.xml", "cap/index.atom.xml", "canh-bao/lo-hong-nghiem-trong-exchange-server.html"]
CHANGED = "tin-tuc/tap-huan-nhan-dien-lua-dao-truc-tuyen.html"


def publish(base: Path, content: Path) -> None:
    env = {**os.environ, "PORTAL_NOW": NOW, "RATINGS_API_URL": "",
           "PORTAL_SITEURL": "https://antoanthongtin.laocai.gov.vn"}
    done = subprocess.run([sys.executable, "-m", "portal", "publish", "--base", str(base), "--content", str(content)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def get(url: str, headers: dict | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:  # noqa: S310
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers)


def test_a_rebuild_keeps_the_time_of_every_unchanged_file(fixture_content, tmp_path):
    output = tmp_path / "output"
    assert run_build(fixture_content, output, search=False).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    os.utime(output / "index.html", ns=(0, 1_000_000_000))  # an old time, easy to recognise
    before[output / "index.html"] = 1_000_000_000
    path = fixture_content / NEWS
    path.write_text(path.read_text(encoding="utf-8").replace("Nội dung tin.", "Nội dung tin, đã sửa."),
                    encoding="utf-8")
    assert run_build(fixture_content, output, search=False).returncode == 0
    after = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    assert after[output / "index.html"] == 1_000_000_000
    assert after[output / CHANGED] != before[output / CHANGED]
    kept = [p for p in before if p in after and after[p] == before[p]]
    assert len(kept) > len(before) * 0.8, "most files did not change and must keep their times"


def test_conditional_gets_through_nginx_answer_304_after_a_publish_with_no_change(fixture_content, tmp_path):
    base = tmp_path / "www"
    publish(base, fixture_content)
    with serving(base / "current", tmp_path / "nginx") as url:
        first = {rel: get(f"{url}/{rel}")[1] for rel in [*UNCHANGED, CHANGED]}
        for rel, headers in first.items():
            assert headers.get("ETag") and headers.get("Last-Modified"), rel
        publish(base, fixture_content)  # the timer's next run: nothing changed
        path = fixture_content / NEWS
        path.write_text(path.read_text(encoding="utf-8").replace("Nội dung tin.", "Nội dung tin, đã sửa."),
                        encoding="utf-8")
        publish(base, fixture_content)  # one article changed
        releases = sorted((base / "releases").iterdir())
        assert len(releases) == 3
        for rel in UNCHANGED:
            status, _ = get(f"{url}/{rel}", {"If-None-Match": first[rel]["ETag"]})
            assert status == 304, rel
            status, _ = get(f"{url}/{rel}", {"If-Modified-Since": first[rel]["Last-Modified"]})
            assert status == 304, rel
            assert (releases[0] / rel).stat().st_ino == (releases[2] / rel).stat().st_ino  # one file, shared
        status, headers = get(f"{url}/{CHANGED}", {"If-None-Match": first[CHANGED]["ETag"]})
        assert status == 200 and headers["ETag"] != first[CHANGED]["ETag"]


def test_a_rebuild_links_unchanged_files_and_never_writes_into_the_previous_output(fixture_content, tmp_path):
    """An unchanged feed is the previous output's file itself (a hard link) and so is its .gz; a changed
    one is a new file, and the previous output's copy keeps its bytes (nothing wrote through a link)."""
    output = tmp_path / "output"
    assert run_build(fixture_content, output, search=False).returncode == 0
    files = {p.relative_to(output): p for p in output.rglob("*") if p.is_file()}
    before = {rel: (p.stat().st_ino, p.read_bytes()) for rel, p in files.items()}
    saved = tmp_path / "saved"  # a second name for every file of the previous output
    for rel, p in files.items():
        (saved / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(p, saved / rel)
    path = fixture_content / NEWS
    path.write_text(path.read_text(encoding="utf-8").replace("Nội dung tin.", "Nội dung tin, đã sửa."),
                    encoding="utf-8")
    assert run_build(fixture_content, output, search=False).returncode == 0
    for rel in files:
        assert (saved / rel).read_bytes() == before[rel][1], f"{rel} of the previous output was written into"
    feeds = [rel for rel in files if rel.suffix in (".xml", ".json", ".ics") and (output / rel).is_file()]
    same = [rel for rel in feeds if (output / rel).read_bytes() == before[rel][1]]
    changed = [rel for rel in feeds if rel not in same]
    assert same and changed, "the edit changes some feeds and leaves others"
    for rel in same:
        assert (output / rel).stat().st_ino == before[rel][0], f"{rel}: unchanged, yet written again"
        packed = rel.with_name(rel.name + ".gz")
        if packed in before:
            assert (output / packed).stat().st_ino == before[packed][0], f"{packed}: unchanged, yet written again"
    for rel in changed:
        assert (output / rel).stat().st_ino != before[rel][0]
        packed = output / rel.with_name(rel.name + ".gz")
        if packed.exists():
            import gzip

            assert gzip.decompress(packed.read_bytes()) == (output / rel).read_bytes(), f"{packed} is stale"
