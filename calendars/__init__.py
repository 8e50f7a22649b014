"""The time domain, free of I/O: the Vietnamese lunar calendar, observances, working days,
plan-document import and ICS rendering. Nothing here imports ``scheduler`` or ``notifiers``."""
