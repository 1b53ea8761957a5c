"""`invoke publish` / `invoke rollback`: checked, atomic releases; scheduled articles with a fixed clock."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
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
    # the second release was built from the first: the pages' keys moved on with it (portal.renders)
    from portal import renders

    cache = ROOT / "var" / "cache" / "parsed"
    assert renders.keys_file(cache, two).is_file() and not renders.keys_file(cache, one).exists()
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


@pytest.mark.hostile
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


@pytest.mark.hostile
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


def rollback(base: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "portal", "rollback", "--base", str(base), *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.hostile
def test_six_publishes_in_one_minute_then_rollback_twice(fixture_content, tmp_path):
    """Release names are unique and ordered by creation, not by a clock cut to the minute."""
    base = tmp_path / "www"
    # a release from before the numbered names, later than them all as text: it is the oldest
    legacy = base / "releases" / "20991231-235959"
    legacy.mkdir(parents=True)
    (legacy / "gioi-thieu.html").write_text("bản cũ", encoding="utf-8")
    (base / "current").symlink_to("releases/20991231-235959")
    page = fixture_content / "pages" / "gioi-thieu.md"
    original = page.read_text(encoding="utf-8")
    made: list[Path] = []
    for n in range(1, 7):
        page.write_text(f"{original}\nDấu bản phát hành số {n}.\n", encoding="utf-8")
        done = publish(base, fixture_content, "2026-11-26T09:00:00+07:00")  # the same minute every time
        assert done.returncode == 0, done.stdout + done.stderr
        release = served(base)
        assert release not in made and release.name.startswith(f"{n:04d}-")
        assert f"Dấu bản phát hành số {n}." in (release / "gioi-thieu.html").read_text(encoding="utf-8")
        before = made[-1] if made else legacy
        assert f"Bản trước ({before.name}) vẫn giữ: invoke rollback để quay lại." in done.stdout
        assert before.is_dir()  # what publish said it kept is kept
        made.append(release)
    assert not legacy.exists()  # pruned as the oldest (keep 5)
    assert sorted((base / "releases").iterdir()) == made[1:]
    for n in (5, 4):  # twice in a row: two releases back
        back = rollback(base)
        assert back.returncode == 0, back.stderr
        assert f"Đã quay lại bản phát hành {made[n - 1].name} (trước đó: {made[n].name})." in back.stdout
        assert served(base) == made[n - 1]
        assert f"Dấu bản phát hành số {n}." in (base / "current" / "gioi-thieu.html").read_text(encoding="utf-8")
    # publishing from a rolled-back site, keeping one: the new release, the one made before it and
    # the one served until now survive; rollback still finds its target
    page.write_text(f"{original}\nDấu bản phát hành số 7.\n", encoding="utf-8")
    done = publish(base, fixture_content, "2026-11-26T09:00:00+07:00", "--keep", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    seventh = served(base)
    assert seventh.name.startswith("0007-")
    assert f"Bản trước ({made[5].name}) vẫn giữ: invoke rollback để quay lại." in done.stdout
    assert (f"Bản đang phục vụ đến lúc này ({made[3].name}) cũng giữ: invoke rollback --to {made[3].name}."
            in done.stdout)
    assert sorted((base / "releases").iterdir()) == [made[3], made[5], seventh]
    assert rollback(base).returncode == 0 and served(base) == made[5]
    assert rollback(base, "--to", made[3].name).returncode == 0 and served(base) == made[3]
    assert "Dấu bản phát hành số 4." in (base / "current" / "gioi-thieu.html").read_text(encoding="utf-8")


@pytest.mark.hostile
def test_a_link_in_the_built_release_is_refused(fixture_content, tmp_path, monkeypatch):
    """The last line of defence: whatever put a symlink into the release, it is never served."""
    from portal.tools import publish as tool

    base = tmp_path / "www"
    assert publish(base, fixture_content, "2026-11-26T09:00:00+07:00").returncode == 0
    before = served(base)
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$bí-mật", encoding="utf-8")
    real_build = tool.build

    def build_then_plant_a_link(settings, output, overrides, previous=None):
        built = real_build(settings, output, overrides, previous)
        (output / "images" / "evil.png").symlink_to(secret)
        return built

    monkeypatch.setattr(tool, "build", build_then_plant_a_link)
    monkeypatch.chdir(ROOT)
    for name, value in {"PORTAL_NOW": "2026-11-26T09:30:00+07:00", "RATINGS_API_URL": "",
                        "PORTAL_SITEURL": "https://antoanthongtin.laocai.gov.vn"}.items():
        monkeypatch.setenv(name, value)
    lines: list[str] = []
    with pytest.raises(tool.PublishError) as stopped:
        tool.publish(base, overrides={"PATH": str(fixture_content)}, out=lines.append)
    assert str(stopped.value) == (
        "Bản phát hành không đạt:\n"
        f"  images/evil.png: là liên kết (symlink) trỏ ra ngoài bản phát hành, tới {secret}: máy chủ web sẽ phục "
        "vụ tệp đó. Cách sửa: xóa liên kết đó khỏi content/ (cần đăng tệp thì chép chính tệp vào) rồi xuất bản lại."
        "\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.")
    assert served(base) == before
    assert list((base / "releases").iterdir()) == [before]  # the refused release is deleted


@pytest.mark.hostile
def test_content_linking_outside_content_publishes_nothing(fixture_content, tmp_path):
    base = tmp_path / "www"
    assert publish(base, fixture_content, "2026-11-26T09:00:00+07:00").returncode == 0
    before = served(base)
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$bí-mật", encoding="utf-8")
    (fixture_content / "images" / "evil.png").symlink_to(secret)
    done = publish(base, fixture_content, "2026-11-26T09:30:00+07:00")
    # the content check (step 1) refuses it, the release verification would too: the file is named,
    # nothing changes
    assert done.returncode == 1, done.stdout
    assert "KHÔNG XUẤT BẢN ĐƯỢC" in done.stderr and "images/evil.png" in done.stderr
    assert "Chưa xuất bản gì: trang đang phục vụ giữ nguyên." in done.stderr
    assert served(base) == before
    assert list((base / "releases").iterdir()) == [before]
    assert not [p for p in (base / "releases").rglob("*") if p.is_file() and b"root:$6$" in p.read_bytes()]


@pytest.mark.hostile
def test_publish_and_rollback_speak_english_when_asked(fixture_content, tmp_path):
    """`--lang en`: every line of a publish and a rollback, and what stops them, in English; the site stays
    Vietnamese."""
    base = tmp_path / "www"
    done = publish(base, fixture_content, "2026-11-26T09:00:00+07:00", "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    for line in ("1/4 Checking the content in", "2/4 Building with", "3/4 Checking the release",
                 "4/4 The site served is now the new release"):
        assert line in done.stdout
    assert not any(word in done.stdout for word in ("Kiểm tra", "Xây dựng", "bản phát hành"))
    assert 'lang="vi"' in (served(base) / "index.html").read_text(encoding="utf-8")
    bad = fixture_content / "tin-tuc" / "2026-11-10-tap-huan.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("Date: ", "Date: ngày mai ", 1), encoding="utf-8")
    stopped = publish(base, fixture_content, "2026-11-26T09:30:00+07:00", "--lang", "en")
    assert stopped.returncode == 1
    assert "NOT PUBLISHED" in stopped.stderr and "2026-11-10-tap-huan.md:2" in stopped.stderr
    assert "Nothing was published: the site served is unchanged." in stopped.stderr
    assert "KHÔNG" not in stopped.stderr and "Chưa xuất bản" not in stopped.stderr
    missing = rollback(base, "--to", "khong-co", "--lang", "en")
    assert missing.returncode == 1 and 'Error: There is no release "khong-co"' in missing.stderr
    alone = rollback(base, "--lang", "en")
    assert alone.returncode == 1 and "No release older than the one served" in alone.stderr
