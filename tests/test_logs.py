"""The log formatter of ``lichct serve``: secrets masked wherever they appear, local time."""

from __future__ import annotations

import io
import logging
import re
from zoneinfo import ZoneInfo

from scheduler.logs import MaskingFormatter, mask_secrets


def test_feed_tokens_sign_in_tokens_and_bot_tokens_are_masked_but_public_paths_stay() -> None:
    line = (
        '127.0.0.1:5 - "GET /feeds/Xy_9-abcdefghijklmnop.ics HTTP/1.1" 200 · '
        "GET /feeds/public/observances.ics · /dang-nhap/abcDEF123456?next=/ · "
        "POST https://api.telegram.org/bot123456:AAE-tok_en/sendMessage"
    )
    masked = mask_secrets(line)
    assert "Xy_9-abcdefghijklmnop" not in masked and "/feeds/***.ics" in masked
    assert "/feeds/public/observances.ics" in masked
    assert "abcDEF123456" not in masked and "/dang-nhap/***?next=/" in masked
    assert "AAE-tok_en" not in masked and "/bot***/sendMessage" in masked


def test_a_traceback_and_arguments_are_masked_and_time_has_the_office_offset() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter(ZoneInfo("Asia/Ho_Chi_Minh"), ["smtp-Pa55word"]))
    logger = logging.getLogger("tests.logs.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError(
                "login failed for smtp-Pa55word at /feeds/abcdefghijklmnopqrstuv.ics"
            )
        except RuntimeError:
            logger.exception("Gửi thư lỗi với %s", "smtp-Pa55word")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Pa55word" not in text and "abcdefghijklmnopqrstuv" not in text
    assert "Traceback" in text and "RuntimeError: login failed for *** at /feeds/***.ics" in text
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00 ERROR tests\.logs", text)
