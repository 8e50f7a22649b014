"""The one-way data flow of DESIGN.md: the time domain never reaches into the service side."""

from __future__ import annotations

import ast
from pathlib import Path

CALENDARS = Path(__file__).resolve().parent.parent / "calendars"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_in_calendars_imports_scheduler_or_notifiers():
    offenders = {
        path.name: sorted(
            name
            for name in _imported_modules(path)
            if name.split(".")[0] in ("scheduler", "notifiers")
        )
        for path in sorted(CALENDARS.glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    assert len(offenders) >= 8  # the test did read the package
