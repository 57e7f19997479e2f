"""`make bench`: submissions pushed through the four running services, end to end.

Starts the embedded broker and database (or uses TAWASUL_KAFKA_BOOTSTRAP / TAWASUL_DATABASE_URL),
runs the four services as processes, and measures two things, each over several rounds:

- throughput: N submissions published at once; submissions/s from the first publish to the
  last `Routed` (the latency of a burst is mostly queueing, so it is not quoted);
- notifications: e-mail and SMS sent per second, from the burst's start until notify has
  nothing pending (each phase starts with notify idle, so one phase's sending does not load
  the next one's measurement);
- latency: submissions published at a steady rate well below saturation; submit→Routed
  p50 and p99 from each submission's own publish time to its `Routed` record's timestamp.

Prints every round and the median of the rounds.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.tail import tail
from intake.handlers import correlation_of
from tests.infra import provide_infra
from tests.system import System, encode, submission, topics


async def routed_times(system: System, expected: set[str], ready: asyncio.Event, timeout_s: float) -> dict[str, int]:
    """Kafka timestamps (ms) of the `Routed` events of the expected correlation ids, read as they arrive
    from the end of the log as it is when the round starts, so earlier rounds cost nothing."""
    consumer = await tail(system, topics.CASE_EVENTS)
    ready.set()
    seen: dict[str, int] = {}
    deadline = time.monotonic() + timeout_s
    try:
        while len(seen) < len(expected) and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200, max_records=10_000)).values():
                for record in records:
                    envelope = json.loads(record.value)
                    if envelope["type"] == "Routed" and envelope["correlation_id"] in expected:
                        seen.setdefault(envelope["correlation_id"], record.timestamp)
    finally:
        await consumer.stop()
    if len(seen) < len(expected):
        raise SystemExit(f"only {len(seen)} of {len(expected)} submissions were routed in {timeout_s} s")
    return seen


async def one_round(system: System, n: int, rate: float | None) -> tuple[float, list[float]]:
    """Publish n submissions (at once, or `rate` a second); return submissions/s and each one's latency (ms)."""
    bodies = [submission(i, submission_id=f"bench-{uuid.uuid4().hex}") for i in range(n)]
    ids = {str(correlation_of(body["submission_id"]).correlation_id): body for body in bodies}
    ready = asyncio.Event()
    watcher = asyncio.create_task(routed_times(system, set(ids), ready, timeout_s=600))
    await ready.wait()
    published_ms: dict[str, float] = {}
    chunk = n if rate is None else max(1, int(rate / 20))  # paced: twenty chunks a second
    started = time.monotonic()
    for start in range(0, n, chunk):
        if rate is not None:
            await asyncio.sleep(max(0.0, started + start / rate - time.monotonic()))
        part = list(ids.items())[start : start + chunk]
        now_ms = time.time() * 1000
        published_ms.update((correlation, now_ms) for correlation, _ in part)
        await system.publish(topics.SUBMISSIONS, [encode(body) for _, body in part])
    routed = await watcher
    first_ms = min(published_ms.values())
    throughput = n / ((max(routed.values()) - first_ms) / 1000)
    return throughput, sorted(routed[c] - published_ms[c] for c in routed)


async def notifications_settled(system: System, started: float) -> tuple[int, float]:
    """Wait until notify has nothing pending or in flight; (messages sent in all, seconds since `started`)."""
    while True:
        rows = dict(await system.rows("notify", "SELECT status, count(*) FROM notifications GROUP BY status"))
        if not rows.get("pending") and not rows.get("sending"):
            return rows.get("sent", 0), time.monotonic() - started
        await asyncio.sleep(0.25)


def percentile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


async def main(n: int, rounds: int, rate: float) -> None:
    with tempfile.TemporaryDirectory() as tmp, provide_infra(Path(tmp)) as infra:
        system = System(infra, Path(tmp), traces=False)
        await system.start()
        throughputs, sends, p50s, p99s = [], [], [], []
        try:
            await one_round(system, min(n, 500), None)  # warm-up: connections, caches, group assignments
            await notifications_settled(system, time.monotonic())
            for index in range(1, rounds + 1):
                sent_before, started = (await notifications_settled(system, time.monotonic()))[0], time.monotonic()
                throughput, _ = await one_round(system, n, None)
                throughputs.append(throughput)
                sent, seconds = await notifications_settled(system, started)  # the next phase starts quiet
                sends.append((sent - sent_before) / seconds)
                _, latencies = await one_round(system, int(rate * 10), rate)
                p50s.append(percentile(latencies, 0.50))
                p99s.append(percentile(latencies, 0.99))
                await notifications_settled(system, time.monotonic())
                print(f"round {index}: burst of {n}: {throughput:6.0f} submissions/s to Routed, "
                      f"{sends[-1]:5.0f} e-mail+SMS sent/s | {rate:.0f}/s for 10 s: submit→Routed "
                      f"p50 {p50s[-1]:5.0f} ms, p99 {p99s[-1]:5.0f} ms", flush=True)
        finally:
            await system.stop()
    print(f"median of {rounds} rounds ({infra.kind} infrastructure, {system.settings.topic_partitions} partitions): "
          f"{statistics.median(throughputs):.0f} submissions/s to Routed, {statistics.median(sends):.0f} e-mail+SMS "
          f"sent/s (from the burst's start until notify is idle); at {rate:.0f}/s submit→Routed "
          f"p50 {statistics.median(p50s):.0f} ms, p99 {statistics.median(p99s):.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="submissions in each throughput burst")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200, help="submissions/s for the latency measurement")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.rounds, args.rate))
