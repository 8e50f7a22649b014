"""The reports the board writes: the monthly report, the year summary, the progress workbook.

Builders return the file as bytes, so the CLI writes them to disk and a web page can
send them as a download. Nothing here reads the clock: callers pass ``today``.

- ``settings``: the letterhead and signature, ``[report]`` over ``data/report.toml``.
- ``content``: what a report says, read from the store (items, observances, visits).
- ``template``: the bundled Word template (letterhead, fonts, margins) with docxtpl tags.
- ``documents``: the monthly report and the year summary (.docx).
- ``workbook``: the leaders' progress workbook (.xlsx).
"""

from scheduler.reports.content import parse_month
from scheduler.reports.documents import month_report_docx, year_report_docx
from scheduler.reports.settings import ReportSettings, load_report_settings
from scheduler.reports.template import build_template
from scheduler.reports.workbook import progress_workbook

__all__ = [
    "ReportSettings",
    "build_template",
    "load_report_settings",
    "month_report_docx",
    "parse_month",
    "progress_workbook",
    "year_report_docx",
]
