"""A local HTTP SMS gateway standing in for the SMS provider: stores each message once per idempotency key.

`POST /messages` takes `{"to", "text", "sender", "idempotency_key"}` (the key may come as an `Idempotency-Key`
header instead) and answers 201 `{"message_id": "sms-<uuid>"}`, appending a line to `<directory>/messages.jsonl`;
a repeated key answers 200 with the first message's id and stores nothing; numbers starting `+999` get 400; with a
token configured, a request without `Authorization: Bearer <token>` gets 401. `GET /messages` lists what is stored.
Run `python -m notify.local.sms --dir D [--port P] [--token T]`: it prints `sms http://127.0.0.1:<port>/messages`
when ready and stops on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import contextlib
import json
import signal
import socket
import sys
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

INVALID_PREFIX = "+999"
OUTBOX = "messages.jsonl"


class SmsIn(BaseModel):
    """A message as the gateway accepts it."""

    to: str
    text: str
    sender: str | None = None
    idempotency_key: str | None = None


def read_outbox(directory: Path) -> list[dict[str, Any]]:
    """The stored messages in arrival order: `message_id`, `to`, `text`, `sender`, `idempotency_key`, `received_at`."""
    path = Path(directory) / OUTBOX
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines[:-1] if line]


class _Server(uvicorn.Server):
    """uvicorn without signal handlers: the process that embeds it owns its signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class LocalSmsGateway:
    """The local SMS provider on `host`; `port` and `url` are the bound ones once `start()` has returned."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0, *, token: str | None = None) -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = port
        self.token = token
        self._ids: dict[str, str] = {}
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """Where to POST messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/messages"

    def messages(self) -> list[dict[str, Any]]:
        """What `read_outbox` lists for this gateway's directory."""
        return read_outbox(self.directory)

    def app(self) -> FastAPI:
        """The gateway's HTTP API."""
        api = FastAPI(title="Tawasul local SMS gateway", openapi_url=None, docs_url=None, redoc_url=None)

        def refused(authorization: str | None) -> JSONResponse | None:
            if self.token is None or authorization == f"Bearer {self.token}":
                return None
            return JSONResponse({"error": "unauthorized"}, status_code=401)

        @api.post("/messages")
        async def post_message(
            sms: SmsIn,
            authorization: str | None = Header(default=None),
            idempotency_key: str | None = Header(default=None),
        ) -> JSONResponse:
            if (refusal := refused(authorization)) is not None:
                return refusal
            if sms.to.startswith(INVALID_PREFIX):
                return JSONResponse({"error": "invalid number"}, status_code=400)
            key = sms.idempotency_key or idempotency_key
            if key is not None and key in self._ids:
                return JSONResponse({"message_id": self._ids[key]}, status_code=200)
            record = {
                "message_id": f"sms-{uuid.uuid4()}",
                **sms.model_dump(),
                "idempotency_key": key,
                "received_at": datetime.now(UTC).isoformat(),
            }
            with (self.directory / OUTBOX).open("a", encoding="utf-8") as outbox:
                outbox.write(json.dumps(record, ensure_ascii=False) + "\n")
            if key is not None:
                self._ids[key] = record["message_id"]
            return JSONResponse({"message_id": record["message_id"]}, status_code=201)

        @api.get("/messages", response_model=None)
        async def list_messages(
            authorization: str | None = Header(default=None),
        ) -> JSONResponse | list[dict[str, Any]]:
            return refused(authorization) or self.messages()

        return api

    async def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._ids = {m["idempotency_key"]: m["message_id"] for m in reversed(self.messages()) if m["idempotency_key"]}
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_config=None, log_level="warning", access_log=False, lifespan="off")
        self._server = server = _Server(config)
        self._task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if self._task.done():
                sock.close()
                await self._task
                raise RuntimeError("the SMS gateway stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        await self._task
        self._server = self._task = None

    async def __aenter__(self) -> "LocalSmsGateway":
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()


async def _serve(directory: Path, host: str, port: int, token: str | None) -> None:
    gateway = LocalSmsGateway(directory, host, port, token=token)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await gateway.start()
    print(f"sms {gateway.url}", flush=True)
    await stopping.wait()
    await gateway.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notify.local.sms", description="A local HTTP SMS provider.")
    parser.add_argument("--dir", type=Path, required=True, help="where messages are stored")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=None, help="require `Authorization: Bearer <token>`")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.dir, args.host, args.port, args.token))
    return 0


if __name__ == "__main__":
    sys.exit(main())
