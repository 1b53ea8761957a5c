"""`portal publish` and `portal rollback`: safe, atomic releases.

    portal publish [--base var/www] [--settings publishconf.py]
    portal rollback [--to RELEASE]

Layout (nginx serves `root <base>/current;`):

    <base>/releases/0006-20261126T031500Z/   one complete site per publish, never edited
    <base>/releases/0007-20261126T031542Z/
    <base>/current -> releases/0007-20261126T031542Z

A release is named by a sequence number (one more than the highest kept) and
the UTC time it was made. The sequence, not the clock, orders releases: two
publishes within one second (or a clock set back) still get distinct names
in the order they were made. Folders in the older format (20261126-101500,
from before the sequence) sort before every numbered one, by their time.

A publish (1) checks all content (`invoke check`; any error stops it), (2)
builds with publishconf.py into a new release folder, (3) verifies the
release (home page present, no draft or embargoed article leaked, no
symbolic link), and only then (4) points `current` at it with one rename(2)
of a symlink, which is atomic: every request sees either the old site or
the new one, never a mix of half-written files. Old releases are pruned to
the newest KEEP, but never the one served nor the one made just before it
(what `rollback` serves). Publish and rollback hold one lock per base
folder, so a release name is chosen and used by one process at a time.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import shutil
import sys
import time
from pathlib import Path

from .. import model
from ..checks import Checker, content_files
from ..clock import build_time
from ..model import ContentErrors, report
from ..paths import SitePaths
from ..settings import PUBLISH_SETTINGS, SettingsError, load, messages_lang
from .build import BuildFailed, build, keep_unchanged, setup_logging
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


_NUMBERED = re.compile(r"(\d{4,})-\d{8}T\d{6}Z")  # 0007-20261126T031542Z: sequence, UTC time made
_DATED = re.compile(r"(\d{8})-(\d{6})(?:-(\d+))?")  # 20261126-101500[-2]: the format before the sequence


def release_order(name: str) -> tuple[int, int, int] | None:
    """Where a release folder sorts by creation, or None for a folder publish did not make.

    Dated (old-format) names come before every numbered one, in the order of their time
    and of the -2, -3… suffix given to a second publish in the same second."""
    if m := _NUMBERED.fullmatch(name):
        return (1, int(m.group(1)), 0)
    if m := _DATED.fullmatch(name):
        return (0, int(m.group(1) + m.group(2)), int(m.group(3) or 1))
    return None


def all_releases(base: Path) -> list[Path]:
    """The release folders, oldest first by creation (not by the text of their names).

    A folder whose name publish never gives (copied there by hand) is neither served
    by rollback nor pruned."""
    folder = releases_dir(base)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and release_order(p.name)]
    return sorted(found, key=lambda p: release_order(p.name))


def release_before(releases: list[Path], release: Path | None) -> Path | None:
    """The release made just before `release` (what rollback serves), if it is kept."""
    if release not in releases:
        return None
    i = releases.index(release)
    return releases[i - 1] if i > 0 else None


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


def new_release_path(base: Path, made: dt.datetime | None = None) -> Path:
    """releases/<sequence>-<UTC time>: a name no release, kept or being built, has.

    Call it holding the publish lock: the name is read from the folder, so two
    processes choosing at once would choose the same one."""
    made = (made or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    folder = releases_dir(base)
    taken = [o[1] for p in all_releases(base) if (o := release_order(p.name)) and o[0] == 1]
    sequence = max(taken, default=0) + 1
    while True:
        name = f"{sequence:04d}-{made:%Y%m%dT%H%M%SZ}"
        if not any(folder.glob(f"{name}*")) and not any(folder.glob(f".{name}*")):
            return folder / name
        sequence += 1


def _real(path: Path) -> Path:
    """Where a path leads (os.path.realpath: a loop of links is no traceback)."""
    return Path(os.path.realpath(path))


def _outside(path: Path, root: Path) -> bool:
    return not _real(path).is_relative_to(_real(root))


def links_in_release(release: Path) -> list[str]:
    """Every symbolic link in a release, as a problem naming it and the fix.

    nginx follows links, so a link in a release can serve any file of the server. A
    static site needs none, so any link is refused, not only one that leads outside
    (a link to a folder is reported, never followed)."""
    problems = []
    for folder, dirs, files in os.walk(release, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(folder, name)
            if not path.is_symlink():
                continue
            rel = path.relative_to(release).as_posix()
            target = os.readlink(path)
            where = (f"trỏ ra ngoài bản phát hành, tới {_real(path)}: máy chủ web sẽ phục vụ tệp đó"
                     if _outside(path, release) else
                     f"tới {target}: trang tĩnh không cần liên kết nào, bản phát hành không được chứa liên kết")
            problems.append(f"{rel}: là liên kết (symlink) {where}. Cách sửa: xóa liên kết đó khỏi content/ "
                            "(cần đăng tệp thì chép chính tệp vào) rồi xuất bản lại.")
    return problems


def verify_release(release: Path, entries: list[model.Entry], now: dt.datetime, paths: SitePaths) -> list[str]:
    """What must be true of a release before readers see it."""
    problems = links_in_release(release)
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


def _record_issued(conf: dict, release: Path, entries: list[model.Entry], out) -> None:
    """Messages now live are issued: their bytes go into the record, never to change (portal.cap.record)."""
    if not (SitePaths(conf).cap_enabled() or SitePaths(conf).csaf_enabled()):
        return
    from ..cap.record import Record, issued_path

    try:
        record = Record(conf)
        added = record.capture(release, entries) + record.capture_csaf(release)
    except OSError as err:  # the site is live; say what to do, never undo the publish
        out(f"    CẢNH BÁO: không ghi được bản lưu thông điệp đã phát hành vào {issued_path(conf)} ({err}). "
            "Cách sửa: kiểm tra quyền ghi thư mục đó rồi chạy lại invoke publish.")
        return
    if added:
        out(f"    Đã lưu {len(added)} thông điệp CAP / CSAF vừa phát hành vào {issued_path(conf)}/ "
            f"({', '.join(added)}): hãy commit thư mục này cùng nội dung.")


def _tell_hub(conf: dict, before: Path | None, after: Path, out) -> None:
    """WebSub: tell the hub (WEBSUB_HUB) which feeds changed; a failure is said, never undoes the publish."""
    from ..urls import site_base
    from ..websub import changed_feeds, hub_url, ping

    hub = hub_url(conf)
    if not hub:
        return
    topics = changed_feeds(before, after, site_base(conf), conf)
    if not topics:
        out("    WebSub: không nguồn tin nào thay đổi, không cần báo hub.")
        return
    problems = ping(hub, topics)
    for problem in problems:
        out(f"    CẢNH BÁO: {problem}")
    if not problems:
        out(f"    WebSub: đã báo hub {hub} {len(topics)} nguồn tin vừa thay đổi.")


def prune(base: Path, keep: int = KEEP, also_keep: tuple[Path | None, ...] = ()) -> list[Path]:
    """Delete all but the newest `keep` releases (keep <= 0: delete none).

    Never deleted, whatever their age: the release served, the one made just before
    it (what rollback serves, even when `current` was rolled back to an old one), and
    `also_keep` (publish passes the release served until now)."""
    current = current_release(base)
    releases = all_releases(base)
    spared = {current, release_before(releases, current), *also_keep}
    removed = []
    for old in releases[:-keep] if keep > 0 else []:
        if old in spared:
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
        lang = messages_lang(conf)  # the content's problems in the language asked (the steps' lines: Vietnamese)
        checker = Checker(content_root, conf, now, lang)
        problems, files = checker.run()
        if any(p.level == "error" for p in problems):
            raise PublishError(report(problems, lang) + "\n\n" + summary_line(problems, files, lang)
                               + "\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.")
        if problems:
            out(f"    {summary_line(problems, files, lang)} (chạy invoke check để xem)")
        release = new_release_path(base)
        out(f"2/4 Xây dựng bằng {settings.name} vào {release.relative_to(base)}/ …")
        started = time.monotonic()
        release.parent.mkdir(parents=True, exist_ok=True)
        try:
            # the build uses the clock the check used: an article whose time comes during a
            # long build is not published by one step and refused by the next
            # the release served now is the previous output: its unchanged pages and files are linked,
            # not made again (portal.renders), as `portal build` does in place
            build(settings, release, {**overrides, "PORTAL_NOW": now.isoformat()}, previous=current_release(base))
        except ContentErrors as errors:
            raise PublishError(f"{errors}\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.") from errors
        except BuildFailed as failed:
            shutil.rmtree(release, ignore_errors=True)
            raise PublishError(f"Xây dựng thất bại:\n{failed}\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.") \
                from failed
        out(f"    xong trong {time.monotonic() - started:.1f} giây.")
        out("3/4 Kiểm tra bản phát hành (trang chủ, bản nháp, bài hẹn giờ, liên kết symlink)…")
        entries = [e for path in content_files(content_root) if (e := checker.read(path)[0]) is not None]
        wrong = verify_release(release, entries, now, SitePaths(conf))
        if wrong:
            shutil.rmtree(release, ignore_errors=True)
            raise PublishError("Bản phát hành không đạt:\n  " + "\n  ".join(wrong)
                               + "\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.")
        previous = current_release(base)
        if previous is not None:
            keep_unchanged(previous, release, link=True)  # same bytes: same file, same Last-Modified and ETag
        switch_to(base, release)
        _record_issued(conf, release, entries, out)
        _tell_hub(conf, previous, release, out)
        removed = prune(base, keep, also_keep=(previous,))
        out(f"4/4 Đã chuyển trang đang phục vụ sang bản mới: {base / 'current'} → {release.relative_to(base)}")
        before = release_before(all_releases(base), release)
        if before:
            out(f"    Bản trước ({before.name}) vẫn giữ: invoke rollback để quay lại.")
        if previous and previous != before and previous.is_dir():
            out(f"    Bản đang phục vụ đến lúc này ({previous.name}) cũng giữ: invoke rollback --to {previous.name}.")
        if removed:
            out(f"    Đã xóa {len(removed)} bản phát hành cũ (giữ {keep} bản gần nhất, bản đang phục vụ "
                "và bản trước nó).")
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
        elif current is None:
            if not releases:
                raise PublishError("Chưa có bản phát hành nào để quay lại. Cách sửa: chạy invoke publish.")
            target = releases[-1]
        else:
            target = release_before(releases, current)
            if target is None:
                names = ", ".join(p.name for p in releases) or "không có"
                raise PublishError(f"Không có bản phát hành nào cũ hơn bản đang phục vụ ({current.name}) để quay "
                                   f"lại. Các bản đang giữ: {names}. Cách sửa: chọn một bản bằng "
                                   "invoke rollback --to TÊN.")
        switch_to(base, target)
        try:
            _tell_hub(load(PUBLISH_SETTINGS), current, target, out)  # the feeds served changed back
        except SettingsError:
            pass  # rollback never fails for want of settings
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
