"""`tawasul demo`: play an upstream portal against a running system — publish sample submissions, print the answers.

`prepare` is what `tawasul up` does before the services start: issue development API keys and
publish the demo household to the registry topic.
"""

import asyncio
import json
import random

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts import topics
from intake import keys, samples
from services.settings import Settings

DEV_LABEL = "tawasul-up"


def sample(n: int) -> dict:
    return samples.submission(n, plan=random.choice(samples.PLANS))


async def prepare(settings: Settings) -> list[str]:
    """Development keys for both portals and an officer (the previous run's are revoked), and the demo registry."""
    issued = await keys.issue_keys(
        settings, [("absher", "portal"), ("muqeem", "portal"), ("officer-1", "officer")], DEV_LABEL, replace=True
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        await _publish_registry(producer, settings)
    finally:
        await producer.stop()
    return [f"api key    {name:<10} {key}" for name, key in issued.items()] + [
        f"registry   {len(samples.PEOPLE)} people linked to demo account {samples.ACCOUNT}"
    ]


async def _publish_registry(producer: AIOKafkaProducer, settings: Settings) -> None:
    for key, value in samples.registry_records():
        await producer.send_and_wait(settings.topic(topics.REGISTRY), value, key=key)


async def demo(settings: Settings, count: int, timeout_s: float = 60.0) -> None:
    bootstrap = settings.kafka_bootstrap or f"127.0.0.1:{settings.kafka_port}"
    bodies = {body["submission_id"]: body for body in (sample(n) for n in range(count))}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await _publish_registry(producer, settings)  # the same event ids again: intake applies them once
        await asyncio.sleep(1)  # let intake see the household before the requests that name it
        for submission_id, body in bodies.items():
            await producer.send_and_wait(
                settings.topic(topics.SUBMISSIONS), json.dumps(body, ensure_ascii=False).encode(),
                key=submission_id.encode(),
            )
            print(f"sent      {submission_id}  {body['section']} / {body['sub_service']}", flush=True)
    finally:
        await producer.stop()
    await _print_answers(settings, bootstrap, set(bodies), timeout_s)


async def _print_answers(settings: Settings, bootstrap: str, waiting: set[str], timeout_s: float) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        name = settings.topic(topics.SUBMISSION_RESULTS)
        partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or [])]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = asyncio.get_running_loop().time() + timeout_s
        while waiting and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    submission_id = record.key.decode() if record.key else ""
                    if submission_id in waiting:
                        waiting.discard(submission_id)
                        print(_answer(json.loads(record.value)), flush=True)
    finally:
        await consumer.stop()
    for submission_id in sorted(waiting):
        print(f"no answer {submission_id} within {timeout_s:.0f} s (is `make run` up?)")


def _answer(envelope: dict) -> str:
    data = envelope["data"]
    if envelope["type"] == "SubmissionAccepted":
        return f"accepted  {data['submission_id']}  tracking number {data['tracking_number']}"
    reasons = "; ".join(f"{r['code']} ({r['field']})" for r in data["reasons"])
    return f"rejected  {data['submission_id']}  {reasons}"
