"""Reports that come in: bodies, requests and follow-ups by real email, receipts, status."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from calendars.periods import Period, PeriodError, parse_period
from notifiers.email import EmailNotifier
from scheduler.clock import LOCAL_TZ, FixedClock
from scheduler.context import AppContext
from scheduler.inbound import bodies, receipts
from scheduler.reminders import jobs
from scheduler.reminders.dispatcher import dispatch_all
from scheduler.reminders.inbound_rules import load_inbound_policy
from scheduler.store.models import Officer, Reminder, ReportingBody
from tests.cli_support import run_cli
from tests.support_smtp import smtp_server

POLICY = load_inbound_policy()


def at(day: int, hour: int = 8, minute: int = 5, month: int = 5) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=LOCAL_TZ)


# --- periods -------------------------------------------------------------------------------


def test_periods_are_read_as_the_office_writes_them() -> None:
    assert parse_period("2024-05") == Period(2024, "month", 5)
    assert parse_period("2024-Q2").label == "quý II/2024"
    assert parse_period("2024-h1").label == "6 tháng đầu năm 2024"
    assert parse_period("2024").label == "năm 2024"
    assert parse_period("2024-5").key == "2024-05"
    for wrong in ("2024-13", "05/2024", "2024-Q5", "abc", "3000-01", ""):
        with pytest.raises(PeriodError):
            parse_period(wrong)


def test_a_due_day_on_a_weekend_moves_to_the_previous_working_day() -> None:
    # 20/04/2024 is a Saturday; 20/05/2024 a Monday; quarter II is due 20/06/2024 (Thursday).
    assert POLICY.due(parse_period("2024-04")) == date(2024, 4, 19)
    assert POLICY.due(parse_period("2024-05")) == date(2024, 5, 20)
    assert POLICY.due(parse_period("2024-Q2")) == date(2024, 6, 20)
    # 20/01/2024 is a Saturday too.
    assert POLICY.due(parse_period("2024-01")) == date(2024, 1, 19)


# --- the May 2024 story, through a real SMTP server -------------------------------------------


def _three_bodies(ctx: AppContext) -> None:
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        for body in bodies.list_bodies(session, include_inactive=True):
            bodies.remove_body(session, body, now)
        bodies.add_body(session, "Hội Nông dân tỉnh", now, kind="ctxh", emails=["hnd@tn.vn"])
        bodies.add_body(session, "Liên đoàn Lao động tỉnh", now, kind="ctxh", emails=["ldld@tn.vn"])
        bodies.add_body(
            session, "Ban Dân vận Huyện ủy Gò Dầu", now, kind="bdv-huyen", emails=["bdv@gd.vn"]
        )


def _tick(ctx: AppContext, clock: FixedClock, now: datetime, port: int) -> None:
    """What ``serve`` does at ``now``: plan, then send what is due."""
    clock.set(now)
    jobs.run_daily_planning(ctx, now)
    notifier = EmailNotifier.from_url(f"smtp://127.0.0.1:{port}", "lichct@bdv.tayninh.vn")
    asyncio.run(dispatch_all(ctx.db, {"email": notifier}, now, tz=LOCAL_TZ))


def _record(ctx: AppContext, name: str, on: date) -> receipts.Recorded:
    with ctx.db.unit_of_work() as session:
        body = bodies.resolve_body(session, name)
        return receipts.record_received(
            session, body, parse_period("2024-05"), on, ctx.clock.now(), POLICY, today=on
        )


def test_each_body_gets_exactly_the_requests_it_needs_and_none_after_its_report(
    ctx: AppContext, clock: FixedClock
) -> None:
    _three_bodies(ctx)
    with smtp_server() as (mailbox, port):
        _tick(ctx, clock, at(16, 9, 0), port)
        assert mailbox.received == []
        _tick(ctx, clock, at(17), port)  # D-3: everyone is asked
        clock.set(at(17, 10, 0))
        on_time = _record(ctx, "hoi nong dan", date(2024, 5, 17))
        _tick(ctx, clock, at(20), port)  # D0
        _tick(ctx, clock, at(22), port)  # D+2: the first follow-up
        clock.set(at(23, 9, 0))
        late = _record(ctx, "Lien doan lao dong", date(2024, 5, 23))
        _tick(ctx, clock, at(27), port)  # D+7
        _tick(ctx, clock, at(31), port)
        _tick(ctx, clock, at(10, month=6), port)

    got: dict[str, list[str]] = {}
    for to, message in mailbox.received:
        assert len(to) == 1
        got.setdefault(to[0], []).append(str(message["Subject"]))
        body = message.get_body(("plain",))
        assert body is not None
        assert body.get_content().startswith("Kính gửi: ")
    assert got == {
        "hnd@tn.vn": ["Đề nghị gửi báo cáo tháng 05/2024 trước ngày 20/05/2024"],
        "ldld@tn.vn": [
            "Đề nghị gửi báo cáo tháng 05/2024 trước ngày 20/05/2024",
            "Hôm nay là hạn gửi báo cáo tháng 05/2024",
            "Nhắc gửi báo cáo tháng 05/2024 (hạn 20/05/2024)",
        ],
        "bdv@gd.vn": [
            "Đề nghị gửi báo cáo tháng 05/2024 trước ngày 20/05/2024",
            "Hôm nay là hạn gửi báo cáo tháng 05/2024",
            "Nhắc gửi báo cáo tháng 05/2024 (hạn 20/05/2024)",
            "Nhắc gửi báo cáo tháng 05/2024 (hạn 20/05/2024)",
        ],
    }
    # Recording a report cancelled what was still waiting for that body.
    assert on_time.cancelled == 3 and on_time.late_days == 0
    assert late.cancelled == 1 and late.late_days == 3

    with ctx.db.unit_of_work() as session:
        rows = receipts.status(session, parse_period("2024-05"), date(2024, 6, 10), POLICY)
    assert [(r["body"], r["received"], r["late_days"]) for r in rows] == [
        ("Hội Nông dân tỉnh", "2024-05-17", 0),
        ("Liên đoàn Lao động tỉnh", "2024-05-23", 3),
        ("Ban Dân vận Huyện ủy Gò Dầu", None, None),
    ]
    words = [receipts.state_words(r, date(2024, 6, 10)) for r in rows]
    assert words == ["đúng hạn", "trễ 3 ngày", "chưa nhận (quá hạn 21 ngày)"]


def test_an_address_the_server_refuses_fails_alone_and_the_admins_are_told(
    ctx: AppContext, clock: FixedClock
) -> None:
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        for body in bodies.list_bodies(session, include_inactive=True):
            bodies.remove_body(session, body, now)
        bodies.add_body(
            session, "Hội Nông dân tỉnh", now, emails=["tu-choi@tn.vn", "vanthu.hnd@tn.vn"]
        )
        bodies.add_body(session, "Tỉnh Đoàn", now, emails=["tinhdoan@tn.vn"])
        session.add(
            Officer(
                name="Quản Trị",
                search_name="quan tri",
                email="admin@bdv.vn",
                role="admin",
                channels="email",
                created_at=now,
            )
        )
    with smtp_server() as (mailbox, port):
        _tick(ctx, clock, at(16, 9, 0), port)
        _tick(ctx, clock, at(17), port)
        _tick(ctx, clock, at(17, 8, 10), port)  # the admins' alert goes out on the next pass
    delivered = sorted(to[0] for to, _ in mailbox.received)
    assert delivered == ["admin@bdv.vn", "tinhdoan@tn.vn", "vanthu.hnd@tn.vn"]
    alert = next(m for to, m in mailbox.received if to == ["admin@bdv.vn"])
    assert "Hội Nông dân tỉnh" in alert.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    with ctx.db.unit_of_work() as session:
        failed = session.scalars(select(Reminder).where(Reminder.state == "failed")).all()
        assert [(r.payload["to"], r.kind) for r in failed] == [("tu-choi@tn.vn", "inbound")]


def test_a_body_without_addresses_gets_no_rows_and_an_inactive_one_none_either(
    ctx: AppContext, clock: FixedClock
) -> None:
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        quiet = session.scalar(select(ReportingBody).where(ReportingBody.short_name == "MTTQ tỉnh"))
        assert quiet is not None  # from the bundled list
        bodies.set_body(session, quiet, now, emails=["mttq@tn.vn"], active=False)
    clock.set(at(16, 9, 0))
    jobs.run_daily_planning(ctx, at(16, 9, 0))
    with ctx.db.unit_of_work() as session:
        assert session.scalars(select(Reminder).where(Reminder.kind == "inbound")).all() == []


# --- the command line ------------------------------------------------------------------------


def test_bodies_and_receipts_from_the_command_line(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run_cli(capsys, "init").code == 0
    listed = json.loads(run_cli(capsys, "bodies", "list", "--format", "json").out)
    assert len(listed) == 20
    assert set(listed[0]) == {"name", "short_name", "kind", "emails", "telegram_linked"}
    assert listed[0]["kind"] == "mttq"

    added = run_cli(
        capsys, "bodies", "add", "Hội Luật gia tỉnh", "--email", "hlg@tn.vn", "--kind", "hoi"
    )
    assert added.code == 0, added.err
    changed = run_cli(capsys, "bodies", "set", "hoi luat gia", "--email", "a@tn.vn,b@tn.vn")
    assert "a@tn.vn, b@tn.vn" in changed.out

    report = tmp_path / "bc-thang-5.pdf"
    report.write_bytes(b"%PDF-1.4 bao cao")
    ok = run_cli(
        capsys,
        "inbound",
        "received",
        "Hoi Luat gia",
        "--period",
        "2024-05",
        "--date",
        "2024-05-22",
        "--file",
        str(report),
        "--note",
        "Số 15-BC/HLG",
    )
    assert ok.code == 0, ok.err
    assert "trễ 2 ngày" in ok.out
    status = json.loads(
        run_cli(capsys, "inbound", "status", "--period", "2024-05", "--format", "json").out
    )
    mine = next(r for r in status if r["body"] == "Hội Luật gia tỉnh")
    assert mine == {
        "body": "Hội Luật gia tỉnh",
        "kind": "hoi",
        "due": "2024-05-20",
        "received": "2024-05-22",
        "late_days": 2,
        "file": "bc-thang-5.pdf",
    }
    assert set(status[0]) == {"body", "kind", "due", "received", "late_days", "file"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("inbound", "received", "Hội Không Có", "--period", "2024-05"), "Không tìm thấy đơn vị"),
        (("inbound", "received", "Tỉnh Đoàn", "--period", "05/2024"), "Kỳ báo cáo không hợp lệ"),
        (("inbound", "status", "--period", "2024-13"), "Kỳ báo cáo không hợp lệ"),
        (("bodies", "add", "Hội X", "--kind", "abc"), "Loại đơn vị không hợp lệ"),
        (("bodies", "add", "Hội X", "--email", "khong-phai-email"), "email không hợp lệ"),
        (("bodies", "set", "Tỉnh Đoàn", "--owes", "weekly"), "Kỳ báo cáo không hợp lệ"),
    ],
)
def test_a_wrong_body_or_period_is_one_clear_line(
    cli_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    assert run_cli(capsys, "init").code == 0
    before = run_cli(capsys, "bodies", "list", "--format", "json").out
    result = run_cli(capsys, *args)
    assert result.code != 0
    assert result.err.startswith("Lỗi: ") and message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert run_cli(capsys, "bodies", "list", "--format", "json").out == before


def test_a_file_over_the_limit_is_refused_and_nothing_is_recorded(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "lichct.toml").write_text("[inbound.files]\nmax_mb = 1\n", encoding="utf-8")
    assert run_cli(capsys, "init").code == 0
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    result = run_cli(
        capsys, "inbound", "received", "Tỉnh Đoàn", "--period", "2024-05", "--file", str(big)
    )
    assert result.code != 0 and "Tệp quá lớn" in result.err
    status = json.loads(
        run_cli(capsys, "inbound", "status", "--period", "2024-05", "--format", "json").out
    )
    assert all(r["received"] is None for r in status)


# --- the bot ---------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_danhan_through_the_bot_records_this_month_and_a_named_month(ctx: AppContext) -> None:
    import dataclasses

    from scheduler.bot.app import BotRunner
    from tests.support_areas import officer
    from tests.support_botapi import TOKEN, FakeBotApi, running_botapi

    with ctx.db.unit_of_work() as session:
        officer(session, "Nguyễn Văn An", chat_id=6001)

    async def scenario(api: FakeBotApi) -> None:
        # The fixture's clock stands at 21/05/2024, the day after May's due day.
        reply = await api.ask(6001, "/danhan hoi nong dan")
        assert reply == (
            "✅ Đã ghi nhận: Hội Nông dân tỉnh gửi báo cáo tháng 05/2024 ngày 21/05/2024 "
            "(trễ 1 ngày, hạn 20/05/2024)."
        )
        april = await api.ask(6001, "/received Tỉnh Đoàn 4/2024")
        assert "báo cáo tháng 04/2024" in april and "trễ 32 ngày" in april
        unknown = await api.ask(6001, "/danhan Hội Không Có Thật")
        assert "Không tìm thấy đơn vị" in unknown
        stranger = await api.ask(7002, "/danhan Tỉnh Đoàn")
        assert "liên kết" in stranger

    async def main() -> None:
        async with running_botapi() as api:
            ctx.settings = dataclasses.replace(
                ctx.settings, telegram_token=TOKEN, telegram_api_url=api.url
            )
            runner = BotRunner(ctx, env={}, poll_timeout=2)
            await runner.start()
            try:
                await scenario(api)
            finally:
                await runner.stop()

    asyncio.run(main())
    with ctx.db.unit_of_work() as session:
        may = receipts.status(session, parse_period("2024-05"), date(2024, 5, 21), POLICY)
    assert [r["body"] for r in may if r["received"]] == ["Hội Nông dân tỉnh"]


# --- the notice ------------------------------------------------------------------------------


def test_the_notice_says_on_time_late_and_not_received_by_group(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from docx import Document

    assert run_cli(capsys, "init").code == 0
    for name, day in (("MTTQ", "2024-05-17"), ("lien doan lao dong", "2024-05-23")):
        done = run_cli(capsys, "inbound", "received", name, "--period", "2024-05", "--date", day)
        assert done.code == 0, done.err
    out = tmp_path / "tb.docx"
    made = run_cli(
        capsys, "report", "inbound", "2024-05", "--out", str(out), "--date", "2024-05-25"
    )
    assert made.code == 0, made.err
    document = Document(str(out))
    lines = [p.text for p in document.paragraphs if p.text.strip()]
    header = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert any("Số [...]-TB/BDVTU" in c for c in header)
    assert any("Tây Ninh, ngày 25 tháng 5 năm 2024" in c for c in header)
    assert "THÔNG BÁO" in lines
    start = lines.index("1. Các đơn vị gửi báo cáo đúng hạn (1)")
    assert lines[start + 1 : start + 3] == [
        "Mặt trận Tổ quốc (1)",
        "- Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh (ngày 17/05/2024).",
    ]
    late = lines.index("2. Các đơn vị gửi báo cáo trễ hạn (1)")
    assert lines[late + 2] == "- Liên đoàn Lao động tỉnh: nhận ngày 23/05/2024, trễ 3 ngày."
    missing = lines.index("3. Các đơn vị chưa gửi báo cáo (18)")
    assert "- Hội Nông dân tỉnh." in lines[missing:]
    assert "- Ban Dân vận Huyện ủy Gò Dầu." in lines[missing:]
    assert "- Liên đoàn Lao động tỉnh." not in lines[missing:]


def test_a_notice_for_a_wrong_period_is_one_line_and_no_file(
    cli_env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run_cli(capsys, "init").code == 0
    result = run_cli(capsys, "report", "inbound", "5/2024", "--out", str(tmp_path / "x.docx"))
    assert result.code != 0 and result.err.startswith("Lỗi: Kỳ báo cáo không hợp lệ")
    assert not (tmp_path / "x.docx").exists()


def test_a_body_name_loses_control_and_bidi_characters_like_every_typed_text(
    ctx: AppContext,
) -> None:
    with ctx.db.unit_of_work() as session:
        body = bodies.add_body(session, "Hội\u202e Luật\x00 gia   tỉnh", ctx.clock.now())
        assert body.name == "Hội Luật gia tỉnh"
        assert bodies.resolve_body(session, "hoi luat gia").id == body.id
