"""Printing for the CLI: aligned tables for people, one JSON array for scripts."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

import typer

from calendars import text


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FORMAT_OPTION = typer.Option(
    OutputFormat.table, "--format", help="table: bảng để đọc; json: một mảng JSON cho máy."
)


def _width(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 60) -> str:
    """Columns aligned on display width; long cells are cut with an ellipsis."""

    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cell(v) for v in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def emit(
    fmt: OutputFormat,
    records: Sequence[dict[str, Any]],
    headers: Sequence[str],
    row: Any,
    empty: str = "Không có mục nào.",
) -> None:
    """Print ``records`` as JSON, or as a table whose rows ``row(record)`` makes."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(list(records), ensure_ascii=False, indent=2))
        return
    if not records:
        typer.echo(empty)
        return
    typer.echo(render_table(headers, [row(r) for r in records]))


def vn_date(iso: str | None) -> str:
    """An ISO date (or instant) string -> dd/mm/yyyy for people; empty stays empty."""
    return text.vn_date(date.fromisoformat(iso[:10])) if iso else ""
