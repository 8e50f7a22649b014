"""Lunar and Khmer conversion speed (both directions) and the cost of a catalog over 2024-2100.

Run: python benchmarks/bench_lunar.py
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from calendars import khmer, lunar
from calendars.observances import load_catalog


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def main() -> None:
    started = time.perf_counter()
    lunar.solar_to_lunar(date(2024, 1, 1))  # builds the month table once
    print(f"month table 1899-2101 built in {1000 * (time.perf_counter() - started):.1f} ms")

    days = _days(lunar.FIRST_SOLAR_DATE, lunar.LAST_SOLAR_DATE)
    started = time.perf_counter()
    lunars = [lunar.solar_to_lunar(d) for d in days]
    elapsed = time.perf_counter() - started
    print(f"solar -> lunar: {len(days) / elapsed:,.0f} conversions/s ({len(days)} days 1900-2100)")

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
