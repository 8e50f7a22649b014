"""Email channel: multipart text + HTML with the event attached as .ics, sent by aiosmtplib.

``LICHCT_SMTP_URL`` says where and how: ``smtp://user:pass@host:587?starttls=true`` (STARTTLS),
``smtps://user:pass@host:465`` (implicit TLS), ``smtp://host:25?starttls=false`` (plain relay).
A user in the URL means log in. Failures become :class:`DeliveryError`: a rejected address
or bad credentials are permanent, a server that is down or busy is transient.
"""

from __future__ import annotations

import html
import re
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from notifiers.base import Delivery, DeliveryError, Message, Recipient
from notifiers.limits import SUBJECT_MAX, shorten

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class SmtpConfig:
    """The parts of an SMTP URL; ``start_tls`` None means "if the server offers it"."""

    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None
    timeout: float = 30.0


def parse_smtp_url(url: str) -> SmtpConfig:
    """Read ``smtp://`` or ``smtps://`` URLs; raise ValueError with a Vietnamese reason."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"LICHCT_SMTP_URL phải bắt đầu bằng smtp:// hoặc smtps:// (nhận {url!r})")
    if not parts.hostname:
        raise ValueError("LICHCT_SMTP_URL thiếu tên máy chủ")
    query = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
    implicit = parts.scheme == "smtps"
    start_tls: bool | None = None
    flag = query.get("starttls")
    if flag in _TRUE:
        start_tls = True
    elif flag in _FALSE:
        start_tls = False
    elif flag is not None:
        raise ValueError(f"starttls phải là true hoặc false (nhận {flag!r})")
    if implicit:
        start_tls = False
    try:
        timeout = float(query.get("timeout", "30"))
    except ValueError:
        raise ValueError("timeout trong LICHCT_SMTP_URL phải là số giây") from None
    return SmtpConfig(
        hostname=parts.hostname,
        port=parts.port or (465 if implicit else 587 if start_tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit,
        start_tls=start_tls,
        timeout=timeout,
    )


def html_from_text(text: str, link: str | None = None) -> str:
    """A plain HTML body from the text: escaped, line breaks kept, addresses clickable."""
    lines = []
    for line in text.splitlines():
        escaped = html.escape(line)
        lines.append(_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped))
    body = "<br>\n".join(lines)
    if link and link not in text:
        href = html.escape(link)
        body += f'<br>\n<a href="{href}">{href}</a>'
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"></head>\n'
        '<body><div style="font-family: Arial, sans-serif; font-size: 15px; line-height: 1.5">\n'
        f"{body}\n</div></body></html>\n"
    )


def build_email(mail_from: str, recipient: Recipient, message: Message) -> EmailMessage:
    """The MIME message: text and HTML alternatives, then the attachments (an .ics)."""
    if not recipient.email:
        raise DeliveryError(f"{recipient.name} chưa có địa chỉ email", permanent=True)
    mail = EmailMessage()
    mail["Subject"] = shorten(message.subject, SUBJECT_MAX)
    mail["From"] = mail_from
    try:
        mail["To"] = Address(display_name=recipient.name, addr_spec=recipient.email)
    except (ValueError, IndexError) as exc:
        raise DeliveryError(
            f"Địa chỉ email không hợp lệ: {recipient.email!r}", permanent=True
        ) from exc
    mail["Date"] = formatdate(localtime=False)
    domain = mail_from.rpartition("@")[2].strip("> ") or "lichct.local"
    mail["Message-ID"] = make_msgid(domain=domain)
    text = message.text
    if message.link and message.link not in text:
        text = f"{text}\n{message.link}"
    mail.set_content(text)
    mail.add_alternative(message.html or html_from_text(message.text, message.link), subtype="html")
    for attachment in message.attachments:
        kind, _, params_text = attachment.content_type.partition(";")
        maintype, _, subtype = kind.strip().lower().partition("/")
        params = _attachment_params(maintype, subtype, params_text, attachment.data)
        mail.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
            params=params,
        )
    return mail


_METHOD = re.compile(rb"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)


def _attachment_params(maintype: str, subtype: str, text: str, data: bytes) -> dict[str, str]:
    """Content-Type parameters: a text part says it is UTF-8 (a client that assumes its own
    default shows "L���ch" otherwise), and a calendar says its iTIP method (PUBLISH unless
    the file says otherwise), which Outlook reads to offer "Add to calendar"."""
    params: dict[str, str] = {}
    for param in text.split(";"):
        key, _, value = param.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    if maintype == "text":
        params["charset"] = "utf-8"
    if (maintype, subtype) == ("text", "calendar") and "method" not in params:
        found = _METHOD.search(data)
        params["method"] = found.group(1).decode("ascii").upper() if found else "PUBLISH"
    return params


def _code_error(what: str, code: int, text: str) -> DeliveryError:
    """SMTP replies: 5xx will fail again, 4xx may pass later."""
    return DeliveryError(f"{what} ({code} {text.strip()})", permanent=500 <= code < 600)


def delivery_error(exc: Exception, address: str) -> DeliveryError:
    """Classify an aiosmtplib failure."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refused = exc.recipients[0] if exc.recipients else None
        code = refused.code if refused else 550
        text = refused.message if refused else ""
        return _code_error(f"Máy chủ thư từ chối địa chỉ {address}", code, text)
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return _code_error(f"Máy chủ thư từ chối địa chỉ {address}", exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return _code_error("Đăng nhập máy chủ thư thất bại (sai tài khoản?)", exc.code, exc.message)
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return _code_error(f"Máy chủ thư từ chối người gửi {exc.sender}", exc.code, exc.message)
    if isinstance(
        exc,
        aiosmtplib.SMTPConnectError
        | aiosmtplib.SMTPTimeoutError
        | aiosmtplib.SMTPServerDisconnected,
    ):
        return DeliveryError(f"Không kết nối được máy chủ thư: {exc}", permanent=False)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return _code_error("Máy chủ thư báo lỗi", exc.code, exc.message)
    if isinstance(exc, ssl.SSLError):
        return DeliveryError(f"Lỗi TLS với máy chủ thư (chứng chỉ?): {exc}", permanent=True)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return DeliveryError(f"Máy chủ thư không hỗ trợ: {exc}", permanent=True)
    if isinstance(exc, OSError | TimeoutError):
        return DeliveryError(f"Không kết nối được máy chủ thư: {exc}", permanent=False)
    return DeliveryError(f"Lỗi gửi thư: {exc}", permanent=False)


class EmailNotifier:
    """Sends one email per message over SMTP; never retries (the outbox does)."""

    channel = "email"

    def __init__(
        self, config: SmtpConfig, mail_from: str, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.config = config
        self.mail_from = mail_from
        self.tls_context = tls_context

    @classmethod
    def from_url(
        cls, smtp_url: str, mail_from: str, *, tls_context: ssl.SSLContext | None = None
    ) -> EmailNotifier:
        """The notifier for ``LICHCT_SMTP_URL`` and ``LICHCT_MAIL_FROM``."""
        return cls(parse_smtp_url(smtp_url), mail_from, tls_context=tls_context)

    async def send(self, recipient: Recipient, message: Message) -> Delivery:
        """Send ``message``; ``external_id`` is the Message-ID."""
        mail = build_email(self.mail_from, recipient, message)
        address = recipient.email or ""
        config = self.config
        try:
            await aiosmtplib.send(
                mail,
                sender=self._sender_address(),
                recipients=[address],
                hostname=config.hostname,
                port=config.port,
                username=config.username,
                password=config.password,
                use_tls=config.use_tls,
                start_tls=config.start_tls,
                tls_context=self.tls_context,
                timeout=config.timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise delivery_error(exc, address) from exc
        return Delivery(external_id=str(mail["Message-ID"]))

    def _sender_address(self) -> str:
        """The bare address of ``mail_from`` ("Lịch công tác <a@b>" → "a@b")."""
        match = re.search(r"<([^>]+)>", self.mail_from)
        return (match.group(1) if match else self.mail_from).strip()
