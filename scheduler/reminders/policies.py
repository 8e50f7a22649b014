"""Reminder policies: the bundled ``reminder_policies.toml``, overridable in ``lichct.toml``.

The ``[reminders]`` table of ``lichct.toml`` (``settings.extra["reminders"]``) has the same
layout as the bundled file and is merged over it table by table.
"""

from __future__ import annotations

import copy
import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from lichct_data import resource

from scheduler.clock import LOCAL_TZ
from scheduler.config import load_settings
from scheduler.errors import InvalidInput

log = logging.getLogger("lichct.planner")

_FALLBACK_KIND = "other"


@dataclass(frozen=True)
class KindPolicy:
    """When the items of one kind are reminded."""

    days_before: tuple[int, ...]
    hours_before: tuple[int, ...]
    anchor: str  # "due" or "start"
    overdue: bool


@dataclass(frozen=True)
class Policies:
    kinds: Mapping[str, KindPolicy]
    lead_time: time
    due_time: time
    conditional_days_before: int
    quiet_start: time
    quiet_end: time
    quiet_spread: timedelta
    digest_time: time
    digest_daily: bool
    digest_weekly: bool
    digest_monthly: bool
    next_month_days_before_end: int
    digest_overdue_window: timedelta
    digest_stale_after: time
    overdue_time: time
    overdue_nudge_days: int
    escalate_after_days: int
    late_grace: timedelta
    catch_up_min_gap: timedelta
    max_attempts: int
    backoff_base: timedelta
    backoff_max: timedelta
    lease: timedelta
    concurrency: int
    stale_after: timedelta
    merge_at: int

    def kind(self, kind: str) -> KindPolicy:
        """The policy of ``kind``, or of "other" for a kind the file does not name."""
        return self.kinds.get(kind) or self.kinds[_FALLBACK_KIND]

    def in_quiet_hours(self, at: datetime, tz: ZoneInfo) -> bool:
        """Whether the instant ``at`` falls inside the quiet hours (local time)."""
        local = at.astimezone(tz).time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end

    def after_quiet(self, at: datetime, tz: ZoneInfo, slot_seed: int = 0) -> datetime:
        """``at`` unchanged outside quiet hours, else the end of them plus this seed's slot.

        The slot spreads officers over ``quiet_spread`` after the quiet hours end, so that
        what waited overnight does not go out as one burst; one seed always gets the same
        slot, so one officer's deferred reminders go out together.
        """
        if not self.in_quiet_hours(at, tz):
            return at
        local = at.astimezone(tz)
        end_day: date = local.date()
        if self.quiet_start > self.quiet_end and local.time() >= self.quiet_start:
            end_day += timedelta(days=1)
        end = datetime.combine(end_day, self.quiet_end, tzinfo=tz)
        spread = int(self.quiet_spread.total_seconds() // 60)
        offset = timedelta(minutes=(slot_seed * 7919) % spread) if spread > 0 else timedelta(0)
        return (end + offset).astimezone(at.tzinfo)

    def backoff(self, attempts: int, jitter: float) -> timedelta:
        """Delay before the next attempt: exponential in ``attempts``, ``jitter`` in [0, 1)."""
        seconds = self.backoff_base.total_seconds() * 2 ** max(attempts - 1, 0)
        seconds = min(seconds, self.backoff_max.total_seconds())
        return timedelta(seconds=seconds * (0.5 + jitter / 2))


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            f"Giờ không hợp lệ ở [{where}] của chính sách nhắc việc: {value!r}"
        ) from None


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Any]:
    return tomllib.loads(resource("reminder_policies.toml").read_text("utf-8"))


def _int_list(value: Any) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,)
    return tuple(sorted({int(v) for v in value or ()}, reverse=True))


def build_policies(document: Mapping[str, Any]) -> Policies:
    """Policies from a parsed document with the layout of ``reminder_policies.toml``."""
    try:
        defaults = document["defaults"]
        kinds = {
            name: KindPolicy(
                days_before=_int_list(spec.get("days_before", ())),
                hours_before=_int_list(spec.get("hours_before", ())),
                anchor=str(spec.get("anchor", "due")),
                overdue=bool(spec.get("overdue", False)),
            )
            for name, spec in document["kinds"].items()
        }
        if _FALLBACK_KIND not in kinds:
            kinds[_FALLBACK_KIND] = KindPolicy((3, 1, 0), (), "due", True)
        for name, policy in kinds.items():
            if policy.anchor not in ("due", "start"):
                raise InvalidInput(
                    f"Chính sách nhắc việc [kinds.{name}]: anchor phải là 'due' hoặc 'start'"
                )
        quiet = document["quiet_hours"]
        digests = document["digests"]
        overdue = document["overdue"]
        planning = document["planning"]
        delivery = document["delivery"]
        return Policies(
            kinds=kinds,
            lead_time=_time(defaults["time"], "defaults"),
            due_time=_time(defaults["due_time"], "defaults"),
            conditional_days_before=int(document["conditional"]["days_before"]),
            quiet_start=_time(quiet["start"], "quiet_hours"),
            quiet_end=_time(quiet["end"], "quiet_hours"),
            quiet_spread=timedelta(minutes=int(quiet["spread_minutes"])),
            digest_time=_time(digests["time"], "digests"),
            digest_daily=bool(digests["daily"]),
            digest_weekly=bool(digests["weekly"]),
            digest_monthly=bool(digests["monthly"]),
            next_month_days_before_end=int(digests["next_month_days_before_end"]),
            digest_overdue_window=timedelta(days=int(digests["overdue_window_days"])),
            digest_stale_after=_time(digests["stale_after"], "digests"),
            overdue_time=_time(overdue["time"], "overdue"),
            overdue_nudge_days=int(overdue["nudge_days"]),
            escalate_after_days=int(overdue["escalate_after_days"]),
            late_grace=timedelta(hours=float(planning["late_grace_hours"])),
            catch_up_min_gap=timedelta(hours=float(planning["catch_up_min_gap_hours"])),
            max_attempts=max(1, int(delivery["max_attempts"])),
            backoff_base=timedelta(seconds=float(delivery["backoff_base_seconds"])),
            backoff_max=timedelta(seconds=float(delivery["backoff_max_seconds"])),
            lease=timedelta(seconds=float(delivery["lease_seconds"])),
            concurrency=max(1, int(delivery["concurrency"])),
            stale_after=timedelta(hours=float(delivery["stale_hours"])),
            merge_at=int(delivery.get("merge_at", 0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"Chính sách nhắc việc không hợp lệ: {exc}") from exc


def load_policies(extra: Mapping[str, Any] | None = None) -> Policies:
    """The bundled policies with ``extra["reminders"]`` (from ``lichct.toml``) merged over."""
    override = (extra or {}).get("reminders") or {}
    if not override:
        return _default_policies()
    return build_policies(_merge(_bundled(), override))


@lru_cache(maxsize=1)
def _default_policies() -> Policies:
    return build_policies(_bundled())


# The policies and zone that reminder planning uses in this process. Every AppContext sets
# them from its own settings, since planning runs inside every edit (``planner.sync_event``).
@dataclass
class _Active:
    policies: Policies | None = None
    tz: ZoneInfo | None = None


_active = _Active()


def configure(policies: Policies, tz: ZoneInfo) -> None:
    """Set the policies and time zone that ``sync_event`` uses in this process."""
    _active.policies = policies
    _active.tz = tz


def current() -> tuple[Policies, ZoneInfo]:
    """The configured policies and zone; by default those of the environment's settings."""
    if _active.policies is None or _active.tz is None:
        try:
            settings = load_settings()
            configure(load_policies(settings.extra), settings.tz)
        except Exception:  # a broken lichct.toml must not stop an edit: use the bundle
            log.exception("Không đọc được cấu hình nhắc việc, dùng mặc định")
            configure(load_policies(), LOCAL_TZ)
    assert _active.policies is not None and _active.tz is not None
    return _active.policies, _active.tz
