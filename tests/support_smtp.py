"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

Addresses whose local part starts with ``tu-choi`` are refused with 550 at RCPT, as a
real server refuses an unknown mailbox. ``tls_server`` adds STARTTLS and AUTH with a
self-signed certificate made on the spot (needs ``cryptography``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "lichct", "mat khau@2024"


@dataclass
class Mailbox:
    """What the server accepted: (envelope recipients, parsed message) in order."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower().startswith("tu-choi"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == USER
            and auth_data.password.decode() == PASSWORD
        ):
            self.logins.append(USER)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def smtp_server(**kwargs: Any) -> Iterator[tuple[Mailbox, int]]:
    """A plain SMTP server on a free port; yields the mailbox and the port."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def self_signed(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a fresh certificate for 127.0.0.1, and a client that trusts it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


@contextlib.contextmanager
def tls_server(folder: Path) -> Iterator[tuple[Mailbox, int, ssl.SSLContext]]:
    """STARTTLS required, then AUTH LOGIN/PLAIN required; yields mailbox, port, client context."""
    server_ctx, client_ctx = self_signed(folder)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_ctx,
        require_starttls=True,
        auth_required=True,
        authenticator=mailbox.authenticate,
    )
    controller.start()
    try:
        yield mailbox, port, client_ctx
    finally:
        controller.stop()


@contextlib.contextmanager
def implicit_tls_server(folder: Path) -> Iterator[tuple[Mailbox, int, ssl.SSLContext]]:
    """TLS from the first byte (smtps://, port 465 style); yields mailbox, port, client context."""
    server_ctx, client_ctx = self_signed(folder)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ssl_context=server_ctx)
    controller.start()
    try:
        yield mailbox, port, client_ctx
    finally:
        controller.stop()
