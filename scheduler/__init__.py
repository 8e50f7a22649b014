"""lichct's service side, one subpackage per capability.

- ``config``, ``clock``, ``errors``: the kernel every part may use; ``context`` joins the
  settings, the store and the clock into the ``AppContext`` every entry point opens.
- ``store/``: models, engine and unit of work, Alembic migrations, shared lookups.
- ``fieldwork/``: unit lists, name matching, officers' areas, field visits, coverage.
- ``feeds/``: secret feed tokens, what each feed shows, ICS mapping, HTTP routes.
- ``reminders/``: policies, planning the outbox, claiming and delivering, digests, ticks.
- ``plans/``: importing a yearly plan, observance events, the data ``init`` seeds.
- ``services/``: the use cases that the entry points call.
- ``cli/``, ``bot/``, ``http``, ``runtime``: the entry points (``lichct``, Telegram,
  the ASGI app and ``lichct serve``).

Imports point down this list, never up (``tests/test_layout.py`` holds the rule).
"""
