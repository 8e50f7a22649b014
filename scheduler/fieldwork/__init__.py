"""Areas, field visits and commune coverage (Kế hoạch 100-KH/BDVTU, part IV.2).

Each officer in charge of an area goes to the grassroots at least one day a month and
reaches every commune, ward and town of the area within the year. Units are data: the
current list comes from the ``vietnam-provinces`` package (after the July 2025
reorganisation), earlier lists from CSV files in ``data/units/``. Nothing here reads the
clock: callers pass ``now`` or ``today``.

Modules, lowest first (each imports only modules above it in this list):

- ``names``: how unit names are compared, ordered and shown (keys, labels).
- ``units``: unit kinds, the tracked province, and which units exist in a year.
- ``loading``: loading unit lists from ``vietnam-provinces`` or CSV into the store.
- ``matching``: finding the unit a typed name means (fuzzy, ambiguous, with a note).
- ``areas``: assigning areas to officers and the communes an area stands for.
- ``visits``: logging and listing days at the grassroots.
- ``coverage_report``: coverage per officer and area, and the ``/tiendo`` lines.

The names below are re-exported for callers that use the package as a whole.
"""

from scheduler.fieldwork.areas import (
    area_assignments,
    area_units,
    assign_area,
    expand_unit,
    no_area_message,
    unassign_area,
)
from scheduler.fieldwork.coverage_report import (
    coverage,
    coverage_lines,
    officer_coverage,
    officers_without_area,
    reference_month,
)
from scheduler.fieldwork.loading import ensure_units, load_units_for_year, load_units_from_csv
from scheduler.fieldwork.matching import (
    AmbiguousUnit,
    match_units,
    resolve_unit,
    split_unit_and_note,
)
from scheduler.fieldwork.names import unit_label
from scheduler.fieldwork.units import AREA_KINDS, COMMUNE_KINDS, province_setting, units_in_year
from scheduler.fieldwork.visits import (
    check_visit_date,
    in_area,
    list_visits,
    log_visit,
    visit_to_dict,
)
from scheduler.store.models import Unit

__all__ = [
    "AREA_KINDS",
    "COMMUNE_KINDS",
    "AmbiguousUnit",
    "Unit",
    "area_assignments",
    "area_units",
    "assign_area",
    "check_visit_date",
    "coverage",
    "coverage_lines",
    "ensure_units",
    "expand_unit",
    "in_area",
    "list_visits",
    "load_units_for_year",
    "load_units_from_csv",
    "log_visit",
    "match_units",
    "no_area_message",
    "officer_coverage",
    "officers_without_area",
    "province_setting",
    "reference_month",
    "resolve_unit",
    "split_unit_and_note",
    "unassign_area",
    "unit_label",
    "units_in_year",
    "visit_to_dict",
]
