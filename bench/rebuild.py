"""`make bench` (rebuild): how fast a service's read models are rebuilt from the log, beside a plain SELECT of the
same events.

The log is filled as the services would fill it — for each of N cases its submission, routing, a claim, a note,
the resolution and two notifications sent (seven events, ~1 KB each) on `tawasul.case-events` — and casework's
read models (the queue, the timeline, the case log: every event folds into two or three of them) are rebuilt
from it: read from the embedded broker, decoded and validated, folded, written with COPY into fresh tables. The
first rebuild fills the empty live tables (accepting the change, as after an upgrade); the timed rounds then run
the whole proven rebuild — fold, compare tallies and stores, checksum every table against its twin, swap. Beside
it, a plain `SELECT` of the same events' envelopes from a table in the same database is timed.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from contracts import (
    CaseClaimed,
    Envelope,
    NoteAdded,
    NotificationSent,
    RequestSubmitted,
    Resolved,
    Routed,
    topics,
)
from services.app import service_database
from services.kafka import all_topics, client_options
from services.rebuild import rebuild
from services.settings import Settings
from services.topics import ensure_topics
from tawasul import system
from tests import samples
from tests.infra import provide_infra


def case_events(n: int) -> list[Envelope]:
    """One case's seven events, as its four producers stamp them."""
    case_id = f"TW26{n:08d}"
    body = samples.submission(n)
    now = datetime(2026, 12, 1, 9, tzinfo=UTC) + timedelta(seconds=n)
    submitted = RequestSubmitted(submission_id=body["submission_id"], submitted_at=now, catalog_version="2026.1",
                                 **{name: body[name] for name in ("portal", "account_id", "subject_id", "section",
                                                                  "sub_service", "description", "language",
                                                                  "contact", "channels")})
    officer = "omar.officer"
    events = [
        ("intake", submitted),
        ("routing", Routed(department="passports", rule="section:saudi-passport", rules_version="2026.1",
                           due_at=now + timedelta(days=9), calendar_version="1447", sla_seconds=201600,
                           warn_at=now + timedelta(days=7))),
        ("casework", CaseClaimed(department="passports", officer_id=officer)),
        ("casework", NoteAdded(department="passports", officer_id=officer,
                               note="Checked the applicant's file with the regional office.")),
        ("casework", Resolved(department="passports", outcome="completed", public_reply="تمت معالجة طلبك",
                                 officer_id=officer)),
    ]
    correlation = uuid.uuid4()
    sequences: dict[str, int] = {}
    stamped = []
    for offset, (producer, event) in enumerate(events):
        sequences[producer] = sequences.get(producer, 0) + 1
        stamped.append(Envelope(type=event.TYPE, version=event.VERSION, case_id=case_id,
                                sequence=sequences[producer], producer=producer, correlation_id=correlation,
                                occurred_at=now + timedelta(minutes=offset), data=event.model_dump(mode="json")))
    resolved = stamped[-1]
    for sequence, channel in enumerate(("email", "sms"), start=1):
        sent = NotificationSent(notified_event_id=resolved.event_id, notified_event_type="Resolved",
                                channel=channel, provider_message_id=uuid.uuid4().hex, attempts=1,
                                templates_version="2026.1")
        stamped.append(Envelope(type=sent.TYPE, version=sent.VERSION, case_id=case_id, sequence=sequence,
                                producer="notify", correlation_id=correlation, causation_id=resolved.event_id,
                                occurred_at=resolved.occurred_at + timedelta(seconds=2),
                                data=sent.model_dump(mode="json")))
    return stamped


async def fill(settings: Settings, cases: int) -> list[Envelope]:
    producer = AIOKafkaProducer(**client_options(settings), bootstrap_servers=settings.kafka_bootstrap,
                                linger_ms=20, max_batch_size=1024 * 1024, max_request_size=8 * 1024 * 1024)
    await producer.start()
    envelopes = []
    try:
        topic = settings.topic(topics.CASE_EVENTS)
        pending = []
        for n in range(cases):
            for envelope in case_events(n):
                envelopes.append(envelope)
                pending.append(await producer.send(topic, envelope.model_dump_json().encode(),
                                                   key=envelope.case_id.encode(),
                                                   headers=[("tawasul-type", envelope.type.encode())]))
            if len(pending) > 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return envelopes


async def plain_select(sessions, envelopes: list[Envelope]) -> float:
    """Events per second a plain SELECT of the same envelopes reads (decoded into Python objects)."""
    async with sessions.begin() as session:
        await session.execute(text("DROP TABLE IF EXISTS bench_envelopes"))
        await session.execute(text("CREATE TABLE bench_envelopes (position bigserial PRIMARY KEY, envelope jsonb)"))
        raw = (await (await session.connection()).get_raw_connection()).driver_connection
        async with raw.cursor() as cursor, cursor.copy("COPY bench_envelopes (envelope) FROM STDIN") as copy:
            for envelope in envelopes:
                await copy.write_row([envelope.model_dump_json()])
    async with sessions() as session:
        started = time.perf_counter()
        rows = (await session.execute(text("SELECT envelope FROM bench_envelopes ORDER BY position"))).all()
        seconds = time.perf_counter() - started
    assert len(rows) == len(envelopes)
    return len(rows) / seconds


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, provide_infra(Path(tmp)) as infra:
        base = Settings(kafka_bootstrap=infra.kafka_bootstrap, database_url=infra.database_url,
                        namespace="bench" + uuid.uuid4().hex[:6])
        await ensure_topics(base.kafka_bootstrap, all_topics(base), base.topic_partitions)
        started = time.perf_counter()
        envelopes = await fill(base, args.cases)
        print(f"the log: {len(envelopes):,} events of {args.cases:,} cases published in "
              f"{time.perf_counter() - started:.1f} s")
        service = system.service("casework")
        settings = service.settings(**base.model_dump(include={"kafka_bootstrap", "database_url", "namespace"}))
        async with service_database(service, settings) as sessions:
            async with sessions.begin() as session:  # as if its consumer had applied them (they are not its own)
                await session.execute(text("INSERT INTO inbox (consumer, message_id) SELECT 'casework', "
                                           "unnest(CAST(:ids AS uuid[]))"),
                                      {"ids": [envelope.event_id for envelope in envelopes]})
            stores = {"casework": sessions}
            first = await rebuild(service, settings, stores, accept_changes=True, wait_s=5)
            assert first.swapped, "\n".join(first.lines())
            rates, totals = [], []
            for round_ in range(1, args.rounds + 1):
                started = time.perf_counter()
                rebuilt = await rebuild(service, settings, stores, wait_s=5)
                total = time.perf_counter() - started
                assert rebuilt.swapped, "\n".join(rebuilt.lines())
                rates.append(rebuilt.messages / rebuilt.seconds)
                totals.append(rebuilt.messages / total)
                print(f"round {round_}: {rebuilt.messages:,} events read and folded in {rebuilt.folding_seconds:.2f} s "
                      f"into {', '.join(model.name for model in rebuilt.models)}, written by {rebuilt.seconds:.2f} s "
                      f"({rates[-1]:,.0f}/s); proven and swapped in {total:.2f} s ({totals[-1]:,.0f}/s)")
            selected = statistics.median([await plain_select(sessions, envelopes) for _ in range(args.rounds)])
        rate = statistics.median(rates)
        print(f"rebuild, medians of {args.rounds} rounds: {rate:,.0f} events/s read, folded and written "
              f"({statistics.median(totals):,.0f}/s with the proof and the swap); a plain SELECT of the same "
              f"events reads {selected:,.0f}/s: the rebuild runs at {rate / selected:.0%} of it")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
