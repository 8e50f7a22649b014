"""Reading a plan document the one way ``lichct import`` and the web upload both do.

The due-date policies are the bundled ones with the ``[import]`` table of ``lichct.toml``
on top; any problem with the document or those settings becomes one ``InvalidInput``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from calendars.plan_checks import parse_checked
from calendars.plan_parser import DuePolicy, ParsedPlan, load_due_policy
from calendars.plan_reader import Document, DocumentError, NeedsOcr, read_document
from scheduler.errors import InvalidInput

IMPORT_KEYS = ("month_day", "plan_before_event_working_days")


def due_policy(overrides: Mapping[str, Any]) -> DuePolicy:
    """Bundled due-date policies with ``overrides`` (the ``[import]`` table) on top."""
    unknown = [key for key in overrides if key not in IMPORT_KEYS]
    if unknown:
        hint = (
            " (ghi các khóa ngay trong [import], không dùng [import.due])"
            if "due" in unknown
            else ""
        )
        raise InvalidInput(
            f"Mục [import] của lichct.toml có khóa không biết: {', '.join(map(repr, unknown))}"
            f"{hint}; các khóa: {', '.join(IMPORT_KEYS)}"
        )
    lead = overrides.get("plan_before_event_working_days", 0)
    if isinstance(lead, bool) or not isinstance(lead, int) or not 0 <= lead <= 60:
        raise InvalidInput(
            "Mục [import] của lichct.toml: plan_before_event_working_days phải là số nguyên "
            f"từ 0 đến 60, không phải {lead!r}"
        )
    try:
        return load_due_policy(overrides)
    except ValueError as exc:
        raise InvalidInput(f"Mục [import] của lichct.toml không hợp lệ: {exc}") from exc


def read_plan(
    path: Path,
    year: int | None,
    overrides: Mapping[str, Any] | None = None,
    *,
    read: Callable[[Path], Document] = read_document,
) -> tuple[Document, ParsedPlan]:
    """Read (with ``read``: the CLI's reads scans through OCR) and parse ``path``; any
    problem with the document becomes one clear error."""
    policy = due_policy(overrides or {})
    try:
        document = read(path)
        parsed = parse_checked(
            document.paragraphs, year=year, policy=policy, fallback_number=path.stem
        )
    except NeedsOcr as exc:
        # Only a reader given here recognises scans (the CLI's does, with its progress).
        raise InvalidInput(
            f"{exc}. Trang web chưa nhận dạng chữ bản scan: hãy nhập bằng lệnh "
            "'lichct import' (OCR, vài giây mỗi trang) hoặc tải lên bản .docx/.pdf xuất từ Word"
        ) from exc
    except DocumentError as exc:
        raise InvalidInput(str(exc)) from exc
    return document, parsed
