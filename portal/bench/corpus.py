"""A generated corpus: N valid articles of every kind, in the portal's format.

The sample site's pages and images (content/ of the current folder, when there)
are copied in, so links and lead images resolve.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from .. import model
from ..tools.new import example_front_matter

SAMPLE = Path("content")

BENCH_TAGS = ("an ninh mạng", "lừa đảo trực tuyến", "mã độc", "phối hợp liên ngành", "tập huấn", "diễn tập",
              "chữ ký số", "bảo mật", "học sinh", "thư điện tử", "dịch vụ công", "camera", "mạng xã hội")
BENCH_PARAGRAPH = ("Sở Thông tin và Truyền thông phối hợp với Công an tỉnh Lào Cai tiếp tục triển khai các biện "
                   "pháp bảo đảm an toàn thông tin mạng cho hệ thống chính quyền điện tử của tỉnh, hướng dẫn cán "
                   "bộ, công chức nhận diện thủ đoạn lừa đảo trực tuyến và báo cáo sự cố kịp thời.")


def generate_articles(content: Path, count: int) -> list[Path]:
    """A content folder with `count` valid generated articles of every kind (plus the sample's pages/images)."""
    for sub in ("images", "pages"):
        if (SAMPLE / sub).is_dir():
            shutil.copytree(SAMPLE / sub, content / sub, dirs_exist_ok=True)
    kinds = [model.NEWS] * 7 + [model.MEETING, model.DRILL, model.WARNING]
    start = dt.datetime(2021, 1, 1, 8, 0, tzinfo=model.TZ)
    written = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        date = start + dt.timedelta(hours=4 * i % (5 * 365 * 24), minutes=i % 60)
        fields = {}
        for line in example_front_matter(kind).splitlines():
            name, _, value = line.partition(": ")
            if name.startswith("Image") or name in ("Modified", "Revisions"):
                continue
            fields[name] = value
        slug = f"bai-thu-{i:05d}"
        fields.update({
            "Title": f"Bài thử số {i}: {BENCH_TAGS[i % len(BENCH_TAGS)]} trên địa bàn tỉnh",
            "Date": f"{date:%Y-%m-%d %H:%M}", "Slug": slug,
            "Tags": ", ".join({BENCH_TAGS[i % len(BENCH_TAGS)], BENCH_TAGS[(i * 7) % len(BENCH_TAGS)]}),
        })
        if kind == model.WARNING:
            fields["Identifier"] = f"CB-{date.year}-{i:04d}"
            fields["Expires"] = f"{date + dt.timedelta(days=30):%Y-%m-%d %H:%M}"
        if kind == model.DRILL:
            fields["Start"] = f"{date:%Y-%m-%d %H:%M}"
            fields["End"] = f"{date + dt.timedelta(hours=8):%Y-%m-%d %H:%M}"
        if kind == model.MEETING:
            fields["Held"] = f"{date:%Y-%m-%d %H:%M}"
        path = content / kind / f"{date:%Y-%m-%d}-{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join([BENCH_PARAGRAPH] * 4)
        path.write_text("\n".join(f"{k}: {v}" for k, v in fields.items()) + f"\n\n{body}\n", encoding="utf-8")
        written.append(path)
    return written
