"""A plan uploaded in the browser (the service behind /ke-hoach) and giving items in bulk
(the service behind /viec's bulk form and "Sao chép phân công năm trước")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler import services
from scheduler.context import AppContext
from scheduler.errors import InvalidInput, NotFound, PermissionDenied
from scheduler.plans.importing import CancellationRefused, import_plan
from scheduler.plans.reading import read_plan
from scheduler.services import audit, bulk_assign, plan_uploads
from scheduler.store.models import AuditEntry, Event, Plan, PlanUpload
from tests.support_plan_upload import (
    ADDED,
    CHANGED_NEW,
    CHANGED_OLD,
    PLAN_TXT,
    PNG,
    docx_bytes,
    no_month_docx,
    plan_docx,
    plan_text,
)


@pytest.fixture
def people(ctx: AppContext) -> dict[str, int]:
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as s:
        admin = services.add_officer(s, "Lê Văn Quản", now, unit="bdvtu", role="admin")
        head = services.add_officer(s, "Nguyễn Văn An", now, unit="hc-dt", role="head")
        binh = services.add_officer(s, "Trần Thị Bình", now, unit="hc-dt")
        cuong = services.add_officer(s, "Phạm Văn Cường", now, unit="dvcq-dttg")
        return {"admin": admin.id, "head": head.id, "binh": binh.id, "cuong": cuong.id}


def _plan_items(s) -> list[Event]:
    return list(s.scalars(select(Event).where(Event.source == "plan")))


def _stage(ctx: AppContext, name: str, data: bytes, actor_id: int, year: int | None = None):
    with ctx.db.unit_of_work() as s:
        actor = services.resolve_officer(s, actor_id)
        staged = plan_uploads.stage(s, actor, name, data, ctx.clock.now(), year=year)
        return staged.upload.token, staged.upload.sha256, len(staged.parsed.items)


def _store(ctx: AppContext, token: str, sha: str, actor_id: int, allow_cancel: bool = False):
    with ctx.db.unit_of_work() as s:
        actor = services.resolve_officer(s, actor_id)
        stored = plan_uploads.store(
            s, actor, token, sha, ctx.clock.now(), allow_cancel=allow_cancel
        )
        return stored.already, stored.plan_id


def test_an_uploaded_docx_stores_the_same_102_items_as_lichct_import(ctx, people, tmp_path):
    token, sha, found = _stage(ctx, "KH 100 năm 2024.docx", plan_docx(), people["admin"])
    assert found == 102
    with ctx.db.unit_of_work() as s:
        assert _plan_items(s) == []  # nothing stored by the upload itself
    already, plan_id = _store(ctx, token, sha, people["admin"])
    assert not already and plan_id
    _document, parsed = read_plan(PLAN_TXT, None)
    with ctx.db.unit_of_work() as s:
        items = _plan_items(s)
        assert sorted(e.uid for e in items) == sorted(i.uid for i in parsed.items)
        plan = s.get(Plan, plan_id)
        assert plan is not None and plan.number == "100-KH/BDVTU" and plan.year == 2024
        entry = audit.recent(s, action_prefix="plan.import")[0]
        assert entry.officer is not None and entry.officer.name == "Lê Văn Quản"
        assert "mới 102" in entry.summary
        one = items[0]
        assert [e.action for e in audit.for_event(s, one.id)] == ["plan.item.created"]


def test_pressing_store_twice_stores_once(ctx, people):
    token, sha, _found = _stage(ctx, "plan.docx", plan_docx(), people["admin"])
    assert _store(ctx, token, sha, people["admin"])[0] is False
    already, plan_id = _store(ctx, token, sha, people["admin"])
    assert already is True and plan_id is not None
    with ctx.db.unit_of_work() as s:
        assert len(_plan_items(s)) == 102
        assert s.scalar(select(func.count()).select_from(Plan)) == 1
        imports = [e for e in audit.recent(s) if e.action == "plan.import"]
        assert len(imports) == 1
        upload = s.scalar(select(PlanUpload))
        assert upload is not None and upload.content is None  # the document is let go


def test_an_amended_copy_shows_one_changed_item_with_both_wordings_and_one_new(ctx, people):
    _store(ctx, *_stage(ctx, "plan.docx", plan_docx(), people["admin"])[:2], people["admin"])
    token, _sha, _n = _stage(ctx, "plan-sua.docx", plan_docx(amended=True), people["admin"])
    with ctx.db.unit_of_work() as s:
        upload = plan_uploads.find(s, token)
        _parsed, preview = plan_uploads.preview(s, upload)
        assert (preview.count("created"), preview.count("updated")) == (1, 1)
        assert preview.count("unchanged") == 101 and preview.check.cancel == []
        new = next(c for c in preview.changes if c.status == "created")
        changed = next(c for c in preview.changes if c.status == "updated")
        assert new.item.text == ADDED
        assert changed.old_text == CHANGED_OLD and changed.item.text == CHANGED_NEW
        assert len(_plan_items(s)) == 102  # a preview writes nothing


def test_uploads_that_are_not_plans_give_one_message_and_keep_nothing(ctx, people):
    bad = {
        "anh-chup.png": PNG,
        "anh-chup.docx": PNG,
        "trong.txt": b"",
        "trong.docx": b"",
        "cong-van.docx": no_month_docx(),
    }
    messages = {}
    for name, data in bad.items():
        with pytest.raises(InvalidInput) as raised:
            _stage(ctx, name, data, people["admin"])
        messages[name] = str(raised.value)
    assert "ảnh chụp" in messages["anh-chup.png"] and "lichct import" in messages["anh-chup.png"]
    assert "không phải .docx" in messages["anh-chup.docx"]
    assert "rỗng" in messages["trong.txt"] and "rỗng" in messages["trong.docx"]
    assert "Tháng" in messages["cong-van.docx"]
    assert all("\n" not in m for m in messages.values())
    with ctx.db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(PlanUpload)) == 0
        assert _plan_items(s) == []


def test_a_document_over_20_mb_is_refused_before_it_is_read(ctx, people):
    with pytest.raises(InvalidInput, match="giới hạn là 20 MB"):
        _stage(ctx, "lon.txt", b"x" * (20 * 1024 * 1024 + 1), people["admin"])


def test_too_many_cancellations_wait_for_the_confirmation_box(ctx, people):
    _store(ctx, *_stage(ctx, "plan.docx", plan_docx(), people["admin"])[:2], people["admin"])
    text = plan_text()
    # July's six "tham mưu" items dropped: more than the guard lets an import cancel unasked.
    start = text.index("\n", text.index("7.1. Tham mưu"))
    end = text.index("7.2. Nhiệm vụ chuyên môn")
    token, sha, _n = _stage(
        ctx, "thieu-thang-7.docx", docx_bytes(text[:start] + "\n\n" + text[end:]), people["admin"]
    )
    with pytest.raises(CancellationRefused):
        _store(ctx, token, sha, people["admin"])
    with ctx.db.unit_of_work() as s:
        assert plan_uploads.find(s, token).consumed_at is None  # still waiting
        assert all(e.status == "planned" for e in _plan_items(s) if e.month == 7)
    assert _store(ctx, token, sha, people["admin"], allow_cancel=True)[0] is False
    with ctx.db.unit_of_work() as s:
        july = [e for e in _plan_items(s) if e.month == 7 and e.section == "tham-muu"]
        assert len(july) == 6 and all(e.status == "cancelled" for e in july)
        assert sum(e.status == "cancelled" for e in _plan_items(s)) == 6
        assert "hủy vì không còn" in audit.for_event(s, july[0].id)[-1].summary


def test_an_upload_nobody_stored_is_forgotten_after_a_day(ctx, people):
    token, _sha, _n = _stage(ctx, "plan.docx", plan_docx(), people["admin"])
    ctx.clock.advance(timedelta(hours=25))
    _stage(ctx, "plan.txt", plan_text().encode(), people["admin"])
    with ctx.db.unit_of_work() as s, pytest.raises(NotFound, match="tải tệp lên lại"):
        plan_uploads.find(s, token)


# ------------------------------------------------------------------------- bulk assign


def _import_2024(ctx: AppContext) -> None:
    _document, parsed = read_plan(PLAN_TXT, None)
    with ctx.db.unit_of_work() as s:
        import_plan(s, parsed, "plan.txt", "x" * 64, ctx.clock.now())


def _reports(s, month: int) -> list[Event]:
    return [
        e
        for e in _plan_items(s)
        if e.month == month and e.section == "chuyen-mon" and e.kind == "report"
    ]


def test_an_admin_gives_many_items_to_two_officers_in_one_action(ctx, people):
    _import_2024(ctx)
    with ctx.db.unit_of_work() as s:
        admin = services.resolve_officer(s, people["admin"])
        items = [e for e in _plan_items(s) if e.month == 6 and e.section == "chuyen-mon"]
        officers = [services.resolve_officer(s, people[k]) for k in ("binh", "cuong")]
        given = bulk_assign.assign_many(s, admin, items, ctx.clock.now(), officers=officers)
        assert given == len(items) > 3
        ids = [e.id for e in items]
    with ctx.db.unit_of_work() as s:
        for event_id in ids:
            event = services.get_event(s, event_id)
            assert {a.officer_id for a in event.assignments} == {people["binh"], people["cuong"]}
            [entry] = audit.for_event(s, event_id)
            assert entry.summary == "giao cho Trần Thị Bình, Phạm Văn Cường"
        # Giving again changes nothing and records nothing.
        admin = services.resolve_officer(s, people["admin"])
        again = [services.get_event(s, i) for i in ids]
        binh = services.resolve_officer(s, people["binh"])
        assert bulk_assign.assign_many(s, admin, again, ctx.clock.now(), officers=[binh]) == 0
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == len(ids)


def test_a_head_gives_only_their_units_items_to_their_units_people(ctx, people):
    _import_2024(ctx)
    with ctx.db.unit_of_work() as s:
        admin = services.resolve_officer(s, people["admin"])
        unit = services.find_unit(s, "hc-dt")
        july = _reports(s, 7)
        bulk_assign.assign_many(s, admin, july, ctx.clock.now(), unit=unit)
        july_ids = [e.id for e in july]
        other = services.find_unit(s, "dvcq-dttg")
        bulk_assign.assign_many(s, admin, _reports(s, 6), ctx.clock.now(), unit=other)
    with ctx.db.unit_of_work() as s:
        head = services.resolve_officer(s, people["head"])
        binh = services.resolve_officer(s, people["binh"])
        cuong = services.resolve_officer(s, people["cuong"])
        july = [services.get_event(s, i) for i in july_ids]
        with pytest.raises(PermissionDenied, match="không thuộc đơn vị của bạn"):
            bulk_assign.assign_many(s, head, july, ctx.clock.now(), officers=[cuong])
        june = _reports(s, 6)  # given to the other department
        with pytest.raises(PermissionDenied, match="không thuộc phạm vi"):
            bulk_assign.assign_many(s, head, june, ctx.clock.now(), officers=[binh])
        assert bulk_assign.assign_many(s, head, july, ctx.clock.now(), officers=[binh]) == len(july)


def test_last_years_assignments_are_copied_to_items_worded_alike(ctx, people, tmp_path):
    _import_2024(ctx)
    with ctx.db.unit_of_work() as s:
        admin = services.resolve_officer(s, people["admin"])
        binh = services.resolve_officer(s, people["binh"])
        reports = [e for e in _plan_items(s) if e.section == "chuyen-mon" and e.kind == "report"]
        assert len(reports) > 10
        bulk_assign.assign_many(s, admin, reports, ctx.clock.now(), officers=[binh])
    path = tmp_path / "2025.txt"
    path.write_text(plan_text().replace("2024", "2025"), encoding="utf-8")
    _document, parsed = read_plan(path, None)
    with ctx.db.unit_of_work() as s:
        summary = import_plan(s, parsed, "2025.txt", "y" * 64, ctx.clock.now())
        plan = s.get(Plan, summary.plan_id)
        assert plan is not None and plan.year == 2025
        previous, pairs = bulk_assign.propose_copy(s, plan)
        assert previous is not None and previous.year == 2024
        titles = {p.new.title for p in pairs}
        assert "Báo cáo công tác dân vận tháng 7/2025" in titles
        assert all(p.new.month == p.old.month and p.score >= 85 for p in pairs)
        assert all([o.name for o in p.officers] == ["Trần Thị Bình"] for p in pairs)
        chosen = {p.new.id for p in pairs[1:]}  # the first pair unticked
        skipped = pairs[0].new.id
        given = bulk_assign.apply_copy(s, admin, plan, chosen, ctx.clock.now())
        assert given == len(pairs) - 1
    with ctx.db.unit_of_work() as s:
        assert services.get_event(s, skipped).assignments == []
        some = services.get_event(s, next(iter(chosen)))
        assert [a.officer_id for a in some.assignments] == [people["binh"]]
        assert "theo phân công năm 2024" in audit.for_event(s, some.id)[0].summary
        _previous, left = bulk_assign.propose_copy(s, s.get(Plan, some.plan_id))
        assert [p.new.id for p in left] == [skipped]
