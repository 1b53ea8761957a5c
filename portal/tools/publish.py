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
    """Publishing stopped; the site being served is unchanged (message in the language of the messages)."""

    lang = "vi"  # that language, once the settings are read


def _t(lang: str, vi: str, en: str) -> str:
    """A line for the person publishing, in the language of the build's messages (``messages_lang``: Vietnamese,
    or English with ``--lang en``)."""
    return en if lang == "en" else vi


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
    def __init__(self, base: Path, lang: str = "vi"):
        base.mkdir(parents=True, exist_ok=True)
        self.path = base / ".publish.lock"
        self.fh = None
        self.lang = lang

    def __enter__(self):
        self.fh = self.path.open("w")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self.fh.close()
            raise PublishError(_t(self.lang, "Một lần xuất bản khác đang chạy. Cách sửa: đợi lần đó xong rồi chạy lại.",
                                  "Another publish is running. Fix: wait until it ends, then run it again.")) from exc
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


def links_in_release(release: Path, lang: str = "vi") -> list[str]:
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
            if lang == "en":
                where = (f"out of the release, to {_real(path)}: the web server would serve that file"
                         if _outside(path, release) else
                         f"to {target}: a static site needs no link, and a release may hold none")
                problems.append(f"{rel}: is a symbolic link {where}. Fix: remove the link from content/ (copy the "
                                "file itself there to publish it), then publish again.")
                continue
            where = (f"trỏ ra ngoài bản phát hành, tới {_real(path)}: máy chủ web sẽ phục vụ tệp đó"
                     if _outside(path, release) else
                     f"tới {target}: trang tĩnh không cần liên kết nào, bản phát hành không được chứa liên kết")
            problems.append(f"{rel}: là liên kết (symlink) {where}. Cách sửa: xóa liên kết đó khỏi content/ "
                            "(cần đăng tệp thì chép chính tệp vào) rồi xuất bản lại.")
    return problems


def verify_release(release: Path, entries: list[model.Entry], now: dt.datetime, paths: SitePaths,
                   lang: str = "vi") -> list[str]:
    """What must be true of a release before readers see it."""
    problems = links_in_release(release, lang)
    for needed in ("index.html", "404.html"):
        if not (release / needed).is_file():
            problems.append(_t(lang, f"Thiếu tệp {needed} trong bản phát hành.", f"The release has no {needed}."))
    if (release / "drafts").exists():
        problems.append(_t(lang, "Bản phát hành có thư mục drafts/ (bản nháp bị lộ).",
                           "The release has a drafts/ folder (drafts would be public)."))
    for e in entries:
        if e.kind == model.PAGE or not e.get("slug"):
            continue
        rel = paths.article(e.kind, e.get("slug"), e.get("date"))
        page = release / rel
        hidden = e.get("status") == "draft" or (e.get("date") and e.get("date") > now)
        if hidden and page.exists():
            problems.append(_t(lang, f"{e.path}: bài chưa đến ngày đăng hoặc là bản nháp nhưng đã có trang {rel}.",
                               f"{e.path}: a draft, or an article not yet due, has a page: {rel}."))
        elif not hidden and e.ok and not page.exists():
            problems.append(_t(lang, f"{e.path}: thiếu trang {rel} trong bản phát hành.",
                               f"{e.path}: its page {rel} is missing from the release."))
    return problems


def _record_issued(conf: dict, release: Path, entries: list[model.Entry], out, lang: str = "vi") -> None:
    """Messages now live are issued: their bytes go into the record, never to change (portal.cap.record)."""
    if not (SitePaths(conf).cap_enabled() or SitePaths(conf).csaf_enabled()):
        return
    from ..cap.record import Record, issued_path

    try:
        record = Record(conf)
        added = record.capture(release, entries) + record.capture_csaf(release)
    except OSError as err:  # the site is live; say what to do, never undo the publish
        out(_t(lang, f"    CẢNH BÁO: không ghi được bản lưu thông điệp đã phát hành vào {issued_path(conf)} ({err}). "
                     "Cách sửa: kiểm tra quyền ghi thư mục đó rồi chạy lại invoke publish.",
               f"    WARNING: the record of issued messages could not be written to {issued_path(conf)} ({err}). "
               "Fix: check that the folder can be written, then run invoke publish again."))
        return
    if added:
        out(_t(lang, f"    Đã lưu {len(added)} thông điệp CAP / CSAF vừa phát hành vào {issued_path(conf)}/ "
                     f"({', '.join(added)}): hãy commit thư mục này cùng nội dung.",
               f"    Kept {len(added)} CAP / CSAF messages just issued in {issued_path(conf)}/ ({', '.join(added)}): "
               "commit that folder with the content."))


def _tell_hub(conf: dict, before: Path | None, after: Path, out, lang: str = "vi") -> None:
    """WebSub: tell the hub (WEBSUB_HUB) which feeds changed; a failure is said, never undoes the publish."""
    from ..urls import site_base
    from ..websub import changed_feeds, hub_url, ping

    hub = hub_url(conf)
    if not hub:
        return
    topics = changed_feeds(before, after, site_base(conf), conf)
    if not topics:
        out(_t(lang, "    WebSub: không nguồn tin nào thay đổi, không cần báo hub.",
               "    WebSub: no feed changed, the hub is not told."))
        return
    problems = ping(hub, topics, lang=lang)
    for problem in problems:
        out(_t(lang, f"    CẢNH BÁO: {problem}", f"    WARNING: {problem}"))
    if not problems:
        out(_t(lang, f"    WebSub: đã báo hub {hub} {len(topics)} nguồn tin vừa thay đổi.",
               f"    WebSub: told the hub {hub} of {len(topics)} changed feeds."))


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
    lang = str(overrides.get("PORTAL_MESSAGES_LANG") or "vi")  # (the settings not read yet)
    said = [lang]  # the language of its lines, once the settings are read
    try:
        return _publish(base, settings, overrides, keep, out, said)
    except PublishError as stopped:
        stopped.lang = said[0]
        raise


def _publish(base: Path, settings: Path, overrides: dict, keep: int, out, said: list[str]) -> Path:
    conf = load(settings, overrides)  # (settings that do not load leave no release folder nor lock behind)
    lang = said[0] = messages_lang(conf)  # every line and problem in the language asked (the site in its own)
    with _Lock(base, lang):
        unchanged = _t(lang, "\nChưa xuất bản gì: trang đang phục vụ giữ nguyên.",
                       "\nNothing was published: the site served is unchanged.")
        content_root = Path(conf["PATH"])
        now = build_time(conf)
        out(_t(lang, f"1/4 Kiểm tra nội dung trong {content_root} (giờ xuất bản: {now:%Y-%m-%d %H:%M})…",
               f"1/4 Checking the content in {content_root} (publishing time: {now:%Y-%m-%d %H:%M})…"))
        checker = Checker(content_root, conf, now, lang)
        problems, files = checker.run()
        if any(p.level == "error" for p in problems):
            raise PublishError(report(problems, lang) + "\n\n" + summary_line(problems, files, lang) + unchanged)
        if problems:
            out(_t(lang, f"    {summary_line(problems, files, lang)} (chạy invoke check để xem)",
                   f"    {summary_line(problems, files, lang)} (run invoke check to see them)"))
        release = new_release_path(base)
        out(_t(lang, f"2/4 Xây dựng bằng {settings.name} vào {release.relative_to(base)}/ …",
               f"2/4 Building with {settings.name} into {release.relative_to(base)}/ …"))
        started = time.monotonic()
        release.parent.mkdir(parents=True, exist_ok=True)
        try:
            # the build uses the clock the check used: an article whose time comes during a
            # long build is not published by one step and refused by the next
            # the release served now is the previous output: its unchanged pages and files are linked,
            # not made again (portal.renders), as `portal build` does in place
            build(settings, release, {**overrides, "PORTAL_NOW": now.isoformat()}, previous=current_release(base))
        except ContentErrors as errors:
            raise PublishError(f"{errors}{unchanged}") from errors
        except BuildFailed as failed:
            shutil.rmtree(release, ignore_errors=True)
            raise PublishError(_t(lang, "Xây dựng thất bại:\n", "The build failed:\n") + f"{failed}{unchanged}") \
                from failed
        out(_t(lang, f"    xong trong {time.monotonic() - started:.1f} giây.",
               f"    done in {time.monotonic() - started:.1f} s."))
        out(_t(lang, "3/4 Kiểm tra bản phát hành (trang chủ, bản nháp, bài hẹn giờ, liên kết symlink)…",
               "3/4 Checking the release (home page, drafts, scheduled articles, symbolic links)…"))
        entries = [e for path in content_files(content_root) if (e := checker.read(path)[0]) is not None]
        wrong = verify_release(release, entries, now, SitePaths(conf), lang)
        if wrong:
            shutil.rmtree(release, ignore_errors=True)
            raise PublishError(_t(lang, "Bản phát hành không đạt:\n  ", "The release failed its checks:\n  ")
                               + "\n  ".join(wrong) + unchanged)
        previous = current_release(base)
        if previous is not None:
            keep_unchanged(previous, release, link=True)  # same bytes: same file, same Last-Modified and ETag
        switch_to(base, release)
        _record_issued(conf, release, entries, out, lang)
        _tell_hub(conf, previous, release, out, lang)
        removed = prune(base, keep, also_keep=(previous,))
        out(_t(lang, f"4/4 Đã chuyển trang đang phục vụ sang bản mới: {base / 'current'} → {release.relative_to(base)}",
               f"4/4 The site served is now the new release: {base / 'current'} → {release.relative_to(base)}"))
        before = release_before(all_releases(base), release)
        if before:
            out(_t(lang, f"    Bản trước ({before.name}) vẫn giữ: invoke rollback để quay lại.",
                   f"    The release before ({before.name}) is kept: invoke rollback serves it again."))
        if previous and previous != before and previous.is_dir():
            out(_t(lang, f"    Bản đang phục vụ đến lúc này ({previous.name}) cũng giữ: "
                         f"invoke rollback --to {previous.name}.",
                   f"    The release served until now ({previous.name}) is kept too: "
                   f"invoke rollback --to {previous.name}."))
        if removed:
            out(_t(lang, f"    Đã xóa {len(removed)} bản phát hành cũ (giữ {keep} bản gần nhất, bản đang phục vụ "
                         "và bản trước nó).",
                   f"    Removed {len(removed)} old releases (kept the {keep} newest, the one served and the one "
                   "before it)."))
        return release


def rollback(base: Path, to: str | None = None, out=print, lang: str = "vi") -> Path:
    base = base.resolve()
    with _Lock(base, lang):
        current = current_release(base)
        releases = all_releases(base)
        if to:
            target = releases_dir(base) / to
            if target not in releases:
                names = ", ".join(p.name for p in releases) or _t(lang, "không có", "none")
                raise PublishError(_t(lang, f'Không có bản phát hành "{to}". Các bản đang giữ: {names}.',
                                      f'There is no release "{to}". The releases kept: {names}.'))
        elif current is None:
            if not releases:
                raise PublishError(_t(lang, "Chưa có bản phát hành nào để quay lại. Cách sửa: chạy invoke publish.",
                                      "There is no release to go back to. Fix: run invoke publish."))
            target = releases[-1]
        else:
            target = release_before(releases, current)
            if target is None:
                names = ", ".join(p.name for p in releases) or _t(lang, "không có", "none")
                raise PublishError(_t(
                    lang, f"Không có bản phát hành nào cũ hơn bản đang phục vụ ({current.name}) để quay lại. Các bản "
                          f"đang giữ: {names}. Cách sửa: chọn một bản bằng invoke rollback --to TÊN.",
                    f"No release older than the one served ({current.name}) is kept. The releases kept: {names}. "
                    "Fix: choose one with invoke rollback --to NAME."))
        switch_to(base, target)
        try:
            _tell_hub(load(PUBLISH_SETTINGS), current, target, out, lang)  # the feeds served changed back
        except SettingsError:
            pass  # rollback never fails for want of settings
        out(_t(lang, f"Đã quay lại bản phát hành {target.name}" + (f" (trước đó: {current.name})." if current else "."),
               f"Back to the release {target.name}" + (f" (before: {current.name})." if current else ".")))
        out(_t(lang, "Lần xuất bản sau (invoke publish) sẽ tạo bản mới từ nội dung hiện tại.",
               "The next publish (invoke publish) makes a new release from the content as it is."))
        return target


def run_publish(base: Path | None, settings: Path = PUBLISH_SETTINGS, overrides: dict | None = None,
                keep: int = KEEP) -> int:
    setup_logging(False)
    try:
        publish(base or default_base(), settings, overrides, keep)
    except (PublishError, SettingsError) as err:
        lang = getattr(err, "lang", None) or str((overrides or {}).get("PORTAL_MESSAGES_LANG") or "vi")
        said = err.said(lang) if isinstance(err, SettingsError) else str(err)
        print(_t(lang, f"\nKHÔNG XUẤT BẢN ĐƯỢC:\n{said}", f"\nNOT PUBLISHED:\n{said}"), file=sys.stderr)
        return 1
    return 0


def run_rollback(base: Path | None, to: str | None = None, lang: str | None = None) -> int:
    """``lang``: the language asked (--lang); None: the publish settings' (``messages_lang``), as publish speaks."""
    if lang is None:
        try:
            lang = messages_lang(load(PUBLISH_SETTINGS))
        except SettingsError:
            lang = "vi"  # rollback never fails for want of settings
    try:
        rollback(base or default_base(), to, lang=lang)
    except PublishError as err:
        print(_t(lang, f"Lỗi: {err}", f"Error: {err}"), file=sys.stderr)
        return 1
    return 0
