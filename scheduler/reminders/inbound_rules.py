"""Reports owed to the board: requests before the due day and polite follow-ups after it.

Every active body owes a report for each period kind in its ``owes`` list (a month by
default). ``plan_inbound_reminders`` runs with the daily planning (``reminders.jobs``) and
writes outbox rows addressed to the body, with unique keys, so running it again adds
nothing: one email row per address and one Telegram row for a linked group chat, for each
day in ``days_before`` (before the due day) and ``follow_up_days`` (after it, only while the
report has not arrived). Recording a report cancels the rows still pending for its period,
and the dispatcher drops any that a race let through (``triage``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from calendars.periods import PERIOD_KINDS, Period, period_of, previous
from calendars.text import vn_date
from scheduler.errors import InvalidInput
from scheduler.reminders import outbox
from scheduler.store.models import InboundReport, Reminder, ReportingBody

KIND = "inbound"


@dataclass(frozen=True)
class InboundPolicy:
    board_name: str
    default_owes: tuple[str, ...]
    due_day: Mapping[str, int]
    days_before: tuple[int, ...]
    follow_up_days: tuple[int, ...]
    send_time: time
    max_file_bytes: int

    def due(self, period: Period) -> date:
        return period.due(self.due_day[period.kind])


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Any]:
    text = files("lichct_data").joinpath("inbound.toml").read_text("utf-8")
    return tomllib.loads(text)


def _days(value: Any, where: str) -> tuple[int, ...]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 60 for v in values):
        raise InvalidInput(f"[inbound.reminders] {where} cần là danh sách số ngày từ 0 đến 60")
    return tuple(sorted(set(values)))


def load_inbound_policy(extra: Mapping[str, Any] | None = None) -> InboundPolicy:
    """The bundled settings, overridden by ``[inbound]`` of lichct.toml; checked here."""
    doc = dict(_bundled())
    override = (extra or {}).get("inbound") or {}
    if not isinstance(override, Mapping):
        raise InvalidInput("[inbound] trong lichct.toml phải là một bảng")
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    due_day = doc.get("due_day", {})
    for kind in PERIOD_KINDS:
        day = due_day.get(kind)
        if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 31:
            raise InvalidInput(f"[inbound.due_day] {kind} cần là một ngày từ 1 đến 31")
    owes = doc.get("default_owes", ["month"])
    if not isinstance(owes, list) or not owes or any(k not in PERIOD_KINDS for k in owes):
        raise InvalidInput("[inbound] default_owes chỉ gồm month, quarter, half, year")
    reminders = doc.get("reminders", {})
    try:
        send_time = time.fromisoformat(str(reminders.get("time", "08:00")))
    except ValueError:
        raise InvalidInput("[inbound.reminders] time cần dạng HH:MM") from None
    max_mb = doc.get("files", {}).get("max_mb", 20)
    if not isinstance(max_mb, int | float) or not 0 < max_mb <= 200:
        raise InvalidInput("[inbound.files] max_mb cần là số từ 1 đến 200")
    return InboundPolicy(
        board_name=str(doc.get("board_name", "Ban Dân vận")),
        default_owes=tuple(owes),
        due_day={k: int(due_day[k]) for k in PERIOD_KINDS},
        days_before=_days(reminders.get("days_before", [3, 0]), "days_before"),
        follow_up_days=_days(reminders.get("follow_up_days", [2]), "follow_up_days"),
        send_time=send_time,
        max_file_bytes=int(max_mb * 1024 * 1024),
    )


def stage_days(policy: InboundPolicy) -> list[tuple[str, int]]:
    """(stage, offset in days from the due day): requests first, then follow-ups."""
    stages = [(f"D-{d}" if d else "D0", -d) for d in sorted(policy.days_before, reverse=True)]
    stages += [(f"D+{d}", d) for d in policy.follow_up_days if d > 0]
    return stages


def request_text(
    body: ReportingBody, period: Period, due: date, stage: str, policy: InboundPolicy
) -> dict[str, str]:
    """The subject and text of one request or follow-up, addressed to the organisation."""
    what = f"báo cáo {period.label}"
    if stage.startswith("D+"):
        subject = f"Nhắc gửi {what} (hạn {vn_date(due)})"
        ask = (
            f"Đến nay {policy.board_name} chưa nhận được {what} của quý cơ quan "
            f"(hạn gửi ngày {vn_date(due)}). Kính đề nghị quý cơ quan quan tâm gửi báo cáo "
            "sớm để Ban tổng hợp, báo cáo Thường trực Tỉnh ủy."
        )
    elif stage == "D0":
        subject = f"Hôm nay là hạn gửi {what}"
        ask = (
            f"{policy.board_name} trân trọng đề nghị quý cơ quan gửi {what} "
            f"trong ngày hôm nay ({vn_date(due)})."
        )
    else:
        subject = f"Đề nghị gửi {what} trước ngày {vn_date(due)}"
        ask = (
            f"{policy.board_name} trân trọng đề nghị quý cơ quan gửi {what} "
            f"về Ban trước ngày {vn_date(due)}."
        )
    text = (
        f"Kính gửi: {body.name}\n\n{ask}\n\n"
        "Nếu đã gửi, xin quý cơ quan bỏ qua thư này.\nTrân trọng."
    )
    return {"subject": subject, "text": text}


def _open_periods(body: ReportingBody, today: date, policy: InboundPolicy) -> Iterator[Period]:
    """The periods that still have a request or a follow-up to come from ``today`` on."""
    last_follow_up = timedelta(days=max(policy.follow_up_days, default=0))
    # A period a little ahead, so that a request days before a due day early in the next
    # period is planned too.
    horizon = today + timedelta(days=max(policy.days_before, default=0) + 1)
    for kind in body.owes or policy.default_owes:
        period = period_of(kind, horizon)
        for _ in range(24):
            if policy.due(period) + last_follow_up < today:
                break
            yield period
            period = previous(period)


def reminder_key(body_id: int, period: Period, stage: str, channel: str, slot: int) -> str:
    return f"inbound:{body_id}:{period.key}:{stage}:{channel}:{slot}"


def plan_inbound_reminders(
    session: Session, now: datetime, tz: ZoneInfo, policy: InboundPolicy
) -> int:
    """Queue the requests and follow-ups due from now on; returns the rows added."""
    today = now.astimezone(tz).date()
    bodies = list(session.scalars(select(ReportingBody).where(ReportingBody.active.is_(True))))
    if not bodies:
        return 0
    received = {
        (body_id, period)
        for body_id, period in session.execute(select(InboundReport.body_id, InboundReport.period))
    }
    existing = set(
        session.scalars(select(Reminder.key).where(Reminder.kind == KIND, Reminder.due_at >= now))
    )
    rows: list[dict[str, Any]] = []
    for body in bodies:
        addresses: list[tuple[str, int, dict[str, Any]]] = [
            ("email", slot, {"to": email}) for slot, email in enumerate(body.emails or [])
        ]
        if body.telegram_chat_id is not None:
            addresses.append(("telegram", 0, {}))
        for period in _open_periods(body, today, policy):
            if (body.id, period.key) in received:
                continue
            due = policy.due(period)
            for stage, offset in stage_days(policy):
                at = datetime.combine(due + timedelta(days=offset), policy.send_time, tz)
                if at < now:
                    continue  # missed stages are not replayed; the next one follows
                for channel, slot, extra in addresses:
                    key = reminder_key(body.id, period, stage, channel, slot)
                    if key in existing:
                        continue
                    payload = {
                        **request_text(body, period, due, stage, policy),
                        "period": period.key,
                        **extra,
                    }
                    rows.append(
                        outbox.new_row(
                            key,
                            channel=channel,
                            kind=KIND,
                            due_at=at,
                            now=now,
                            body_id=body.id,
                            lead=stage,
                            payload=payload,
                        )
                    )
    outbox.enqueue(session, rows)
    return len(rows)


def cancel_for_period(session: Session, body_id: int, period: Period, now: datetime) -> int:
    """Cancel the body's pending requests for ``period`` (its report has arrived)."""
    result = session.execute(
        update(Reminder)
        .where(
            Reminder.body_id == body_id,
            Reminder.kind == KIND,
            Reminder.key.like(f"inbound:{body_id}:{period.key}:%"),
            Reminder.state == "pending",
        )
        .values(state="cancelled", last_error="đã nhận báo cáo", updated_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)
