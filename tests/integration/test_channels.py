"""The sending channels against the local stand-in providers, in-process and as processes."""

import asyncio
import json
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any

import httpx
import pytest

from notify.channels import Channel, HttpSmsChannel, Outgoing, PermanentFailure, SmtpChannel, TemporaryFailure
from notify.channels.email import message_id
from notify.local.mail import LocalMailServer, read_mailbox
from notify.local.sms import LocalSmsGateway, read_outbox
from notify.render import Message

ROOT = Path(__file__).resolve().parents[2]
SENDER = "Tawasul <no-reply@tawasul.example>"
ARABIC = Message(
    subject="تم استلام طلبك",
    text="مرحباً، تم استلام طلبك رقم TW-2026-000123 وسنبلغك بكل جديد.",
    html="<p dir=\"rtl\">مرحباً، تم استلام طلبك رقم <b>TW-2026-000123</b>.</p>",
)
SMS = Message(subject=None, text="تم استلام طلبك رقم TW-2026-000123.", html=None)


def outgoing(key: str, to: str, message: Message = ARABIC) -> Outgoing:
    return Outgoing(idempotency_key=key, to=to, message=message, language="ar")


@pytest.fixture
async def mail(tmp_path: Path) -> AsyncIterator[LocalMailServer]:
    async with LocalMailServer(tmp_path / "mail") as server:
        yield server


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[LocalSmsGateway]:
    async with LocalSmsGateway(tmp_path / "sms") as server:
        yield server


def stored_email(record: dict[str, Any]) -> EmailMessage:
    with open(record["path"], "rb") as file:
        parsed = BytesParser(policy=default).parse(file)
    assert isinstance(parsed, EmailMessage)
    return parsed


# E-mail


async def test_an_arabic_email_arrives_with_subject_text_html_and_language(mail: LocalMailServer):
    channel = SmtpChannel("127.0.0.1", mail.port, sender=SENDER)
    assert isinstance(channel, Channel) and channel.name == "email" and not channel.deduplicates

    receipt = await channel.send(outgoing("evt-1.email", "beneficiary@example.com"))

    assert receipt.provider_message_id == "<evt-1.email@tawasul>"
    [record] = mail.messages()
    assert record["message_id"] == receipt.provider_message_id
    assert record["to"] == "beneficiary@example.com"
    assert record["subject"] == ARABIC.subject
    assert re.fullmatch(r"1-[0-9a-f]{40}\.eml", Path(record["path"]).name)
    email = stored_email(record)
    assert email["Content-Language"] == "ar"
    assert email["From"] == SENDER
    assert email.get_content_type() == "multipart/alternative"
    text, html = email.get_body(("plain",)), email.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    assert text.get_content().rstrip("\n") == ARABIC.text
    assert html.get_content().rstrip("\n") == ARABIC.html


async def test_the_same_idempotency_key_twice_is_stored_once(mail: LocalMailServer):
    channel = SmtpChannel("127.0.0.1", mail.port, sender=SENDER, deduplicates=True)
    first = await channel.send(outgoing("evt-2.email", "beneficiary@example.com"))
    again = await channel.send(outgoing("evt-2.email", "beneficiary@example.com"))
    await channel.send(outgoing("evt-3.email", "beneficiary@example.com"))

    assert first == again
    assert [m["message_id"] for m in mail.messages()] == ["<evt-2.email@tawasul>", "<evt-3.email@tawasul>"]
    assert mail.duplicates == 1
    assert (mail.directory / "duplicates").read_text() == "1"


async def test_the_mailbox_still_deduplicates_after_a_restart(tmp_path: Path):
    directory = tmp_path / "mail"
    async with LocalMailServer(directory) as server:
        await SmtpChannel("127.0.0.1", server.port, sender=SENDER).send(outgoing("evt-4.email", "a@example.com"))
    async with LocalMailServer(directory) as server:
        channel = SmtpChannel("127.0.0.1", server.port, sender=SENDER)
        await channel.send(outgoing("evt-4.email", "a@example.com"))
        await channel.send(outgoing("evt-5.email", "a@example.com"))
        assert server.duplicates == 1
    assert [Path(m["path"]).name[:2] for m in read_mailbox(directory)] == ["1-", "2-"]


async def test_an_invalid_mailbox_is_a_permanent_failure_that_does_not_name_the_address(mail: LocalMailServer):
    channel = SmtpChannel("127.0.0.1", mail.port, sender=SENDER)
    with pytest.raises(PermanentFailure) as refused:
        await channel.send(outgoing("evt-6.email", "someone@invalid.example"))
    assert "550" in str(refused.value)
    assert "someone" not in str(refused.value) and "invalid.example" not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert mail.messages() == []


async def test_a_busy_mailbox_is_a_temporary_failure(mail: LocalMailServer):
    channel = SmtpChannel("127.0.0.1", mail.port, sender=SENDER)
    with pytest.raises(TemporaryFailure, match="451") as deferred:
        await channel.send(outgoing("evt-7.email", "someone@busy.example"))
    assert "someone" not in str(deferred.value)
    assert mail.messages() == []


async def test_a_stopped_mail_server_is_a_temporary_failure(tmp_path: Path):
    server = LocalMailServer(tmp_path / "mail")
    await server.start()
    await server.stop()
    with pytest.raises(TemporaryFailure):
        await SmtpChannel("127.0.0.1", server.port, sender=SENDER, timeout_s=2).send(outgoing("k", "a@example.com"))


async def test_a_restarted_mail_server_comes_back_on_its_port(mail: LocalMailServer):
    port = mail.port
    channel = SmtpChannel("127.0.0.1", port, sender=SENDER, timeout_s=2)
    await mail.stop()
    with pytest.raises(TemporaryFailure):
        await channel.send(outgoing("evt-8.email", "a@example.com"))
    await mail.start()
    assert mail.port == port
    await channel.send(outgoing("evt-8.email", "a@example.com"))
    assert len(mail.messages()) == 1


def test_a_message_id_is_deterministic_and_well_formed():
    assert message_id("evt-1.email") == message_id("evt-1.email") == "<evt-1.email@tawasul>"
    assert message_id("evt 1:email%") == "<evt%201%3Aemail%25@tawasul>"
    assert message_id("a:b") != message_id("a%3Ab")


# SMS


async def test_an_arabic_sms_arrives(gateway: LocalSmsGateway):
    channel = HttpSmsChannel(gateway.url)
    assert isinstance(channel, Channel) and channel.name == "sms" and channel.deduplicates
    try:
        receipt = await channel.send(outgoing("evt-1.sms", "+966500000001", SMS))
    finally:
        await channel.close()

    [record] = gateway.messages()
    assert receipt.provider_message_id == record["message_id"]
    assert re.fullmatch(r"sms-[0-9a-f-]{36}", record["message_id"])
    assert record["text"] == SMS.text
    assert (record["to"], record["sender"], record["idempotency_key"]) == ("+966500000001", "Tawasul", "evt-1.sms")
    assert read_outbox(gateway.directory) == [record]


async def test_the_same_key_twice_is_stored_once_with_the_same_provider_id(gateway: LocalSmsGateway):
    channel = HttpSmsChannel(gateway.url)
    try:
        first = await channel.send(outgoing("evt-2.sms", "+966500000002", SMS))
        again = await channel.send(outgoing("evt-2.sms", "+966500000002", SMS))
    finally:
        await channel.close()
    assert first == again
    assert [m["message_id"] for m in gateway.messages()] == [first.provider_message_id]


async def test_an_invalid_number_is_a_permanent_failure(gateway: LocalSmsGateway):
    channel = HttpSmsChannel(gateway.url)
    try:
        with pytest.raises(PermanentFailure, match="400") as refused:
            await channel.send(outgoing("evt-3.sms", "+999123456789", SMS))
    finally:
        await channel.close()
    assert "+999" not in str(refused.value)
    assert gateway.messages() == []


async def test_a_gateway_with_a_token_refuses_a_channel_without_it(tmp_path: Path):
    async with LocalSmsGateway(tmp_path / "sms", token="s3cret") as gateway:
        anonymous, wrong, known = (HttpSmsChannel(gateway.url, token=t) for t in (None, "guess", "s3cret"))
        try:
            for refused in (anonymous, wrong):
                with pytest.raises(PermanentFailure, match="401"):
                    await refused.send(outgoing("evt-4.sms", "+966500000004", SMS))
            receipt = await known.send(outgoing("evt-4.sms", "+966500000004", SMS))
        finally:
            for channel in (anonymous, wrong, known):
                await channel.close()
        assert [m["message_id"] for m in gateway.messages()] == [receipt.provider_message_id]
        async with httpx.AsyncClient() as client:
            assert (await client.get(gateway.url)).status_code == 401
            listed = await client.get(gateway.url, headers={"Authorization": "Bearer s3cret"})
        assert listed.status_code == 200 and listed.json() == gateway.messages()


async def test_a_stopped_gateway_is_a_temporary_failure(tmp_path: Path):
    gateway = LocalSmsGateway(tmp_path / "sms")
    await gateway.start()
    await gateway.stop()
    channel = HttpSmsChannel(gateway.url, timeout_s=2)
    try:
        with pytest.raises(TemporaryFailure):
            await channel.send(outgoing("evt-5.sms", "+966500000005", SMS))
    finally:
        await channel.close()


async def test_a_restarted_gateway_comes_back_on_its_port_and_remembers_its_keys(gateway: LocalSmsGateway):
    channel = HttpSmsChannel(gateway.url, timeout_s=2)
    try:
        first = await channel.send(outgoing("evt-6.sms", "+966500000006", SMS))
        await gateway.stop()
        with pytest.raises(TemporaryFailure):
            await channel.send(outgoing("evt-6.sms", "+966500000006", SMS))
        url = gateway.url
        await gateway.start()
        assert gateway.url == url
        assert await channel.send(outgoing("evt-6.sms", "+966500000006", SMS)) == first
    finally:
        await channel.close()
    assert len(gateway.messages()) == 1


def test_the_payload_uses_the_providers_field_names():
    channel = HttpSmsChannel("http://127.0.0.1:9/sms", sender_id="GOV", fields={"to": "msisdn", "text": "body"})
    assert channel.payload(outgoing("evt-6.sms", "+966500000006", SMS)) == {
        "msisdn": "+966500000006",
        "body": SMS.text,
        "sender": "GOV",
        "idempotency_key": "evt-6.sms",
    }
    with pytest.raises(ValueError, match="unknown fields"):
        HttpSmsChannel("http://127.0.0.1:9/sms", fields={"recipient": "to"})


Reply = tuple[int, bytes]


async def provider(reply: Reply, seen: list[dict[str, Any]]) -> asyncio.Server:
    """A one-route HTTP provider that records each request and answers `reply`."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in head[1:] if line)}
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        seen.append({"request_line": head[0], "headers": headers, "json": json.loads(body)})
        status, payload = reply
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            f"Connection: close\r\n\r\n".encode() + payload
        )
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def send_to_provider(reply: Reply, **options: Any) -> tuple[Callable[[], Awaitable[Any]], list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    server = await provider(reply, seen)
    port = server.sockets[0].getsockname()[1]
    channel = HttpSmsChannel(f"http://127.0.0.1:{port}/v1/sms", **options)

    async def send() -> Any:
        try:
            return await channel.send(outgoing("evt-7.sms", "+966500000007", SMS))
        finally:
            await channel.close()
            server.close()
            await server.wait_closed()

    return send, seen


async def test_a_provider_with_its_own_field_names_auth_header_and_id_field():
    send, seen = await send_to_provider(
        (202, b'{"data": 1, "sid": "SM42"}'),
        token="key-1",
        auth_header="X-API-Key",
        auth_scheme="",
        sender_id="GOV",
        fields={"to": "msisdn", "text": "body", "sender": "from", "idempotency_key": "reference"},
        id_field="sid",
    )
    receipt = await send()

    assert receipt.provider_message_id == "SM42"
    [request] = seen
    assert request["request_line"] == "POST /v1/sms HTTP/1.1"
    assert request["json"] == {"msisdn": "+966500000007", "body": SMS.text, "from": "GOV", "reference": "evt-7.sms"}
    assert request["headers"]["x-api-key"] == "key-1"
    assert request["headers"]["idempotency-key"] == "evt-7.sms"
    assert "authorization" not in request["headers"]


@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (400, PermanentFailure),
        (401, PermanentFailure),
        (403, PermanentFailure),
        (404, PermanentFailure),
        (422, PermanentFailure),
        (408, TemporaryFailure),
        (429, TemporaryFailure),
        (500, TemporaryFailure),
        (502, TemporaryFailure),
        (503, TemporaryFailure),
    ],
)
async def test_provider_statuses_map_to_permanent_or_temporary_failures(status: int, failure: type[Exception]):
    send, seen = await send_to_provider((status, b'{"error": "+966500000007 refused"}'))
    with pytest.raises(failure) as raised:
        await send()
    assert type(raised.value) is failure
    assert str(raised.value) == f"HTTP {status}"
    assert len(seen) == 1


async def test_an_accepted_message_without_an_id_is_retried():
    send, _ = await send_to_provider((200, b'{"id": "x"}'))
    with pytest.raises(TemporaryFailure, match="message_id"):
        await send()


# The servers as processes


async def run_server(module: str, *args: str) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    try:
        ready = await asyncio.wait_for(process.stdout.readline(), timeout=30)
    except BaseException:
        process.kill()
        await process.wait()
        raise
    return process, ready.decode()


async def stop_server(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    assert (stdout, stderr) == (b"", b"")


async def test_the_mail_server_runs_as_a_process(tmp_path: Path):
    process, ready = await run_server("notify.local.mail", "--dir", str(tmp_path / "mail"), "--port", "0")
    try:
        match = re.fullmatch(r"mail 127\.0\.0\.1:(\d+)\n", ready)
        assert match, ready
        channel = SmtpChannel("127.0.0.1", int(match[1]), sender=SENDER)
        receipt = await channel.send(outgoing("evt-8.email", "beneficiary@example.com"))
        assert [m["message_id"] for m in read_mailbox(tmp_path / "mail")] == [receipt.provider_message_id]
    finally:
        await stop_server(process)


async def test_the_sms_gateway_runs_as_a_process(tmp_path: Path):
    args = ("--dir", str(tmp_path / "sms"), "--port", "0", "--token", "t0k")
    process, ready = await run_server("notify.local.sms", *args)
    try:
        match = re.fullmatch(r"sms (http://127\.0\.0\.1:\d+/messages)\n", ready)
        assert match, ready
        channel = HttpSmsChannel(match[1], token="t0k")
        try:
            receipt = await channel.send(outgoing("evt-9.sms", "+966500000009", SMS))
        finally:
            await channel.close()
        assert [m["message_id"] for m in read_outbox(tmp_path / "sms")] == [receipt.provider_message_id]
    finally:
        await stop_server(process)
