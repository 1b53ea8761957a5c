"""The typed view: fields parsed once, events and status at the build clock."""

from __future__ import annotations

from helpers import DRILL, NOW, WARNING, view_of

from portal import model


def test_a_revision_dated_after_the_build_clock_is_held_back():
    view = view_of(WARNING, model.WARNING)
    assert [r.note for r in view.revisions] == ["Bổ sung mã CVE."]
    assert view.values["revisions"] == list(view.revisions)
    assert view.modified == view.updated == model.parse_datetime("2026-11-21 10:00")
    later = view_of(WARNING, model.WARNING, now=model.parse_datetime("2026-12-02 00:00"))
    assert len(later.revisions) == 2


def test_status_follows_the_clock():
    assert view_of(WARNING, model.WARNING).status is model.ACTIVE
    assert view_of(WARNING, model.WARNING, now=model.parse_datetime("2027-01-01 00:00")).status is model.EXPIRED
    withdrawn = WARNING.replace("Revisions:", "Withdrawn: 2026-11-25 08:00 | Phát hành nhầm.\nRevisions:").replace(
        "    2026-12-01 08:00 | Một bản sửa còn hẹn giờ.\n", "")  # (a withdrawn warning takes no later update)
    view = view_of(withdrawn, model.WARNING)
    assert view.status is model.WITHDRAWN and view.withdrawn.note == "Phát hành nhầm."
    assert view.notices[0].startswith("Đã thu hồi 25/11/2026 08:00")
    assert view_of(withdrawn, model.WARNING, now=model.parse_datetime("2026-11-24 00:00")).withdrawn is None


def test_fields_are_typed_and_reachable_by_key():
    view = view_of(WARNING, model.WARNING)
    assert view.identifier == "CB-2026-014" and view.severity.cap == "Extreme"
    assert view.cves == ["CVE-2026-21001", "CVE-2026-21002"]
    assert view.affected == ["Exchange Server 2019", "Exchange Server 2016"]
    assert view.byline.names == ("Phòng An ninh mạng",)
    assert [t.slug for t in view.tags] == ["microsoft", "lo-hong"]
    assert view.location is None  # a field of another kind: None, not an error
    assert view.is_warning and view.is_active and view.kind_label == "Cảnh báo"


def test_the_facts_rows_come_from_the_model():
    rows = {r.key: r for r in view_of(WARNING, model.WARNING).rows}
    assert list(rows) == ["identifier", "severity", "status", "cve", "affected", "actions", "references", "expires",
                          "revisions"]
    assert rows["status"].items[0].note == "· Đã cập nhật (1 lần)"
    assert [i.text for i in rows["revisions"].items] == ["Phát hành lần đầu.", "Bổ sung mã CVE."]
    drill = {r.key: r for r in view_of(DRILL, model.DRILL).rows}
    assert list(drill) == ["start", "end", "location", "organisers", "units", "scenario", "public_alert"]
    assert drill["public_alert"].items[0].text.startswith("Có: diễn tập được thông báo công khai")


def test_neighbours_and_related(monkeypatch):
    from portal.view import link_neighbours

    views = [view_of(WARNING.replace("lo-hong-exchange", f"bai-{i}"), model.WARNING) for i in range(3)]
    link_neighbours(views)
    assert views[1].newer_in_kind is views[0] and views[1].older_in_kind is views[2]
    assert views[0].related == [views[1], views[2]]


def test_a_build_finds_the_neighbours_of_the_same_shape_in_its_cache_folder(tmp_path):
    from portal import view as view_module

    def views(tags):
        out = []
        for i, tag in enumerate(tags):
            text = WARNING.replace("lo-hong-exchange", f"bai-{i}").replace("Tags: ", f"Tags: {tag}, ", 1)
            out.append(view_of(text, model.WARNING))
        return out

    def links(vs):
        return [(v.newer_in_kind and v.newer_in_kind.slug, [r.slug for r in v.related]) for v in vs]

    first = views(["a", "b", "a", "c"])
    view_module._LAST_SHAPE.clear()
    view_module.link_neighbours(first, str(tmp_path))
    kept = tmp_path / view_module.NEIGHBOURS
    assert kept.is_file()
    again = views(["a", "b", "a", "c"])
    view_module._LAST_SHAPE.clear()  # another build: a process of its own
    view_module.link_neighbours(again, str(tmp_path))
    assert links(again) == links(first)
    data = kept.read_bytes()
    kept.write_bytes(data[:40] + b"x" + data[41:])  # damaged: worked out again, the same
    view_module._LAST_SHAPE.clear()
    damaged = views(["a", "b", "a", "c"])
    view_module.link_neighbours(damaged, str(tmp_path))
    assert links(damaged) == links(first)
    other = views(["a", "a", "b", "c"])  # another shape: its own positions
    view_module._LAST_SHAPE.clear()
    view_module.link_neighbours(other, str(tmp_path))
    fresh = views(["a", "a", "b", "c"])
    view_module._LAST_SHAPE.clear()
    view_module.link_neighbours(fresh)
    assert links(other) == links(fresh)
    view_module._LAST_SHAPE.clear()


def test_a_few_articles_tags_changed_give_the_same_neighbours_as_working_them_all_out():
    """The live preview after a save, and a build after an edit, work out again only the related articles
    near the ones whose tags changed: always what working out every article gives."""
    import random

    from portal import view as view_module

    rng = random.Random(20261202)
    slugs = [f"the-{k}" for k in range(7)]
    for _ in range(60):
        size = rng.choice([5, 40, 300])
        last = tuple((rng.choice("ab"), tuple(rng.sample(slugs, rng.randint(0, 3)))) for _ in range(size))
        shape = list(last)
        for i in rng.sample(range(size), rng.randint(1, min(5, size))):
            tags = list(rng.sample(slugs + ["moi"], rng.randint(0, 3)))
            if tags and rng.random() < 0.2:
                tags.append(tags[0])  # a tag twice: its list holds the article twice
            shape[i] = (shape[i][0], tuple(tags))
        shape = tuple(shape)
        moved = view_module._moved_positions(last, view_module._neighbour_positions(last), shape)
        assert moved == view_module._neighbour_positions(shape)
    some = (("a", ("x",)), ("b", ("x", "y")), ("a", ("y",)))
    kept = view_module._neighbour_positions(some)
    assert view_module._moved_positions(some, kept, (("b", ("x",)), *some[1:])) is None  # a kind changed
    assert view_module._moved_positions(some, kept, some[:2]) is None  # an article gone


def test_a_build_after_a_tag_edit_finds_the_neighbours_from_the_last_builds(tmp_path):
    from portal import view as view_module

    last = tuple(("a", (f"t{i % 3}",)) for i in range(200))
    shape = (("a", ("t1", "moi")), *last[1:])
    view_module._kept_positions(last, str(tmp_path))
    worked_out = []
    real = view_module._neighbour_positions
    view_module._neighbour_positions = lambda s: worked_out.append(s) or real(s)
    try:
        assert view_module._kept_positions(shape, str(tmp_path)) == real(shape)
        assert worked_out == []  # from the last build's, none worked out whole
        assert view_module._kept_positions(shape, str(tmp_path)) == real(shape)  # and kept for the next
    finally:
        view_module._neighbour_positions = real


def test_now_is_the_build_clock():
    assert NOW.utcoffset().total_seconds() == 7 * 3600
