"""CAP messages from typed views (no build)."""

from __future__ import annotations

from helpers import DRILL, WARNING, view_of

from portal import model
from portal.cap import messages

SETTINGS = {"CAP_SENDER": "antoanthongtin@laocai.gov.vn", "SITE_OWNER": "Công an tỉnh"}


def test_a_warning_is_a_chain_of_messages():
    view = view_of(WARNING, model.WARNING)
    chain = messages.warning_chain(view, SETTINGS["CAP_SENDER"])
    assert [m.msg_type for m in chain] == ["Alert", "Update"]
    assert chain[1].references == f"{SETTINGS['CAP_SENDER']},CB-2026-014,2026-11-20T09:30:00+07:00"
    assert chain[0].instruction == "1. Cài bản vá.\n2. Kiểm tra nhật ký."
    assert "Mã CVE: CVE-2026-21001, CVE-2026-21002" in chain[0].description
    # what changes with time never rewrites a message already issued
    assert "Trạng thái" not in chain[0].description and "Bổ sung mã CVE" not in chain[0].description


def test_the_original_message_does_not_change_when_a_revision_arrives():
    before = messages.warning_chain(view_of(WARNING, model.WARNING), "s")[0]
    after = messages.warning_chain(view_of(WARNING, model.WARNING, now=model.parse_datetime("2026-12-02")), "s")[0]
    assert before.description == after.description and before.headline == after.headline


def test_xml_in_schema_order():
    view = view_of(WARNING, model.WARNING)
    root = messages.to_xml(messages.warning_chain(view, "s")[0], SETTINGS, "https://example.vn")
    names = [el.tag.split("}")[1] for el in root]
    assert names[:6] == ["identifier", "sender", "sent", "status", "msgType", "scope"]
    info = root.find(f"{{{messages.CAP_NS}}}info")
    assert info.findtext(f"{{{messages.CAP_NS}}}severity") == "Extreme"


def test_a_public_drill_is_an_exercise():
    message = messages.drill_message(view_of(DRILL, model.DRILL))
    assert message.status == "Exercise" and message.description.startswith("ĐÂY LÀ DIỄN TẬP")
    assert "Địa điểm: Hội trường tỉnh" in message.description


def test_the_identifiers_of_a_chain_are_known_without_making_it():
    withdrawn = WARNING.replace("Revisions:", "Withdrawn: 2026-12-01 09:00 | Phát hành nhầm.\nRevisions:")
    for text, now in ((WARNING, None), (WARNING, model.parse_datetime("2026-12-02 00:00")),
                      (withdrawn, model.parse_datetime("2026-12-02 00:00"))):
        view = view_of(text, model.WARNING, **({"now": now} if now else {}))
        assert messages.warning_identifiers(view) == [m.identifier for m in messages.warning_chain(view, "s")]
    assert len(messages.warning_identifiers(view)) == 4  # the alert, two updates, the withdrawal
