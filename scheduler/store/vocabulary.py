"""Fixed words of the store that the command line shows without loading the models."""

from __future__ import annotations

OFFICER_ROLES = ("officer", "head", "admin")
