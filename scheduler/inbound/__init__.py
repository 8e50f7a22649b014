"""Reports that come in: the bodies that owe the board reports, what they sent, and when.

``bodies`` keeps the list (name, kind, addresses, the periods each reports on); ``receipts``
records a report received and tells who reported for a period. The requests and follow-ups
to the bodies are outbox rows planned by ``scheduler.reminders.inbound_rules``.
"""
