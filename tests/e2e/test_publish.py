"""`invoke publish` / `invoke rollback`: checked, atomic releases; scheduled articles with a fixed clock."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from conftest import ROOT

SCHEDULED = "tin-tuc/bai-hen-gio-chua-den-ngay.html"  # tests/data/site: Date 2026-12-20 08:00


def publish(base: Path, content: Path, now: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_NOW": now,
           "RATINGS_API_URL": "", "PORTAL_SITEURL": "https://antoanthongtin.laocai.gov.vn"}
    return subprocess.run([sys.executable, "-m", "portal", "publish", "--base", str(base), "--content", str(content),
                           *extra], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def served(base: Path) -> Path:
    return (base / "current").resolve()


def test_publish_schedule_and_rollback(fixture_content, tmp_path):
    base = tmp_path / "www"
    # a timer run before the article's date: it is not published
    first = publish(base, fixture_content, "2026-11-26T09:00:00+07:00")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "4/4 Đã chuyển trang đang phục vụ sang bản mới" in first.stdout
    assert (base / "current").is_symlink()
    assert os.readlink(base / "current").startswith("releases/")
    one = served(base)
    assert (one / "index.html").is_file()
    assert not (one / SCHEDULED).exists()
    assert not (one / "drafts").exists()
    # the first timer run after its date publishes it
    second = publish(base, fixture_content, "2026-12-20T08:15:00+07:00")
    assert second.returncode == 0, second.stdout + second.stderr
    two = served(base)
    assert two != one and (two / SCHEDULED).is_file()
    assert "Bài hẹn giờ chưa đến ngày đăng" in (two / SCHEDULED).read_text(encoding="utf-8")
    assert f"Bản trước ({one.name}) vẫn giữ: invoke rollback để quay lại." in second.stdout
    assert one.is_dir()  # the previous release is kept
    # rollback: the previous release is served again, atomically
    env = dict(os.environ)
    back = subprocess.run([sys.executable, "-m", "portal", "rollback", "--base", str(base)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert back.returncode == 0, back.stderr
    assert f"Đã quay lại bản phát hành {one.name}" in back.stdout
    assert served(base) == one
    again = subprocess.run([sys.executable, "-m", "portal", "rollback", "--base", str(base)], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "Không có bản phát hành nào cũ hơn" in again.stderr


def test_content_error_publishes_nothing(fixture_content, tmp_path):
    base = tmp_path / "www"
    assert publish(base, fixture_content, "2026-11-26T09:00:00+07:00").returncode == 0
    before = served(base)
    bad = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("Date: ", "Date: ngày mai ", 1), encoding="utf-8")
    done = publish(base, fixture_content, "2026-11-26T09:30:00+07:00")
    assert done.returncode == 1
    assert "KHÔNG XUẤT BẢN ĐƯỢC" in done.stderr and "2026-11-10-tap-huan.md:2" in done.stderr
    assert "Chưa xuất bản gì: trang đang phục vụ giữ nguyên." in done.stderr
    assert served(base) == before
    assert len(list((base / "releases").iterdir())) == 1


def test_readers_never_see_a_half_published_site(fixture_content, tmp_path):
    """A reader loads pages through `current` (as nginx does) while a publish swaps releases."""
    base = tmp_path / "www"
    assert publish(base, fixture_content, "2026-11-26T09:00:00+07:00").returncode == 0
    pages = ["index.html", "tin-tuc/index.html", "canh-bao/lo-hong-nghiem-trong-exchange-server.html"]
    stop = threading.Event()
    seen: dict[str, int] = {"reads": 0}
    failures: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            for rel in pages:
                try:
                    text = (base / "current" / rel).read_text(encoding="utf-8")
                except OSError as err:
                    failures.append(f"{rel}: {err}")
                    continue
                if not text.rstrip().endswith("</html>"):
                    failures.append(f"{rel}: incomplete page")
                seen["reads"] += 1

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        done = publish(base, fixture_content, "2026-12-20T08:15:00+07:00")
    finally:
        stop.set()
        thread.join()
    assert done.returncode == 0, done.stderr
    assert seen["reads"] > 50
    assert failures == []
    assert (base / "current" / SCHEDULED).is_file()


def test_old_releases_are_pruned_but_current_and_previous_kept(fixture_content, tmp_path):
    base = tmp_path / "www"
    for hour in ("09", "10", "11"):
        assert publish(base, fixture_content, f"2026-11-26T{hour}:00:00+07:00", "--keep", "2").returncode == 0
    releases = sorted(p.name for p in (base / "releases").iterdir())
    assert len(releases) == 2
    assert served(base).name == releases[-1]
