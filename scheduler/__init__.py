"""lichct's service side: the store and its migrations, service functions, reminder planning
and the outbox dispatcher, APScheduler wiring, the HTTP app, the Telegram bot and the CLI."""
