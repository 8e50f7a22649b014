"""CLI for areas, field visits and coverage: ``units``, ``areas``, ``visits``, ``coverage``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scheduler import services
from scheduler.cli.app import app, unit_of_work
from scheduler.cli.output import FORMAT_OPTION, OutputFormat, emit, vn_date
from scheduler.clock import local_today
from scheduler.errors import InvalidInput

if TYPE_CHECKING:
    pass

units_app = typer.Typer(
    help="Danh sách xã, phường, thị trấn (đơn vị hành chính).", no_args_is_help=True
)
areas_app = typer.Typer(help="Địa bàn phụ trách của cán bộ.", no_args_is_help=True)
visits_app = typer.Typer(help="Những ngày đi cơ sở.", no_args_is_help=True)
app.add_typer(units_app, name="units")
app.add_typer(areas_app, name="areas")
app.add_typer(visits_app, name="visits")

_KIND_VN = {
    "commune": "xã",
    "ward": "phường",
    "town": "thị trấn",
    "district": "cấp huyện",
    "province": "tỉnh",
}

OFFICER_FILTER = typer.Option("--officer", help="Chỉ cán bộ này (mã hoặc tên).")
YEAR_OPTION = typer.Option("--year", help="Năm (mặc định: năm nay).")


def _year(value: int | None, today_year: int) -> int:
    year = value or today_year
    if not 1900 <= year <= 2200:
        raise InvalidInput(f"Năm không hợp lệ: {year}")
    return year


@units_app.command("load")
def units_load(
    year: Annotated[int | None, YEAR_OPTION] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Tệp CSV: code,name,kind,parent,valid_from,valid_to."),
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", help="Tỉnh (mặc định: [areas] province).")
    ] = None,
) -> None:
    """Nạp danh sách xã, phường: danh sách năm đó đi kèm, hoặc sau 7/2025 từ vietnam-provinces."""
    from scheduler.fieldwork.loading import load_units_for_year, load_units_from_csv
    from scheduler.fieldwork.units import province_setting

    if file is not None and year is not None:
        raise InvalidInput("Chọn --year hoặc --file, không dùng cả hai")
    text = None
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Không đọc được tệp {file}: {exc}") from exc
    with unit_of_work() as (ctx, session):
        name = province or province_setting(ctx.settings.extra)
        if text is not None and file is not None:
            results = [load_units_from_csv(session, text, f"file:{file.name}")]
        else:
            wanted = _year(year, local_today(ctx.clock, ctx.tz).year)
            results = load_units_for_year(session, name, wanted)
    for result in results:
        typer.echo(result.summary())


@units_app.command("list")
def units_list(
    year: Annotated[int | None, YEAR_OPTION] = None,
    districts: Annotated[
        bool, typer.Option("--districts", help="Liệt kê cấp huyện thay vì cấp xã.")
    ] = False,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Các xã, phường, thị trấn có trong một năm."""
    from scheduler.fieldwork.units import COMMUNE_KINDS, units_in_year

    with unit_of_work() as (ctx, session):
        wanted = _year(year, local_today(ctx.clock, ctx.tz).year)
        kinds = ("district",) if districts else COMMUNE_KINDS
        records = [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "parent": u.parent.name if u.parent else None,
                "valid_from": u.valid_from,
                "valid_to": u.valid_to,
            }
            for u in units_in_year(session, wanted, kinds)
        ]
    emit(
        fmt,
        records,
        ["Mã", "Tên", "Loại", "Thuộc"],
        lambda r: [r["code"], r["name"], _KIND_VN.get(r["kind"], r["kind"]), r["parent"] or ""],
        empty=f"Chưa có xã, phường nào năm {wanted}: nạp bằng 'lichct units load --year {wanted}'.",
    )


@areas_app.command("assign")
def areas_assign(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Cán bộ (mã hoặc tên).")],
    units: Annotated[
        list[str],
        typer.Argument(metavar="UNIT...", help="Xã, phường, thị trấn hoặc cả huyện (tên hoặc mã)."),
    ],
    year: Annotated[int | None, YEAR_OPTION] = None,
) -> None:
    """Phân công địa bàn: cán bộ phụ trách những xã, phường (hoặc cả huyện) này."""
    from scheduler.fieldwork.areas import area_units, assign_area
    from scheduler.fieldwork.loading import ensure_units
    from scheduler.fieldwork.matching import resolve_unit
    from scheduler.fieldwork.names import unit_label
    from scheduler.fieldwork.units import AREA_KINDS, province_setting

    with unit_of_work() as (ctx, session):
        who = services.resolve_officer(session, officer)
        wanted = _year(year, local_today(ctx.clock, ctx.tz).year)
        loaded = ensure_units(session, province_setting(ctx.settings.extra), wanted)
        found = [resolve_unit(session, ref, wanted, AREA_KINDS) for ref in units]
        result = assign_area(session, who, found, ctx.clock.now())
        total = len(area_units(session, who, wanted))
        name = who.name
        lines = [
            f"{'Đã phân công' if created else 'Đã có từ trước'}: {unit_label(u)}"
            for u, created in result
        ]
    for done in loaded:
        typer.echo(done.summary())
    for line in lines:
        typer.echo(line)
    typer.echo(f"Địa bàn của {name} năm {wanted}: {total} xã, phường, thị trấn")


@areas_app.command("remove")
def areas_remove(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Cán bộ (mã hoặc tên).")],
    units: Annotated[list[str], typer.Argument(metavar="UNIT...", help="Đơn vị (tên hoặc mã).")],
    year: Annotated[int | None, YEAR_OPTION] = None,
) -> None:
    """Bỏ những xã, phường (hoặc huyện) khỏi địa bàn của cán bộ."""
    from scheduler.fieldwork.areas import unassign_area
    from scheduler.fieldwork.matching import resolve_unit
    from scheduler.fieldwork.units import AREA_KINDS

    with unit_of_work() as (ctx, session):
        who = services.resolve_officer(session, officer)
        wanted = _year(year, local_today(ctx.clock, ctx.tz).year)
        found = [resolve_unit(session, ref, wanted, AREA_KINDS) for ref in units]
        removed, name = unassign_area(session, who, found), who.name
    typer.echo(f"Đã bỏ {removed} đơn vị khỏi địa bàn của {name}")


@areas_app.command("list")
def areas_list(
    officer: Annotated[str | None, OFFICER_FILTER] = None,
    year: Annotated[int | None, YEAR_OPTION] = None,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Địa bàn của các cán bộ: đơn vị được phân công và số xã, phường trong đó."""
    from scheduler.fieldwork.areas import area_assignments, expand_unit
    from scheduler.store.models import Officer, Unit

    with unit_of_work() as (ctx, session):
        wanted = _year(year, local_today(ctx.clock, ctx.tz).year)
        who = services.resolve_officer(session, officer) if officer else None
        records: list[dict[str, Any]] = []
        for assignment in area_assignments(session, who):
            person = session.get(Officer, assignment.officer_id)
            unit = session.get(Unit, assignment.unit_id)
            if person is None or unit is None:
                continue
            communes = expand_unit(session, unit, wanted)
            records.append(
                {
                    "officer": person.name,
                    "officer_id": person.id,
                    "unit": unit.name,
                    "code": unit.code,
                    "kind": unit.kind,
                    "parent": unit.parent.name if unit.parent else None,
                    "communes": len(communes),
                    "valid": bool(communes),
                }
            )
    emit(
        fmt,
        records,
        ["Cán bộ", "Đơn vị", "Loại", "Thuộc", f"Số xã, phường {wanted}"],
        lambda r: [
            f"{r['officer']} ({r['officer_id']})",
            r["unit"],
            _KIND_VN.get(r["kind"], r["kind"]),
            r["parent"] or "",
            r["communes"] if r["valid"] else f"không có năm {wanted}",
        ],
        empty="Chưa phân công địa bàn nào: dùng 'lichct areas assign CÁN_BỘ XÃ...'.",
    )


@visits_app.command("add")
def visits_add(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Cán bộ (mã hoặc tên).")],
    unit: Annotated[str, typer.Argument(metavar="UNIT", help="Xã, phường hoặc thị trấn đã đến.")],
    on: Annotated[
        str | None, typer.Option("--date", help="Ngày đi (YYYY-MM-DD), mặc định hôm nay.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú.")] = None,
) -> None:
    """Ghi một ngày đi cơ sở; ghi lại cùng ngày, cùng xã chỉ tính một lần."""
    from scheduler.fieldwork.areas import area_units, no_area_message
    from scheduler.fieldwork.matching import resolve_unit
    from scheduler.fieldwork.names import unit_label
    from scheduler.fieldwork.visits import check_visit_date, in_area, log_visit

    day = services.parse_date(on, "ngày đi") if on else None
    with unit_of_work() as (ctx, session):
        now = ctx.clock.now()
        day = day or local_today(ctx.clock, ctx.tz)
        who = services.resolve_officer(session, officer)
        check_visit_date(day, now, ctx.tz)
        if not area_units(session, who, day.year):
            raise InvalidInput(no_area_message(who, day.year) + " trước khi ghi chuyến đi")
        place = resolve_unit(session, unit, day.year)
        visit, created = log_visit(session, who, place, day, now, note, "cli", tz=ctx.tz)
        inside = in_area(session, who, place, day.year)
        label, name, when = unit_label(place), who.name, visit.visit_date
    if created:
        typer.echo(f"✅ Đã ghi: {name} đi cơ sở {label} ngày {when:%d/%m/%Y}")
    else:
        typer.echo(f"Đã ghi từ trước: {name} đi cơ sở {label} ngày {when:%d/%m/%Y} (tính một lần)")
    if not inside:
        typer.echo(
            f"Lưu ý: {label} không thuộc địa bàn của {name}; tính là ngày đi cơ sở, "
            "không tính vào tỷ lệ xã, phường đã đến"
        )


@visits_app.command("list")
def visits_list(
    officer: Annotated[str | None, OFFICER_FILTER] = None,
    year: Annotated[int | None, YEAR_OPTION] = None,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Các ngày đi cơ sở đã ghi trong một năm."""
    from scheduler.fieldwork.visits import list_visits, visit_to_dict

    with unit_of_work() as (ctx, session):
        wanted = _year(year, local_today(ctx.clock, ctx.tz).year)
        who = services.resolve_officer(session, officer) if officer else None
        records = [visit_to_dict(session, v) for v in list_visits(session, who, wanted)]
    emit(
        fmt,
        records,
        ["Ngày", "Cán bộ", "Xã, phường", "Thuộc", "Ghi chú"],
        lambda r: [vn_date(r["date"]), r["officer"], r["unit"], r["area"], r["note"] or ""],
        empty=f"Chưa ghi ngày đi cơ sở nào năm {wanted}.",
    )


@app.command("coverage")
def coverage_cmd(
    year: Annotated[int | None, YEAR_OPTION] = None,
    officer: Annotated[str | None, OFFICER_FILTER] = None,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Tiến độ đi cơ sở: số ngày trong tháng, số xã, phường đã đến trên tổng số, tỷ lệ."""
    from scheduler.fieldwork.areas import no_area_message
    from scheduler.fieldwork.coverage_report import (
        coverage,
        officer_coverage,
        officers_without_area,
        reference_month,
    )

    with unit_of_work() as (ctx, session):
        today = local_today(ctx.clock, ctx.tz)
        wanted = _year(year, today.year)
        if officer:
            who = services.resolve_officer(session, officer)
            rows = officer_coverage(session, who, wanted, today)
            if not rows:
                raise InvalidInput(no_area_message(who, wanted))
            without: list[str] = []
        else:
            rows = coverage(session, wanted, today)
            without = [o.name for o in officers_without_area(session, wanted)]
        records = [r.to_dict() for r in rows]
        start, _end = reference_month(wanted, today)
    emit(
        fmt,
        records,
        ["Cán bộ", "Địa bàn", f"Ngày đi T{start.month}", "Đã đến", "Tỷ lệ", "Chưa đến"],
        lambda r: [
            r["officer"],
            r["area"],
            r["days_this_month"],
            f"{r['reached']}/{r['total']}",
            f"{r['percent']:g}%",
            ", ".join(r["missing"]),
        ],
        empty=f"Chưa có cán bộ nào được phân công địa bàn năm {wanted}.",
    )
    if fmt is OutputFormat.table and without:
        typer.echo(f"Chưa phân công địa bàn: {', '.join(without)}")
