"""`portal publish` and `portal rollback`: safe, atomic releases.

    portal publish [--base var/www] [--settings publishconf.py]
    portal rollback [--to RELEASE]

Layout (nginx serves `root <base>/current;`):

    <base>/releases/20261126-101500/   one complete site per publish, never edited
    <base>/current -> releases/20261126-101500

A publish (1) checks all content (`invoke check`; any error stops it), (2)
builds with publishconf.py into a new release folder, (3) verifies the
release (home page present, no draft or embargoed article leaked), and only
then (4) points `current` at it with one rename(2) of a symlink, which is
atomic: every request sees either the old site or the new one, never a mix
of half-written files. Old releases are kept (the newest KEEP) for rollback.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import sys
import time
from pathlib import Path

from .. import model
from ..checks import Checker, content_files
from ..clock import build_time
from ..model import ContentErrors, report
from ..paths import SitePaths
from ..settings import PUBLISH_SETTINGS, SettingsError, load
from .build import BuildFailed, build, setup_logging
from .check import summary_line

KEEP = 5


def default_base() -> Path:
    """PORTAL_RELEASES, else var/www under the current folder (the project)."""
    return Path(os.environ.get("PORTAL_RELEASES") or "var/www")


class PublishError(Exception):
    """Publishing stopped; the site being served is unchanged (message in Vietnamese)."""


def releases_dir(base: Path) -> Path:
    return base / "releases"


def current_release(base: Path) -> Path | None:
    link = base / "current"
    if not link.is_symlink():
        return None
    return (base / os.readlink(link)).resolve()


def all_releases(base: Path) -> list[Path]:
    folder = releases_dir(base)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def switch_to(base: Path, release: Path) -> None:
    """Point <base>/current at release atomically (symlink, then rename over the old one)."""
    target = os.path.relpath(release, base)
    tmp = base / f".current.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, base / "current")  # rename(2): atomic on one filesystem
    fd = os.open(base, os.O_RDONLY)
    try:
        os.fsync(fd)  # the new link survives a power cut
    finally:
        os.close(fd)


class _Lock:
    def __init__(self, base: Path):
        base.mkdir(parents=True, exist_ok=True)
        self.path = base / ".publish.lock"
        self.fh = None

    def __enter__(self):
        self.fh = self.path.open("w")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self.fh.close()
            raise PublishError("Một lần xuất bản khác đang chạy. Cách sửa: đợi lần đó xong rồi chạy lại.") from exc
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def _new_release_path(base: Path, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    path = releases_dir(base) / stamp
    n = 2
    while path.exists():
        path = releases_dir(base) / f"{stamp}-{n}"
        n += 1
    return path


def verify_release(release: Path, entries: list[model.Entry], now: dt.datetime, paths: SitePaths) -> list[str]:
    """What must be true of a release before readers see it."""
    problems = []
    for needed in ("index.html", "404.html"):
        if not (release / needed).is_file():
            problems.append(f"Thiếu tệp {needed} trong bản phát hành.")
    if (release / "drafts").exists():
        problems.append("Bản phát hành có thư mục drafts/ (bản nháp bị lộ).")
    for e in entries:
        if e.kind == model.PAGE or not e.get("slug"):
            continue
        rel = paths.article(e.kind, e.get("slug"), e.get("date"))
        page = release / rel
        hidden = e.get("status") == "draft" or (e.get("date") and e.get("date") > now)
        if hidden and page.exists():
            problems.append(f"{e.path}: bài chưa đến ngày đăng hoặc là bản nháp nhưng đã có trang {rel}.")
        elif not hidden and e.ok and not page.exists():
            problems.append(f"{e.path}: thiếu trang {rel} trong bản phát hành.")
    return problems


def prune(base: Path, keep: int = KEEP) -> list[Path]:
    current = current_release(base)
    releases = all_releases(base)
    removed = []
    for old in releases[:-keep] if keep > 0 else []:
        if old == current:
            continue
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old)
    return removed


def publish(base: Path, settings: Path = PUBLISH_SETTINGS, overrides: dict | None = None,
            keep: int = KEEP, out=print) -> Path:
    base = base.resolve()
    overrides = dict(overrides or {})
    with _Lock(base):
        conf = load(settings, overrides)
        content_root = Path(conf["PATH"])
        now = build_time(conf)
        out(f"1/4 Kiểm tra nội dung trong {content_root} (giờ xuất bản: {now:%Y-%m-%d %H:%M})…")
        checker = Checker(content_root, conf, now)
        problems, files = checker.run()
        if any(p.level == "error" for p in problems):
            raise PublishError(report(problems) + "\n\n" + summary_line(problems, files)
                               + "\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.")
        if problems:
            out(f"    {summary_line(problems, files)} (chạy invoke check để xem)")
        release = _new_release_path(base, now)
        out(f"2/4 Xây dựng bằng {settings.name} vào {release.relative_to(base)}/ …")
        started = time.monotonic()
        release.parent.mkdir(parents=True, exist_ok=True)
        try:
            # the build uses the clock the check used: an article whose time comes during a
            # long build is not published by one step and refused by the next
            build(settings, release, {**overrides, "PORTAL_NOW": now.isoformat()})
        except ContentErrors as errors:
            raise PublishError(f"{errors}\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.") from errors
        except BuildFailed as failed:
            shutil.rmtree(release, ignore_errors=True)
            raise PublishError(f"Xây dựng thất bại:\n{failed}\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.") \
                from failed
        out(f"    xong trong {time.monotonic() - started:.1f} giây.")
        out("3/4 Kiểm tra bản phát hành (trang chủ, bản nháp, bài hẹn giờ)…")
        entries = [e for path in content_files(content_root) if (e := checker.read(path)[0]) is not None]
        wrong = verify_release(release, entries, now, SitePaths(conf))
        if wrong:
            shutil.rmtree(release, ignore_errors=True)
            raise PublishError("Bản phát hành không đạt:\n  " + "\n  ".join(wrong)
                               + "\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.")
        previous = current_release(base)
        switch_to(base, release)
        removed = prune(base, keep)
        out(f"4/4 Đã chuyển trang đang phục vụ sang bản mới: {base / 'current'} → {release.relative_to(base)}")
        if previous:
            out(f"    Bản trước ({previous.name}) vẫn giữ: invoke rollback để quay lại.")
        if removed:
            out(f"    Đã xóa {len(removed)} bản phát hành cũ (giữ {keep} bản gần nhất).")
        return release


def rollback(base: Path, to: str | None = None, out=print) -> Path:
    base = base.resolve()
    with _Lock(base):
        current = current_release(base)
        releases = all_releases(base)
        if to:
            target = releases_dir(base) / to
            if target not in releases:
                names = ", ".join(p.name for p in releases) or "không có"
                raise PublishError(f'Không có bản phát hành "{to}". Các bản đang giữ: {names}.')
        else:
            older = [r for r in releases if current is None or r.name < current.name]
            if not older:
                raise PublishError("Không có bản phát hành nào cũ hơn bản đang phục vụ để quay lại.")
            target = older[-1]
        switch_to(base, target)
        out(f"Đã quay lại bản phát hành {target.name}" + (f" (trước đó: {current.name})." if current else "."))
        out("Lần xuất bản sau (invoke publish) sẽ tạo bản mới từ nội dung hiện tại.")
        return target


def run_publish(base: Path | None, settings: Path = PUBLISH_SETTINGS, overrides: dict | None = None,
                keep: int = KEEP) -> int:
    setup_logging(False)
    try:
        publish(base or default_base(), settings, overrides, keep)
    except (PublishError, SettingsError) as err:
        print(f"\nKHÔNG XUẤT BẢN ĐƯỢC:\n{err}", file=sys.stderr)
        return 1
    return 0


def run_rollback(base: Path | None, to: str | None = None) -> int:
    try:
        rollback(base or default_base(), to)
    except PublishError as err:
        print(f"Lỗi: {err}", file=sys.stderr)
        return 1
    return 0
