"""Kinds of events: what the wording of a plan item suggests (DOMAIN.md), and observances."""

from __future__ import annotations

# The kinds a plan item can have, from its telling words ("Báo cáo", "Kế hoạch", ...).
PLAN_KINDS = (
    "report",
    "plan",
    "directive",
    "supervision",
    "inspection",
    "meeting",
    "visit",
    "ceremony",
    "bulletin",
    "other",
)
# Every stored event: plan items, ad-hoc events and observance occurrences.
EVENT_KINDS = (*PLAN_KINDS[:-1], "observance", "other")
