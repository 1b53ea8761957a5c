"""invoke ratings-report: the staff's CSV and private page, from aggregates only."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys

from conftest import ROOT

from ratings.config import Settings
from ratings.privacy import ip_prefix
from ratings.store import Store

WEEK = 7 * 86400
DETAILS = {
    "sua-bai": {"title": "Bài đã sửa: cảnh báo lừa đảo", "kind": "canh-bao", "date": "2026-11-10T08:00:00+07:00",
                "modified": "2026-11-25T10:00:00+07:00"},  # edited in ISO week 2026-W48
    "on-dinh": {"title": "Bài ổn định", "kind": "tin-tuc", "date": "2026-11-01T08:00:00+07:00", "modified": None},
    "chua-ai": {"title": "Bài chưa ai đánh giá", "kind": "dien-tap", "date": "2026-11-02T08:00:00+07:00",
                "modified": None},
}


class Clock:
    t = 1_795_000_000.0  # Wednesday 2026-11-18, ISO week 2026-W47

    def __call__(self) -> float:
        return self.t


def site(tmp_path):
    manifest = tmp_path / "output" / "api" / "ratings-manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"version": 1, "siteurl": "https://portal.example", "details": DETAILS,
                                    "articles": {s: f"{d['kind']}/{s}.html" for s, d in DETAILS.items()}}),
                        encoding="utf-8")
    settings = Settings(db_path=str(tmp_path / "r.sqlite3"), manifest_path=str(manifest),
                        secret_file=str(tmp_path / "ratings-secret"))
    return settings, manifest


def cast(store: Store, slug: str, scores: list[int], tag: str) -> None:
    for i, score in enumerate(scores):
        store.vote(slug, score, ip_prefix(f"10.{len(tag)}.{i}.1"), f"Mozilla/5.0 {tag} {i}")


def run_report(settings, manifest, out) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "RATINGS_DB": settings.db_path, "RATINGS_MANIFEST": str(manifest),
           "RATINGS_SECRET_FILE": settings.secret_file}
    return subprocess.run([sys.executable, "-m", "invoke", "ratings-report", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_report_counts_weeks_rankings_and_changes_after_an_edit(tmp_path):
    settings, manifest = site(tmp_path)
    clock = Clock()
    store = Store(settings, clock=clock)
    cast(store, "sua-bai", [2, 2, 1, 2], "before")  # W47: poor
    cast(store, "on-dinh", [4, 4, 5, 4, 5], "steady")
    clock.t += WEEK  # W48: the week of the edit, left out of the comparison
    cast(store, "sua-bai", [5], "edit-week")
    clock.t += WEEK  # W49: after the edit (the per-vote rows of W47 are purged by now; the weeks stay)
    cast(store, "sua-bai", [5, 4, 5, 5], "after")
    cast(store, "on-dinh", [1], "late")
    conn = sqlite3.connect(settings.db_path)
    hashes = [v for row in conn.execute("SELECT voter, network FROM votes") for v in row]
    hashes += [bytes(s).hex() for (s,) in conn.execute("SELECT salt FROM day_salts")]
    conn.close()
    assert hashes
    store.close()

    out = tmp_path / "private" / "reports"
    proc = run_report(settings, manifest, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nội bộ" in proc.stdout

    with open(out / "ratings-report.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    totals = [r for r in rows if r["tuần"] == "tất cả"]
    assert [r["slug"] for r in totals] == ["sua-bai", "on-dinh", "chua-ai"]  # lowest-rated first, unrated last
    by_slug = {r["slug"]: r for r in totals}
    stars = lambda r: [int(r[f"{i} sao"]) for i in range(1, 6)]  # noqa: E731
    assert stars(by_slug["sua-bai"]) == [1, 3, 0, 1, 4] and by_slug["sua-bai"]["số lượt"] == "9"
    assert by_slug["sua-bai"]["điểm trung bình"] == "3.4"  # 31 / 9
    assert stars(by_slug["on-dinh"]) == [1, 0, 0, 3, 2] and by_slug["on-dinh"]["điểm trung bình"] == "3.8"
    assert by_slug["chua-ai"]["số lượt"] == "0" and by_slug["chua-ai"]["tiêu đề"] == "Bài chưa ai đánh giá"
    weeks = {(r["slug"], r["tuần"]): stars(r) for r in rows if r["tuần"] != "tất cả"}
    assert weeks == {("sua-bai", "2026-W47"): [1, 3, 0, 0, 0], ("sua-bai", "2026-W48"): [0, 0, 0, 0, 1],
                     ("sua-bai", "2026-W49"): [0, 0, 0, 1, 3], ("on-dinh", "2026-W47"): [0, 0, 0, 3, 2],
                     ("on-dinh", "2026-W49"): [1, 0, 0, 0, 0]}
    assert by_slug["sua-bai"]["TB trước khi sửa"] == "1.8" and by_slug["sua-bai"]["TB sau khi sửa"] == "4.8"

    page = (out / "ratings-report.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex' in page and "không đăng lên cổng thông tin" in page
    for needle in [*hashes, "10.6.", "Mozilla", "before 0"]:
        assert needle not in page and needle not in (out / "ratings-report.csv").read_text(encoding="utf-8-sig")
    changed = page.split("<h2>Điểm thay đổi sau khi sửa bài</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Bài đã sửa: cảnh báo lừa đảo" in changed and "+3.0" in changed  # 1.75 -> 4.75
    assert "Bài ổn định" not in changed  # never edited
    assert '<a href="https://portal.example/canh-bao/sua-bai.html">' in changed  # opened from a staff folder
    lowest = page.split("<h2>Bài được đánh giá thấp nhất</h2>", 1)[1].split("<h2>", 1)[0]
    most = page.split("<h2>Bài được đánh giá nhiều nhất</h2>", 1)[1].split("<h2>", 1)[0]
    assert lowest.index("Bài đã sửa") < lowest.index("Bài ổn định")
    assert most.index("Bài đã sửa") < most.index("Bài ổn định")  # 9 votes before 6


def test_report_is_never_written_into_the_site(tmp_path):
    settings, manifest = site(tmp_path)
    Store(settings, clock=Clock()).close()
    proc = run_report(settings, manifest, tmp_path / "output" / "bao-cao")
    assert proc.returncode != 0
    assert "không ghi báo cáo" in proc.stderr and "var/reports" in proc.stderr
    assert not (tmp_path / "output" / "bao-cao").exists()
