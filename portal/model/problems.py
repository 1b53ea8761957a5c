"""Problems found in content, and the sentences people read about them.

Every message says what is wrong and how to fix it, in Vietnamese by default
and in English when PORTAL_LANG = "en". The file, line, field and value are
added around it by :meth:`Problem.format`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# code -> (Vietnamese, English). Each is "what is wrong. Fix: how".
MESSAGES: dict[str, tuple[str, str]] = {
    "front_matter_line": (
        "Dòng này trong phần thông tin đầu bài không có dạng \"Tên trường: giá trị\". "
        "Cách sửa: viết \"Tên trường: giá trị\", hoặc để một dòng trống trước phần nội dung.",
        "This line of the front matter is not \"Field: value\". "
        "Fix: write \"Field: value\", or leave a blank line before the body.",
    ),
    "front_matter_indent": (
        "Dòng thụt đầu dòng nhưng không thuộc trường nào. Cách sửa: bỏ dấu cách ở đầu dòng.",
        "An indented line that belongs to no field. Fix: remove the leading spaces.",
    ),
    "duplicate_field": (
        "Trường này được viết hai lần (lần đầu ở dòng {first_line}). Cách sửa: giữ một dòng, xóa dòng còn lại.",
        "This field is written twice (first at line {first_line}). Fix: keep one line, delete the other.",
    ),
    "unknown_field_typo": (
        "Không có trường này. Có phải bạn muốn viết \"{suggestion}\"? Cách sửa: sửa tên trường thành \"{suggestion}\".",
        "There is no such field. Did you mean \"{suggestion}\"? Fix: rename the field to \"{suggestion}\".",
    ),
    "field_wrong_kind": (
        "Trường này không dùng cho loại bài trong thư mục \"{kind}\". Cách sửa: xóa dòng này, hoặc chuyển tệp sang đúng thư mục.",
        "This field does not belong to articles in folder \"{kind}\". Fix: delete the line, or move the file to the right folder.",
    ),
    "unknown_field": (
        "Không có trường này. Cách sửa: xóa dòng này hoặc dùng một trong các trường: {allowed}.",
        "There is no such field. Fix: delete the line or use one of: {allowed}.",
    ),
    "missing_field": (
        "Thiếu trường bắt buộc. Cách sửa: thêm một dòng, ví dụ \"{field}: {example}\". ({help})",
        "A required field is missing. Fix: add a line such as \"{field}: {example}\". ({help_en})",
    ),
    "empty": (
        "Trường này để trống. Cách sửa: điền giá trị hoặc xóa dòng. ({help})",
        "This field is empty. Fix: give a value or delete the line. ({help_en})",
    ),
    "empty_required": (
        "Trường bắt buộc này còn trống. "
        "Cách sửa: điền giá trị sau dấu hai chấm, ví dụ \"{field}: {example}\". ({help})",
        "This required field is empty. Fix: write a value after the colon, e.g. \"{field}: {example}\". ({help_en})",
    ),
    "bad_date": (
        "Ngày giờ không hợp lệ. Cách sửa: viết dạng năm-tháng-ngày giờ:phút, ví dụ {example}.",
        "Not a valid date and time. Fix: write year-month-day hour:minute, e.g. {example}.",
    ),
    "date_out_of_range": (
        "Năm nằm ngoài khoảng cổng thông tin chấp nhận ({low}–{high}). Cách sửa: kiểm tra lại năm (thường do gõ nhầm).",
        "The year is outside the range this portal accepts ({low}–{high}). Fix: check the year (usually a typo).",
    ),
    "bad_slug": (
        "Đường dẫn chỉ được có chữ thường không dấu, số và dấu gạch ngang. Cách sửa: dùng \"{suggestion}\".",
        "A slug may hold only lowercase ASCII letters, digits and hyphens. Fix: use \"{suggestion}\".",
    ),
    "bad_url": (
        "Địa chỉ web không hợp lệ. Cách sửa: viết đầy đủ, bắt đầu bằng https://.",
        "Not a valid web address. Fix: write it in full, starting https://.",
    ),
    "bad_reference": (
        "Tài liệu tham khảo \"{bad}\" không phải địa chỉ web. Cách sửa: mỗi dòng một địa chỉ bắt đầu bằng https://.",
        "Reference \"{bad}\" is not a web address. Fix: one address per line, starting https://.",
    ),
    "bad_identifier": (
        "Số hiệu cảnh báo không đúng dạng. Cách sửa: viết CB-năm-số ba chữ số, ví dụ CB-2026-014.",
        "The warning identifier is malformed. Fix: write CB-year-three digits, e.g. CB-2026-014.",
    ),
    "bad_severity": (
        "Mức độ không hợp lệ. Cách sửa: dùng một trong các giá trị: {choices}.",
        "Unknown severity. Fix: use one of: {choices}.",
    ),
    "bad_bool": (
        "Giá trị phải là \"có\" hoặc \"không\". Cách sửa: viết có hoặc không.",
        "The value must be \"có\" (yes) or \"không\" (no). Fix: write one of them.",
    ),
    "bad_status": (
        "Trạng thái không hợp lệ. Cách sửa: dùng một trong: {choices}.",
        "Unknown status. Fix: use one of: {choices}.",
    ),
    "bad_byline": (
        "Dòng tác giả không có tên. Cách sửa: viết dạng \"Tin, ảnh: Tuấn Anh\".",
        "The byline has no name. Fix: write it as \"Tin, ảnh: Tuấn Anh\".",
    ),
    "bad_cve": (
        "Mã CVE \"{bad}\" không đúng dạng. Cách sửa: viết CVE-năm-số (ít nhất 4 chữ số), ví dụ CVE-2026-21001.",
        "CVE identifier \"{bad}\" is malformed. Fix: write CVE-year-number (at least 4 digits), e.g. CVE-2026-21001.",
    ),
    "duplicate_cve": (
        "Một mã CVE được ghi hai lần. Cách sửa: xóa mã trùng.",
        "A CVE identifier is listed twice. Fix: remove the duplicate.",
    ),
    "bad_revision": (
        "Dòng cập nhật không đúng dạng. Cách sửa: viết \"ngày giờ | nội dung\", ví dụ {example}.",
        "An update line is malformed. Fix: write \"date | what changed\", e.g. {example}.",
    ),
    "image_name_unsafe": (
        "Tên ảnh \"{path}\" có ký tự không dùng được trong địa chỉ web (dấu cách, %, #, ?…): trình duyệt và phần mềm "
        "đọc nguồn tin sẽ không tải được ảnh. Cách sửa: đổi tên tệp, ví dụ thành {suggestion}, rồi sửa tên trong bài.",
        "The picture's name \"{path}\" holds characters a web address cannot carry (a space, %, #, ?…): browsers "
        "and feed readers would not load it. Fix: rename the file, e.g. to {suggestion}, and the name in the article.",
    ),
    "image_caption_quotes": (
        "Chú thích của ảnh {path} phải đặt trong dấu ngoặc kép thẳng \"…\" (không phải “…” hay (…)): ở đây chú "
        "thích bị đọc thành một phần tên tệp và ảnh sẽ không hiện. Cách sửa: viết ![{alt}]({path} \"Chú thích. "
        "Nguồn ảnh: …\").",
        "The caption of the picture {path} must be in straight double quotes \"…\" (not “…” or (…)): here it is read "
        "as part of the file's name and the picture would not show. Fix: write ![{alt}]({path} \"Caption. Photo: "
        "…\").",
    ),
    "bad_image_path": (
        "Đường dẫn ảnh không được ra ngoài thư mục content. Cách sửa: đặt ảnh vào content/images/ và viết images/ten-anh.png.",
        "The image path may not leave content/. Fix: put the image in content/images/ and write images/name.png.",
    ),
    "missing_image": (
        "Không tìm thấy tệp ảnh {path}. Cách sửa: chép ảnh vào đúng chỗ đó hoặc sửa đường dẫn.",
        "Image file {path} does not exist. Fix: copy the image there or correct the path.",
    ),
    "image_unsized": (
        "Tệp ảnh {path} không cho biết kích thước ảnh: tệp rỗng, bị cắt, hoặc không phải ảnh như tên tệp nói; "
        "trang sẽ hiện ảnh hỏng. Cách sửa: mở ảnh bằng một chương trình sửa ảnh rồi lưu lại (PNG hoặc JPEG), "
        "hoặc chép lại tệp gốc.",
        "Image file {path} gives no picture size: it is empty, cut short, or not the picture its name says; "
        "pages would show it broken. Fix: open it in an image editor and save it again (PNG or JPEG), or copy "
        "the original file again.",
    ),
    "image_needs": (
        "Ảnh đại diện cần có trường \"{field}\". Cách sửa: thêm dòng \"{field}: …\".",
        "A lead image needs the field \"{field}\". Fix: add a line \"{field}: …\".",
    ),
    "source_url_needs_source": (
        "Có địa chỉ nguồn nhưng thiếu tên nguồn. Cách sửa: thêm dòng \"Source: tên nguồn\".",
        "A source URL without a source name. Fix: add a line \"Source: name\".",
    ),
    "before_date": (
        "Thời điểm này trước ngày đăng ({date}). Cách sửa: dùng thời điểm sau ngày đăng.",
        "This is before the publication date ({date}). Fix: use a time after it.",
    ),
    "expires_before_date": (
        "Hạn hiệu lực không sau ngày đăng ({date}). Cách sửa: đặt Expires sau ngày đăng.",
        "The expiry is not after the publication date ({date}). Fix: set Expires after the Date.",
    ),
    "end_before_start": (
        "Thời điểm kết thúc không sau thời điểm bắt đầu ({start}). Cách sửa: sửa End hoặc Start.",
        "The end is not after the start ({start}). Fix: correct End or Start.",
    ),
    "revision_order": (
        "Lần cập nhật {bad} không sau ngày đăng hoặc lần cập nhật trước. "
        "Cách sửa: ghi các lần cập nhật theo thứ tự thời gian, sau ngày đăng; không sửa ngày đăng gốc.",
        "Update {bad} is not after the publication date or the previous update. "
        "Fix: list updates in time order, after the Date; never edit the original Date.",
    ),
    "duplicate_slug": (
        "Đường dẫn này đã được dùng ở {other}. Cách sửa: đặt một Slug khác cho một trong hai bài.",
        "This slug is already used by {other}. Fix: give one of the two articles another Slug.",
    ),
    "slug_too_long": (
        "Đường dẫn dài {length} ký tự, quá {most}: tên tệp trên máy chủ có giới hạn. Cách sửa: dùng \"{suggestion}\".",
        "This slug is {length} characters long, more than {most}: a server's file names have a limit. "
        "Fix: use \"{suggestion}\".",
    ),
    "slug_reserved": (
        "Đường dẫn này trùng với trang {other} mà cổng tự tạo. Cách sửa: đặt một Slug khác.",
        "This slug gives the address of {other}, a page the portal makes itself. Fix: give it another Slug.",
    ),
    "tag_twice": (
        "Từ khóa \"{value}\" ghi hai lần trong bài (cùng địa chỉ với \"{other}\"): bài sẽ hiện hai lần trên trang "
        "từ khóa. Cách sửa: xóa một.",
        "Tag \"{value}\" is written twice (one address with \"{other}\"): the article would be listed twice on the "
        "tag's page. Fix: delete one.",
    ),
    "revision_after_withdrawal": (
        "Lần cập nhật {bad} sau khi cảnh báo đã thu hồi ({withdrawn}): cảnh báo đã thu hồi không còn được cập nhật "
        "(CAP, CSAF và trang sẽ ghi sai thứ tự). Cách sửa: xóa dòng cập nhật này, hoặc ghi ngày thu hồi sau nó.",
        "Update {bad} comes after the warning was withdrawn ({withdrawn}): a withdrawn warning takes no later update "
        "(CAP, CSAF and the page would tell them out of order). Fix: delete this update, or date the withdrawal "
        "after it.",
    ),
    "hidden_file": (
        "Tệp ẩn (tên bắt đầu bằng dấu chấm, hoặc nằm trong thư mục như vậy) không được đăng. Cách sửa: nếu muốn "
        "đăng, đổi tên bỏ dấu chấm đầu; nếu là tệp tạm của trình soạn thảo, xóa đi.",
        "A hidden file (its name, or a folder's above it, starts with a dot) is not published. Fix: to publish it, "
        "rename it without the leading dot; if an editor left it, delete it.",
    ),
    "tag_without_slug": (
        "Từ khóa \"{value}\" không có chữ cái hay chữ số nào để làm đường dẫn. Cách sửa: viết từ khóa bằng chữ, "
        "hoặc bỏ nó.",
        "Tag \"{value}\" has no letter or digit to make its address from. Fix: write the tag in words, or drop it.",
    ),
    "tag_same_slug": (
        "Từ khóa \"{value}\" có cùng đường dẫn \"{slug}\" với từ khóa khác \"{other}\" ở {other_path}. Cách sửa: "
        "đổi một trong hai cho khác chữ (ví dụ thêm một từ).",
        "Tag \"{value}\" gets the same address, \"{slug}\", as another tag, \"{other}\", in {other_path}. Fix: make "
        "one of the two differ in its letters (add a word, for example).",
    ),
    "duplicate_identifier": (
        "Số hiệu này đã được dùng ở {other}. Cách sửa: dùng số hiệu kế tiếp chưa dùng (invoke new canh-bao tự chọn).",
        "This identifier is already used by {other}. Fix: use the next free identifier (invoke new canh-bao picks one).",
    ),
    "tag_spelling": (
        "Từ khóa \"{value}\" trùng đường dẫn với \"{other}\" ở {other_path} (chỉ khác dấu hoặc chữ hoa). "
        "Cách sửa: viết thống nhất là \"{other}\".",
        "Tag \"{value}\" has the same slug as \"{other}\" in {other_path} (differs only in accents or case). "
        "Fix: spell it \"{other}\" everywhere.",
    ),
    "control_characters": (
        "Dòng này có ký tự điều khiển không nhìn thấy ({chars}), thường do dán từ tài liệu văn phòng hoặc trang "
        "web; đã bỏ khi xây dựng vì chúng làm hỏng nguồn tin RSS, lịch, hoặc đảo chiều chữ phía sau. Cách sửa: "
        "xóa các ký tự đó khỏi tệp (gõ lại dòng này).",
        "This line holds invisible control characters ({chars}), usually pasted from office documents or web "
        "pages; they were dropped from the build because they break RSS feeds and calendars, or turn the text "
        "after them around. Fix: delete them from the file (retype the line).",
    ),
    "future_revision": (
        "Thời điểm {date} còn ở tương lai: nội dung này chỉ hiện trên cổng và trong nguồn tin sau thời điểm đó. "
        "Cách sửa: nếu là lỗi gõ năm hoặc tháng, sửa lại ngày.",
        "{date} is in the future: this only appears on the portal and in the feeds after that time. "
        "Fix: if the year or month is a typo, correct the date.",
    ),
    "not_utf8": (
        "Tệp không phải văn bản UTF-8. Cách sửa: lưu lại tệp với bảng mã UTF-8.",
        "The file is not UTF-8 text. Fix: save it again as UTF-8.",
    ),
    "outside_kind": (
        "Tệp nằm ngoài các thư mục loại bài ({kinds}). Cách sửa: chuyển tệp vào một trong các thư mục đó.",
        "The file is outside the kind folders ({kinds}). Fix: move it into one of them.",
    ),
    # ---- invoke check (portal.checker) -------------------------------------------
    "image_damaged": (
        "Không đọc được ảnh này để làm các bản nhỏ cho điện thoại ({error}): tệp bị hỏng, thiếu một phần, hoặc "
        "không phải ảnh như tên tệp nói. Cách sửa: mở ảnh bằng một chương trình sửa ảnh rồi lưu lại (PNG hoặc "
        "JPEG), hoặc chép lại tệp gốc; dùng ở: {used_by}.",
        "This picture cannot be read to make its small copies for phones ({error}): the file is damaged, cut "
        "short, or not the picture its name says. Fix: open it in an image editor and save it again (PNG or "
        "JPEG), or copy the original file again; used by: {used_by}.",
    ),
    "image_copy_name": (
        "Tên {path} trùng với tên bản nhỏ cho điện thoại mà trang tự làm cho ảnh {original}; một trong hai sẽ bị "
        "ghi đè. Cách sửa: đổi tên {path} (tên ảnh thêm .<số>w.webp dành cho các bản nhỏ).",
        "{path} has the name of the small copy for phones the site makes of picture {original}; one would "
        "overwrite the other. Fix: rename {path} (a picture's name followed by .<number>w.webp is kept for the "
        "small copies).",
    ),
    "image_pixels": (
        "Ảnh {path} có quá nhiều điểm ảnh ({width} × {height}, tối đa {limit} triệu điểm ảnh): làm các bản nhỏ sẽ "
        "cần hàng trăm MB bộ nhớ. Cách sửa: lưu một bản nhỏ hơn, rộng tối đa 4000 điểm ảnh; dùng ở: {used_by}.",
        "Picture {path} has too many pixels ({width} × {height}, at most {limit} million): making its small "
        "copies would take hundreds of MB of memory. Fix: save a smaller copy, at most 4,000 pixels wide; "
        "used by: {used_by}.",
    ),
    "image_no_alt": (
        "Ảnh {path} không có mô tả cho người khiếm thị. Cách sửa: viết mô tả trong ngoặc vuông, "
        "ví dụ ![Đại biểu dự hội nghị]({path} \"Chú thích. Nguồn ảnh: …\").",
        "Image {path} has no alternative text. Fix: describe it in the brackets, "
        "e.g. ![Delegates at the meeting]({path} \"Caption. Nguồn ảnh: …\").",
    ),
    "image_no_caption": (
        "Ảnh {path} không có chú thích. Cách sửa: thêm chú thích và nguồn ảnh trong ngoặc kép sau đường dẫn, "
        "ví dụ ![mô tả]({path} \"Quang cảnh hội nghị. Nguồn ảnh: Sở TT&TT\").",
        "Image {path} has no caption. Fix: add the caption and credit in quotes after the path, "
        "e.g. ![description]({path} \"The meeting. Nguồn ảnh: …\").",
    ),
    "external_image": (
        "Ảnh lấy từ trang web khác ({path}): chậm, có thể mất hoặc theo dõi người đọc. "
        "Cách sửa: tải ảnh về, chép vào content/images/ và viết images/ten-anh.jpg.",
        "Image loaded from another site ({path}): slow, may vanish or track readers. "
        "Fix: save it into content/images/ and write images/name.jpg.",
    ),
    "link_to_draft": (
        "Liên kết \"{target}\" dẫn tới một bản nháp: trang đó không được đăng, người đọc sẽ gặp liên kết hỏng. "
        "Cách sửa: bỏ liên kết, hoặc đăng bài kia (bỏ dòng Status: draft) cùng lúc.",
        "Link \"{target}\" leads to a draft: that page is not published, and readers would find a dead link. "
        "Fix: remove the link, or publish the other article (drop its Status: draft) at the same time.",
    ),
    "link_to_scheduled": (
        "Liên kết \"{target}\" dẫn tới một bài hẹn đăng lúc {date}: tới lúc đó người đọc sẽ gặp liên kết hỏng. "
        "Cách sửa: hẹn bài này đăng sau bài kia, hoặc bỏ liên kết tới lúc đó.",
        "Link \"{target}\" leads to an article scheduled for {date}: until then readers would find a dead link. "
        "Fix: schedule this article after the other one, or add the link then.",
    ),
    "broken_link": (
        "Liên kết \"{target}\" không dẫn tới bài viết, trang hay tệp nào của cổng. "
        "Cách sửa: kiểm tra tên tệp; liên kết tới bài khác viết dạng [chữ]({{filename}}/tin-tuc/ten-tep.md).",
        "Link \"{target}\" leads to no article, page or file of the portal. "
        "Fix: check the file name; link to another article as [text]({{filename}}/tin-tuc/file.md).",
    ),
    "summary_too_long": (
        "Tóm tắt dài {length} ký tự, quá {limit} ký tự: các nguồn tin RSS và mạng xã hội sẽ cắt cụt. "
        "Cách sửa: rút gọn còn một đến ba câu; phần còn lại đưa vào nội dung bài.",
        "The summary is {length} characters, over {limit}: feeds and social sites will cut it. "
        "Fix: shorten it to one to three sentences; move the rest into the body.",
    ),
    "expired_still_active": (
        "Cảnh báo đã hết hiệu lực từ {expires} nhưng bài vẫn ghi \"{phrase}\". "
        "Cách sửa: nếu nguy cơ vẫn còn, gia hạn Expires và thêm một dòng Revisions; nếu không, sửa câu chữ.",
        "The warning expired on {expires} but the text still says \"{phrase}\". "
        "Fix: if the threat remains, extend Expires and add a Revisions line; otherwise reword it.",
    ),
    "revision_after_expiry": (
        "Có lần cập nhật ({bad}) sau khi cảnh báo hết hiệu lực ({expires}): cảnh báo sẽ hiện là đã hết hiệu lực. "
        "Cách sửa: nếu cảnh báo còn hiệu lực, gia hạn Expires.",
        "An update ({bad}) comes after the warning expired ({expires}): it will show as expired. "
        "Fix: if it is still active, extend Expires.",
    ),
    "import_guess": (
        "Giá trị này do công cụ nhập bài cũ đoán ({note}). "
        "Cách sửa: kiểm tra, sửa nếu sai, rồi xóa dòng ghi chú \"# ĐOÁN\" ngay phía trên.",
        "This value was guessed by the importer ({note}). "
        "Fix: check it, correct it if wrong, then delete the \"# ĐOÁN\" note just above.",
    ),
    "field_in_body": (
        "Dòng \"{text}\" nằm sau dòng trống nên bị coi là nội dung bài, không phải trường thông tin. "
        "Cách sửa: xóa dòng trống phía trên (dòng {blank}) để phần thông tin đầu bài liền một khối.",
        "Line \"{text}\" comes after a blank line, so it is body text, not a field. "
        "Fix: delete the blank line above (line {blank}) so the front matter is one block.",
    ),
    "not_markdown": (
        "Tệp không có đuôi .md nên cổng không đọc và không đăng. "
        "Cách sửa: đổi tên tệp thành {suggestion} (trên Windows, bật hiển thị đuôi tệp để thấy đuôi thật).",
        "The file does not end in .md, so the portal ignores it. "
        "Fix: rename it to {suggestion} (on Windows, show file extensions to see the real name).",
    ),
    "unreadable": (
        "Không đọc được tệp ({error}). "
        "Cách sửa: kiểm tra tệp còn đó và bạn có quyền đọc; đóng chương trình đang khóa tệp.",
        "The file cannot be read ({error}). Fix: check that it exists and is readable; close a program locking it.",
    ),
    # ---- the body and the files themselves (portal.body, portal.content_tree) ----------
    "too_deep": (
        "Danh sách hoặc trích dẫn lồng nhau quá sâu ({depth} cấp; tối đa {limit}). "
        "Cách sửa: bớt cấp lồng nhau; nếu đây là mã nguồn, đặt nó giữa hai dòng ```.",
        "A list or quote is nested too deep ({depth} levels; at most {limit}). "
        "Fix: use fewer levels; if this is code, put it between two ``` lines.",
    ),
    "too_complex": (
        "Nội dung bài quá phức tạp để chuyển thành trang ({what}; tối đa {limit}). Cách sửa: xem lại phần vừa dán "
        "(thường là nhiều dấu [ hoặc thẻ HTML lặp lại); xóa phần đó, hoặc nếu là mã nguồn thì đặt giữa hai dòng ```.",
        "The body is too complex to turn into a page ({what}; at most {limit}). Fix: look at what was pasted last "
        "(usually many [ or repeated HTML tags); delete it, or if it is code put it between two ``` lines.",
    ),
    "unsafe_html": (
        "Nội dung có {what}: mã có thể chạy trong trang hoặc trong trình đọc tin, không được phép. "
        "Cách sửa: xóa phần này (thường do dán từ trang khác); để giới thiệu video hay biểu mẫu, hãy đặt một liên kết.",
        "The body has {what}: code that could run in the page or in a feed reader is not allowed. "
        "Fix: delete it (usually pasted from another site); to show a video or a form, link to it instead.",
    ),
    "unsafe_url": (
        "Liên kết hoặc ảnh có địa chỉ \"{url}\" không được phép (chỉ http://, https://, mailto:, tel: "
        "hoặc đường dẫn trong trang). Cách sửa: thay bằng địa chỉ https://, hoặc đưa ảnh vào content/images/.",
        "A link or image has the address \"{url}\", which is not allowed (only http://, https://, mailto:, tel: "
        "or a path inside the site). Fix: use an https:// address, or put the image in content/images/.",
    ),
    "dropped_html": (
        "Định dạng {what} sẽ bị bỏ khi đăng (trang chỉ giữ định dạng Markdown). "
        "Cách sửa: xóa nó, và dùng Markdown (**đậm**, *nghiêng*, tiêu đề ##, danh sách -) nếu cần.",
        "The formatting {what} is removed when published (the portal keeps Markdown formatting only). "
        "Fix: delete it, and use Markdown (**bold**, *italic*, ## headings, - lists) where needed.",
    ),
    "could_not_process": (
        "Không xử lý được tệp ({error}). Cách sửa: mở tệp, kiểm tra phần vừa sửa; "
        "nếu không thấy lỗi, gửi tệp cho quản trị viên kèm thông báo này.",
        "The file could not be processed ({error}). Fix: open it and check what you changed last; "
        "if you see nothing wrong, send the file to the administrator with this message.",
    ),
    "link_outside": (
        "Đây là liên kết tượng trưng (symlink) trỏ ra ngoài thư mục content/ (tới {target}): "
        "tệp ngoài content/ không bao giờ được đăng. Cách sửa: xóa liên kết và chép chính tệp đó vào content/.",
        "This is a symbolic link pointing outside content/ (to {target}): files outside content/ are never "
        "published. Fix: delete the link and copy the file itself into content/.",
    ),
    "special_file": (
        "Đây không phải một tệp bình thường (là đường ống, thiết bị hoặc socket); đọc nó sẽ làm treo việc xây dựng. "
        "Cách sửa: xóa nó khỏi content/.",
        "This is not a regular file (a pipe, a device or a socket); reading it would hang the build. "
        "Fix: remove it from content/.",
    ),
    "link_to_article": (
        "Đây là liên kết tượng trưng (symlink) tới bài viết {target} (một tệp .md, hoặc thư mục có tệp .md): cổng "
        "đọc bài từ nơi tệp thật nằm, nên bài sẽ bị đọc hai lần hoặc sai loại bài. Cách sửa: xóa liên kết; muốn "
        "có bài ở đây thì chép tệp vào chỗ này và đổi Slug.",
        "This is a symbolic link to articles {target} (a .md file, or a folder holding some): the portal reads an "
        "article where its file really is, so it would be read twice or as the wrong kind. Fix: delete the link; "
        "to have the article here, copy the file here and change its Slug.",
    ),
    "link_broken": (
        "Đây là liên kết tượng trưng (symlink) trỏ tới tệp không tồn tại ({target}). "
        "Cách sửa: xóa liên kết, hoặc chép tệp thật vào chỗ này.",
        "This is a symbolic link to a file that does not exist ({target}). "
        "Fix: delete the link, or copy the real file here.",
    ),
    "static_type": (
        "Tệp này nằm trong thư mục {folder}/ nên sẽ được đăng nguyên trạng trên tên miền của Cổng, "
        "nơi trình duyệt có thể chạy nó. Cách sửa: chỉ đặt ảnh và tài liệu ({types}) trong {folder}/; xóa hoặc chuyển tệp này ra ngoài content/.",
        "This file is in {folder}/, so it would be published as it is on the portal's own address, "
        "where a browser could run it. Fix: keep only pictures and documents ({types}) in {folder}/; delete this file or move it out of content/.",
    ),
    "unsafe_svg": (
        "Ảnh SVG này có {what}: SVG có thể chứa mã chạy được khi mở ảnh. "
        "Cách sửa: xuất lại ảnh ở dạng PNG, hoặc lưu SVG ở dạng \"plain SVG\" không có mã, liên kết hay tệp nhúng.",
        "This SVG image holds {what}: an SVG can carry code that runs when the image is opened. "
        "Fix: export the picture as PNG, or save a \"plain SVG\" with no script, links or embedded files.",
    ),
    "too_large": (
        "Tệp quá lớn ({size} MB; tối đa {limit} MB cho một bài). Cách sửa: kiểm tra tệp có bị dán nhầm nội dung "
        "không; tách bài dài thành nhiều bài.",
        "The file is too large ({size} MB; at most {limit} MB for one article). Fix: check that nothing was pasted "
        "by mistake; split a long article into several.",
    ),
    # ---- the issued-message record (portal.cap.record) ----------------------------------
    "issued_changed": (
        "Cảnh báo này đã phát hành thông điệp CAP {message} (lúc {sent}); từ đó đã sửa: {fields}, nhưng chưa có dòng "
        "Revisions mới, nên người nhận không biết có thay đổi. Cách sửa: thêm một dòng Revisions, ví dụ "
        "\"{example} | Nêu ngắn gọn điều đã sửa\" (một thông điệp cập nhật sẽ được phát hành), hoặc hoàn lại như cũ.",
        "This warning has issued the CAP message {message} (at {sent}); since then {fields} changed, but there is no "
        "new Revisions line, so recipients would not learn of it. Fix: add a Revisions line, e.g. "
        "\"{example} | What changed, briefly\" (an Update will be issued), or undo the change.",
    ),
    "issued_missing": (
        "Thông điệp CAP {message} (phát hành lúc {sent}) không còn trong bài: một dòng Revisions hoặc Withdrawn đã "
        "bị xóa. Thông điệp đã gửi không thể rút lại. Cách sửa: khôi phục dòng đó; muốn thu hồi cảnh báo thì thêm Withdrawn.",
        "The CAP message {message} (issued at {sent}) is no longer in the article: a Revisions or Withdrawn line was "
        "removed. A message once sent cannot be taken back. Fix: restore the line; to withdraw the warning, add Withdrawn.",
    ),
    "issued_redated": (
        "Thời điểm của thông điệp CAP đã phát hành {message} ({sent}) đã thay đổi: một dòng Revisions đã bị sửa ngày, "
        "hoặc một dòng mới được chèn vào trước nó. Cách sửa: giữ nguyên các dòng đã phát hành; dòng mới phải có thời "
        "điểm sau {sent}.",
        "The time of the issued CAP message {message} ({sent}) changed: a Revisions line was re-dated, or a new line "
        "was put before it. Fix: keep issued lines as they are; a new line must be dated after {sent}.",
    ),
    "issued_orphan": (
        "Cảnh báo số hiệu {identifier} đã phát hành thông điệp CAP nhưng không còn bài đang đăng nào mang số hiệu "
        "này (tệp bị xóa, chuyển thành bản nháp, hoặc Identifier bị đổi). Cách sửa: khôi phục bài hoặc số hiệu; muốn thu hồi cảnh báo thì thêm dòng Withdrawn.",
        "Warning {identifier} has issued CAP messages, but no published article carries this identifier any more (the "
        "file was deleted or made a draft, or its Identifier changed). Fix: restore the article or its identifier; to withdraw it, add Withdrawn.",
    ),
    "empty_body": (
        "Bài chưa có nội dung. Cách sửa: viết nội dung sau dòng trống đầu tiên dưới phần thông tin.",
        "The article has no body. Fix: write it after the first blank line below the front matter.",
    ),
}

LEVEL_LABEL = {"vi": {"error": "lỗi", "warning": "cảnh báo"}, "en": {"error": "error", "warning": "warning"}}
FIELD_WORD = {"vi": "trường", "en": "field"}
VALUE_WORD = {"vi": "giá trị", "en": "value"}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    field: str | None
    value: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    level: str = "error"

    def message(self, lang: str = "vi") -> str:
        vi, en = MESSAGES[self.code]
        template = en if lang == "en" else vi
        params = {"field": self.field or "", "value": self.value or "", **self.params}
        return template.format(**params)

    def format(self, lang: str = "vi") -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        head = f"{where}: [{LEVEL_LABEL[lang if lang == 'en' else 'vi'][self.level]}]"
        parts = [head]
        if self.field:
            parts.append(f'{FIELD_WORD.get(lang, FIELD_WORD["vi"])} "{self.field}"')
        if self.value is not None and self.value != "":
            shown = self.value if len(self.value) <= 80 else self.value[:77] + "…"
            parts.append(f'{VALUE_WORD.get(lang, VALUE_WORD["vi"])} "{shown}":')
        elif self.field:
            parts[-1] += ":"
        return " ".join(parts) + " " + self.message(lang)


def report(problems: list[Problem], lang: str = "vi") -> str:
    """All problems, grouped by file in a stable order, with a count line."""
    ordered = sorted(problems, key=lambda p: (p.path, p.line or 0, p.field or "", p.code))
    errors = sum(1 for p in problems if p.level == "error")
    warnings = len(problems) - errors
    files = len({p.path for p in problems})
    if lang == "en":
        head = f"Found {errors} error(s) and {warnings} warning(s) in {files} file(s):"
    else:
        head = f"Tìm thấy {errors} lỗi và {warnings} cảnh báo trong {files} tệp:"
    lines = [head]
    current = None
    for p in ordered:
        if p.path != current:
            current = p.path
            lines.append("")
            lines.append(p.path)
        lines.append("  " + p.format(lang))
    return "\n".join(lines)


class ContentErrors(Exception):
    """Raised to stop a build: the content has errors; nothing is written."""

    def __init__(self, problems: list[Problem], lang: str = "vi"):
        self.problems = problems
        self.lang = lang
        super().__init__(report(problems, lang))

    def __reduce__(self):
        """Whole across processes (the build runs Pelican in a process of its own)."""
        return (type(self), (self.problems, self.lang))
