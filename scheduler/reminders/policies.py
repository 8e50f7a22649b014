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


# Sane bounds for the numbers of the policies: a year of lead time at most, never negative.
_MAX_DAYS = 366
_SECTIONS = (
    "defaults",
    "kinds",
    "conditional",
    "quiet_hours",
    "digests",
    "overdue",
    "planning",
    "delivery",
)


def _bounded(value: Any, where: str, low: float = 0, high: float = _MAX_DAYS) -> int:
    """An integer within ``low..high``; anything else is a clear error naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidInput(
            f"Chính sách nhắc việc [{where}] phải là một số nguyên, không phải {value!r}"
        )
    if not low <= value <= high:
        raise InvalidInput(
            f"Chính sách nhắc việc [{where}] = {value} nằm ngoài khoảng {low:g}–{high:g}"
        )
    return int(value)


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidInput(
            f"Chính sách nhắc việc [{where}] phải là một số trong khoảng {low:g}–{high:g}, "
            f"không phải {value!r}"
        )
    return float(value)


def _int_list(value: Any, where: str = "days_before", high: int = _MAX_DAYS) -> tuple[int, ...]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (_bounded(value, where, 0, high),)
    if not isinstance(value, list | tuple):
        raise InvalidInput(
            f"Chính sách nhắc việc [{where}] phải là một danh sách số, không phải {value!r}"
        )
    return tuple(sorted({_bounded(v, where, 0, high) for v in value}, reverse=True))


def build_policies(document: Mapping[str, Any]) -> Policies:
    """Policies from a parsed document with the layout of ``reminder_policies.toml``."""
    try:
        defaults = document["defaults"]
        kinds = {
            name: KindPolicy(
                days_before=_int_list(spec.get("days_before", ()), f"kinds.{name}.days_before"),
                hours_before=_int_list(
                    spec.get("hours_before", ()), f"kinds.{name}.hours_before", 24 * 7
                ),
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
            conditional_days_before=_bounded(
                document["conditional"]["days_before"], "conditional.days_before"
            ),
            quiet_start=_time(quiet["start"], "quiet_hours"),
            quiet_end=_time(quiet["end"], "quiet_hours"),
            quiet_spread=timedelta(
                minutes=_bounded(quiet["spread_minutes"], "quiet_hours.spread_minutes", 0, 24 * 60)
            ),
            digest_time=_time(digests["time"], "digests"),
            digest_daily=bool(digests["daily"]),
            digest_weekly=bool(digests["weekly"]),
            digest_monthly=bool(digests["monthly"]),
            next_month_days_before_end=_bounded(
                digests["next_month_days_before_end"], "digests.next_month_days_before_end", 0, 27
            ),
            digest_overdue_window=timedelta(
                days=_bounded(digests["overdue_window_days"], "digests.overdue_window_days")
            ),
            digest_stale_after=_time(digests["stale_after"], "digests"),
            overdue_time=_time(overdue["time"], "overdue"),
            overdue_nudge_days=_bounded(overdue["nudge_days"], "overdue.nudge_days", 1),
            escalate_after_days=_bounded(
                overdue["escalate_after_days"], "overdue.escalate_after_days"
            ),
            late_grace=timedelta(
                hours=_number(planning["late_grace_hours"], "planning.late_grace_hours", 0, 24 * 30)
            ),
            catch_up_min_gap=timedelta(
                hours=_number(
                    planning["catch_up_min_gap_hours"],
                    "planning.catch_up_min_gap_hours",
                    0,
                    24 * 30,
                )
            ),
            max_attempts=_bounded(delivery["max_attempts"], "delivery.max_attempts", 1, 1000),
            backoff_base=timedelta(seconds=_seconds(delivery, "backoff_base_seconds")),
            backoff_max=timedelta(seconds=_seconds(delivery, "backoff_max_seconds")),
            lease=timedelta(seconds=_seconds(delivery, "lease_seconds")),
            concurrency=_bounded(delivery["concurrency"], "delivery.concurrency", 1, 1000),
            stale_after=timedelta(
                hours=_number(delivery["stale_hours"], "delivery.stale_hours", 0, 24 * 30)
            ),
            merge_at=_bounded(delivery.get("merge_at", 0), "delivery.merge_at", 0, 10_000),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"Chính sách nhắc việc không hợp lệ: {exc}") from exc


def _seconds(delivery: Mapping[str, Any], key: str) -> float:
    return _number(delivery[key], f"delivery.{key}", 0, 7 * 24 * 3600)


def load_policies(extra: Mapping[str, Any] | None = None) -> Policies:
    """The bundled policies with ``extra["reminders"]`` (from ``lichct.toml``) merged over."""
    override = (extra or {}).get("reminders") or {}
    if not override:
        return _default_policies()
    if not isinstance(override, Mapping):
        raise InvalidInput(f"[reminders] của lichct.toml phải là một bảng, không phải {override!r}")
    unknown = [key for key in override if key not in _SECTIONS]
    if unknown:
        raise InvalidInput(
            f"[reminders] của lichct.toml có mục không biết: {', '.join(map(repr, unknown))} "
            f"(các mục: {', '.join(_SECTIONS)})"
        )
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
