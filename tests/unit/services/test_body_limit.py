"""A body over the limit is refused with 413 as soon as it is seen to be, and no more of it is read: by its
`Content-Length`, or chunk by chunk when it has none."""

import json

from services.http import BodyLimit

LIMIT = 1000


async def reading_app(scope, receive, send):
    """An app that reads the whole body, then answers 200 with its length."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


async def serve(chunks: list[bytes], headers: list[tuple[bytes, bytes]] = ()) -> tuple[int, bytes, int]:
    """(status, body, chunks read) of one request through the limit."""
    pulled = 0
    sent: list[dict] = []

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": list(headers)}
    await BodyLimit(reading_app, max_bytes=LIMIT)(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), pulled


async def test_a_chunked_body_is_cut_off_at_the_limit():
    status, body, pulled = await serve([b"x" * 400] * 100)  # 40,000 bytes in 100 chunks, no Content-Length
    assert status == 413 and pulled == 3  # 1,200 bytes read: the third chunk crossed the limit
    assert "larger than the 1000 bytes" in json.loads(body)["detail"]


async def test_a_declared_length_over_the_limit_is_refused_before_reading():
    status, _, pulled = await serve([b"x" * 10], [(b"content-length", b"5000")])
    assert (status, pulled) == (413, 0)


async def test_a_body_within_the_limit_passes_whole():
    assert await serve([b"x" * 500, b"y" * 500], [(b"content-length", b"1000")]) == (200, b"1000", 2)
