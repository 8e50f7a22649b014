"""What several benchmarks seed: officers linked to Telegram (and email, when asked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.store.models import Officer


def linked_officers(
    session: Session, count: int, now: datetime, *, first_chat: int, email: bool = False
) -> list[Officer]:
    """``count`` active officers, chat ids from ``first_chat`` up, flushed (ids set)."""
    people = [
        Officer(
            name=f"Cán bộ {i}",
            search_name=f"can bo {i}",
            email=f"cb{i}@example.vn" if email else None,
            channels="telegram,email" if email else "telegram",
            telegram_chat_id=first_chat + i,
            role="officer",
            active=True,
            preferences={},
            created_at=now,
        )
        for i in range(count)
    ]
    session.add_all(people)
    session.flush()
    return people
