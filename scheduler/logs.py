"""Logging of ``lichct serve``: one handler, local timestamps, and no secret in any line.

Every line (uvicorn's access log, httpx, tracebacks included) passes one formatter that
masks feed tokens in ``/feeds/<token>.ics``, one-time sign-in tokens, the bot token in Bot
API addresses, and any configured secret that appears verbatim. Libraries that log a line
per request or per run (httpx, APScheduler's executor) are kept at WARNING.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

__all__ = ["MaskingFormatter", "configure_logging", "mask_secrets"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Personal feeds; the public feed keeps its (secret-free) name.
    (re.compile(r"(/feeds/)(?!public/)[^/\s\"'?#]+?(\.ics)"), rf"\g<1>{MASK}\g<2>"),
    (re.compile(r"(/dang-nhap/)[^/\s\"'?#]+"), rf"\g<1>{MASK}"),
    # Bot API addresses carry the bot token: https://api.telegram.org/bot123:ABC/getMe.
    (re.compile(r"(bot)\d+:[A-Za-z0-9_-]+"), rf"\g<1>{MASK}"),
)

# Loggers that say one line per HTTP call or per job run: only their problems are kept.
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler.executors", "apscheduler.scheduler")


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known kind of secret replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class MaskingFormatter(logging.Formatter):
    """Formats in the office's time zone (``2024-05-21T07:59:00.123+07:00``) and masks
    secrets in the finished line, so arguments and tracebacks are covered too."""

    def __init__(self, tz: ZoneInfo, secrets: Iterable[str] = (), fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self.tz = tz
        self.secrets = tuple(s for s in secrets if s)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, self.tz)
        if datefmt:
            return moment.strftime(datefmt)
        return moment.isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record), self.secrets)


def configure_logging(
    tz: ZoneInfo,
    secrets: Iterable[str] = (),
    *,
    level: int = logging.INFO,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route every logger through one masking handler on the root logger (replacing any
    handler there); return the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(MaskingFormatter(tz, secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
