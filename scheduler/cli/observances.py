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
        in_lunar = lunar.solar_to_lunar(o.start)
        return [when, weekday, lunar.format_lunar(in_lunar), o.name, o.religion or ""]

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
            help="Ngày dương lịch YYYY-MM-DD cần đổi sang âm lịch (mặc định hôm nay).",
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
        typer.Option("--year", help="Năm âm lịch cho --lunar (mặc định: năm nay)."),
    ] = None,
    leap: Annotated[
        bool, typer.Option("--leap", help="Tháng nhuận (với --lunar), ví dụ 15/6 nhuận năm 2025.")
    ] = False,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Đổi ngày dương lịch sang âm lịch (lịch Việt Nam, múi giờ UTC+7), hoặc ngược lại.

    Ví dụ: 'lichct lunar 2030-02-02'; 'lichct lunar --lunar 15/7 --year 2024';
    'lichct lunar --lunar 15/6/2025 --leap'.
    """
    from calendars import lunar

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
