"""`tawasul demo`: play an upstream portal against a running system — publish sample submissions, print the answers."""

import asyncio
import json
import random
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts import topics
from intake.catalog import SECTIONS
from services.settings import Settings


def sample(n: int) -> dict:
    section = random.choice(sorted(SECTIONS))
    sub_service = random.choice(sorted(SECTIONS[section]))
    arabic = n % 2 == 0
    return {
        "submission_id": f"demo-{uuid.uuid4().hex[:12]}",
        "portal": "absher" if arabic else "muqeem",
        "account_id": "1000000008",
        "subject_id": "2000000007",
        "section": section,
        "sub_service": sub_service,
        "description": "تعذر إكمال المعاملة إلكترونياً لرقم الإقامة 2000000007" if arabic
        else "The transaction could not be completed online for Iqama 2000000007",
        "attachments": [],
        "language": "ar" if arabic else "en",
        "contact": {"email": "beneficiary@example.sa", "mobile": "+966500000000"},
        "channels": ["email", "sms"],
    }


async def demo(settings: Settings, count: int, timeout_s: float = 60.0) -> None:
    bootstrap = settings.kafka_bootstrap or f"127.0.0.1:{settings.kafka_port}"
    bodies = {body["submission_id"]: body for body in (sample(n) for n in range(count))}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
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
