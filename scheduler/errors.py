"""Errors that reach a user: each carries one clear line, never a traceback."""

from __future__ import annotations


class LichctError(Exception):
    """A user-facing error: the message is shown as it is, and the command exits non-zero."""

    exit_code: int = 1


class NotFound(LichctError):
    """Something the user named does not exist (an event ID, an officer, a unit)."""


class InvalidInput(LichctError):
    """A value the user typed cannot be understood (a date, a time, an option)."""


class PermissionDenied(LichctError):
    """The acting officer may not do this (confirm someone else's item, say)."""


class StoreUnavailable(LichctError):
    """The database cannot be reached, is read-only or is locked."""

    exit_code = 3
