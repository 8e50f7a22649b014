"""Feed scopes: which events a feed holds, and the names a calendar client shows for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from scheduler.store.models import Officer

__all__ = ["FeedScope", "feed_filename", "feed_name"]


@dataclass(frozen=True)
class FeedScope:
    """Which events a feed holds: one officer's, the observances only, or the whole office."""

    kind: Literal["officer", "observances", "office"]
    officer_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.officer_id}" if self.officer_id is not None else self.kind

    @classmethod
    def officer(cls, officer: Officer) -> FeedScope:
        return cls("officer", officer.id)


def feed_name(session: Session, scope: FeedScope) -> str:
    """The calendar's name as a client lists it."""
    if scope.kind == "observances":
        return "Ngày lễ tôn giáo, dân tộc"
    if scope.kind == "office":
        return "Lịch công tác – toàn Ban"
    officer = session.get(Officer, scope.officer_id)
    return f"Lịch công tác – {officer.name}" if officer else "Lịch công tác"


def feed_filename(scope: FeedScope) -> str:
    """The file name a client saves the feed under (``Content-Disposition``)."""
    return {"observances": "ngay-le.ics", "office": "lich-cong-tac-toan-ban.ics"}.get(
        scope.kind, "lich-cong-tac.ics"
    )
