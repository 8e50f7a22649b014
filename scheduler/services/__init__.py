"""The use cases: what the CLI, the Telegram bot and the web pages call.

Each function takes an open session (one unit of work) and the current instant; none of
them reads the clock or prints. ``lichct done`` and the bot's ``/xong`` both call
:func:`mark_done`. Submodules: ``parsing`` (typed values), ``officers``, ``events``,
``completion``, ``linking`` (Telegram link codes) and ``progress`` (a month's tally).
Nothing below this package imports it; only the entry points do.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Loaded on first use (PEP 562): ``from scheduler import services`` stays cheap, so the
# command line starts without the database layer until a command needs it.
_EXPORTS = {
    "check_date": "scheduler.inputs",
    "clean_input": "scheduler.inputs",
    "clean_note": "scheduler.inputs",
    "Revoked": "scheduler.services.access",
    "revoke_officer_access": "scheduler.services.access",
    "UNDO_WINDOW": "scheduler.services.completion",
    "DoneResult": "scheduler.services.completion",
    "can_confirm": "scheduler.services.completion",
    "mark_done": "scheduler.services.completion",
    "undo_done": "scheduler.services.completion",
    "add_event": "scheduler.services.events",
    "assign": "scheduler.services.events",
    "event_to_dict": "scheduler.services.events",
    "is_overdue": "scheduler.services.events",
    "list_events": "scheduler.services.events",
    "add_officer": "scheduler.services.officers",
    "find_unit": "scheduler.services.officers",
    "list_officers": "scheduler.services.officers",
    "officer_to_dict": "scheduler.services.officers",
    "resolve_officer": "scheduler.services.officers",
    "update_officer": "scheduler.services.officers",
    "parse_date": "scheduler.services.parsing",
    "parse_time": "scheduler.services.parsing",
    "Officer": "scheduler.store.models",
    "active_completion": "scheduler.store.queries",
    "event_recipients": "scheduler.store.queries",
    "get_event": "scheduler.store.queries",
    "parse_event_id": "scheduler.store.queries",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
