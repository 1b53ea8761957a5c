"""`portal new KIND "Tiêu đề"`: a new article with every field of its kind.

    portal new tin-tuc "Hội nghị tổng kết 12/2025"

Everything written comes from the content model (portal.model): the fields of
the kind, their Vietnamese labels, help and examples. Explanations are front
matter notes (lines starting with "#", skipped by the reader). The file is
content/KIND/YYYY-MM-DD-slug.md; an existing file is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from .. import model
from ..clock import build_time
from . import shown

BODY_HINT = (
    "# Nội dung bài viết (Markdown) bắt đầu sau dòng trống đầu tiên dưới phần thông tin này.",
    "# Mỗi đoạn văn cách nhau một dòng trống. Tiêu đề mục: ## Tên mục.",
    '# Chèn ảnh trong bài: ![mô tả ảnh cho người khiếm thị](images/ten-anh.jpg "Chú thích. Nguồn ảnh: …")',
    "# Liên kết tới bài khác trên cổng: [chữ hiển thị]({filename}/tin-tuc/ten-tep.md)",
)


class ScaffoldError(Exception):
    """Something a person must fix before a file can be created (message in Vietnamese)."""


def kinds_text() -> str:
    return ", ".join(f"{k} ({v.label_vi})" for k, v in model.KINDS.items())


def _note(f: model.Field, kind: str) -> str:
    need = "bắt buộc" if model.is_required(f, kind) else "không bắt buộc"
    return f"# {f.label_vi} ({need}): {f.help_vi} Ví dụ: {f.example}"


def front_matter(kind: str, values: dict[str, str], created: dt.datetime) -> str:
    """The front matter for a new article of `kind`, one note line before each field.

    `values` holds the values already known (lowercase keys); required fields
    without a value are left empty so `invoke check` asks for them; optional
    fields are written as notes ("#Tags: …") to be uncommented when needed.
    """
    label = model.KINDS[kind].label_vi if kind in model.KINDS else kind
    lines = [
        f'# Bài "{label}" tạo bằng invoke new lúc {created:%Y-%m-%d %H:%M}.',
        '# Mỗi trường một dòng "Tên trường: giá trị". Dòng bắt đầu bằng # là ghi chú, không hiển thị trên cổng.',
        "# Trường không bắt buộc đang bị tắt (#Tên: …): muốn dùng, xóa dấu # ở đầu dòng rồi sửa giá trị.",
        "# Trường nhiều dòng: các dòng sau viết thụt vào 4 dấu cách. Không để dòng trống trong phần thông tin.",
        "# Kiểm tra bài: invoke check · Xem trước: invoke preview",
    ]
    for f in model.fields_for(kind):
        lines.append(_note(f, kind))
        value = values.get(f.key)
        if value is not None:
            lines.append(f"{f.name}: {value}")
        elif model.is_required(f, kind):
            lines.append(f"{f.name}:")
        else:
            lines.append(f"#{f.name}: {f.example}")
    lines.extend(BODY_HINT)
    return "\n".join(lines) + "\n"


def example_front_matter(kind: str) -> str:
    """A complete, valid front matter for `kind` from the model's examples (for the docs)."""
    out = []
    for f in model.fields_for(kind):
        if f.key in ("status", "withdrawn"):
            continue  # a draft or a withdrawn warning is not the usual example
        example = f.example
        if f.key == "title":
            example = {model.WARNING: "Cảnh báo lỗ hổng nghiêm trọng trong Microsoft Exchange Server",
                       model.DRILL: "Diễn tập ứng cứu sự cố an toàn thông tin mạng năm 2026",
                       model.NEWS: "Tập huấn nhận diện lừa đảo trực tuyến cho cán bộ xã"}.get(kind, example)
        if f.key == "summary":
            example = {
                model.WARNING: "Lỗ hổng cho phép chiếm quyền máy chủ thư điện tử từ xa; "
                               "các cơ quan cần cài bản vá ngay.",
                model.DRILL: "Ngày 3/12, các đội ứng cứu sự cố của tỉnh diễn tập xử lý tấn công mã hóa dữ liệu.",
                model.NEWS: "Sáng 26/11, hơn 120 cán bộ cấp xã được hướng dẫn nhận diện các thủ đoạn lừa đảo qua mạng.",
            }.get(kind, example)
        if f.key == "revisions":
            example = example.replace(model.DATE_EXAMPLE, "2026-11-27 08:00")  # after the Date example
        if f.key == "slug":
            example = model.make_slug(out[0].split(": ", 1)[1])
        out.append(f"{f.name}: {example}")
    return "\n".join(out) + "\n"


def _article_files(content: Path):
    for kind in model.KINDS:
        folder = content / kind
        if folder.is_dir():
            yield from sorted(folder.rglob("*.md"))


def _raw(path: Path, key: str) -> str | None:
    try:
        fm = model.parse_front_matter(path.read_text(encoding="utf-8-sig"), str(path))
    except (OSError, UnicodeDecodeError):
        return None
    raw = fm.fields.get(key)
    return raw.text.strip() if raw else None


def used_slugs(content: Path) -> set[str]:
    return {s for p in _article_files(content) if (s := _raw(p, "slug"))}


def used_identifiers(content: Path) -> list[str]:
    folder = content / model.WARNING
    return [i for p in sorted(folder.rglob("*.md")) if (i := _raw(p, "identifier"))] if folder.is_dir() else []


def free_slug(title: str, taken: set[str]) -> str:
    base = model.make_slug(title) or "bai-viet"
    slug, n = base, 2
    while slug in taken:
        slug = f"{base[:76].rstrip('-')}-{n}"
        n += 1
    return slug


def create(kind: str, title: str, content: Path, now: dt.datetime | None = None) -> tuple[Path, dict[str, str]]:
    """Write the new file; return its path and the values filled in."""
    if kind not in model.KINDS:
        raise ScaffoldError(f'Không có loại bài "{kind}". Cách sửa: dùng một trong: {kinds_text()}.')
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError('Chưa có tiêu đề. Cách sửa: invoke new tin-tuc "Tiêu đề bài viết".')
    now = now or build_time({})
    values = {"title": title, "date": f"{now:%Y-%m-%d %H:%M}", "slug": free_slug(title, used_slugs(content))}
    if kind == model.WARNING:
        values["identifier"] = model.next_identifier(used_identifiers(content), now.year)
    path = content / kind / f"{now:%Y-%m-%d}-{values['slug']}.md"
    if path.exists():
        raise ScaffoldError(f"Tệp {path} đã có, không ghi đè. Cách sửa: mở tệp đó để sửa, "
                            "hoặc chọn một tiêu đề khác.")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = front_matter(kind, values, now) + "\n"
    try:
        with path.open("x", encoding="utf-8") as fh:  # "x": never overwrite, even in a race
            fh.write(text)
    except FileExistsError as exc:
        raise ScaffoldError(f"Tệp {path} đã có, không ghi đè.") from exc
    return path, values


def run(kind: str, title: str, content: Path) -> int:
    """The command: create the file and say what to fill in."""
    try:
        path, values = create(kind, title, content)
    except ScaffoldError as err:
        print(f"Lỗi: {err}", file=sys.stderr)
        return 1
    label = model.KINDS[kind].label_vi
    print(f"Đã tạo bài {label.lower()} mới: {shown(path)}")
    print(f"  Đường dẫn (Slug): {values['slug']}   Ngày đăng: {values['date']}")
    if "identifier" in values:
        print(f"  Số hiệu cảnh báo: {values['identifier']}")
    missing = [f.label_vi for f in model.fields_for(kind) if model.is_required(f, kind) and f.key not in values]
    print(f"  Cần điền: {', '.join(missing)}.")
    print("  Mở tệp, điền các trường còn trống theo ghi chú (dòng bắt đầu bằng #), viết nội dung sau dòng trống,")
    print("  rồi chạy: invoke check  (kiểm tra)  ·  invoke preview  (xem trước)")
    return 0
