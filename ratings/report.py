"""What staff learn from the ratings: ``python -m ratings report [--out DIR]`` (invoke ratings-report).

Writes two files for staff, never for the public site:

- ``ratings-report.csv``: one row per article with its count, average and
  stars (week "tất cả"), then one row per ISO week in which it was rated;
  lowest-rated first. UTF-8 with a BOM, so a spreadsheet shows the diacritics.
- ``ratings-report.html``: the same as a page (``noindex``, marked internal):
  the lowest-rated and the most-rated articles, the articles whose average
  moved after they were edited, then every article week by week.

Only aggregates are read (``totals`` and ``week_totals``): nothing that could
identify a voter is in either file. The titles, dates and last changes come
from the site's manifest (written by the build). The files are refused inside
the site's output folder: they are not to be published.

"Changed after an edit": the weeks before the week of the article's last
change (Modified, else its last revision) against the weeks after it; the
week of the change itself is left out, since its votes may be from either
side. An article is listed when both sides have at least ``--min-votes`` votes
and the averages differ by at least ``--threshold``.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from .config import ConfigError, Settings
from .manifest import Manifest
from .store import BEFORE_WEEKS, iso_week, rounded_average

CSV_NAME, HTML_NAME = "ratings-report.csv", "ratings-report.html"
ALL_WEEKS = "tất cả"
UNKNOWN_WEEK = "trước khi ghi theo tuần"
KIND_NAMES = {"canh-bao": "Cảnh báo", "tin-tuc": "Tin tức", "dien-tap": "Diễn tập", "hoi-nghi": "Hội nghị",
              "pages": "Trang"}
TOP = 10  # articles in each ranking of the page
CSV_HEADER = ["slug", "tiêu đề", "loại", "địa chỉ", "ngày đăng", "ngày sửa", "tuần", "số lượt", "điểm trung bình",
              "1 sao", "2 sao", "3 sao", "4 sao", "5 sao", "TB trước khi sửa", "TB sau khi sửa"]


@dataclass
class ArticleRatings:
    slug: str
    title: str = ""
    kind: str = ""
    url: str = ""  # relative to the site
    link: str = ""  # absolute (the manifest's siteurl), or "" when the build had none
    date: dt.datetime | None = None
    modified: dt.datetime | None = None
    in_site: bool = True  # False: rated once, no longer in the manifest
    total: list[int] = field(default_factory=lambda: [0] * 5)
    weeks: dict[str, list[int]] = field(default_factory=dict)
    before: list[int] = field(default_factory=lambda: [0] * 5)  # weeks before the week of the last change
    after: list[int] = field(default_factory=lambda: [0] * 5)  # weeks after it

    @property
    def count(self) -> int:
        return sum(self.total)

    @property
    def average(self) -> float:
        return rounded_average(self.total)

    def shift(self) -> float | None:
        """The average after the last change minus the average before it (exact), or None."""
        if not (sum(self.before) and sum(self.after)):
            return None
        return _mean(self.after) - _mean(self.before)


@dataclass
class Report:
    made: dt.datetime
    articles: list[ArticleRatings]  # lowest-rated first, unrated last
    changed: list[ArticleRatings]  # average moved after an edit, largest move first
    min_votes: int
    threshold: float

    @property
    def votes(self) -> int:
        return sum(a.count for a in self.articles)


def _mean(h: list[int]) -> float:
    return sum((i + 1) * n for i, n in enumerate(h)) / sum(h)


def _when(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def gather(store, manifest: Manifest, now: dt.datetime, min_votes: int = 3, threshold: float = 0.5) -> Report:
    """The report from the store's aggregates and the manifest's details."""
    site = manifest.current()
    articles: dict[str, ArticleRatings] = {}
    for slug, url in site.urls.items():
        d = site.details.get(slug, {})
        articles[slug] = ArticleRatings(slug, str(d.get("title") or slug), str(d.get("kind") or ""), url,
                                        f"{site.siteurl}/{url}" if site.siteurl else "",
                                        _when(d.get("date")), _when(d.get("modified")))
    for slug, agg in store.all().items():
        a = articles.setdefault(slug, ArticleRatings(slug, title=slug, in_site=False))
        a.total = [agg["histogram"][str(i)] for i in range(1, 6)]
    for slug, weeks in store.weeks().items():
        a = articles.setdefault(slug, ArticleRatings(slug, title=slug, in_site=False))
        a.weeks = weeks
        if a.modified:
            changed = iso_week(a.modified.date().isoformat())
            for week, h in weeks.items():
                if week != BEFORE_WEEKS and week != changed:
                    side = a.before if week < changed else a.after
                    for i in range(5):
                        side[i] += h[i]
    ranked = sorted(articles.values(), key=lambda a: (a.count == 0, a.average, -a.count, a.slug))
    changed = [a for a in ranked if sum(a.before) >= min_votes and sum(a.after) >= min_votes
               and abs(a.shift() or 0) >= threshold]
    changed.sort(key=lambda a: (-abs(a.shift() or 0), a.slug))
    return Report(now, ranked, changed, min_votes, threshold)


# ---- the CSV -----------------------------------------------------------------------------------
def _day(when: dt.datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def _avg(h: list[int]) -> str:
    return f"{rounded_average(h):.1f}" if sum(h) else ""


def to_csv(report: Report) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    for a in report.articles:
        info = [a.slug, a.title, KIND_NAMES.get(a.kind, a.kind), a.url, _day(a.date), _day(a.modified)]
        w.writerow([*info, ALL_WEEKS, a.count, _avg(a.total), *a.total, _avg(a.before), _avg(a.after)])
        for week in sorted(a.weeks):
            h = a.weeks[week]
            w.writerow([*info, week or UNKNOWN_WEEK, sum(h), _avg(h), *h, "", ""])
    return out.getvalue()


# ---- the page ----------------------------------------------------------------------------------
STYLE = """body{font:16px/1.5 system-ui,sans-serif;margin:1.5rem auto;max-width:70rem;padding:0 1rem;color:#1a1a1a}
.note{border:2px solid #b45309;background:#fff7ed;padding:.75rem 1rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}th,td{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600}"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _title(a: ArticleRatings) -> str:
    name = _e(a.title) + ("" if a.in_site else " <em>(không còn trên trang)</em>")
    return f'<a href="{_e(a.link)}">{name}</a>' if a.link else name


def _ranking(caption: str, articles: list[ArticleRatings]) -> str:
    if not articles:
        return f"<p>{_e(caption)}: chưa có bài nào được đánh giá.</p>"
    rows = "".join(f"<tr><td>{_title(a)}</td><td>{_e(KIND_NAMES.get(a.kind, a.kind))}</td>"
                   f'<td class="n">{a.count}</td><td class="n">{a.average:.1f}</td>'
                   + "".join(f'<td class="n">{n}</td>' for n in a.total) + "</tr>" for a in articles)
    return (f"<table><caption>{_e(caption)}</caption><thead><tr><th>Bài viết</th><th>Loại</th><th>Số lượt</th>"
            "<th>Điểm TB</th><th>1★</th><th>2★</th><th>3★</th><th>4★</th><th>5★</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _changed(report: Report) -> str:
    intro = (f"<p>So sánh điểm trung bình các tuần trước và sau tuần bài được sửa (Modified hoặc lần cập nhật "
             f"cuối); bỏ qua chính tuần sửa. Chỉ liệt kê bài có ít nhất {report.min_votes} lượt mỗi bên và "
             f"điểm thay đổi từ {report.threshold:g} trở lên.</p>")
    if not report.changed:
        return intro + "<p>Không có bài nào.</p>"
    rows = "".join(
        f"<tr><td>{_title(a)}</td><td>{_e(_day(a.modified))}</td>"
        f'<td class="n">{_mean(a.before):.1f} ({sum(a.before)} lượt)</td>'
        f'<td class="n">{_mean(a.after):.1f} ({sum(a.after)} lượt)</td>'
        f'<td class="n">{a.shift():+.1f}</td></tr>' for a in report.changed)
    return (intro + "<table><caption>Điểm thay đổi sau khi sửa bài</caption><thead><tr><th>Bài viết</th>"
            "<th>Sửa lúc</th><th>TB trước</th><th>TB sau</th><th>Thay đổi</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _by_week(a: ArticleRatings) -> str:
    rows = "".join(f"<tr><td>{_e(w or UNKNOWN_WEEK)}</td><td class=\"n\">{sum(h)}</td><td class=\"n\">{_avg(h)}</td>"
                   + "".join(f'<td class="n">{n}</td>' for n in h) + "</tr>" for w, h in sorted(a.weeks.items()))
    return (f"<table><caption>{_title(a)}: {a.count} lượt, điểm TB {a.average:.1f}</caption><thead><tr>"
            "<th>Tuần</th><th>Số lượt</th><th>Điểm TB</th><th>1★</th><th>2★</th><th>3★</th><th>4★</th><th>5★</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def to_html(report: Report) -> str:
    rated = [a for a in report.articles if a.count]
    most = sorted(rated, key=lambda a: (-a.count, a.slug))
    unrated = [a for a in report.articles if not a.count]
    return "\n".join([
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">',
        '<meta name="robots" content="noindex, nofollow, noarchive">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Báo cáo đánh giá bài viết (nội bộ) — {report.made:%d/%m/%Y}</title><style>{STYLE}</style>",
        "</head><body><main>",
        '<p class="note"><strong>Tài liệu nội bộ, không đăng lên cổng thông tin.</strong> Báo cáo chỉ gồm số liệu '
        "tổng hợp (số lượt, điểm trung bình, số sao theo tuần); không có dữ liệu nào nhận diện người đánh giá. "
        "Không chép tệp này vào thư mục website.</p>",
        "<h1>Báo cáo đánh giá bài viết</h1>",
        f"<p>Lập lúc {report.made:%H:%M ngày %d/%m/%Y}: {len(rated)} bài đã được đánh giá, {report.votes} lượt "
        f"đánh giá; {len(unrated)} bài chưa có lượt nào. Tuần theo ISO 8601 (thứ Hai đến Chủ nhật).</p>",
        "<h2>Bài được đánh giá thấp nhất</h2>", _ranking("Điểm trung bình thấp nhất trước", rated[:TOP]),
        "<h2>Bài được đánh giá nhiều nhất</h2>", _ranking("Nhiều lượt nhất trước", most[:TOP]),
        "<h2>Điểm thay đổi sau khi sửa bài</h2>", _changed(report),
        "<h2>Từng bài theo tuần</h2>", *(_by_week(a) for a in rated),
        "<h2>Bài chưa có lượt đánh giá</h2>",
        "<ul>" + "".join(f"<li>{_title(a)}</li>" for a in unrated) + "</ul>" if unrated else "<p>Không có.</p>",
        "</main></body></html>", ""])


# ---- writing -----------------------------------------------------------------------------------
def site_folders(settings: Settings) -> list[Path]:
    """Folders whose files are published: the site's output (the manifest's folder's parent) and output/."""
    manifest = Path(settings.manifest_path).resolve()
    return [manifest.parent.parent if manifest.parent.name == "api" else manifest.parent, Path("output").resolve()]


def check_destination(out: Path, settings: Settings) -> Path:
    target = out.resolve()
    for site in site_folders(settings):
        if target == site or site in target.parents:
            raise ConfigError(f"ratings: không ghi báo cáo vào {out}: thư mục này thuộc website ({site}) và sẽ "
                              "được đăng công khai; báo cáo là tài liệu nội bộ. Chọn thư mục khác, ví dụ "
                              "--out var/reports (the report is private: write it outside the site's output)")
    return target


def _write(path: Path, text: str, encoding: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)  # staff and the service's group, no one else
    with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def write(report: Report, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out / CSV_NAME, out / HTML_NAME
    _write(csv_path, to_csv(report), "utf-8-sig")
    _write(html_path, to_html(report), "utf-8")
    return csv_path, html_path


def main(settings: Settings, args: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m ratings report", description="Báo cáo đánh giá cho cán bộ "
                                 "(CSV và trang HTML nội bộ).")
    ap.add_argument("--out", default="var/reports", help="thư mục ghi báo cáo (mặc định var/reports)")
    ap.add_argument("--min-votes", type=int, default=3, help="số lượt tối thiểu mỗi bên để so sánh trước/sau khi sửa")
    ap.add_argument("--threshold", type=float, default=0.5, help="mức thay đổi điểm trung bình đáng báo")
    opts = ap.parse_args(args)
    out = check_destination(Path(opts.out), settings)
    if not settings.database_url and not Path(settings.db_path).is_file():
        raise ConfigError(f"ratings: chưa có cơ sở dữ liệu đánh giá tại {settings.db_path} (RATINGS_DB); "
                          "đặt RATINGS_DB đúng tệp của dịch vụ")
    from .store import make_store

    store = make_store(settings)
    report = gather(store, Manifest(settings.manifest_path), dt.datetime.now(settings.tz),
                    opts.min_votes, opts.threshold)
    csv_path, html_path = write(report, out)
    print(f"Đã ghi báo cáo đánh giá ({len(report.articles)} bài, {report.votes} lượt): {csv_path} và {html_path}. "
          "Đây là tài liệu nội bộ: không đăng lên website.")
    return 0
