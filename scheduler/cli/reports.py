"""CLI for the reports the board writes: ``report month``, ``report progress``, ``report year``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler import services
from scheduler.cli.app import app, unit_of_work
from scheduler.clock import local_today
from scheduler.errors import InvalidInput

report_app = typer.Typer(
    help="Báo cáo: dự thảo báo cáo tháng, báo cáo năm, bảng tiến độ.", no_args_is_help=True
)
app.add_typer(report_app, name="report")

OUT_HELP = "Tệp kết quả"
DATE_OPTION = typer.Option("--date", help="Ngày ghi trên báo cáo (YYYY-MM-DD; mặc định: hôm nay).")


def write_file(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"Không ghi được tệp {path}: {exc.strerror or exc}") from exc


def _year(value: int) -> int:
    if not 1900 <= value <= 2200:
        raise InvalidInput(f"Năm không hợp lệ: {value}")
    return value


@report_app.command("month")
def report_month(
    month: Annotated[str, typer.Argument(metavar="YYYY-MM", help="Tháng báo cáo.")],
    unit: Annotated[
        str | None, typer.Option("--unit", help="Chỉ việc của đơn vị này (mã hoặc tên).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help=f"{OUT_HELP} .docx (mặc định: bao-cao-thang-YYYY-MM.docx)."),
    ] = None,
    on: Annotated[str | None, DATE_OPTION] = None,
) -> None:
    """Dự thảo báo cáo công tác dân vận tháng (Word), theo thể thức văn bản của Đảng."""
    from scheduler.reports import load_report_settings, month_report_docx, parse_month

    year, number = parse_month(month)
    report_date = services.parse_date(on, "ngày báo cáo") if on else None
    with unit_of_work() as (ctx, session):
        chosen = services.find_unit(session, unit) if unit else None
        data = month_report_docx(
            session,
            year,
            number,
            today=local_today(ctx.clock, ctx.tz),
            settings=load_report_settings(ctx.settings.extra),
            unit=chosen,
            report_date=report_date,
            tz=ctx.tz,
        )
    path = out or Path(f"bao-cao-thang-{year}-{number:02d}.docx")
    write_file(path, data)
    typer.echo(f"Đã ghi dự thảo báo cáo tháng {number}/{year}: {path}")


@report_app.command("progress")
def report_progress(
    year: Annotated[int, typer.Option("--year", help="Năm.")],
    out: Annotated[
        Path | None, typer.Option("--out", help=f"{OUT_HELP} .xlsx (mặc định: tien-do-YYYY.xlsx).")
    ] = None,
) -> None:
    """Bảng tiến độ (Excel) cho lãnh đạo: mọi việc, tiến độ theo tháng và đơn vị, đi cơ sở."""
    from scheduler.reports import progress_workbook

    _year(year)
    with unit_of_work() as (ctx, session):
        data = progress_workbook(session, year, today=local_today(ctx.clock, ctx.tz), tz=ctx.tz)
    path = out or Path(f"tien-do-{year}.xlsx")
    write_file(path, data)
    typer.echo(f"Đã ghi bảng tiến độ năm {year}: {path}")


@report_app.command("year")
def report_year(
    year: Annotated[int, typer.Argument(metavar="Y", help="Năm.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help=f"{OUT_HELP} .docx (mặc định: bao-cao-nam-YYYY.docx)."),
    ] = None,
    on: Annotated[str | None, DATE_OPTION] = None,
) -> None:
    """Dự thảo báo cáo tổng kết năm (Word): kết quả theo tháng, tổng số, đi cơ sở, việc chưa làm."""
    from scheduler.reports import load_report_settings, year_report_docx

    _year(year)
    report_date = services.parse_date(on, "ngày báo cáo") if on else None
    with unit_of_work() as (ctx, session):
        data = year_report_docx(
            session,
            year,
            today=local_today(ctx.clock, ctx.tz),
            settings=load_report_settings(ctx.settings.extra),
            report_date=report_date,
            tz=ctx.tz,
        )
    path = out or Path(f"bao-cao-nam-{year}.docx")
    write_file(path, data)
    typer.echo(f"Đã ghi dự thảo báo cáo năm {year}: {path}")


@report_app.command("template")
def report_template(
    out: Annotated[Path, typer.Option("--out", help=f"{OUT_HELP} .docx.")] = Path(
        "mau-bao-cao.docx"
    ),
) -> None:
    """Xuất mẫu Word của báo cáo để chỉnh sửa, rồi khai báo ở [report] template."""
    from scheduler.reports import build_template

    write_file(out, build_template())
    typer.echo(f'Đã ghi mẫu báo cáo: {out} (khai báo [report] template = "{out}" để dùng)')
