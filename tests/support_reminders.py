"""Helpers for the reminder-engine tests: officers and events in a few lines, notifiers that
record or fail, and a dispatcher worker that runs as a separate process.

Run as a script it is one dispatcher worker (for the crash and PostgreSQL tests):
``python tests/support_reminders.py DB_URL RECORD_FILE NOW_ISO [--batch N] [--worker W]``
dispatches until nothing is due at NOW and appends one line per delivery to RECORD_FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # pragma: no cover - when run as a script
    sys.path.insert(0, str(ROOT))

from notifiers.base import Delivery, DeliveryError, Message, Recipient  # noqa: E402
from scheduler import services  # noqa: E402
from scheduler.clock import LOCAL_TZ  # noqa: E402
from scheduler.reminders import planner  # noqa: E402
from scheduler.store.models import Event, Officer, Reminder  # noqa: E402

TZ = LOCAL_TZ


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """A local (Tây Ninh) instant."""
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def officer(
    session: Session,
    name: str,
    now: datetime,
    *,
    chat: int | None = None,
    email: str | None = None,
    unit: str | None = None,
    role: str = "officer",
) -> Officer:
    """An officer linked to Telegram (``chat``) and/or email."""
    channels = ",".join(c for c, v in (("telegram", chat), ("email", email)) if v)
    made = services.add_officer(
        session, name, now, email=email, unit=unit, role=role, channels=channels or "telegram"
    )
    made.telegram_chat_id = chat
    session.flush()
    return made


def event(
    session: Session,
    title: str,
    on: date,
    now: datetime,
    *,
    kind: str = "report",
    assignees: list[Officer] | None = None,
    conditional: bool = False,
    end: date | None = None,
    at: Any = None,
) -> Event:
    """An ad-hoc event through the services (so the planner runs as in production)."""
    made = services.add_event(
        session, title, on, now, TZ, kind=kind, assignees=assignees or [], end=end, at=at
    )
    if conditional:
        made.conditional = True
        planner.sync_event(session, made, now)
    return made


def rows(session: Session, **where: Any) -> list[Reminder]:
    """Outbox rows (fresh from the database), filtered by column values."""
    session.expire_all()
    query = select(Reminder).order_by(Reminder.due_at, Reminder.id)
    for column, value in where.items():
        query = query.where(getattr(Reminder, column) == value)
    return list(session.scalars(query))


def local_times(found: list[Reminder]) -> list[str]:
    """Due times as 'dd/mm HH:MM' local, for readable assertions."""
    return [r.due_at.astimezone(TZ).strftime("%d/%m %H:%M") for r in found]


@dataclass
class FlakyNotifier:
    """Fails with the given errors first, then delivers (records)."""

    channel: str = "telegram"
    errors: list[DeliveryError] = field(default_factory=list)
    sent: list[tuple[Recipient, Message]] = field(default_factory=list)

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((recipient, message))
        return Delivery(external_id=f"m{len(self.sent)}")


class FileRecordingNotifier:
    """Appends one JSON line per delivery to a file: counts survive processes and SIGKILL."""

    def __init__(self, path: Path, channel: str = "telegram") -> None:
        self.path = path
        self.channel = channel

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        line = json.dumps({"reminder": message.reminder_id, "pid": os.getpid()}) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return Delivery(external_id=str(message.reminder_id))


def deliveries(path: Path) -> Counter[int]:
    """How many times each reminder id was delivered, from a record file."""
    if not path.exists():
        return Counter()
    return Counter(
        int(json.loads(line)["reminder"])
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )


def seed_due_reminders(
    session: Session, count: int, now: datetime, *, channel: str = "telegram"
) -> None:
    """``count`` due outbox rows carrying their own text (no event): raw dispatcher load."""
    person = officer(session, "Người Nhận Thử", now, chat=424242)
    from scheduler.reminders import outbox

    batch = [
        outbox.new_row(
            f"test:{i}",
            channel=channel,
            kind="visit",
            due_at=now - timedelta(minutes=1),
            now=now,
            officer_id=person.id,
            payload={"subject": f"Tin {i}", "text": f"Tin thử số {i}"},
        )
        for i in range(count)
    ]
    for start in range(0, len(batch), 500):
        outbox.enqueue(session, batch[start : start + 500])
    session.flush()


def main(argv: list[str] | None = None) -> int:
    """One dispatcher worker process for the crash and PostgreSQL tests."""
    parser = argparse.ArgumentParser()
    parser.add_argument("db_url")
    parser.add_argument("record")
    parser.add_argument("now")
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--worker", default="w")
    parser.add_argument(
        "--barrier",
        action="store_true",
        help="connect, print READY, then wait for a line on stdin before dispatching",
    )
    args = parser.parse_args(argv)
    from sqlalchemy import text

    from scheduler.reminders import dispatcher
    from scheduler.reminders.policies import load_policies
    from scheduler.store.db import Database

    db = Database(args.db_url)
    if args.barrier:  # several workers released together, each one already connected
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        print("READY", flush=True)
        sys.stdin.readline()
    notifiers = {"telegram": FileRecordingNotifier(Path(args.record))}
    stats = asyncio.run(
        dispatcher.dispatch_all(
            db,
            notifiers,  # type: ignore[arg-type]
            datetime.fromisoformat(args.now),
            batch_size=args.batch,
            worker_id=args.worker,
            policies=load_policies(),
            tz=TZ,
        )
    )
    print(json.dumps({"worker": args.worker, "sent": stats.sent, "claimed": stats.claimed}))
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())


def fresh_database(url: str) -> None:
    """Migrate an empty database (the ``pg_url`` fixture gives each test its own)."""
    from scheduler.store.db import make_engine, migrate

    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
