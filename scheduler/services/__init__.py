"""The use cases: what the CLI, the Telegram bot and the web pages call.

Each function takes an open session (one unit of work) and the current instant; none of
them reads the clock or prints. ``lichct done`` and the bot's ``/xong`` both call
:func:`mark_done`. Submodules: ``parsing`` (typed values), ``officers``, ``events``,
``completion``, ``linking`` (Telegram link codes) and ``progress`` (a month's tally).
Nothing below this package imports it; only the entry points do.
"""

from __future__ import annotations

from scheduler.inputs import check_date, clean_input, clean_note
from scheduler.services.access import Revoked, revoke_officer_access
from scheduler.services.completion import (
    UNDO_WINDOW,
    DoneResult,
    can_confirm,
    mark_done,
    undo_done,
)
from scheduler.services.events import (
    add_event,
    assign,
    event_to_dict,
    is_overdue,
    list_events,
)
from scheduler.services.officers import (
    add_officer,
    find_unit,
    list_officers,
    officer_to_dict,
    resolve_officer,
    update_officer,
)
from scheduler.services.parsing import parse_date, parse_time
from scheduler.store.models import Officer
from scheduler.store.queries import (
    active_completion,
    event_recipients,
    get_event,
    parse_event_id,
)

__all__ = [
    "UNDO_WINDOW",
    "DoneResult",
    "Officer",
    "Revoked",
    "active_completion",
    "add_event",
    "add_officer",
    "assign",
    "can_confirm",
    "check_date",
    "clean_input",
    "clean_note",
    "event_recipients",
    "event_to_dict",
    "find_unit",
    "get_event",
    "is_overdue",
    "list_events",
    "list_officers",
    "mark_done",
    "officer_to_dict",
    "parse_date",
    "parse_event_id",
    "parse_time",
    "resolve_officer",
    "revoke_officer_access",
    "undo_done",
    "update_officer",
]
