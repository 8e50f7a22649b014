"""Plans in the store: importing a yearly plan, observance events, the data ``init`` seeds.

``importing`` stores what ``calendars.plan_parser`` read (amended items keep their UID),
``observance_events`` keeps the observances of a year as events, and ``seed`` loads the
board's units and the catalog.
"""
