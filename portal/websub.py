"""WebSub (W3C Recommendation, 23 January 2018): the feeds name the operator's hub, and
a publish tells the hub which feeds changed, so subscribers get a warning in seconds
instead of at their next poll.

Discovery is in the feeds themselves: every RSS and Atom feed (and the CAP index)
carries ``<atom:link rel="hub">`` beside its ``rel="self"`` address, the topic; a JSON
Feed carries ``"hubs": [{"type": "WebSub", "url": …}]`` beside its ``feed_url``. With
no ``WEBSUB_HUB`` setting the feeds carry no hub, and nothing is sent.

How a publisher notifies its hub is left to the hub by the Recommendation (section 6).
What hubs accept in practice is a form POST with ``hub.mode=publish`` and the topic:
Google's hub and Superfeedr read it from ``hub.url`` (PubSubHubbub 0.4), newer hubs
(WebSubHub, several hub libraries) from ``hub.topic``. Each request here carries both,
for one topic, so every one of them understands it. A failed notification never
fails a publish: the site is already served, and subscribers still get the change at
their next poll. The operator is told, in Vietnamese, what did not go through.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .paths import FEED_EXTENSIONS, SitePaths
from .urls import absolute

SETTING = "WEBSUB_HUB"
CSAF_FOLDER = ".well-known/csaf"  # a CSAF provider's ROLIE feeds (*feed*.json) live below it
USER_AGENT = "laocai-security-portal (WebSub publisher)"
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}  # worth asking again; any other 4xx is final


# ---- the setting --------------------------------------------------------------------------
def hub_url(settings: dict) -> str | None:
    """The hub the feeds name (WEBSUB_HUB), or None when the operator named none."""
    value = str(settings.get(SETTING) or "").strip()
    return value or None


def hub_problem(value: object) -> tuple[str, str] | None:
    """Why WEBSUB_HUB cannot be used, with the fix (in Vietnamese, in English), or None when it can (or is
    unset)."""
    if value is None or value == "":
        return None
    text = str(value).strip() if isinstance(value, str) else ""
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        return (f"{SETTING} = {value!r}: địa chỉ hub WebSub phải là URL tuyệt đối http:// hoặc https://, "
                f'ví dụ "https://hub.example/"; để trống (None) nếu không dùng hub',
                f"{SETTING} = {value!r}: the WebSub hub must be an absolute http:// or https:// URL, "
                f'e.g. "https://hub.example/"; None for no hub')
    return None


# ---- which feeds a release changed ---------------------------------------------------------
def feed_paths(release: Path, settings: dict | None = None) -> list[str]:
    """Every feed file of a release, relative to its root ('/' separators), sorted: RSS,
    Atom and JSON feeds, the CAP index, and a CSAF provider's ROLIE feeds if there are any."""
    paths = SitePaths(settings or {})
    found: set[str] = set()
    feeds = release / paths.feeds_folder()
    if feeds.is_dir():
        found.update(p.relative_to(release).as_posix() for p in feeds.rglob("*")
                     if p.is_file() and p.name.endswith(tuple(FEED_EXTENSIONS.values())))
    if (release / paths.cap_index()).is_file():
        found.add(paths.cap_index())
    csaf = release / CSAF_FOLDER
    if csaf.is_dir():
        found.update(p.relative_to(release).as_posix() for p in csaf.rglob("*.json")
                     if p.is_file() and "feed" in p.name)
    return sorted(found)


def _same_bytes(a: Path, b: Path) -> bool:
    return a.is_file() and a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def changed_feeds(old_release: Path | None, new_release: Path, site_url: str,
                  settings: dict | None = None) -> list[str]:
    """The absolute URLs (the WebSub topics) of the feeds of new_release that are new or
    whose bytes differ from old_release (None: the first release, every feed).

    site_url is the site's absolute address as the feeds give it (SITEURL of the
    publish settings); settings, when given, place the feeds and the CAP index
    (FEEDS_PATH, CAP_PATH), else their defaults do. A feed that disappeared is no
    topic: there is nothing left for the hub to fetch."""
    base = site_url.rstrip("/")
    changed = []
    for rel in feed_paths(new_release, settings):
        if old_release is None or not _same_bytes(old_release / rel, new_release / rel):
            changed.append(absolute(base, rel))
    return changed


# ---- telling the hub ------------------------------------------------------------------------
class _Failure(Exception):
    def __init__(self, reason: str, retry: bool, reachable: bool = True, reason_en: str = ""):
        super().__init__(reason)
        self.reason, self.retry, self.reachable = reason, retry, reachable
        self.reason_en = reason_en or reason

    def said(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason


def _notify(hub: str, topic: str, timeout: float) -> None:
    """One publish notification; returns on a 2xx answer, raises _Failure otherwise."""
    body = urllib.parse.urlencode([("hub.mode", "publish"), ("hub.topic", topic), ("hub.url", topic)])
    request = urllib.request.Request(hub, data=body.encode("ascii"), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # http(s) only: hub_problem
            answer.read(65536)
    except urllib.error.HTTPError as e:
        e.close()
        raise _Failure(f"hub trả lời HTTP {e.code}", retry=e.code in RETRY_STATUSES,
                       reason_en=f"the hub answered HTTP {e.code}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        if isinstance(e, TimeoutError) or isinstance(reason, TimeoutError):
            text, text_en = f"hub không trả lời trong {timeout:g} giây", f"no answer from the hub in {timeout:g} s"
        else:
            text, text_en = f"không kết nối được tới hub ({reason})", f"the hub could not be reached ({reason})"
        raise _Failure(text, retry=True, reachable=False, reason_en=text_en) from None
    except Exception as e:  # a malformed answer: a ping never stops a publish
        raise _Failure(f"hub trả lời không đúng giao thức HTTP ({type(e).__name__})", retry=True,
                       reason_en=f"the hub's answer was not HTTP ({type(e).__name__})") from None


def _deliver(hub: str, topic: str, attempts: int, timeout: float, backoff: float) -> _Failure | None:
    """One topic, asked again while it is worth it; the last failure, or None when the hub took it."""
    failure = None
    for attempt in range(attempts):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            _notify(hub, topic, timeout)
            return None
        except _Failure as e:
            failure = e
            if not e.retry:
                break
    return failure


ADVICE = (f"Trang vẫn được xuất bản bình thường; người theo dõi nhận bản mới khi phần mềm của họ tự tải lại "
          f"nguồn tin. Kiểm tra {SETTING} và đường mạng tới hub, rồi xuất bản lại nếu cần báo ngay.")
ADVICE_EN = (f"The site is published all the same; subscribers get the new version when their software fetches the "
             f"feeds again. Check {SETTING} and the network path to the hub, then publish again if they must be "
             "told at once.")


def ping(hub: str, topics: list[str], attempts: int = 3, timeout: float = 10.0,
         backoff: float = 1.0, lang: str = "vi") -> list[str]:
    """Tell the WebSub hub that each topic (a feed's absolute URL) changed.

    One POST per topic, asked again after backoff, 2×backoff… seconds while the hub is
    unreachable or answers 408/425/429/5xx, up to `attempts` times in all. Never raises:
    returns what did not go through, one sentence per cause naming the topics and the fix,
    for the operator (in Vietnamese, or English: ``lang``); an empty list when the hub took
    every topic. When the
    hub cannot be reached at all, the topics left are not tried one by one (each would
    wait `timeout` again): they are reported with it."""
    topics = list(dict.fromkeys(topics))  # each topic once, in order
    if not topics:
        return []
    problem = hub_problem(hub) if hub else ("chưa có địa chỉ hub", "no hub address")
    bad = problem and problem[1 if lang == "en" else 0]
    if bad:
        return [f"WebSub: {len(topics)} changed feeds were not told to the hub: {bad}." if lang == "en" else
                f"WebSub: chưa báo cho hub {len(topics)} nguồn tin đã đổi: {bad}."]
    failed: dict[str, list[str]] = {}  # what went wrong -> the topics it stopped
    for done, topic in enumerate(topics):
        failure = _deliver(hub, topic, max(1, int(attempts)), timeout, backoff)
        if failure is None:
            continue
        if lang == "en":
            tries = f"after {max(1, int(attempts))} attempts" if failure.retry else "not tried again"
        else:
            tries = f"sau {max(1, int(attempts))} lần thử" if failure.retry else "không thử lại"
        cause = f"{failure.said(lang)} ({tries})"
        if not failure.reachable:
            failed.setdefault(cause, []).extend(topics[done:])
            break
        failed.setdefault(cause, []).append(topic)
    if lang == "en":
        return [f"WebSub: the hub {hub} was not told of {len(stopped)} feeds: {cause}: {', '.join(stopped)}. "
                f"{ADVICE_EN}" for cause, stopped in failed.items()]
    return [f"WebSub: hub {hub} chưa nhận thông báo cho {len(stopped)} nguồn tin: {cause}: "
            f"{', '.join(stopped)}. {ADVICE}" for cause, stopped in failed.items()]
