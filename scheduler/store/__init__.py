"""The store: typed models, the engine and its unit of work, migrations, shared lookups.

``models`` maps the tables, ``db`` opens engines and turns driver failures into one clear
error, ``migrations/`` holds the Alembic revisions and ``queries`` the lookups that several
capabilities share (an event by ID, who answers for it).
"""
