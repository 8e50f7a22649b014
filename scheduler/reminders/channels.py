"""The notifiers of the service, one per channel, from the settings.

A channel without configuration (no Telegram token, no SMTP address) gets a
``LogNotifier``: ``serve`` still runs and logs what it would have sent.
"""

from __future__ import annotations

from notifiers.base import Notifier
from notifiers.log import LogNotifier
from scheduler.context import AppContext
from scheduler.errors import InvalidInput


def build_notifiers(ctx: AppContext) -> dict[str, Notifier]:
    """``{"telegram": ..., "email": ...}`` for the dispatcher; a malformed setting is an error."""
    settings = ctx.settings
    notifiers: dict[str, Notifier] = {}
    try:
        if settings.telegram_token:
            # The Telegram stack and aiosmtplib load only when a channel is configured.
            from notifiers.telegram import TelegramNotifier

            notifiers["telegram"] = TelegramNotifier.from_settings(
                token=settings.telegram_token, api_url=settings.telegram_api_url
            )
        else:
            notifiers["telegram"] = LogNotifier("telegram")
        if settings.smtp_url:
            from notifiers.email import EmailNotifier

            notifiers["email"] = EmailNotifier.from_url(settings.smtp_url, settings.mail_from)
        else:
            notifiers["email"] = LogNotifier("email")
    except ValueError as exc:
        raise InvalidInput(f"Cấu hình kênh gửi không hợp lệ: {exc}") from exc
    return notifiers
