"""The reminder engine: policies, planning the outbox, delivering it, digests and ticks.

- ``policies``: the rules (lead times, quiet hours, digests), and those in force.
- ``recipients`` and ``specs``: who receives an item's reminders, and which ones it should have.
- ``planner``: keeps the outbox in step with the events, idempotently.
- ``outbox``: claiming, marking, snoozing and enqueueing rows (``FOR UPDATE SKIP LOCKED``).
- ``rendering`` and ``triage``: a claimed row as a message; late rows folded or merged.
- ``dispatcher``: delivers due rows through the notifiers that ``channels`` builds.
- ``digests`` and ``visit_rules``: the daily, weekly and monthly messages, field-visit nudges.
- ``jobs``: APScheduler's ticks and the service state they keep.

Kept free of imports, as ``scheduler.context`` loads ``policies``.
"""
