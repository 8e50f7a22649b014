"""Storing an imported plan, and the ``lichct import`` command."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from calendars.plan_parser import ParsedPlan, parse_plan
from calendars.plan_reader import Paragraph
from scheduler.clock import FixedClock
from scheduler.config import Settings
from scheduler.context import AppContext
from scheduler.plans.importing import import_plan
from scheduler.store.db import migrate
from scheduler.store.models import Event, Plan
from tests.cli_support import run_cli
from tests.support_import import write_docx_plan, write_scanned_pdf, write_text_plan

SEED = Path(__file__).resolve().parent.parent / "data" / "plans" / "2024_100-KH-BDVTU.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")


def parse_text(text: str) -> ParsedPlan:
    """The text as the reader gives it: one paragraph per non-empty line."""
    return parse_plan(
        [Paragraph(" ".join(line.split())) for line in text.splitlines() if line.strip()]
    )


def store(ctx: AppContext, text: str, hours: int = 0) -> tuple[int, int, int, int]:
    parsed = parse_text(text)
    now = ctx.clock.now() + timedelta(hours=hours)
    with ctx.db.unit_of_work() as session:
        s = import_plan(session, parsed, "plan.txt", str(hash(text)), now)
        return s.created, s.updated, s.unchanged, s.cancelled


def plan_events(session: Session) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.source == "plan").order_by(Event.id)))


def test_importing_the_2024_plan_stores_one_event_per_item(ctx: AppContext) -> None:
    assert store(ctx, SEED_TEXT) == (102, 0, 0, 0)
    with ctx.db.unit_of_work() as session:
        events = plan_events(session)
        plan = session.scalar(select(Plan))
        assert plan is not None and (plan.year, plan.number) == (2024, "100-KH/BDVTU")
        assert len(events) == 102
        assert {e.plan_id for e in events} == {plan.id}
        sen = next(e for e in events if "Sen Đôn-ta" in e.text)
        assert (sen.start_date.isoformat(), sen.end_date.isoformat()) == (
            "2024-10-01",
            "2024-10-03",
        )
        assert sen.observance_key == "sen-don-ta" and sen.kind == "plan"
        assert all(e.status == "planned" and e.revision == 0 for e in events)
        # The observances of the plan year exist as events too.
        observed = session.scalar(
            select(func.count()).select_from(Event).where(Event.source == "observance")
        )
        assert observed and observed > 0


def test_importing_the_same_plan_twice_changes_nothing(ctx: AppContext) -> None:
    store(ctx, SEED_TEXT)
    with ctx.db.unit_of_work() as session:
        before = [(e.uid, e.revision, e.updated_at) for e in plan_events(session)]
    assert store(ctx, SEED_TEXT, hours=1) == (0, 0, 102, 0)
    with ctx.db.unit_of_work() as session:
        assert [(e.uid, e.revision, e.updated_at) for e in plan_events(session)] == before


def test_an_amended_plan_updates_adds_and_cancels_keeping_uids(ctx: AppContext) -> None:
    store(ctx, SEED_TEXT)
    with ctx.db.unit_of_work() as session:
        uids = {e.text: e.uid for e in plan_events(session)}
    amended = (
        SEED_TEXT.replace(
            "- Lập dự toán kinh phí Ban Chỉ đạo 37 tỉnh năm 2025.",
            "- Lập dự toán kinh phí hoạt động của Ban Chỉ đạo 37 tỉnh năm 2025.",
        )
        .replace("- Báo cáo việc thực hiện pháp luật về dân chủ trực tiếp.\n", "")
        .replace(
            "- Báo cáo công tác dân vận tháng 7/2024.",
            "- Báo cáo công tác dân vận tháng 7/2024.\n- Tổng kết phong trào thi đua Dân vận khéo.",
        )
    )
    assert store(ctx, amended, hours=2) == (1, 1, 100, 1)
    with ctx.db.unit_of_work() as session:
        events = {e.text: e for e in plan_events(session)}
        edited = events["Lập dự toán kinh phí hoạt động của Ban Chỉ đạo 37 tỉnh năm 2025."]
        assert edited.uid == uids["Lập dự toán kinh phí Ban Chỉ đạo 37 tỉnh năm 2025."]
        assert edited.revision == 1
        removed = events["Báo cáo việc thực hiện pháp luật về dân chủ trực tiếp."]
        assert removed.status == "cancelled" and removed.cancelled_at is not None
        assert removed.revision == 1
        assert events["Tổng kết phong trào thi đua Dân vận khéo."].status == "planned"
    # The item comes back in a later version: the same event, planned again.
    assert store(ctx, SEED_TEXT, hours=3) == (0, 2, 100, 1)
    with ctx.db.unit_of_work() as session:
        again = {e.text: e for e in plan_events(session)}
        back = again["Báo cáo việc thực hiện pháp luật về dân chủ trực tiếp."]
        assert back.status == "planned" and back.cancelled_at is None and back.revision == 2


def test_a_changed_date_gives_a_higher_revision_and_the_same_uid(ctx: AppContext) -> None:
    store(ctx, SEED_TEXT)
    with ctx.db.unit_of_work() as session:
        vu_lan = next(e for e in plan_events(session) if "Dự lễ Vu Lan" in e.text)
        uid, revision = vu_lan.uid, vu_lan.revision
    # Punctuation and diacritic spelling aside, the wording is the same item.
    moved = SEED_TEXT.replace(
        "Dự lễ Vu Lan tại các điểm Chùa và Tịnh xá trong tỉnh (ngày 18/8/2024).",
        "Dự lễ Vu Lan tại các điểm Chùa và Tịnh xá trong tỉnh (ngày 17/8/2024)",
    )
    assert store(ctx, moved, hours=1) == (0, 1, 101, 0)
    with ctx.db.unit_of_work() as session:
        vu_lan = next(e for e in plan_events(session) if "Dự lễ Vu Lan" in e.text)
        assert vu_lan.uid == uid
        assert vu_lan.revision == revision + 1
        assert vu_lan.start_date.isoformat() == "2024-08-17"


# --------------------------------------------------------------------------- CLI


def test_dry_run_shows_the_programme_grouped_by_month_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], cli_env: dict[str, str]
) -> None:
    assert run_cli(capsys, "init").code == 0
    result = run_cli(capsys, "import", str(SEED), "--dry-run")
    assert result.code == 0, result.err
    out = result.out
    assert "Kế hoạch số 100-KH/BDVTU · năm 2024" in out
    assert "── Tháng 1/2024" in out and "── Tháng 12/2024" in out
    assert "Sen Đôn-ta" in out and "nếu có" in out
    assert "24/09/2024" in out  # the Sen Đôn-ta plan's due date, dd/mm/yyyy
    assert "102 việc: 31 tham mưu, 71 chuyên môn" in out
    assert "chưa lưu" in out
    events = run_cli(capsys, "events", "--format", "json")
    assert [e for e in json.loads(events.out) if e["uid"].startswith("plan-")] == []


def test_import_json_has_exactly_the_contract_fields(
    capsys: pytest.CaptureFixture[str], cli_env: dict[str, str]
) -> None:
    result = run_cli(capsys, "import", str(SEED), "--dry-run", "--format", "json")
    assert result.code == 0, result.err
    items = json.loads(result.out)
    assert len(items) == 102
    assert set(items[0]) == {
        "uid",
        "month",
        "section",
        "kind",
        "title",
        "text",
        "due",
        "start",
        "end",
        "all_day",
        "conditional",
        "references",
        "observance",
    }
    chol = next(i for i in items if "Chol Chnam Thmay" in i["text"])
    assert (chol["start"], chol["end"], chol["kind"]) == ("2024-04-14", "2024-04-16", "visit")


def test_import_stores_then_reports_nothing_new_on_a_second_run(
    capsys: pytest.CaptureFixture[str], cli_env: dict[str, str]
) -> None:
    assert run_cli(capsys, "init").code == 0
    first = run_cli(capsys, "import", str(SEED))
    assert first.code == 0, first.err
    assert "mới 102, cập nhật 0, không đổi 0, hủy 0" in first.out
    second = run_cli(capsys, "import", str(SEED), "--format", "json")
    stored = json.loads(second.out)
    assert all(isinstance(i["id"], int) for i in stored)
    third = run_cli(capsys, "import", str(SEED))
    assert "mới 0, cập nhật 0, không đổi 102, hủy 0" in third.out
    events = json.loads(run_cli(capsys, "events", "--format", "json").out)
    assert len([e for e in events if e["uid"].startswith("plan-")]) == 102


def test_year_option_overrides_the_detected_year(
    capsys: pytest.CaptureFixture[str], cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = write_docx_plan(tmp_path / "kh.docx")
    result = run_cli(capsys, "import", str(path), "--dry-run", "--year", "2026", "--format", "json")
    assert result.code == 0, result.err
    items = json.loads(result.out)
    assert items[1]["text"].startswith("Báo cáo công tác dân vận tháng 01")
    assert (items[1]["start"], items[1]["end"], items[1]["due"]) == ("2026-01-30",) * 3
    assert items[0]["observance"] == "tet-nguyen-dan"
    # Tết Bính Ngọ is 17/02/2026, after January: January's visit is due before it, in January.
    assert (items[0]["start"], items[0]["due"]) == ("2026-01-30", "2026-01-30")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "Không tìm thấy tệp"),
        ("plan.xls", b"data", "Không hỗ trợ loại tệp .xls"),
        ("plan.txt", "Kế hoạch không có tháng nào.\n- Báo cáo.".encode(), "chương trình công tác"),
        ("plan.docx", b"PK\x03\x04broken", "bị hỏng"),
        ("scan.pdf", "scanned", "không có lớp chữ"),
        ("empty.txt", b"", "rỗng"),
    ],
)
def test_bad_documents_give_one_error_line_and_store_nothing(
    capsys: pytest.CaptureFixture[str],
    cli_env: dict[str, str],
    tmp_path: Path,
    name: str,
    content: bytes | str | None,
    message: str,
) -> None:
    assert run_cli(capsys, "init").code == 0
    path = tmp_path / name
    if content == "scanned":
        write_scanned_pdf(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    result = run_cli(capsys, "import", str(path))
    assert result.code != 0
    assert result.err.startswith("Lỗi: ") and message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert result.out == ""
    events = json.loads(run_cli(capsys, "events", "--format", "json").out)
    assert [e for e in events if e["uid"].startswith("plan-")] == []


def test_a_failure_while_storing_leaves_the_store_unchanged(
    capsys: pytest.CaptureFixture[str],
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run_cli(capsys, "init").code == 0

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr("scheduler.plans.importing.planner.sync_event", explode)
        run_cli(capsys, "import", str(SEED))
    capsys.readouterr()
    listing = run_cli(capsys, "events", "--format", "json")
    assert listing.code == 0, listing.err
    events = json.loads(listing.out)
    assert [e for e in events if e["uid"].startswith("plan-")] == []


def test_a_2025_text_plan_imports_next_to_the_2024_one(
    capsys: pytest.CaptureFixture[str], cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert run_cli(capsys, "init").code == 0
    assert run_cli(capsys, "import", str(SEED)).code == 0
    result = run_cli(capsys, "import", str(write_text_plan(tmp_path / "kh2025.txt")))
    assert result.code == 0, result.err
    assert "14 việc" in result.out and "mới 14" in result.out and "hủy 0" in result.out


@pytest.mark.postgres
def test_import_on_postgresql_is_idempotent_and_cancels_removed_items(
    clock: FixedClock, pg_url: str
) -> None:
    ctx = AppContext.from_settings(Settings(database_url=pg_url), clock=clock)
    try:
        migrate(ctx.db.engine)
        assert store(ctx, SEED_TEXT) == (102, 0, 0, 0)
        assert store(ctx, SEED_TEXT, hours=1) == (0, 0, 102, 0)
        shorter = SEED_TEXT.replace("- Lập dự toán kinh phí Ban Chỉ đạo 37 tỉnh năm 2025.\n", "")
        assert store(ctx, shorter, hours=2) == (0, 0, 101, 1)
    finally:
        ctx.db.dispose()


def test_importing_an_amended_plan_prints_the_difference(
    capsys: pytest.CaptureFixture[str], cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert run_cli(capsys, "init").code == 0
    assert run_cli(capsys, "import", str(SEED)).code == 0
    again = run_cli(capsys, "import", str(SEED))
    assert "Không có thay đổi so với lần nhập trước." in again.out
    amended = tmp_path / "2024_sua_doi.txt"
    amended.write_text(
        SEED_TEXT.replace("- Lập dự toán kinh phí Ban Chỉ đạo 37 tỉnh năm 2025.\n", "").replace(
            "(ngày 18/8/2024)", "(ngày 17/8/2024)"
        ),
        encoding="utf-8",
    )
    result = run_cli(capsys, "import", str(amended))
    assert result.code == 0, result.err
    rows = [line for line in result.out.splitlines() if line.startswith(("mới", "cập nhật"))]
    assert len(rows) == 1 and "Dự lễ Vu Lan" in rows[0] and "17/08/2024" in rows[0]
    assert "Đã hủy 1 việc không còn trong kế hoạch:" in result.out
    assert "  - Tháng 7: Lập dự toán kinh phí Ban Chỉ đạo 37 tỉnh năm 2025" in result.out
    assert "101 việc" in result.out and "cập nhật 1, không đổi 100, hủy 1" in result.out
