"""The fields of every kind: name, type, labels, help, example, where shown.

This is the one place a field is defined. Adding a field to a kind is one
entry here (its type has a parser in ``values``); ``facts`` shows it in
the facts box of the page, the feeds and the CAP description.
"""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import ARTICLE_KINDS, DRILL, MEETING, PAGE, WARNING

# field types
TEXT, LINES, LIST, DATETIME, SLUG, URL, IMAGE, SEVERITY, CVES = (
    "text", "lines", "list", "datetime", "slug", "url", "image", "severity", "cves")
IDENTIFIER, REVISIONS, EVENT, BOOL, STATUS, BYLINE, URLS = (
    "identifier", "revisions", "event", "bool", "status", "byline", "urls")


@dataclass(frozen=True)
class Field:
    name: str  # as written in the front matter
    type: str
    label_vi: str
    label_en: str
    help_vi: str  # what to write: shown by `invoke new` and in error fixes
    help_en: str
    example: str
    required: bool = False
    kinds: tuple[str, ...] = ARTICLE_KINDS
    # where the value is shown in the facts box (page, feeds, CAP): "" not there,
    # "row" a labelled row, "list" a headed list, "steps" a headed numbered list
    facts: str = ""
    # for a yes/no field: what "yes" means, shown in the facts box (vi, en)
    yes: tuple[str, str] | None = None

    @property
    def key(self) -> str:
        """The lowercase key Pelican uses for the metadata."""
        return self.name.lower()

    def label(self, lang: str = "vi") -> str:
        return self.label_en if lang == "en" else self.label_vi


_ALL = ARTICLE_KINDS + (PAGE,)
DATE_EXAMPLE = "2026-11-26 09:30"

FIELDS: tuple[Field, ...] = (
    # ---- common to every article --------------------------------------------------
    Field("Title", TEXT, "Tiêu đề", "Title",
          "Tiêu đề bài viết.", "The article's title.",
          "Hội nghị sơ kết công tác phối hợp bảo đảm an ninh mạng", True, _ALL),
    Field("Date", DATETIME, "Ngày đăng", "Published",
          f"Ngày giờ đăng, giờ Việt Nam, dạng {DATE_EXAMPLE}. Bài có ngày trong tương lai chỉ xuất bản khi đến ngày.",
          f"Publication date and time, Vietnam time, as {DATE_EXAMPLE}. A future date embargoes the article.",
          DATE_EXAMPLE, True),
    Field("Slug", SLUG, "Đường dẫn", "Slug",
          "Tên đường dẫn cố định: chữ thường không dấu, số và dấu gạch ngang. Không đổi khi sửa tiêu đề.",
          "The permanent URL name: lowercase ASCII letters, digits and hyphens. "
          "Never changes when the title is edited.",
          "hoi-nghi-so-ket-phoi-hop-2026", True, _ALL),
    Field("Summary", TEXT, "Tóm tắt", "Summary",
          "Đoạn mở đầu (sapo), một đến ba câu, dưới 300 ký tự.",
          "The lead paragraph, one to three sentences, under 300 characters.",
          "Sáng 26/11, Sở Thông tin và Truyền thông phối hợp với Công an tỉnh tổ chức hội nghị…", True, _ALL),
    Field("Authors", BYLINE, "Tác giả", "Byline",
          "Dòng tác giả như trên báo: vai trò, dấu hai chấm, tên (nhiều tên cách nhau bằng dấu ; hoặc \"và\"; "
          "tên cơ quan có chữ \"và\" thì giữ nguyên).",
          "The byline: role, a colon, the names (several names separated by ; or \"và\"; an organisation's "
          "name holding \"và\" stays whole).",
          "Tin, ảnh: Tuấn Anh", True),
    Field("Tags", LIST, "Từ khóa", "Tags",
          "Các từ khóa, cách nhau bằng dấu phẩy.", "Tags, separated by commas.",
          "an ninh mạng, phối hợp liên ngành"),
    Field("Modified", DATETIME, "Cập nhật", "Updated",
          f"Ngày giờ sửa đổi gần nhất, dạng {DATE_EXAMPLE}.", f"Last updated, as {DATE_EXAMPLE}.",
          DATE_EXAMPLE, False, _ALL),
    Field("Source", TEXT, "Nguồn", "Source",
          "Tên nguồn gốc của tin (nếu lấy từ nơi khác).", "Name of the original source, if any.",
          "Cổng TTĐT Bộ Công an"),
    Field("Source_url", URL, "Địa chỉ nguồn", "Source URL",
          "Địa chỉ web của bài gốc, bắt đầu bằng https://.", "Web address of the original, starting https://.",
          "https://bocongan.gov.vn/"),
    Field("Image", IMAGE, "Ảnh đại diện", "Lead image",
          "Đường dẫn ảnh trong thư mục content, ví dụ images/ten-anh.png.",
          "Path of the image inside content/, e.g. images/name.png.",
          "images/hoi-nghi-phoi-hop.png"),
    Field("Image_caption", TEXT, "Chú thích ảnh", "Image caption",
          "Chú thích hiển thị dưới ảnh (bắt buộc khi có Image).",
          "The caption shown under the image (required with Image).",
          "Quang cảnh hội nghị."),
    Field("Image_credit", TEXT, "Nguồn ảnh", "Image credit",
          "Người chụp hoặc nơi cung cấp ảnh, hiển thị sau \"Nguồn ảnh:\" (bắt buộc khi có Image).",
          "Who took or provided the photo, shown after \"Photo:\" (required with Image).",
          "Cổng thông tin điện tử Bộ Công an"),
    Field("Image_alt", TEXT, "Mô tả ảnh", "Image alt text",
          "Mô tả nội dung ảnh cho người khiếm thị (nếu bỏ trống, dùng chú thích).",
          "What the image shows, for blind readers (defaults to the caption).",
          "Đại biểu ngồi quanh bàn họp"),
    Field("Status", STATUS, "Trạng thái", "Status",
          "published (mặc định) hoặc draft (bản nháp, không xuất bản).",
          "published (default) or draft (not published).", "draft", False, _ALL),
    # ---- warnings ------------------------------------------------------------
    Field("Identifier", IDENTIFIER, "Số hiệu", "Identifier",
          "Số hiệu cảnh báo dạng CB-năm-số thứ tự ba chữ số; không bao giờ đổi.",
          "Warning identifier as CB-year-three-digit number; never changes.",
          "CB-2026-014", True, (WARNING,), facts="row"),
    Field("Severity", SEVERITY, "Mức độ", "Severity",
          "Một trong: thấp, trung bình, cao, nghiêm trọng.",
          "One of: thấp, trung bình, cao, nghiêm trọng (low, medium, high, critical).",
          "cao", True, (WARNING,), facts="row"),
    Field("CVE", CVES, "Mã CVE", "CVE identifiers",
          "Các mã CVE, dạng CVE-2026-12345, cách nhau bằng dấu phẩy.",
          "CVE identifiers as CVE-2026-12345, separated by commas.",
          "CVE-2026-21001, CVE-2026-21002", False, (WARNING,), facts="row"),
    Field("Affected", LINES, "Sản phẩm, hệ thống bị ảnh hưởng", "Affected products or systems",
          "Mỗi sản phẩm hoặc hệ thống trên một dòng (dòng sau thụt vào 4 dấu cách).",
          "One product or system per line (following lines indented by 4 spaces).",
          "Microsoft Exchange Server 2019", True, (WARNING,), facts="row"),
    Field("Actions", LINES, "Việc cần làm ngay", "Actions to take now",
          "Mỗi việc cần làm trên một dòng (dòng sau thụt vào 4 dấu cách).",
          "One action per line (following lines indented by 4 spaces).",
          "Cài đặt ngay bản vá của nhà sản xuất.", True, (WARNING,), facts="steps"),
    Field("References", URLS, "Tài liệu tham khảo", "References",
          "Mỗi địa chỉ tham khảo trên một dòng, bắt đầu bằng https://.",
          "One reference URL per line, starting https://.",
          "https://www.cve.org/", False, (WARNING,), facts="list"),
    Field("Expires", DATETIME, "Hiệu lực đến", "Expires",
          f"Thời điểm cảnh báo hết hiệu lực, dạng {DATE_EXAMPLE}; phải sau ngày đăng.",
          f"When the warning stops being active, as {DATE_EXAMPLE}; after the publication date.",
          "2026-12-31 23:59", True, (WARNING,), facts="row"),
    Field("Revisions", REVISIONS, "Lịch sử cập nhật", "Revision history",
          f"Mỗi lần cập nhật một dòng: ngày giờ | nội dung thay đổi, ví dụ {DATE_EXAMPLE} | Bổ sung mã CVE.",
          f"One line per update: date | what changed, e.g. {DATE_EXAMPLE} | Added a CVE.",
          f"{DATE_EXAMPLE} | Bổ sung mã CVE", False, (WARNING,)),
    Field("Withdrawn", EVENT, "Thu hồi", "Withdrawn",
          f"Nếu cảnh báo bị thu hồi: ngày giờ | lý do, ví dụ {DATE_EXAMPLE} | Cảnh báo nhầm.",
          f"If the warning is withdrawn: date | reason, e.g. {DATE_EXAMPLE} | Issued in error.",
          f"{DATE_EXAMPLE} | Cảnh báo phát hành nhầm", False, (WARNING,), facts="row"),
    # ---- drills and meetings: when, who, where (the facts box follows this order) ----
    Field("Start", DATETIME, "Bắt đầu", "Starts",
          f"Thời điểm bắt đầu diễn tập, dạng {DATE_EXAMPLE}.", f"When the drill starts, as {DATE_EXAMPLE}.",
          "2026-12-03 08:00", True, (DRILL,), facts="row"),
    Field("End", DATETIME, "Kết thúc", "Ends",
          f"Thời điểm kết thúc, dạng {DATE_EXAMPLE}; sau thời điểm bắt đầu.",
          f"When the drill ends, as {DATE_EXAMPLE}; after the start.",
          "2026-12-03 17:00", True, (DRILL,), facts="row"),
    Field("Held", DATETIME, "Thời gian họp", "Held on",
          f"Thời điểm diễn ra hội nghị, dạng {DATE_EXAMPLE}.", f"When the meeting took place, as {DATE_EXAMPLE}.",
          "2026-11-25 08:00", True, (MEETING,), facts="row"),
    Field("Chair", LIST, "Chủ trì", "Chaired by",
          "Người chủ trì (họ tên - chức vụ), cách nhau bằng dấu phẩy.",
          "Who chaired (name - position), separated by commas.",
          "Giám đốc Sở Thông tin và Truyền thông", True, (MEETING,), facts="row"),
    Field("Location", TEXT, "Địa điểm", "Location",
          "Nơi tổ chức.", "Where it takes place.",
          "Hội trường Sở Thông tin và Truyền thông, TP. Lào Cai", True, (DRILL, MEETING), facts="row"),
    Field("Organisers", LIST, "Đơn vị tổ chức", "Organisers",
          "Các đơn vị tổ chức, cách nhau bằng dấu phẩy.", "Organising units, separated by commas.",
          "Sở Thông tin và Truyền thông, Công an tỉnh", True, (DRILL,), facts="row"),
    Field("Units", LIST, "Đơn vị tham gia", "Participating units",
          "Các đơn vị tham gia, cách nhau bằng dấu phẩy.", "Participating units, separated by commas.",
          "Cục An toàn thông tin, Viettel Lào Cai, VNPT Lào Cai", True, (DRILL, MEETING), facts="row"),
    Field("Scenario", TEXT, "Kịch bản", "Scenario",
          "Tóm tắt kịch bản diễn tập.", "A short description of the drill's scenario.",
          "Tấn công mã hóa dữ liệu (ransomware) vào cổng dịch vụ công của tỉnh", True, (DRILL,), facts="row"),
    Field("Public_alert", BOOL, "Thông báo công khai", "Public announcement",
          "có: phát thông báo CAP (trạng thái Exercise) cho công chúng; không (mặc định).",
          "có (yes): publish a CAP alert with status Exercise; không (no, default).",
          "có", False, (DRILL,), facts="row",
          yes=("Có: diễn tập được thông báo công khai; thông điệp cảnh báo đánh dấu là diễn tập (Exercise), "
               "không phải sự cố thật.",
               "Yes: the drill is announced to the public; its alert message is marked as an exercise, "
               "not a real incident.")),
)

FIELDS_BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
PAGE_REQUIRED = ("title", "slug")  # static pages need little else


def is_required(f: Field, kind: str) -> bool:
    return f.required and (kind != PAGE or f.key in PAGE_REQUIRED)


def fields_for(kind: str) -> list[Field]:
    return [f for f in FIELDS if kind in f.kinds]


