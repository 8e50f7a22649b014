"""The email channel against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import importlib.util
from datetime import date
from pathlib import Path

import icalendar
import pytest

from notifiers.base import Attachment, DeliveryError, Message, Recipient
from notifiers.email import EmailNotifier, html_from_text, parse_smtp_url
from tests.support_smtp import (
    PASSWORD,
    USER,
    free_port,
    implicit_tls_server,
    smtp_server,
    tls_server,
)

SUBJECT = "⏰ Còn 3 ngày · Báo cáo công tác dân vận tháng 5/2024"
AN = Recipient(name="Nguyễn Văn An", email="an@bdv.tayninh.vn", officer_id=1)


def _ics() -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//lichct//vi")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "plan-2024-05-37@lichct")
    event.add("summary", "Báo cáo công tác dân vận tháng 5/2024")
    event.add("dtstart", date(2024, 5, 31))
    event.add("dtend", date(2024, 6, 1))
    event.add("dtstamp", icalendar.vDatetime.from_ical("20240521T005900Z"))
    calendar.add_component(event)
    return calendar.to_ical()


REMINDER = Message(
    subject=SUBJECT,
    text=(
        "⏰ Còn 3 ngày · Báo cáo công tác dân vận tháng 5/2024\n"
        "Hạn: Thứ Sáu, 31/05/2024\n"
        "Nhiệm vụ chuyên môn · #37 · tổng hợp <MTTQ & đoàn thể>"
    ),
    attachments=(Attachment("su-kien.ics", "text/calendar", _ics()),),
    event_id=37,
    link="http://lichct.example.vn/su-kien/37",
)


def test_a_reminder_arrives_with_its_subject_both_parts_and_the_event_as_ics() -> None:
    with smtp_server() as (mailbox, port):
        notifier = EmailNotifier.from_url(
            f"smtp://127.0.0.1:{port}?starttls=false", "Lịch công tác <lichct@bdv.tayninh.vn>"
        )
        delivery = asyncio.run(notifier.send(AN, REMINDER))
    [(envelope_to, mail)] = mailbox.received
    assert envelope_to == ["an@bdv.tayninh.vn"]
    assert mail["Subject"] == SUBJECT
    assert mail["Message-ID"] == delivery.external_id
    assert "Nguyễn Văn An" in str(mail["To"])
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Hạn: Thứ Sáu, 31/05/2024" in text.get_content()
    assert "http://lichct.example.vn/su-kien/37" in text.get_content()
    html_body = html.get_content()
    assert "Hạn: Thứ Sáu, 31/05/2024<br>" in html_body
    assert "&lt;MTTQ &amp; đoàn thể&gt;" in html_body
    assert '<a href="http://lichct.example.vn/su-kien/37">' in html_body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "su-kien.ics"
    assert attachment.get_content_type() == "text/calendar"
    # A client that does not guess reads the Vietnamese right, and Outlook offers to add it.
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_param("method") == "PUBLISH"
    assert "Báo cáo công tác dân vận" in attachment.get_content()
    calendar = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Báo cáo công tác dân vận tháng 5/2024"
    assert event.decoded("DTSTART") == date(2024, 5, 31)


def test_the_vietnamese_subject_is_encoded_for_old_mail_servers() -> None:
    with smtp_server() as (mailbox, port):
        notifier = EmailNotifier.from_url(f"smtp://127.0.0.1:{port}", "lichct@bdv.tayninh.vn")
        asyncio.run(notifier.send(AN, REMINDER))
    [(_, mail)] = mailbox.received
    raw = mail.as_bytes(policy=mail.policy.clone(utf8=False))
    assert b"=?utf-8?" in raw.lower()
    assert all(byte < 128 for byte in raw.split(b"\n\n", 1)[0])


def test_a_given_html_body_is_sent_as_it_is() -> None:
    message = Message(subject="Bản tin", text="Bản tin tuần", html="<p><b>Bản tin</b> tuần</p>")
    with smtp_server() as (mailbox, port):
        notifier = EmailNotifier.from_url(f"smtp://127.0.0.1:{port}", "lichct@bdv.tayninh.vn")
        asyncio.run(notifier.send(AN, message))
    [(_, mail)] = mailbox.received
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert "<p><b>Bản tin</b> tuần</p>" in html.get_content()
    assert list(mail.iter_attachments()) == []


def test_a_rejected_address_is_a_permanent_failure() -> None:
    with smtp_server() as (mailbox, port):
        notifier = EmailNotifier.from_url(f"smtp://127.0.0.1:{port}", "lichct@bdv.tayninh.vn")
        nobody = Recipient(name="Không có", email="tu-choi@bdv.tayninh.vn")
        with pytest.raises(DeliveryError) as failure:
            asyncio.run(notifier.send(nobody, REMINDER))
    assert failure.value.permanent is True
    assert "550" in str(failure.value)
    assert mailbox.received == []


def test_a_server_that_is_down_is_a_transient_failure() -> None:
    port = free_port()  # nothing listens there any more
    notifier = EmailNotifier.from_url(f"smtp://127.0.0.1:{port}", "lichct@bdv.tayninh.vn")
    with pytest.raises(DeliveryError) as failure:
        asyncio.run(notifier.send(AN, REMINDER))
    assert failure.value.permanent is False


def test_a_recipient_without_an_address_is_a_permanent_failure() -> None:
    notifier = EmailNotifier.from_url("smtp://127.0.0.1:9", "lichct@bdv.tayninh.vn")
    with pytest.raises(DeliveryError) as failure:
        asyncio.run(notifier.send(Recipient(name="Chỉ Telegram", telegram_chat_id=5), REMINDER))
    assert failure.value.permanent is True


_HAS_CRYPTOGRAPHY = importlib.util.find_spec("cryptography") is not None
_needs_tls = pytest.mark.skipif(
    not _HAS_CRYPTOGRAPHY, reason="cryptography is not installed: no self-signed certificate"
)


@_needs_tls
def test_starttls_and_login_deliver_the_reminder(tmp_path: Path) -> None:
    with tls_server(tmp_path) as (mailbox, port, client_tls):
        url = f"smtp://{USER}:{PASSWORD.replace(' ', '%20').replace('@', '%40')}@127.0.0.1:{port}"
        notifier = EmailNotifier.from_url(
            url + "?starttls=true", "lichct@bdv.tayninh.vn", tls_context=client_tls
        )
        asyncio.run(notifier.send(AN, REMINDER))
    assert mailbox.logins == [USER]
    [(_, mail)] = mailbox.received
    assert mail["Subject"] == SUBJECT


@_needs_tls
def test_implicit_tls_delivers_the_reminder(tmp_path: Path) -> None:
    with implicit_tls_server(tmp_path) as (mailbox, port, client_tls):
        notifier = EmailNotifier.from_url(
            f"smtps://127.0.0.1:{port}", "lichct@bdv.tayninh.vn", tls_context=client_tls
        )
        asyncio.run(notifier.send(AN, REMINDER))
    [(_, mail)] = mailbox.received
    assert mail["Subject"] == SUBJECT


@_needs_tls
def test_wrong_credentials_are_a_permanent_failure(tmp_path: Path) -> None:
    with tls_server(tmp_path) as (mailbox, port, client_tls):
        notifier = EmailNotifier.from_url(
            f"smtp://{USER}:sai@127.0.0.1:{port}?starttls=true",
            "lichct@bdv.tayninh.vn",
            tls_context=client_tls,
        )
        with pytest.raises(DeliveryError) as failure:
            asyncio.run(notifier.send(AN, REMINDER))
    assert failure.value.permanent is True
    assert mailbox.received == []


def test_smtp_urls_choose_tls_ports_and_login() -> None:
    starttls = parse_smtp_url("smtp://an:m%40t@mail.example.vn?starttls=true")
    assert (starttls.port, starttls.start_tls, starttls.use_tls) == (587, True, False)
    assert (starttls.username, starttls.password) == ("an", "m@t")
    implicit = parse_smtp_url("smtps://an:x@mail.example.vn")
    assert (implicit.port, implicit.use_tls, implicit.start_tls) == (465, True, False)
    relay = parse_smtp_url("smtp://relay.local:2525")
    assert (relay.port, relay.username, relay.start_tls) == (2525, None, None)
    with pytest.raises(ValueError, match="smtp://"):
        parse_smtp_url("http://mail.example.vn")


def test_html_made_from_text_escapes_markup_and_keeps_lines() -> None:
    page = html_from_text("Họp <Ban> & đoàn thể\nXem https://lichct.vn/a?b=1&c=2")
    assert "Họp &lt;Ban&gt; &amp; đoàn thể<br>" in page
    assert '<a href="https://lichct.vn/a?b=1&amp;c=2">' in page
