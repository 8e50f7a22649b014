"""Lunar and Khmer conversion speed (both directions) and the cost of a catalog over 2024-2100.

Run: python benchmarks/bench_lunar.py

The Vietnamese solar -> lunar rate is set against two references over the same days:
lunar-vn (the same Vietnamese UTC+7 method; ``pip install lunar-vn`` to include it) and
lunardate (the Chinese table, a dependency), each as lichct's rate divided by theirs: the
median over interleaved rounds, each round timing every library once.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from calendars import khmer, lunar
from calendars.observances import load_catalog


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _timed(convert: Callable[..., object], days: list[date]) -> float:
    """Seconds that one pass of ``convert`` over ``days`` takes."""
    started = time.perf_counter()
    for d in days:
        convert(d)
    return time.perf_counter() - started


def _by_lunardate(d: date) -> object:
    from lunardate import LunarDate

    return LunarDate.from_solar_date(d.year, d.month, d.day)


def _solar_to_lunar_rates(days: list[date], rounds: int) -> None:
    """lichct's solar -> lunar rate against the references that are installed, interleaved:
    each round times every library once over the same days, and each ratio printed is the
    median of the rounds' ratios (the machine's speed drifts between sequential runs).

    Each side is (convert, days it covers, what to reset before a pass): lunar-vn keeps a
    cache of its answers, emptied before each of its passes so that no round replays one.
    """

    def no_reset() -> None:
        pass

    its_table = [d for d in days if date(1900, 1, 31) <= d < date(2100, 1, 1)]
    sides: dict[str, tuple[Callable[..., object], list[date], Callable[[], object]]] = {
        "lichct": (lunar.solar_to_lunar, days, no_reset),
        "lunardate": (_by_lunardate, its_table, no_reset),
    }
    try:
        import lunar_vn
    except ImportError:
        print("  (lunar-vn not installed: pip install lunar-vn to compare)")
    else:
        sides["lunar-vn"] = (lunar_vn.solar_to_lunar, days, lunar_vn.clear_cache)
    rates: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, (convert, covered, reset) in sides.items():
            reset()
            rates[name].append(len(covered) / _timed(convert, covered))
    ours = rates.pop("lichct")
    print(
        f"solar -> lunar: {statistics.median(ours):,.0f} conversions/s "
        f"({len(days)} days 1900-2100, median of {rounds} interleaved rounds)"
    )
    for name, theirs in rates.items():
        ratio = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
        print(f"  {name}: {statistics.median(theirs):,.0f} conversions/s; lichct is {ratio:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    rounds = parser.parse_args().rounds
    started = time.perf_counter()
    lunar.solar_to_lunar(date(2024, 1, 1))  # builds the month table once
    print(f"month table 1899-2101 built in {1000 * (time.perf_counter() - started):.1f} ms")

    days = _days(lunar.FIRST_SOLAR_DATE, lunar.LAST_SOLAR_DATE)
    _solar_to_lunar_rates(days, rounds)
    lunars = [lunar.solar_to_lunar(d) for d in days]

    started = time.perf_counter()
    for ld in lunars:
        lunar.lunar_to_solar(ld.year, ld.month, ld.day, ld.leap)
    elapsed = time.perf_counter() - started
    print(f"lunar -> solar: {len(lunars) / elapsed:,.0f} conversions/s")

    started = time.perf_counter()
    khmers = [khmer.solar_to_khmer(d) for d in days]
    elapsed = time.perf_counter() - started
    print(f"solar -> Khmer: {len(days) / elapsed:,.0f} conversions/s")

    started = time.perf_counter()
    for kd in khmers:
        khmer.khmer_to_solar(kd.year, kd.month, kd.day, adhika=kd.adhika)
    elapsed = time.perf_counter() - started
    print(f"Khmer -> solar: {len(khmers) / elapsed:,.0f} conversions/s")

    catalog = load_catalog()
    started = time.perf_counter()
    total = sum(len(catalog.occurrences(year)) for year in range(2024, 2101))
    elapsed = time.perf_counter() - started
    print(
        f"observances 2024-2100: {total} occurrences of {len(catalog)} entries "
        f"in {1000 * elapsed:.1f} ms"
    )


if __name__ == "__main__":
    main()
