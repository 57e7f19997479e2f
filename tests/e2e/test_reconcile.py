"""The case log reconciled with the stores (`tawasul audit reconcile`): they agree after a normal run; an event a
store holds but the topic lacks is found and, with `--republish`, published again by its relay; a forged event on
the topic is named as unknown to the store of the producer it claims."""

import uuid

import psycopg
from sqlalchemy.engine import make_url

from contracts import Envelope, Routed, topics
from services import db
from services.eventstore import Cause, EventStore
from tests.e2e.test_history import audit
from tests.e2e.test_lifecycle import submitted
from tests.system import System, wait_for


async def test_the_log_and_the_stores_agree_and_a_gap_or_a_forgery_is_found(system: System):
    [(case_id, department)] = await submitted(system, 1)

    async def agreeing() -> bool:
        code, out = await audit(system, "reconcile")
        return code == 0 and "the log and the stores agree" in out

    await wait_for(agreeing, timeout_s=60, what="the log and the stores agreeing")

    # An event routing stored but never queued for its relay (its outbox trigger lifted meanwhile).
    await system.children["routing"].stop()
    url = make_url(system.settings.service_database_url("routing"))
    async with await psycopg.AsyncConnection.connect(db.libpq_dsn(url), autocommit=True) as conn:
        await conn.execute("ALTER TABLE event_store DISABLE TRIGGER event_store_enqueue")
    store = EventStore(producer="routing")
    from services.app import service_database
    from tawasul import system as composition

    async with service_database(composition.service("routing"), system.service_settings("routing")) as sessions:
        async with sessions.begin() as session:
            head = await store.version(session, case_id)
            [lost] = await store.append(session, [Routed(department=department, rule="again", rules_version="x")],
                                        key=case_id, case_id=case_id, cause=Cause(uuid.uuid4()),
                                        expected_version=head)
    async with await psycopg.AsyncConnection.connect(db.libpq_dsn(url), autocommit=True) as conn:
        await conn.execute("ALTER TABLE event_store ENABLE TRIGGER event_store_enqueue")
    code, out = await audit(system, "reconcile")
    assert code == 1 and "routing: 1 stored events are not on the topic" in out, out
    code, out = await audit(system, "reconcile", "--republish")
    assert code == 0 and "1 queued for its relay again" in out, out
    await system.start(["routing"])

    await wait_for(agreeing, timeout_s=60, what="the lost event published again")

    # A forged event on the topic, claiming to be routing's.
    forged = Envelope(type="Routed", version=1, case_id=case_id, sequence=99, producer="routing",
                      correlation_id=uuid.uuid4(), data=Routed(department="elsewhere", rule="forged",
                                                              rules_version="x").model_dump(mode="json"))
    await system.publish(topics.CASE_EVENTS, [(case_id.encode(), forged.model_dump_json().encode())])
    code, out = await audit(system, "reconcile")
    assert code == 1 and f"UNKNOWN: event {forged.event_id}" in out, out
