"""E-mail over SMTP: connections kept open and reused, a deterministic Message-ID per idempotency key."""

import re
from datetime import UTC, datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime

import aiosmtplib
import structlog

from notify.channels.base import Outgoing, PermanentFailure, Receipt, TemporaryFailure

log = structlog.get_logger()

_ATEXT = re.compile(r"[A-Za-z0-9!#$&'*+/=?^_`{|}~.-]")
_ADDRESS = re.compile(r"[^\s<>\"'@]+@[^\s<>\"']+")


def message_id(idempotency_key: str) -> str:
    """`<{idempotency_key}@tawasul>`; characters a Message-ID cannot hold (and `%`) are %-escaped as UTF-8."""
    left = "".join(
        c if _ATEXT.fullmatch(c) else "".join(f"%{b:02X}" for b in c.encode()) for c in idempotency_key
    )
    return f"<{left}@tawasul>"


def build_email(outgoing: Outgoing, sender: str) -> Message:
    """The MIME message for `outgoing`: plain text, with an HTML alternative when there is one (UTF-8).

    Built with the `email.mime` classes (the compat32 policy): the same message as `EmailMessage` gives, at a
    fraction of the cost of its header parsing, which dominated a busy sender's time."""
    text = MIMEText(outgoing.message.text, "plain", "utf-8")
    if outgoing.message.html is None:
        email: Message = text
    else:
        email = MIMEMultipart("alternative")
        email.attach(text)
        email.attach(MIMEText(outgoing.message.html, "html", "utf-8"))
    if any(c in outgoing.to for c in "\r\n,;<>\"") or "@" not in outgoing.to:
        raise ValueError("not a single plain address")
    email["From"] = sender
    email["To"] = outgoing.to
    if outgoing.message.subject is not None:
        email["Subject"] = Header(outgoing.message.subject, "utf-8").encode()
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = message_id(outgoing.idempotency_key)
    email["Content-Language"] = outgoing.language
    return email


class SmtpChannel:
    """Sends e-mail through an SMTP relay; `deduplicates` only if the relay drops a repeated Message-ID."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        starttls: bool = False,
        use_tls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 10,
        deduplicates: bool = False,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.starttls = starttls
        self.use_tls = use_tls
        self.username = username
        self.password = password
        self.timeout_s = timeout_s
        self.deduplicates = deduplicates
        self._idle: list[aiosmtplib.SMTP] = []
        """Open connections not in use; a sender's concurrency bounds how many there are."""

    async def _connection(self) -> aiosmtplib.SMTP:
        smtp = aiosmtplib.SMTP(hostname=self.host, port=self.port, username=self.username, password=self.password,
                               use_tls=self.use_tls, start_tls=self.starttls, timeout=self.timeout_s)
        await smtp.connect()
        return smtp

    async def _deliver(self, email: Message, to: str) -> None:
        """Over an idle connection if there is one, else a new one; a stale idle one is dropped and the next tried.
        A connection is kept for the next message only after a success."""
        while True:
            reused = bool(self._idle)
            smtp = self._idle.pop() if reused else await self._connection()
            try:
                await smtp.send_message(email, recipients=[to])
            except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, OSError):
                smtp.close()
                if reused:
                    continue
                raise
            except BaseException:
                smtp.close()
                raise
            self._idle.append(smtp)
            return

    async def send(self, outgoing: Outgoing) -> Receipt:
        try:
            email = build_email(outgoing, self.sender)
        except (ValueError, TypeError):
            raise PermanentFailure("malformed message or address") from None
        try:
            await self._deliver(email, outgoing.to)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            raise self._failure(outgoing, refused.code, refused.message) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise self._failure(outgoing, exc.code, exc.message) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("email.unavailable", idempotency_key=outgoing.idempotency_key, error=type(exc).__name__)
            raise TemporaryFailure(f"SMTP relay unavailable: {type(exc).__name__}") from None
        return Receipt(provider_message_id=str(email["Message-ID"]))

    def _failure(self, outgoing: Outgoing, code: int, message: str) -> PermanentFailure | TemporaryFailure:
        log.warning("email.refused", idempotency_key=outgoing.idempotency_key, code=code)
        reason = _ADDRESS.sub("<recipient>", f"{code} {message}".replace(outgoing.to, "<recipient>"))
        return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for smtp in idle:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()
