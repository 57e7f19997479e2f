"""A local SMTP server standing in for the mail provider: stores each message once per Message-ID as an .eml file.

Messages are stored as `<directory>/<n>-<sha1 of Message-ID>.eml`; a repeated Message-ID is accepted with 250 and
dropped, and dropped ones are counted in `<directory>/duplicates`. Recipients at `invalid.example` are refused with
550 (permanent), those at `busy.example` with 451 (temporary). Run `python -m notify.local.mail --dir D [--port P]`:
it prints `mail 127.0.0.1:<port>` when ready and stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import hashlib
import os
import signal
import sys
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

INVALID_DOMAIN = "invalid.example"
BUSY_DOMAIN = "busy.example"


def _number(path: Path) -> int:
    head = path.name.partition("-")[0]
    return int(head) if head.isdigit() else 0


def _stored(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml"), key=_number)


def read_mailbox(directory: Path) -> list[dict[str, Any]]:
    """The stored messages in arrival order: `message_id`, `to`, `subject`, `date`, `received_at`, `path`."""
    found = []
    for path in _stored(Path(directory)):
        with path.open("rb") as file:
            headers = BytesParser(policy=default).parse(file, headersonly=True)
        found.append(
            {
                "message_id": str(headers.get("Message-ID", "")),
                "to": str(headers.get("To", "")),
                "subject": str(headers.get("Subject", "")),
                "date": str(headers.get("Date", "")),
                "received_at": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(),
                "path": str(path),
            }
        )
    return found


class _Mailbox:
    """aiosmtpd handler: refuses `invalid.example` for good and `busy.example` for now, stores each Message-ID once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.seen = {record["message_id"] for record in read_mailbox(directory)} - {""}
        self.next_number = max((_number(path) for path in _stored(directory)), default=0) + 1
        counter = directory / "duplicates"
        self.duplicates = int(counter.read_text() or 0) if counter.exists() else 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        domain = address.rpartition("@")[2].lower()
        if domain == INVALID_DOMAIN:
            return "550 5.1.1 mailbox unavailable"
        if domain == BUSY_DOMAIN:
            return "451 4.2.1 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message_id = str(BytesParser(policy=default).parsebytes(content, headersonly=True).get("Message-ID", ""))
        if message_id and message_id in self.seen:
            self.duplicates += 1
            self._write(self.directory / "duplicates", str(self.duplicates).encode())
            return "250 2.0.0 OK: duplicate Message-ID, not stored again"
        digest = hashlib.sha1(message_id.encode() if message_id else content).hexdigest()
        self._write(self.directory / f"{self.next_number}-{digest}.eml", content)
        self.next_number += 1
        if message_id:
            self.seen.add(message_id)
        return "250 2.0.0 OK: stored"

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)


class LocalMailServer:
    """The local mail provider on `host`; `port` is the bound one once `start()` has returned."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = port
        self._mailbox: _Mailbox | None = None
        self._server: asyncio.Server | None = None
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    @property
    def duplicates(self) -> int:
        """How many messages were dropped as repeats of a stored Message-ID."""
        return self._mailbox.duplicates if self._mailbox else 0

    async def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._mailbox = mailbox = _Mailbox(self.directory)
        loop = asyncio.get_running_loop()

        def session() -> SMTP:
            smtp = SMTP(mailbox, hostname="tawasul-local-mail", enable_SMTPUTF8=True, loop=loop)
            self._sessions.add(smtp)
            return smtp

        self._server = await loop.create_server(session, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for smtp in list(self._sessions):
            if smtp.transport is not None:
                smtp.transport.close()
        await self._server.wait_closed()
        self._server = None

    def messages(self) -> list[dict[str, Any]]:
        """What `read_mailbox` lists for this server's directory."""
        return read_mailbox(self.directory)

    async def __aenter__(self) -> "LocalMailServer":
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()


async def _serve(directory: Path, host: str, port: int) -> None:
    server = LocalMailServer(directory, host, port)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await server.start()
    print(f"mail {server.host}:{server.port}", flush=True)
    await stopping.wait()
    await server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notify.local.mail", description="A local SMTP mail provider.")
    parser.add_argument("--dir", type=Path, required=True, help="where messages are stored")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.dir, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
