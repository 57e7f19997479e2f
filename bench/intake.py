"""`make bench` (intake): accepted submissions/s through intake alone, on both of its paths.

Realistic payloads: every submission is valid (catalog, identity number, linked subject, its
sub-service's required attachments), and one in three also carries a 200 KB scanned document of
its own. Kafka path: N published at once, timed from the first publish to the last
`SubmissionAccepted` on `tawasul.submission-results`. HTTP path: N posted by C concurrent clients,
timed from the first request to the last 201. Prints every round and the medians.
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from bench.tail import tail
from tests import samples
from tests.infra import provide_infra
from tests.system import System, encode, envelope_of, submission, topics, wait_for

SCAN = 200 * 1024


def payload(i: int) -> dict:
    body = submission(i, submission_id=f"bench-{uuid.uuid4().hex}", portal="absher")
    if i % 3 == 0:
        scan = samples.PDF + os.urandom(SCAN - len(samples.PDF))
        kinds = {a["kind"] for a in body["attachments"]}
        sub = samples.CATALOG.sub_service(body["section"], body["sub_service"])
        kind = next((k for k in sub.optional_attachments if k not in kinds), None) if sub else None
        if kind is not None:
            body["attachments"].append(samples.attachment(kind, scan, "scan.pdf"))
        elif body["attachments"]:
            body["attachments"][0] = samples.attachment(body["attachments"][0]["kind"], scan, "scan.pdf")
    return body


async def accepted_times(system: System, expected: set[str], ready: asyncio.Event) -> list[int]:
    consumer = await tail(system, topics.SUBMISSION_RESULTS)
    ready.set()
    seen: dict[str, int] = {}
    deadline = time.monotonic() + 600
    try:
        while len(seen) < len(expected) and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200, max_records=10_000)).values():
                for record in records:
                    key = record.key.decode()
                    if key in expected:
                        envelope = envelope_of(record)
                        if envelope["type"] != "SubmissionAccepted":
                            raise SystemExit(f"{key} was refused: {envelope['data']}")
                        seen.setdefault(key, record.timestamp)
    finally:
        await consumer.stop()
    if len(seen) < len(expected):
        raise SystemExit(f"only {len(seen)} of {len(expected)} submissions were accepted")
    return list(seen.values())


async def kafka_round(system: System, n: int) -> float:
    bodies = [payload(i) for i in range(n)]
    messages = [encode(body) for body in bodies]  # encoded beforehand: the portal's work is not intake's
    ready = asyncio.Event()
    watcher = asyncio.create_task(accepted_times(system, {b["submission_id"] for b in bodies}, ready))
    await ready.wait()
    started_ms = time.time() * 1000
    await system.publish(topics.SUBMISSIONS, messages)
    times = await watcher
    return n / ((max(times) - started_ms) / 1000)


async def http_round(system: System, n: int, clients: int) -> float:
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for i in range(n):
        submission_id, content = encode(payload(i))
        queue.put_nowait((submission_id.decode(), content))
    headers = {"X-Api-Key": system.keys["absher"], "content-type": "application/json"}
    url = system.url("intake", "/api/v1/requests")

    async def client() -> None:
        async with httpx.AsyncClient(timeout=60, headers=headers) as http:
            while not queue.empty():
                submission_id, content = queue.get_nowait()
                response = await http.post(url, content=content)
                if response.status_code != 201:
                    raise SystemExit(f"{submission_id}: {response.status_code} {response.text[:300]}")

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return n / (time.monotonic() - started)


async def main(n: int, rounds: int, clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, provide_infra(Path(tmp)) as infra:
        system = System(infra, Path(tmp), traces=False,
                        env={"TAWASUL_PORTAL_RATE_PER_S": "100000", "TAWASUL_PORTAL_BURST": "100000"})
        await system.start(["intake"])
        await wait_for(lambda: _household(system), what="the demo household in intake's registry model")
        kafka, http = [], []
        try:
            await kafka_round(system, 300)  # warm-up
            for index in range(1, rounds + 1):
                kafka.append(await kafka_round(system, n))
                http.append(await http_round(system, n, clients))
                print(f"round {index}: Kafka {kafka[-1]:5.0f} accepted/s | HTTP ({clients} clients) "
                      f"{http[-1]:5.0f} accepted/s", flush=True)
        finally:
            await system.stop()
    print(f"intake, median of {rounds} rounds of {n} ({infra.kind} infrastructure; a third carry a 200 KB scan): "
          f"Kafka {statistics.median(kafka):.0f} accepted submissions/s, HTTP {statistics.median(http):.0f}/s")


async def _household(system: System) -> bool:
    return await system.scalar("intake", "SELECT count(*) FROM links WHERE linked") == len(samples.PEOPLE)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1500, help="submissions in each round, on each path")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.rounds, args.clients))
