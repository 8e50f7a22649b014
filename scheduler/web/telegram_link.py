"""What the "Liên kết Telegram" pages show: the bot's username (from ``getMe``), deep links
to it carrying a one-time code, and their QR codes.

The username is asked once per token and kept; a failed answer is asked again after
``RETRY_AFTER`` seconds, meanwhile the pages show the plain ``/start CODE`` instruction.
Page functions run in a worker thread, so the blocking call never holds the event loop.
"""

from __future__ import annotations

import logging
import threading
import time

from markupsafe import Markup

from scheduler.config import Settings

log = logging.getLogger("lichct.web")

RETRY_AFTER = 60.0
TIMEOUT = 5.0

_lock = threading.Lock()
# (api url, token) -> (username or None, monotonic time after which a failure is retried)
_known: dict[tuple[str, str], tuple[str | None, float]] = {}


def bot_username(settings: Settings) -> str | None:
    """The bot's @username without the @, or None (no token, or the Bot API did not answer)."""
    token = settings.telegram_token
    if not token:
        return None
    key = (settings.telegram_api_url, token)
    with _lock:
        known = _known.get(key)
        if known is not None and (known[0] is not None or time.monotonic() < known[1]):
            return known[0]
    username = _get_me(settings.telegram_api_url, token)
    with _lock:
        _known[key] = (username, time.monotonic() + RETRY_AFTER)
    return username


def _get_me(api_url: str, token: str) -> str | None:
    import httpx  # only when a page needs the bot's name: serve starts without it

    try:
        response = httpx.get(f"{api_url}{token}/getMe", timeout=TIMEOUT)
        data = response.json()
        name = data["result"]["username"] if data.get("ok") else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("Không hỏi được tên bot Telegram (getMe): %s", type(exc).__name__)
        return None
    if not isinstance(name, str) or not name:
        log.warning("Bot API không trả tên bot (getMe)")
        return None
    return name


def deep_link(username: str, code: str, *, group: bool = False) -> str:
    """``https://t.me/<bot>?start=CODE``; for a group, Telegram's "add to group" link."""
    return f"https://t.me/{username}?{'startgroup' if group else 'start'}={code}"


def qr_svg(data: str) -> Markup:
    """The QR code of ``data`` as an inline ``<svg>`` element."""
    import segno

    svg = segno.make(data, error="m").svg_inline(scale=5, border=2, title="Mã QR liên kết")
    # segno writes the SVG itself and XML-escapes the data and the title.
    return Markup(svg)
