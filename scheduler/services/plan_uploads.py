"""A plan uploaded in the browser: read it, show the difference, store it once.

:func:`stage` reads the uploaded bytes with the same reader and checks as ``lichct import``
and keeps them under a one-time token; nothing of the plan is stored yet. :func:`preview`
reads them again and compares with the store (as ``lichct import --dry-run``).
:func:`store` claims the token (a conditional update, so two presses of "Lưu kế hoạch"
store once), imports in the caller's unit of work and records the change in the audit log.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from calendars.plan_parser import ParsedPlan
from calendars.plan_reader import MAX_DOCUMENT_BYTES, SUPPORTED_SUFFIXES
from scheduler.errors import InvalidInput, NotFound
from scheduler.plans import reading
from scheduler.plans.importing import ImportPreview, ImportSummary, import_plan, preview_import
from scheduler.services import audit
from scheduler.store.models import Event, Officer, Plan, PlanUpload

# An upload nobody stored is dropped after this long.
UPLOAD_LIFETIME = timedelta(hours=24)
NAME_LIMIT = 120


@dataclass
class Staged:
    upload: PlanUpload
    parsed: ParsedPlan


@dataclass
class Stored:
    """What pressing "Lưu kế hoạch" did; ``already`` when the upload had been stored."""

    plan_id: int | None
    already: bool = False
    summary: ImportSummary | None = None


def _safe_name(name: str) -> str:
    """The file's own name, without folders or control characters, kept short."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "ke-hoach"
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[: NAME_LIMIT - len(suffix) - 1] or "ke-hoach"
    return f"{stem}.{suffix}" if suffix else stem


def _parse(
    name: str, data: bytes, year: int | None, overrides: Mapping[str, Any]
) -> tuple[str, ParsedPlan]:
    """Read ``data`` as the file ``name`` through the reader ``lichct import`` uses."""
    with tempfile.TemporaryDirectory(prefix="lichct-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        document, parsed = reading.read_plan(path, year, overrides)
    return document.sha256, parsed


def check_size(name: str, size: int) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            f"Tệp {name} quá lớn ({size / (1024 * 1024):.1f} MB); "
            f"giới hạn là {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
        )


def stage(
    session: Session,
    actor: Officer,
    name: str,
    data: bytes,
    now: datetime,
    *,
    year: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Staged:
    """Read an uploaded document and keep it for the preview; raise ``InvalidInput`` with
    one clear message when it is not a plan (nothing is kept then)."""
    if not name and not data:
        raise InvalidInput("Chưa chọn tệp: hãy chọn tệp kế hoạch .docx, .pdf hoặc .txt")
    name = _safe_name(name)
    if not data.strip():
        raise InvalidInput(f"Tệp {name} rỗng, không có kế hoạch nào để đọc")
    check_size(name, len(data))
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InvalidInput(f"Tệp {name} không phải kế hoạch: chỉ đọc được tệp .docx, .pdf và .txt")
    sha256, parsed = _parse(name, data, year, overrides or {})
    _forget_stale(session, now)
    upload = PlanUpload(
        token=secrets.token_urlsafe(24),
        sha256=sha256,
        name=name,
        year=year,
        officer_id=actor.id,
        created_at=now,
        content=data,
    )
    session.add(upload)
    session.flush()
    return Staged(upload, parsed)


def _forget_stale(session: Session, now: datetime) -> None:
    """Drop uploads nobody stored within ``UPLOAD_LIFETIME`` (stored ones keep their row,
    without the document, so a late second press still says it was stored)."""
    session.execute(
        delete(PlanUpload).where(
            PlanUpload.consumed_at.is_(None), PlanUpload.created_at < now - UPLOAD_LIFETIME
        )
    )


def find(session: Session, token: str) -> PlanUpload:
    upload = session.scalar(select(PlanUpload).where(PlanUpload.token == token)) if token else None
    if upload is None:
        raise NotFound(
            "Không tìm thấy tài liệu đã tải lên (có thể đã quá 24 giờ); hãy tải tệp lên lại."
        )
    return upload


def parsed_of(upload: PlanUpload, overrides: Mapping[str, Any] | None = None) -> ParsedPlan:
    """The plan an upload not yet stored holds, read again from its bytes."""
    if upload.content is None:
        raise InvalidInput("Tài liệu này đã được lưu.")
    return _parse(upload.name, upload.content, upload.year, overrides or {})[1]


def preview(
    session: Session,
    upload: PlanUpload,
    overrides: Mapping[str, Any] | None = None,
    allow_cancel: bool = False,
) -> tuple[ParsedPlan, ImportPreview]:
    parsed = parsed_of(upload, overrides)
    return parsed, preview_import(session, parsed, upload.year, allow_cancel)


def store(
    session: Session,
    actor: Officer,
    token: str,
    sha256: str,
    now: datetime,
    *,
    allow_cancel: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> Stored:
    """Store an upload once. ``CancellationRefused`` (too many cancellations without
    ``allow_cancel``) leaves the upload waiting, as the caller's rollback undoes the claim."""
    upload = find(session, token)
    if not secrets.compare_digest(upload.sha256, sha256 or ""):
        raise NotFound("Tài liệu đã tải lên không khớp; hãy tải tệp lên lại.")
    claimed = session.execute(
        update(PlanUpload)
        .where(PlanUpload.id == upload.id, PlanUpload.consumed_at.is_(None))
        .values(consumed_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        session.refresh(upload)
        return Stored(upload.plan_id, already=True)
    parsed = parsed_of(upload, overrides)
    summary = import_plan(
        session,
        parsed,
        upload.name,
        upload.sha256,
        now,
        year=upload.year,
        allow_cancel=allow_cancel,
    )
    session.refresh(upload)
    upload.plan_id = summary.plan_id
    upload.content = None
    _record(session, actor, upload, parsed, summary, now)
    return Stored(summary.plan_id, summary=summary)


def _record(
    session: Session,
    actor: Officer,
    upload: PlanUpload,
    parsed: ParsedPlan,
    summary: ImportSummary,
    now: datetime,
) -> None:
    line = (
        f"Lưu kế hoạch {summary.number} năm {summary.year} từ tệp {upload.name}: "
        f"mới {summary.created}, cập nhật {summary.updated}, "
        f"không đổi {summary.unchanged}, hủy {summary.cancelled}"
    )
    audit.record(
        session,
        actor,
        "plan.import",
        line,
        now,
        target=f"plan:{summary.plan_id}",
        details={
            "file": upload.name,
            "sha256": upload.sha256,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "cancelled": summary.cancelled,
        },
    )
    words = {"created": "thêm", "updated": "sửa đổi"}
    for item in parsed.items:
        status = summary.status.get(item.uid)
        if status in words:
            audit.record(
                session,
                actor,
                f"plan.item.{status}",
                f"{words[status]} theo kế hoạch tải lên ({upload.name})",
                now,
                event_id=summary.event_ids[item.uid],
                target=f"plan:{summary.plan_id}",
            )
    if summary.cancelled_uids:
        for event in session.scalars(select(Event).where(Event.uid.in_(summary.cancelled_uids))):
            audit.record(
                session,
                actor,
                "plan.item.cancelled",
                f"hủy vì không còn trong kế hoạch tải lên ({upload.name})",
                now,
                event_id=event.id,
                target=f"plan:{summary.plan_id}",
            )


def last_import(session: Session, plan_id: int) -> str | None:
    """The summary line of the newest browser import of a plan."""
    entries = audit.recent(session, limit=50, action_prefix="plan.import")
    return next((e.summary for e in entries if e.target == f"plan:{plan_id}"), None)


def plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.year.desc(), Plan.number)))
