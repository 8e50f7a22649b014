"""Lunar and Khmer conversion speed (both directions) and the cost of a catalog over 2024-2100.

Run: python benchmarks/bench_lunar.py

The Vietnamese solar -> lunar rate is set against two references over the same days:
lunar-vn (the same Vietnamese UTC+7 method; ``pip install lunar-vn`` to include it) and
lunardate (the Chinese table, a dependency), each as lichct's rate divided by theirs.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from calendars import khmer, lunar
from calendars.observances import load_catalog


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _references(days: list[date]) -> list[tuple[str, float]]:
    """Solar -> lunar rates of the reference libraries that are installed, on ``days``."""
    rates = []
    try:
        import lunar_vn
    except ImportError:
        print("  (lunar-vn not installed: pip install lunar-vn to compare)")
    else:
        lunar_vn.clear_cache()
        started = time.perf_counter()
        for d in days:
            lunar_vn.solar_to_lunar(d)
        rates.append(("lunar-vn", len(days) / (time.perf_counter() - started)))
    from lunardate import LunarDate

    covered = [d for d in days if d.year < 2100 and d >= date(1900, 1, 31)]  # its table
    started = time.perf_counter()
    for d in covered:
        LunarDate.from_solar_date(d.year, d.month, d.day)
    rates.append(("lunardate", len(covered) / (time.perf_counter() - started)))
    return rates


def main() -> None:
    started = time.perf_counter()
    lunar.solar_to_lunar(date(2024, 1, 1))  # builds the month table once
    print(f"month table 1899-2101 built in {1000 * (time.perf_counter() - started):.1f} ms")

    days = _days(lunar.FIRST_SOLAR_DATE, lunar.LAST_SOLAR_DATE)
    started = time.perf_counter()
    lunars = [lunar.solar_to_lunar(d) for d in days]
    elapsed = time.perf_counter() - started
    print(f"solar -> lunar: {len(days) / elapsed:,.0f} conversions/s ({len(days)} days 1900-2100)")
    for name, rate in _references(days):
        print(f"  {name}: {rate:,.0f} conversions/s; lichct is {len(days) / elapsed / rate:.1f}x")

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
