"""CLI: the observances of a year, and lunar/solar date conversion."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from calendars.text import WEEKDAYS
from scheduler import services
from scheduler.cli.app import app, open_context
from scheduler.cli.output import FORMAT_OPTION, OutputFormat, emit
from scheduler.clock import local_today
from scheduler.errors import InvalidInput

if TYPE_CHECKING:
    from calendars import lunar
    from calendars.observances import Occurrence

_LUNAR_INPUT = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*(?:/\s*(\d{4})\s*)?$")


def _today() -> date:
    ctx = open_context(check_schema=False)
    try:
        return local_today(ctx.clock, ctx.tz)
    finally:
        ctx.db.dispose()


def _year(value: str | None) -> int:
    from calendars import lunar

    if value is None:
        return _today().year
    text = value.strip()
    if not text.isdigit() or not lunar.FIRST_SOLAR_DATE.year <= int(text) <= (
        lunar.LAST_SOLAR_DATE.year
    ):
        raise InvalidInput(
            f"Năm không hợp lệ: {value!r} (cần một năm từ {lunar.FIRST_SOLAR_DATE.year} "
            f"đến {lunar.LAST_SOLAR_DATE.year}, ví dụ 2024)"
        )
    return int(text)


def occurrence_to_dict(o: Occurrence) -> dict[str, Any]:
    """The JSON form of an occurrence (fields fixed by DESIGN.md)."""
    return {
        "key": o.key,
        "name": o.name,
        "start": o.start.isoformat(),
        "end": o.end.isoformat(),
        "lunar": (
            {"day": o.lunar.day, "month": o.lunar.month, "leap": o.lunar.leap} if o.lunar else None
        ),
        "calendar": o.calendar,
    }


@app.command()
def observances(
    year: Annotated[
        str | None, typer.Option("--year", help="Năm dương lịch (mặc định: năm nay).")
    ] = None,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Các ngày lễ tôn giáo, dân tộc và ngày truyền thống trong một năm, kèm ngày âm lịch."""
    from calendars import lunar
    from calendars.observances import load_catalog

    occurrences = load_catalog().occurrences(_year(year))
    by_key = {o.key: o for o in occurrences}

    def row(r: dict[str, Any]) -> list[object]:
        o = by_key[r["key"]]
        when = f"{o.start:%d/%m/%Y}"
        weekday = WEEKDAYS[o.start.weekday()]
        if o.end != o.start:
            when += f"–{o.end:%d/%m/%Y}"
            weekday += f"–{WEEKDAYS[o.end.weekday()]}"
        in_lunar = lunar.format_lunar(lunar.solar_to_lunar(o.start))
        if o.khmer_date is not None:
            from calendars.khmer import format_khmer

            khmer_day = format_khmer(o.khmer_date, with_year=False).replace(" tháng ", " ", 1)
            in_lunar += f"; Khmer: {khmer_day}"
        return [when, weekday, in_lunar, o.name, o.religion or ""]

    emit(
        fmt,
        [occurrence_to_dict(o) for o in occurrences],
        ["Ngày", "Thứ", "Âm lịch", "Ngày lễ", "Tôn giáo, dân tộc"],
        row,
        empty="Không có ngày lễ nào trong năm này.",
    )


def _lunar_record(solar: date, ld: lunar.LunarDate) -> dict[str, Any]:
    from calendars import lunar

    return {
        "solar": solar.isoformat(),
        "weekday": WEEKDAYS[solar.weekday()],
        "lunar": {"year": ld.year, "month": ld.month, "day": ld.day, "leap": ld.leap},
        "can_chi": lunar.can_chi_year(ld.year),
        "text": lunar.format_lunar(ld),
    }


@app.command("lunar")
def lunar_cmd(
    on: Annotated[
        str | None,
        typer.Argument(
            metavar="[NGÀY]",
            help=(
                "Ngày dương lịch YYYY-MM-DD cần đổi (mặc định hôm nay); với --khmer có thể là "
                "ngày Khmer, ví dụ '14 roach Bhadrapada'."
            ),
        ),
    ] = None,
    to_solar: Annotated[
        str | None,
        typer.Option(
            "--lunar",
            "--to-solar",
            metavar="NGÀY/THÁNG[/NĂM]",
            help="Đổi ngày âm lịch sang dương lịch, ví dụ 15/7 hoặc 15/7/2024.",
        ),
    ] = None,
    year: Annotated[
        str | None,
        typer.Option(
            "--year",
            help="Năm âm lịch cho --lunar, năm dương lịch cho ngày --khmer (mặc định: năm nay).",
        ),
    ] = None,
    leap: Annotated[
        bool, typer.Option("--leap", help="Tháng nhuận (với --lunar), ví dụ 15/6 nhuận năm 2025.")
    ] = False,
    khmer_cal: Annotated[
        bool,
        typer.Option(
            "--khmer",
            help=(
                "Lịch Khmer (Chhankitek): đổi NGÀY dương lịch sang lịch Khmer, hoặc một ngày "
                "Khmer như '14 roach Bhadrapada' sang dương lịch trong năm --year."
            ),
        ),
    ] = False,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Đổi ngày dương lịch sang âm lịch (lịch Việt Nam, múi giờ UTC+7), hoặc ngược lại.

    Ví dụ: 'lichct lunar 2030-02-02'; 'lichct lunar --lunar 15/7 --year 2024';
    'lichct lunar --lunar 15/6/2025 --leap'; 'lichct lunar 2025-09-21 --khmer';
    'lichct lunar --khmer "14 roach Bhadrapada" --year 2025'.
    """
    from calendars import lunar

    if khmer_cal:
        if to_solar is not None or leap:
            raise InvalidInput("--khmer không dùng cùng --lunar hoặc --leap")
        _khmer_cmd(on, year, fmt)
        return
    if to_solar is not None:
        if on is not None:
            raise InvalidInput("Chỉ đổi một chiều mỗi lần: bỏ NGÀY dương lịch hoặc bỏ --lunar")
        match = _LUNAR_INPUT.match(to_solar)
        if not match:
            raise InvalidInput(
                f"Ngày âm lịch không hợp lệ: {to_solar!r} (cần dạng ngày/tháng[/năm], ví dụ 15/7)"
            )
        day, month = int(match[1]), int(match[2])
        if match[3] and year is not None and int(match[3]) != int(_year(year)):
            raise InvalidInput(f"Năm ghi hai lần và khác nhau: {to_solar!r} và --year {year}")
        lunar_year = _year(match[3] or year)
        try:
            solar = lunar.lunar_to_solar(lunar_year, month, day, leap)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        record = _lunar_record(solar, lunar.LunarDate(lunar_year, month, day, leap))
        line = f"{solar.isoformat()} ({record['weekday']} {solar:%d/%m/%Y}): {record['text']}"
    else:
        if year is not None or leap:
            raise InvalidInput("--year và --leap chỉ dùng cùng --lunar")
        solar = services.parse_date(on, "ngày") if on else _today()
        try:
            ld = lunar.solar_to_lunar(solar)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        record = _lunar_record(solar, ld)
        numeric = f"{ld.day}/{ld.month}{' nhuận' if ld.leap else ''}/{ld.year}"
        line = f"{record['weekday']} {solar:%d/%m/%Y}: {record['text']} (âm lịch {numeric})"
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        typer.echo(line)


def _khmer_record(solar: date) -> dict[str, Any]:
    from calendars import khmer, lunar

    try:
        kd = khmer.solar_to_khmer(solar)
        ld = lunar.solar_to_lunar(solar)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return {
        "solar": solar.isoformat(),
        "weekday": WEEKDAYS[solar.weekday()],
        "khmer": {
            "year": kd.year,
            "month": kd.month,
            "month_name": khmer.MONTHS[kd.month - 1],
            "adhika": kd.adhika,
            "day": kd.moon_day,
            "waning": kd.waning,
        },
        "lunar": {"year": ld.year, "month": ld.month, "day": ld.day, "leap": ld.leap},
        "text": f"{khmer.format_khmer(kd)} (lịch Khmer); {lunar.format_lunar(ld)} (âm lịch)",
    }


def _khmer_cmd(on: str | None, year: str | None, fmt: OutputFormat) -> None:
    """``lunar --khmer``: a solar date in the Khmer calendar, or a Khmer date in a year."""
    from calendars import khmer

    text = (on or "").strip()
    if not re.search(r"[^\d\s/.-]", text):  # a solar date, or nothing: today
        if year is not None:
            raise InvalidInput("--year chỉ dùng khi đổi ngày Khmer sang dương lịch")
        solar = services.parse_date(text, "ngày") if text else _today()
    else:
        try:
            day, waning, month, adhika = khmer.parse_khmer(text)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        solar_year = _year(year)
        found: list[date] = []
        errors: list[str] = []
        # The Khmer year whose Asath falls in solar_year runs from Mikasir of the year before,
        # so a date may fall in solar_year in that Khmer year or in the next one.
        for reckoning in (solar_year, solar_year + 1):
            try:
                day_of_month = day + 15 if waning else day
                found.append(khmer.reckoning_to_solar(reckoning, month, day_of_month, bool(adhika)))
            except ValueError as exc:
                errors.append(str(exc))
        inside = [d for d in found if d.year == solar_year]
        if not inside:
            reason = errors[0] if errors else f"không có ngày {text} nào trong năm {solar_year}"
            raise InvalidInput(reason)
        solar = inside[0]
    record = _khmer_record(solar)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{record['weekday']} {solar:%d/%m/%Y}: {record['text']}")
