"""Nothing personal in any log the system wrote during the e2e tests: the services' output (structlog and standard
library alike, tracebacks included), the broker's and PostgreSQL's own logs, and the dead letters' reasons.

It runs after the other e2e modules (hence its name) and greps what they left: the e-mail addresses, mobile numbers
and identity numbers the tests gave the system.
"""

import re
import uuid
from pathlib import Path

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy.engine import make_url

from contracts.topics import REASON_HEADER
from services import db
from tests import samples

pytestmark = pytest.mark.e2e

GIVEN = re.compile("|".join([
    r"[\w.+-]+@(?:example\.sa|invalid\.example)",  # every test address
    r"\+?966\s?5\d{8}", r"\b05\d{8}\b",  # mobiles
    *(re.escape(number) for number in [samples.ACCOUNT, *samples.PEOPLE, "2000000022"]),  # identity numbers
]))
NOT_LOGS = {"mail", "sms"}
"""The local providers' stores hold what was sent, addresses included, as a real provider would: not logs."""


def logs_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*.log")
            if not any(part in NOT_LOGS or part.rsplit("-", 1)[-1] in NOT_LOGS for part in path.parts)]


async def dead_letter_reasons(bootstrap: str) -> list[tuple[str, str]]:
    """(where, reason) of every dead letter on the broker, every namespace's."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.subscribe(pattern=r".*\.dlq$")
        found, idle = [], 0
        while idle < 4:  # two seconds with nothing new: every dead letter has been read
            batch = await consumer.getmany(timeout_ms=500)
            idle = 0 if batch else idle + 1
            found += [(f"{r.topic}/{r.partition}/{r.offset}", dict(r.headers).get(REASON_HEADER, b"").decode())
                      for records in batch.values() for r in records]
        return found
    finally:
        await consumer.stop()


async def test_no_log_holds_the_personal_data_the_tests_gave(infra, tmp_path_factory):
    root = tmp_path_factory.getbasetemp()
    url = make_url(infra.database_url)
    socket_dir = url.query.get("host")
    if socket_dir:  # the embedded server: make it fail on a row that holds an address, then read its log too
        scratch = url.set(drivername="postgresql+psycopg", database=f"scratch_{uuid.uuid4().hex[:8]}")
        db.ensure_database(scratch)
        with psycopg.connect(db.libpq_dsn(scratch), autocommit=True) as conn:
            conn.execute("CREATE TABLE t (email text UNIQUE)")
            conn.execute("INSERT INTO t VALUES (%s)", ("person1@example.sa",))
            with pytest.raises(psycopg.errors.UniqueViolation):
                conn.execute("INSERT INTO t VALUES (%s)", ("person1@example.sa",))
    files = logs_under(root) + ([Path(str(socket_dir)) / "log"] if socket_dir else [])
    assert any(f.name.startswith("t") and f.suffix == ".log" for f in files), "the services' logs were found"
    leaks = {}
    for path in files:
        text = path.read_text(errors="replace")
        if found := GIVEN.findall(text):
            leaks[str(path)] = sorted(set(found))[:5]

    reasons = await dead_letter_reasons(infra.kafka_bootstrap)
    leaks |= {where: sorted(set(found)) for where, reason in reasons if (found := GIVEN.findall(reason))}
    assert reasons, "the dead letters were read"
    assert leaks == {}
