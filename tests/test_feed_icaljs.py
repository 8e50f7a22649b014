"""The January feed as ical.js reads it (the parser of many web calendar clients).

``.ci/run`` installs ical.js from the npm registry into ``tests/js``; without Node.js or
that install the test is skipped with the command to run, and in CI (``CI`` set) it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from calendars.plan_parser import parse_plan
from calendars.plan_reader import read_document
from scheduler import feeds
from scheduler.context import AppContext
from scheduler.plans.importing import import_plan
from tests.conftest import SEED_PLAN

JS = Path(__file__).parent / "js"


def _node() -> str:
    node = shutil.which("node")
    installed = (JS / "node_modules" / "ical.js").is_dir()
    if node and installed:
        return node
    why = "Node.js is missing (Debian: nodejs)" if not node else "ical.js is not installed"
    message = f"{why}; run: npm install --prefix tests/js"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_icaljs_reads_each_undated_january_report_as_one_day_on_31_january(
    ctx: AppContext, tmp_path: Path
) -> None:
    node = _node()
    parsed = parse_plan(read_document(SEED_PLAN).paragraphs)
    now = ctx.clock.now()
    with ctx.db.unit_of_work() as session:
        import_plan(session, parsed, SEED_PLAN.name, "seed", now)
        feed = feeds.render_feed(session, feeds.FeedScope("office"), now, ctx.tz)
    path = tmp_path / "lich.ics"
    path.write_bytes(feed)
    out = subprocess.run(
        [node, str(JS / "read_feed.mjs"), str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    events = json.loads(out.stdout)
    undated_reports = [
        item
        for item in parsed.items
        if item.month == 1 and item.kind == "report" and not item.dated
    ]
    assert len(undated_reports) >= 2
    by_uid = {e["uid"]: e for e in events}
    for item in undated_reports:
        read = by_uid[item.uid]
        assert read["allDay"] is True, item.title
        assert (read["start"], read["end"]) == ("2024-01-31", "2024-02-01"), item.title
    # No task of the plan is painted over a whole month any more (an observance such as
    # the month of Ramadan may be).
    tasks = {item.uid for item in parsed.items}
    for event in (e for e in events if e["uid"] in tasks):
        start, end = date.fromisoformat(event["start"][:10]), date.fromisoformat(event["end"][:10])
        assert (end - start).days < 28, event["summary"]
