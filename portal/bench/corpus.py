"""A generated corpus: N valid articles of every kind, written for the portal, plain Pelican and Hugo.

The same articles (titles, dates, slugs, tags, summaries, bylines, bodies) come out in
three formats, so the three systems build the same content:

- the portal's own format (`generate_articles`), with the fields of each kind; the sample
  site's pages and images (content/ of the current folder, when there) are copied in, so
  links and lead images resolve;
- plain Pelican Markdown (`write_pelican_content`): Title, Date, Slug, Tags, Authors,
  Summary, one folder per kind (Pelican's category);
- Hugo Markdown with TOML front matter (`write_hugo_content`): title, date with its
  +07:00 offset, slug, tags, categories, authors, summary, a section per kind.

Everything is deterministic: the same count gives the same bytes on any machine
(no set order, no clock).

A corpus of one's own (`read_corpus`, `portal bench compare --corpus DIR`): a content folder in the
portal's format, checked as a build checks it, given to the portal as it is and to plain Pelican and Hugo
written as above from the fields the portal reads (its images copied too).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from .. import model
from ..tools.new import example_front_matter

SAMPLE = Path("content")
PORTAL_NOW = "2026-11-26T09:00:00+07:00"  # the clock every portal build of the benchmark is given

BENCH_TAGS = ("an ninh mạng", "lừa đảo trực tuyến", "mã độc", "phối hợp liên ngành", "tập huấn", "diễn tập",
              "chữ ký số", "bảo mật", "học sinh", "thư điện tử", "dịch vụ công", "camera", "mạng xã hội")
BENCH_PARAGRAPH = ("Sở Thông tin và Truyền thông phối hợp với Công an tỉnh Lào Cai tiếp tục triển khai các biện "
                   "pháp bảo đảm an toàn thông tin mạng cho hệ thống chính quyền điện tử của tỉnh, hướng dẫn cán "
                   "bộ, công chức nhận diện thủ đoạn lừa đảo trực tuyến và báo cáo sự cố kịp thời.")
KIND_CYCLE = [model.NEWS] * 7 + [model.MEETING, model.DRILL, model.WARNING]

# the words of a varied corpus (Shape.varied): common words of the portal's articles, drawn at random but
# the same on every run (a generator seeded by the article's number)
VARIED_WORDS = (
    "an ninh mạng thông tin tỉnh Lào Cai công an sở cán bộ công chức viên chức người dân doanh nghiệp cơ quan "
    "đơn vị xã phường huyện thành phố hệ thống máy chủ phần mềm ứng dụng điện thoại tài khoản mật khẩu thư "
    "điện tử đường link tin nhắn cuộc gọi giả mạo lừa đảo chiếm đoạt tài sản chuyển khoản ngân hàng mã độc "
    "tống tiền lỗ hổng bản vá cập nhật phiên bản khai thác tấn công dữ liệu cá nhân rò rỉ sao lưu khôi phục "
    "sự cố ứng cứu khẩn cấp phối hợp liên ngành hội nghị diễn tập tập huấn hướng dẫn nhận diện thủ đoạn báo "
    "cáo kịp thời triển khai biện pháp bảo đảm chính quyền số dịch vụ công trực tuyến cổng camera giám sát "
    "trường học học sinh sinh viên phụ huynh mạng xã hội trang web giả danh nhân viên điều tra tòa án bưu "
    "điện hóa đơn khuyến mãi trúng thưởng việc làm đầu tư tiền ảo chữ ký số xác thực hai lớp mã OTP thiết bị "
    "định tuyến tường lửa máy tính cá nhân trình duyệt tiện ích tải về cài đặt quyền truy cập theo dõi cảnh "
    "giác không cung cấp kiểm tra lại liên hệ đường dây nóng tiếp nhận xử lý vi phạm pháp luật quy định nghị "
    "định thông tư kế hoạch năm tháng tuần sáng chiều ngày hôm nay vừa qua tiếp tục nâng cao nhận thức kỹ năng "
    "an toàn bảo mật rủi ro nguy cơ mức độ cao trung bình thấp khuyến cáo người dùng kiểm soát truy cập trái phép"
).split()


@dataclass(frozen=True)
class Shape:
    """What the generated articles are like. The default: every body the same four paragraphs (the
    figures in docs/benchmarks.md). ``paragraphs``: how many in each body; ``varied``: each paragraph's
    sentences drawn from ``VARIED_WORDS`` and numbers (a CVE, a phone number, a sum of money), different
    in every article, some bodies with a list, as a real archive's are (more distinct words for the
    search index, more text for Markdown)."""

    paragraphs: int = 4
    varied: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.paragraphs <= 200:
            raise ValueError(f"paragraphs = {self.paragraphs}: between 1 and 200")

    def describe(self) -> str:
        return f"{self.paragraphs} paragraphs a body, {'varied text' if self.varied else 'the same text'}"


DEFAULT_SHAPE = Shape()


def _varied_body(index: int, paragraphs: int) -> str:
    """``paragraphs`` paragraphs of words drawn for article ``index``, the same on every run."""
    rng = random.Random(f"bai-thu-{index}")
    out = []
    for n in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(2, 5)):
            words = rng.choices(VARIED_WORDS, k=rng.randint(8, 24))
            extra = rng.random()
            if extra < 0.15:
                words.append(f"CVE-{rng.randint(2019, 2026)}-{rng.randint(1000, 49999)}")
            elif extra < 0.25:
                words.append(f"{rng.randint(1, 999)}.{rng.randint(0, 999):03d}.000 đồng")
            elif extra < 0.3:
                words.append(f"0214 {rng.randint(100, 999)} {rng.randint(100, 999)}")
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        out.append(" ".join(sentences))
        if n == 0 and index % 3 == 0:
            out.append("\n".join(f"- {' '.join(rng.choices(VARIED_WORDS, k=rng.randint(4, 10)))};"
                                  for _ in range(3)))
    return "\n\n".join(out)


@dataclass(frozen=True)
class BenchArticle:
    """One generated article, whatever the system it is written for."""

    index: int
    kind: str
    slug: str
    title: str
    date: dt.datetime  # aware, Asia/Ho_Chi_Minh
    tags: tuple[str, ...]
    summary: str
    byline: str  # the portal's "Tin, ảnh: Tuấn Anh"
    authors: tuple[str, ...]  # the names in it, for Pelican and Hugo
    body: str  # Markdown
    fields: tuple[tuple[str, str], ...]  # the portal's front matter, in order (a corpus read: none)
    source: str = ""  # a corpus read (read_corpus): the file's path in its folder

    @property
    def stem(self) -> str:
        return f"{self.date:%Y-%m-%d}-{self.slug}"

    @property
    def path(self) -> str:
        """Where it is written, in every system's content folder: the same path in all three."""
        return self.source or f"{self.kind}/{self.stem}.md"


def _example_fields(kind: str) -> dict[str, str]:
    fields = {}
    for line in example_front_matter(kind).splitlines():
        name, _, value = line.partition(": ")
        if name.startswith("Image") or name in ("Modified", "Revisions"):
            continue
        fields[name] = value
    return fields


def bench_articles(count: int, shape: Shape = DEFAULT_SHAPE) -> list[BenchArticle]:
    """`count` articles: 7 in 10 news, then a meeting, a drill and a warning; dates spread over five years;
    their bodies as ``shape`` says."""
    examples = {kind: _example_fields(kind) for kind in set(KIND_CYCLE)}
    start = dt.datetime(2021, 1, 1, 8, 0, tzinfo=model.TZ)
    same = "\n\n".join([BENCH_PARAGRAPH] * shape.paragraphs)
    articles = []
    for i in range(count):
        kind = KIND_CYCLE[i % len(KIND_CYCLE)]
        date = start + dt.timedelta(hours=4 * i % (5 * 365 * 24), minutes=i % 60)
        slug = f"bai-thu-{i:05d}"
        tags = tuple(dict.fromkeys((BENCH_TAGS[i % len(BENCH_TAGS)], BENCH_TAGS[(i * 7) % len(BENCH_TAGS)])))
        fields = dict(examples[kind])
        fields.update({
            "Title": f"Bài thử số {i}: {BENCH_TAGS[i % len(BENCH_TAGS)]} trên địa bàn tỉnh",
            "Date": f"{date:%Y-%m-%d %H:%M}", "Slug": slug, "Tags": ", ".join(tags),
        })
        if kind == model.WARNING:
            fields["Identifier"] = f"CB-{date.year}-{i:04d}"
            fields["Expires"] = f"{date + dt.timedelta(days=30):%Y-%m-%d %H:%M}"
        if kind == model.DRILL:
            fields["Start"] = f"{date:%Y-%m-%d %H:%M}"
            fields["End"] = f"{date + dt.timedelta(hours=8):%Y-%m-%d %H:%M}"
        if kind == model.MEETING:
            fields["Held"] = f"{date:%Y-%m-%d %H:%M}"
        byline = fields["Authors"]
        names = tuple(n.strip() for n in byline.rpartition(":")[2].split(";") if n.strip())
        body = _varied_body(i, shape.paragraphs) if shape.varied else same
        articles.append(BenchArticle(i, kind, slug, fields["Title"], date, tags, fields["Summary"], byline,
                                     names, body, tuple(fields.items())))
    return articles


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def generate_articles(content: Path, count: int, shape: Shape = DEFAULT_SHAPE) -> list[Path]:
    """A content folder with `count` valid generated articles of every kind (plus the sample's pages/images)."""
    for sub in ("images", "pages"):
        if (SAMPLE / sub).is_dir():
            shutil.copytree(SAMPLE / sub, content / sub, dirs_exist_ok=True)
    return [_write(content / a.kind / f"{a.stem}.md",
                   "\n".join(f"{k}: {v}" for k, v in a.fields) + f"\n\n{a.body}\n")
            for a in bench_articles(count, shape)]


def _pelican_list(items: tuple[str, ...]) -> str:
    """Tags or names as Pelican reads them back, one for one: separated by ";" when one holds a comma
    ("phòng, chống lừa đảo"), as Pelican then splits on ";" only."""
    cleaned = [_line(item) for item in items]
    return "; ".join(cleaned) if any("," in item for item in cleaned) else ", ".join(cleaned)


def write_pelican_content(content: Path, count: int, shape: Shape = DEFAULT_SHAPE,
                          articles: list[BenchArticle] | None = None) -> list[Path]:
    """The same articles as plain Pelican Markdown: the folder is the category, as Pelican does by default.
    ``articles``: those of a corpus read (``read_corpus``) instead of ``count`` generated ones."""
    written = []
    for a in bench_articles(count, shape) if articles is None else articles:
        meta = [f"Title: {_line(a.title)}", f"Date: {a.date:%Y-%m-%d %H:%M}", f"Slug: {a.slug}"]
        meta += [f"Tags: {_pelican_list(a.tags)}"] if a.tags else []
        meta += [f"Authors: {_pelican_list(a.authors)}"] if a.authors else []
        meta += [f"Summary: {_line(a.summary)}"] if a.summary else []
        written.append(_write(content / a.path, "\n".join(meta) + f"\n\n{a.body}\n"))
    return written


def _line(text: str) -> str:
    """A front-matter value on one line."""
    return " ".join(text.split())


def _toml(value: str | list[str]) -> str:
    """A TOML basic string (or array of them): JSON's escapes are TOML's."""
    return json.dumps(value, ensure_ascii=False)


def write_hugo_content(content: Path, count: int, shape: Shape = DEFAULT_SHAPE,
                       articles: list[BenchArticle] | None = None) -> list[Path]:
    """The same articles as Hugo pages: a section per kind, TOML front matter, the date with its offset.
    ``articles``: those of a corpus read (``read_corpus``) instead of ``count`` generated ones."""
    written = []
    for a in bench_articles(count, shape) if articles is None else articles:
        meta = ["+++", f"title = {_toml(a.title)}", f"date = {a.date.isoformat()}", f"slug = {_toml(a.slug)}",
                f"tags = {_toml(list(a.tags))}", f"categories = {_toml([a.kind])}",
                f"authors = {_toml(list(a.authors))}", f"summary = {_toml(a.summary)}", "+++"]
        written.append(_write(content / a.path, "\n".join(meta) + f"\n\n{a.body}\n"))
    return written


# ---- one edit, the same in every format (for the rebuild measurement) -------------------------
_TITLE_LINE = re.compile(r'^((?i:title)[ \t]*:[ \t]*|title = ")(.*?)("?)$', re.M)


def edit_article(path: Path, marker: str) -> None:
    """Change one article as a person would: its title gets `marker`, its body one more sentence."""
    text = path.read_text(encoding="utf-8")
    text, found = _TITLE_LINE.subn(lambda m: f"{m[1]}{m[2].split(' (sửa ')[0]} (sửa {marker}){m[3]}", text,
                                   count=1)
    if not found:
        raise ValueError(f"{path}: no title line to edit")
    path.write_text(text.rstrip("\n") + f"\n\nĐã cập nhật ({marker}).\n", encoding="utf-8")


def edited_article(count: int, shape: Shape = DEFAULT_SHAPE, articles: list[BenchArticle] | None = None
                   ) -> BenchArticle:
    """The article every system's rebuild edits: a news article in the middle of the corpus (of a corpus read
    without news, the article in its middle)."""
    articles = bench_articles(count, shape) if articles is None else articles
    middle = len(articles) // 2
    turned = articles[middle:] + articles[:middle]
    return next((a for a in turned if a.kind == model.NEWS), turned[0])


# ---- a corpus of one's own ---------------------------------------------------------------------
class CorpusError(ValueError):
    """A folder the benchmark cannot build: what is wrong, where, and what to do (in the message)."""


def read_corpus(content: Path, settings: dict, lang: str = "vi") -> list[BenchArticle]:
    """The articles of ``content`` that the portal publishes (not a draft, not dated after the benchmark's
    clock), a content folder in the portal's format, in the order of their paths. It is checked first as a
    build checks it (``settings``: the portal's, with PATH set to it): an error stops the benchmark with the
    portal's own report, naming each file, field and fix."""
    from ..model.entry import validate
    from ..tools.check import check

    def say(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    if not content.is_dir():
        what = say("đây là một tệp, không phải thư mục", "this is a file, not a folder") if content.exists() \
            else say("không có thư mục này", "no such folder")
        raise CorpusError(say(f"--corpus {content}: {what}; ghi thư mục nội dung của cổng "
                              "(có các thư mục tin-tuc/, canh-bao/…)",
                              f"--corpus {content}: {what}; name a content folder in the portal's format "
                              "(with tin-tuc/, canh-bao/… in it)"))
    problems, _ = check(content, settings, now=dt.datetime.fromisoformat(PORTAL_NOW), lang=lang,
                        build_errors_only=True)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise CorpusError(say(f"--corpus {content}: cổng không xây dựng được bộ bài này; sửa các lỗi dưới đây "
                              "(portal check cho biết thêm):\n",
                              f"--corpus {content}: the portal cannot build this corpus; fix the errors below "
                              "(portal check says more):\n") + model.report(errors, lang))
    now = dt.datetime.fromisoformat(PORTAL_NOW)
    articles = []
    for kind in sorted(model.KINDS):
        folder = content / kind
        files = sorted(p for p in folder.rglob("*.md") if p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(content).parts)) \
            if folder.is_dir() else []
        for path in files:
            rel = path.relative_to(content).as_posix()
            entry = validate(path.read_text(encoding="utf-8"), rel, kind, content)
            v = entry.values
            if v.get("status") == "draft" or v["date"] > now:
                continue  # not published by the portal (a draft, or embargoed until its date): nor by the others
            byline = v.get("authors")
            articles.append(BenchArticle(
                len(articles), kind, v.get("slug") or model.make_slug(v["title"]), v["title"], v["date"],
                tuple(v.get("tags") or ()), v.get("summary") or "", byline.text if byline else "",
                tuple(byline.names) if byline else (), entry.body.strip("\n"), (), rel))
    if not articles:
        raise CorpusError(say(f"--corpus {content}: không có bài nào được xuất bản (các tệp .md trong "
                              f"{', '.join(sorted(model.KINDS))}, không phải bản nháp, ngày đăng không sau "
                              f"{PORTAL_NOW[:10]})",
                              f"--corpus {content}: no published article in it (.md files in "
                              f"{', '.join(sorted(model.KINDS))}, not drafts, dated no later than "
                              f"{PORTAL_NOW[:10]})"))
    return articles
