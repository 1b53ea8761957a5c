"""`invoke publish` and `invoke rollback`: safe, atomic releases.

    python -m portal.publish [--base var/www] [--settings publishconf.py]
    python -m portal.publish --rollback

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

import argparse
import datetime as dt
import fcntl
import os
import shutil
import sys
import time
from pathlib import Path

from . import model
from .build import BuildFailed, _setup_logging, build, read_settings
from .checker import Checker, summary_line
from .messages import ContentErrors, report
from .state import build_time

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BASE = Path(os.environ.get("PORTAL_RELEASES", ROOT / "var" / "www"))
KEEP = 5


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


def verify_release(release: Path, entries: list[model.Entry], now: dt.datetime) -> list[str]:
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
        page = release / e.kind / f"{e.get('slug')}.html"
        hidden = e.get("status") == "draft" or (e.get("date") and e.get("date") > now)
        if hidden and page.exists():
            problems.append(f"{e.path}: bài chưa đến ngày đăng hoặc là bản nháp nhưng đã có trang {page.name}.")
        elif not hidden and e.ok and not page.exists():
            problems.append(f"{e.path}: thiếu trang {e.kind}/{page.name} trong bản phát hành.")
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


def publish(base: Path = DEFAULT_BASE, settings: Path = ROOT / "publishconf.py", content: Path | None = None,
            keep: int = KEEP, out=print) -> Path:
    base = base.resolve()
    overrides = {"PATH": str(content.resolve())} if content else {}
    with _Lock(base):
        conf = read_settings(settings, overrides)
        content_root = Path(conf["PATH"])
        now = build_time(conf)
        out(f"1/4 Kiểm tra nội dung trong {content_root} (giờ xuất bản: {now:%Y-%m-%d %H:%M})…")
        checker = Checker(content_root, now)
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
        entries = [e for path in _files(content_root) if (e := checker.read(path)[0]) is not None]
        wrong = verify_release(release, entries, now)
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


def _files(content: Path) -> list[Path]:
    from .checker import content_files
    return content_files(content)


def rollback(base: Path = DEFAULT_BASE, to: str | None = None, out=print) -> Path:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="invoke publish", description="Xuất bản an toàn (đổi bản nguyên khối).")
    parser.add_argument("--base", type=Path, default=DEFAULT_BASE,
                        help="thư mục chứa releases/ và liên kết current (nginx: root <base>/current;)")
    parser.add_argument("--settings", type=Path, default=ROOT / "publishconf.py")
    parser.add_argument("--content", type=Path, default=None, help="thư mục content khác (mặc định: theo settings)")
    parser.add_argument("--keep", type=int, default=KEEP, help="số bản phát hành giữ lại")
    parser.add_argument("--rollback", action="store_true", help="quay lại bản phát hành trước")
    parser.add_argument("--to", default=None, help="với --rollback: tên bản phát hành cụ thể")
    args = parser.parse_args(argv)
    _setup_logging(False)
    try:
        if args.rollback:
            rollback(args.base, args.to)
        else:
            publish(args.base, args.settings, args.content, args.keep)
    except PublishError as err:
        print(f"\nKHÔNG XUẤT BẢN ĐƯỢC:\n{err}" if not args.rollback else f"Lỗi: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
