"""`tawasul demo`: play an upstream portal against a running system — publish sample submissions, print the
answers — and the demo household that `tawasul up` puts in the registry so sample requests can concern it.

Every `submission(n, plan, catalog)` passes every rule once the household is in intake's registry: its
subject is linked to the account in a way its sub-service allows, its description names the subject's
identity number, and it carries the attachments its sub-service requires.
"""

import asyncio
import base64
import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts import topics
from contracts.vocabulary import RIYADH
from intake.catalog import Catalog, load
from intake.settings import IntakeSettings
from services.kafka import client_options
from services.settings import Settings

ACCOUNT = "1000000008"
"""The demo account holder, a citizen."""

PEOPLE: dict[str, tuple[str, str]] = {
    "1000000016": ("dependent", "SA"),  # a son
    "2000000006": ("sponsored", "IN"),  # a driver
    "2000000014": ("sponsored", "PH"),  # a housekeeper
    "3000000010": ("visitor", "YE"),  # a visiting brother-in-law
    "4000000019": ("visitor", "SY"),  # a visiting cousin
}
"""(relation, nationality) of each person linked to ACCOUNT."""

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

Plan = tuple[str, str, str]
"""(section, sub-service, kind of subject)."""


def plans(catalog: Catalog) -> list[Plan]:
    """Every (section, sub-service, kind of subject) the catalog allows."""
    return [(section.code, sub.code, subject)
            for section in catalog.sections for sub in section.sub_services for subject in sub.subjects]


def registry_changes(occurred_at: datetime | None = None) -> list[dict[str, Any]]:
    """PersonLinked messages for the demo household, as the population registry publishes them."""
    at = (occurred_at or datetime(2026, 1, 1, tzinfo=UTC)).isoformat()
    return [
        {"event_id": f"demo-link-{person}", "type": "PersonLinked", "account_id": ACCOUNT, "person_id": person,
         "relation": relation, "nationality": nationality, "occurred_at": at}
        for person, (relation, nationality) in PEOPLE.items()
    ]


def registry_records() -> list[tuple[bytes, bytes]]:
    """`registry_changes()` as the (key, value) records the registry publishes to `tawasul.registry`."""
    return [(change["account_id"].encode(), json.dumps(change).encode()) for change in registry_changes()]


def subject_for(relation: str) -> str:
    if relation == "holder":
        return ACCOUNT
    return next(person for person, (kind, _) in PEOPLE.items() if kind == relation)


def attachment(kind: str, content: bytes = PDF, name: str | None = None) -> dict[str, str]:
    return {"kind": kind, "name": name or f"{kind}.pdf", "content_type": "application/pdf",
            "data_base64": base64.b64encode(content).decode()}


def description(subject_id: str, arabic: bool, n: int = 0) -> str:
    if arabic:
        return f"تعذر إكمال المعاملة إلكترونياً عبر البوابة (طلب {n}) لصاحب الرقم {subject_id}، وظهرت رسالة خطأ."
    return f"The transaction could not be completed online (request {n}) for ID {subject_id}; the portal gave an error."


def submission(n: int, plan: Plan, catalog: Catalog, portal: str | None = None) -> dict[str, Any]:
    """A valid portal submission under `plan`; `n` varies its portal (unless `portal` is given), language and
    channels and makes its id unique."""
    section, sub_service, relation = plan
    sub = catalog.sub_service(section, sub_service)
    if sub is None:
        raise LookupError(f"{section}/{sub_service} is not in catalog {catalog.version}")
    subject_id = subject_for(relation)
    arabic = n % 3 != 0
    return {
        "submission_id": f"sub-{uuid.uuid4().hex[:12]}-{n}",
        "portal": portal or ("absher" if n % 2 else "muqeem"),
        "account_id": ACCOUNT,
        "subject_id": subject_id,
        "section": section,
        "sub_service": sub_service,
        "description": description(subject_id, arabic, n),
        "attachments": [attachment(kind) for kind in sub.required_attachments],
        "language": "ar" if arabic else "en",
        "contact": {"email": f"person{n}@example.sa", "mobile": "+966500000000"},
        "channels": ["email", "sms"] if n % 2 else ["email"],
    }


async def publish_household(settings: Settings) -> None:
    """Put the demo household in the registry topic (intake applies each change once, however often it comes)."""
    producer = AIOKafkaProducer(**client_options(settings), bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for key, value in registry_records():
            await producer.send_and_wait(settings.topic(topics.REGISTRY), value, key=key)
    finally:
        await producer.stop()


async def demo(settings: IntakeSettings, count: int, portal: str | None = None, timeout_s: float = 60.0, *,
               section: str | None = None) -> None:
    """Publish `count` sample submissions as a portal would (`portal`, or absher and muqeem in turn; of `section`,
    or any), print intake's answer to each, then where routing sent each accepted one."""
    catalog = load(settings.catalog_version)
    every = [plan for plan in plans(catalog) if section in (None, plan[0])]
    if not every:
        raise LookupError(f"no section {section!r}; the sections are "
                          f"{', '.join(s.code for s in catalog.sections)}")
    bodies = {body["submission_id"]: body for body in (submission(n, random.choice(every), catalog, portal)
                                                       for n in range(count))}
    producer = AIOKafkaProducer(**client_options(settings), bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for submission_id, body in bodies.items():
            await producer.send_and_wait(
                settings.topic(topics.SUBMISSIONS), json.dumps(body, ensure_ascii=False).encode(),
                key=submission_id.encode(),
            )
            print(f"sent      {submission_id}  {body['portal']}: {body['section']} / {body['sub_service']}",
                  flush=True)
    finally:
        await producer.stop()
    deadline = asyncio.get_running_loop().time() + timeout_s
    accepted = await _follow(settings, topics.SUBMISSION_RESULTS, set(bodies), _answer, deadline)
    await _follow(settings, topics.CASE_EVENTS, accepted, _routed, deadline)


Say = Callable[[dict[str, Any]], tuple[str, str | None] | None]
"""What to print for an envelope of the awaited kind, and the case it leads to (or None to pass it by)."""


async def _follow(settings: Settings, topic: str, waiting: set[str], say: Say, deadline: float) -> set[str]:
    """Read `topic` from its start until every key in `waiting` has had its envelope `say` prints; the cases
    they lead to."""
    cases: set[str] = set()
    consumer = AIOKafkaConsumer(**client_options(settings), bootstrap_servers=settings.kafka_bootstrap,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        name = settings.topic(topic)
        partitions = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or [])]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        while waiting and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    key = record.key.decode() if record.key else ""
                    if key in waiting and (said := say(json.loads(record.value))) is not None:
                        waiting.discard(key)
                        line, case = said
                        print(line, flush=True)
                        if case:
                            cases.add(case)
    finally:
        await consumer.stop()
    for key in sorted(waiting):
        print(f"waiting   {key}: nothing on {topic} in time (is `make run` up?)")
    return cases


def _answer(envelope: dict[str, Any]) -> tuple[str, str | None]:
    data = envelope["data"]
    if envelope["type"] == "SubmissionAccepted":
        return f"accepted  {data['submission_id']}  tracking number {data['tracking_number']}", data["tracking_number"]
    reasons = "; ".join(f"{r['code']} ({r['field']})" for r in data["reasons"])
    return f"rejected  {data['submission_id']}  {reasons}", None


def _routed(envelope: dict[str, Any]) -> tuple[str, str | None] | None:
    if envelope["type"] != "Routed":
        return None
    data = envelope["data"]
    due = datetime.fromisoformat(data["due_at"]).astimezone(RIYADH).strftime("%Y-%m-%d %H:%M") \
        if data.get("due_at") else "no due time"
    return f"routed    {envelope['case_id']}  to {data['department']}, due {due} Riyadh", None
