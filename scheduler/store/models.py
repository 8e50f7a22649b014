"""The store: SQLAlchemy 2 typed models.

Instants are stored as UTC (``UTCDateTime`` returns aware datetimes on every backend);
all-day dates are stored as dates. The Alembic revisions in ``scheduler/migrations``
must describe exactly these tables (a test compares them).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The instant type loads without the ORM (read-only commands use it on bare tables).
from scheduler.store.types import UTCDateTime as UTCDateTime

# The roles live in a module the command line can read without loading the models.
from scheduler.store.vocabulary import OFFICER_ROLES as OFFICER_ROLES

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EVENT_STATUSES = ("planned", "done", "cancelled")
REMINDER_STATES = ("pending", "sending", "sent", "failed", "cancelled")
CHANNELS = ("telegram", "email")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Unit(Base):
    """A department of the board, a district board, a commune or ward: units are data."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    # department, board, province, district, commune, ward, town, group
    kind: Mapped[str] = mapped_column(String(32), default="department")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    # Years in which the unit exists (districts end in 2025, new communes start then).
    valid_from: Mapped[int | None] = mapped_column(Integer)
    valid_to: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(64))
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class Officer(Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # The name without diacritics, lower case: what lookups compare.
    search_name: Mapped[str] = mapped_column(String(255), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16), default="officer")
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # Channels the officer wants reminders on: "telegram", "email" or "telegram,email".
    channels: Mapped[str] = mapped_column(String(64), default="telegram,email")
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    unit: Mapped[Unit | None] = relationship()

    @property
    def channel_list(self) -> list[str]:
        return [c for c in (p.strip() for p in self.channels.split(",")) if c]


class Plan(Base):
    """An imported plan document: one row per (year, number)."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500), default="")
    source_name: Mapped[str] = mapped_column(String(500), default="")
    source_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]


class Event(Base):
    """A plan item, an observance occurrence or an ad-hoc event.

    ``start_date``/``end_date`` (inclusive) carry all-day events; timed events also have
    ``start_at``/``end_at`` in UTC. ``revision`` grows on every change a user would
    notice, and feeds use it as the iCalendar SEQUENCE.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), unique=True)
    # plan, observance, adhoc
    source: Mapped[str] = mapped_column(String(16), default="adhoc")
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    month: Mapped[int | None] = mapped_column(Integer)
    # "tham-muu" or "chuyen-mon" for plan items
    section: Mapped[str | None] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="other")
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    all_day: Mapped[bool] = mapped_column(Boolean, default=True)
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    conditional: Mapped[bool] = mapped_column(Boolean, default=False)
    references: Mapped[list[str]] = mapped_column(default=list)
    observance_key: Mapped[str | None] = mapped_column(String(64), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    # Indexed: max(updated_at) is part of the feeds' cheap freshness stamp (ETag).
    updated_at: Mapped[datetime] = mapped_column(index=True)
    cancelled_at: Mapped[datetime | None]

    plan: Mapped[Plan | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    # In the order they were given: every listing names the assignees the same way.
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Assignment.id"
    )
    completions: Mapped[list[Completion]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Completion.id"
    )

    def touch(self, now: datetime) -> None:
        """Record a change that a calendar client must see as an edit."""
        self.revision += 1
        self.updated_at = now


class Assignment(Base):
    """Who carries an item: an officer, or a whole unit."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("event_id", "officer_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]

    event: Mapped[Event] = relationship(back_populates="assignments")
    officer: Mapped[Officer | None] = relationship()
    unit: Mapped[Unit | None] = relationship()


class Completion(Base):
    """A confirmation that an item is done; withdrawing it keeps the row."""

    __tablename__ = "completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="SET NULL"))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    # cli, telegram, http
    channel: Mapped[str] = mapped_column(String(16), default="cli")
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship(back_populates="completions")
    officer: Mapped[Officer | None] = relationship(foreign_keys=[officer_id])


class Reminder(Base):
    """The outbox: one row per message to send, keyed for idempotency."""

    __tablename__ = "reminders"
    # The dispatcher's claim reads due rows in this order and stops after a batch.
    __table_args__ = (Index("ix_reminders_state_due", "state", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique idempotency key, e.g. "ev:12:of:3:telegram:lead:P3D" or "digest:daily:3:2024-05-21"
    key: Mapped[str] = mapped_column(String(255), unique=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    # A unit's group chat as recipient (digests to a group), instead of an officer.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    # A body that owes the board a report (a request or a follow-up to it).
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_bodies.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    # lead, due, overdue, escalation, digest, nudge, visit, summary
    kind: Mapped[str] = mapped_column(String(16), default="lead")
    # The lead time or period this row stands for ("P3D", "due", "2024-05-21"...).
    lead: Mapped[str] = mapped_column(String(32), default="")
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What the channel returned (a Telegram message id), to edit the message later.
    external_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    event: Mapped[Event | None] = relationship()
    officer: Mapped[Officer | None] = relationship()
    body: Mapped[ReportingBody | None] = relationship()


class FeedToken(Base):
    """A secret feed address: only the SHA-256 of the token is kept."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    officer: Mapped[Officer] = relationship()


class LinkCode(Base):
    """A one-time code that links a Telegram chat to an officer (hashed, expiring)."""

    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    # A code may instead link a unit's group chat.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AreaAssignment(Base):
    """A commune or ward that an officer covers."""

    __tablename__ = "area_assignments"
    __table_args__ = (UniqueConstraint("officer_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]


class Visit(Base):
    """A day an officer spent at the grassroots; one per officer, unit and day."""

    __tablename__ = "visits"
    __table_args__ = (UniqueConstraint("officer_id", "unit_id", "visit_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16), default="cli")
    created_at: Mapped[datetime]


class ServiceState(Base):
    """Small key/value facts the service keeps (last dispatcher heartbeat, catalog version)."""

    __tablename__ = "service_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


BODY_KINDS = ("mttq", "ctxh", "hoi", "bdv-huyen", "dang-uy")


class ReportingBody(Base):
    """An organisation that owes the board periodic reports (MTTQ, a district board...)."""

    __tablename__ = "reporting_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    short_name: Mapped[str] = mapped_column(String(64), default="")
    # The name without diacritics, lower case: what lookups compare.
    search_name: Mapped[str] = mapped_column(String(255), index=True)
    # One of BODY_KINDS.
    kind: Mapped[str] = mapped_column(String(16), default="hoi")
    emails: Mapped[list[str]] = mapped_column(default=list)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # The periods it reports on: any of "month", "quarter", "half", "year".
    owes: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class InboundReport(Base):
    """A report received from a body for one period (the received file is kept with it)."""

    __tablename__ = "inbound_reports"
    __table_args__ = (UniqueConstraint("body_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_bodies.id", ondelete="CASCADE"), index=True
    )
    # "2024-05", "2024-Q2", "2024-H1" or "2024" (calendars.periods).
    period: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL")
    )
    # cli, telegram, http
    channel: Mapped[str] = mapped_column(String(16), default="cli")
    recorded_at: Mapped[datetime]

    body: Mapped[ReportingBody] = relationship()


class LinkAttempt(Base):
    """A wrong link code sent to the bot, kept a short while: guessing is slowed per chat
    and overall (see ``scheduler.services.linking``)."""

    __tablename__ = "link_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    attempted_at: Mapped[datetime] = mapped_column(index=True)


# --- Web workspace (issue 17): passwords, sessions, sign-in links, failed attempts ---------


class WebCredential(Base):
    """An officer's web password (an argon2 hash); no row means no password sign-in."""

    __tablename__ = "web_credentials"

    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    changed_at: Mapped[datetime]


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of the cookie is kept; revocable.

    ``event_id`` set means the session came from an item link in an email and opens only
    that item's page and its actions.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    officer: Mapped[Officer] = relationship()


class LoginToken(Base):
    """A sign-in link: one-time (15 minutes), or scoped to one item (``event_id``, reusable
    until its expiry, a week after the item's due date)."""

    __tablename__ = "login_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginFailure(Base):
    """A wrong password, kept to slow guessing per account and per client address."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_client_at", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]


class AuditEntry(Base):
    """A change made in the browser (or by a command on someone's behalf): who, when, what.

    ``event_id`` ties an entry to an item, so the item's history shows it.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    # web, cli, telegram
    channel: Mapped[str] = mapped_column(String(16), default="web")
    # A short verb such as "plan.import", "event.assign", "officer.add", "reminder.retry".
    action: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    # What was changed when it is not an item: "officer:12", "plan:3", "reminder:40"...
    target: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    officer: Mapped[Officer | None] = relationship()


# --------------------------------------------------------------------------- issue 21: scans


class ScanText(Base):
    """Text recognised (OCR) in a scanned plan, keyed by the SHA-256 of the file's bytes,
    so that importing the same scan again does not recognise it again."""

    __tablename__ = "scan_texts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_name: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer)
    # How long the recognition took, for the figures in the README.
    milliseconds: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class PlanUpload(Base):
    """A plan document uploaded in the browser and waiting for "Lưu kế hoạch".

    ``token`` is the one-time id the preview's form carries; storing sets ``consumed_at``
    (in the same transaction as the import) and drops ``content``, so a second press of
    the button finds it consumed and stores nothing again.
    """

    __tablename__ = "plan_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    # The year the uploader asked for (``--year``), or None: the document's own.
    year: Mapped[int | None] = mapped_column(Integer)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(index=True)
    consumed_at: Mapped[datetime | None]
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)

    officer: Mapped[Officer | None] = relationship()


# Indexes for the web pages (#17): items by deadline (the due date, else the last day:
# ``services.light.due_between`` asks for either), open items by deadline (overdue),
# observances ahead, and the items given to a unit.
Index("ix_events_due_end", Event.due_date, Event.end_date)
Index("ix_events_status_due", Event.status, Event.due_date, Event.end_date)
Index("ix_events_kind_start", Event.kind, Event.start_date)
Index("ix_assignments_unit_id", Assignment.unit_id, Assignment.event_id)
