"""`make bench`: submissions pushed through the four running services, end to end.

Starts the embedded broker and database (or uses TAWASUL_KAFKA_BOOTSTRAP / TAWASUL_DATABASE_URL),
runs the four services as processes, and for each round publishes N submissions at once with a
plain Kafka producer, then waits until every one is routed. Prints, per round and as the median
of the rounds: submissions/s from the first publish to the last `Routed`, and the submit→Routed
latency (p50, p99) from the Kafka record timestamps.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from intake.handlers import correlation_of
from tests.infra import provide_infra
from tests.system import System, encode, submission, topics


async def routed_times(system: System, expected: set[str], timeout_s: float) -> dict[str, int]:
    """Kafka timestamps (ms) of the `Routed` events of the expected correlation ids, read as they arrive."""
    consumer = AIOKafkaConsumer(bootstrap_servers=system.infra.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    partitions = [TopicPartition(system.topic(topics.CASE_EVENTS), p) for p in range(system.settings.topic_partitions)]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    seen: dict[str, int] = {}
    deadline = time.monotonic() + timeout_s
    import json

    try:
        while len(seen) < len(expected) and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200, max_records=10_000)).values():
                for record in records:
                    envelope = json.loads(record.value)
                    if envelope["type"] == "Routed" and envelope["correlation_id"] in expected:
                        seen.setdefault(envelope["correlation_id"], record.timestamp)
    finally:
        await consumer.stop()
    return seen


async def one_round(system: System, n: int) -> tuple[float, float, float]:
    bodies = [submission(i, submission_id=f"bench-{uuid.uuid4().hex}") for i in range(n)]
    correlation = {str(correlation_of(b["submission_id"]).correlation_id): b["submission_id"] for b in bodies}
    watcher = asyncio.create_task(routed_times(system, set(correlation), timeout_s=600))
    started_ms = time.time() * 1000
    await system.publish(topics.SUBMISSIONS, [encode(body) for body in bodies])
    routed = await watcher
    if len(routed) < n:
        raise SystemExit(f"only {len(routed)} of {n} submissions were routed")
    # Each submission's own record timestamp is the moment it was handed to the broker.
    latencies = sorted(t - started_ms for t in routed.values())
    elapsed_s = (max(routed.values()) - started_ms) / 1000
    return n / elapsed_s, latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]


async def main(n: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, provide_infra(Path(tmp)) as infra:
        system = System(infra, Path(tmp))
        await system.start()
        try:
            await one_round(system, min(n, 200))  # warm-up: connections, caches, group assignments
            results = []
            for index in range(1, rounds + 1):
                rate, p50, p99 = await one_round(system, n)
                results.append((rate, p50, p99))
                print(f"round {index}: {n} submissions  {rate:8.0f} submissions/s  "
                      f"submit→Routed p50 {p50:7.0f} ms  p99 {p99:7.0f} ms", flush=True)
        finally:
            await system.stop()
    rate = statistics.median(r[0] for r in results)
    p50 = statistics.median(r[1] for r in results)
    p99 = statistics.median(r[2] for r in results)
    print(f"median of {rounds}: {rate:.0f} submissions/s end to end; submit→Routed p50 {p50:.0f} ms, p99 {p99:.0f} ms "
          f"({infra.kind} infrastructure, {system.settings.topic_partitions} partitions)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="submissions per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.rounds))
