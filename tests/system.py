"""The four services as OS processes over the test infrastructure, each in its own namespace."""

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from functools import cache
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from contracts import topics
from intake.keys import issue_keys
from notify.local.mail import LocalMailServer
from notify.local.sms import LocalSmsGateway
from services.app import service_database
from services.consumer import Poison
from services.kafka import all_topics
from services.projection import Key, Row
from services.rebuild import Rebuilt, rebuild
from services.settings import Settings
from services.supervisor import Child
from services.topics import ensure_topics
from tawasul import system
from tests import samples
from tests.infra import Infra, free_port

SERVICES = system.NAMES


class System:
    def __init__(
        self, infra: Infra, log_dir: Path, namespace: str | None = None, *, traces: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.infra = infra
        self.extra_env = env or {}
        self.namespace = namespace or "t" + uuid.uuid4().hex[:10]
        self.settings = Settings(
            kafka_bootstrap=infra.kafka_bootstrap, database_url=infra.database_url, namespace=self.namespace
        )
        self.ports = {name: free_port() for name in SERVICES}
        self.mail = LocalMailServer(log_dir / f"{self.namespace}-mail", port=0)
        self.sms = LocalSmsGateway(log_dir / f"{self.namespace}-sms", port=0)
        """The local providers notify sends to, on ports of their own choosing; started before the services."""
        self.log = (log_dir / f"{self.namespace}.log").open("ab")
        self.traces_dir = log_dir / f"{self.namespace}-traces" if traces else None
        self.children = {name: Child(name, system.command(name), {}, out=self.log) for name in SERVICES}
        self.keys: dict[str, str] = {}
        """API keys by principal: the portals `absher` and `muqeem`, and `officer-1`."""
        self.casework_keys: dict[str, str] = {}
        """Casework API keys: an officer's of each department by its code, and `auditor`'s."""
        self.session_secret = uuid.uuid4().hex

    def _env(self, name: str) -> dict[str, str]:
        return {
            **os.environ,
            "TAWASUL_KAFKA_BOOTSTRAP": self.infra.kafka_bootstrap,
            "TAWASUL_DATABASE_URL": self.infra.database_url,
            "TAWASUL_NAMESPACE": self.namespace,
            "TAWASUL_HTTP_PORT": str(self.ports[name]),
            "TAWASUL_KAFKA_SESSION_TIMEOUT_MS": "2000",
            "TAWASUL_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
            "TAWASUL_LOG_FORMAT": "json",
            "TAWASUL_SMTP_HOST": "127.0.0.1",
            "TAWASUL_SMTP_PORT": str(self.mail.port),
            "TAWASUL_SMTP_DEDUPLICATES": "true",
            "TAWASUL_SMS_GATEWAY_URL": f"http://127.0.0.1:{self.sms.port}/messages",
            "TAWASUL_SEND_LEASE_S": "3",
            "TAWASUL_SMS_QUIET_FROM": "00:00",  # no quiet hours: the tests run at any hour of Riyadh's night
            "TAWASUL_SMS_QUIET_UNTIL": "00:00",
            "TAWASUL_SEND_RETRY_BASE_S": "0.5",
            "TAWASUL_SEND_RETRY_CAP_S": "2",
            "TAWASUL_SESSION_SECRET": self.session_secret,
            "TAWASUL_INTAKE_URL": self.url("intake", ""),
            "TAWASUL_INTAKE_KEY": self.keys.get("casework", ""),
            **({"TAWASUL_TRACES_DIR": str(self.traces_dir)} if self.traces_dir else {}),
            **self.extra_env,
        }

    def topic(self, name: str) -> str:
        return self.settings.topic(name)

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    async def start(self, names: Iterable[str] = SERVICES) -> None:
        await ensure_topics(self.infra.kafka_bootstrap, all_topics(self.settings), self.settings.topic_partitions)
        if not self.keys:
            await self.mail.start()
            await self.sms.start()
            await self.publish(topics.REGISTRY, samples.registry_records())
            async with service_database(system.service("intake"), self.settings) as sessions:
                self.keys = await issue_keys(sessions, [("absher", "portal"), ("muqeem", "portal"),
                                                        ("officer-1", "officer"), ("casework", "officer")], "tests")
            for name, child in self.children.items():
                child.env = self._env(name)
            self.casework_keys = await casework_keys(self.settings)
        for name in names:
            await self.children[name].start()
        await asyncio.gather(*(self.wait_healthy(name) for name in names))

    async def wait_healthy(self, name: str, timeout_s: float = 60.0) -> dict:
        deadline = asyncio.get_running_loop().time() + timeout_s
        async with httpx.AsyncClient() as client:
            while True:
                if self.children[name].exited:
                    raise RuntimeError(f"{name} exited with {self.children[name].proc.returncode}; see {self.log.name}")
                try:
                    response = await client.get(self.url(name, "/healthz"), timeout=2)
                    if response.status_code == 200:
                        return response.json()
                except httpx.TransportError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"{name} did not become healthy; see {self.log.name}")
                await asyncio.sleep(0.2)

    def spans(self, service: str) -> list[dict]:
        """The spans a service has written so far (JSON objects as the OpenTelemetry SDK renders them)."""
        assert self.traces_dir is not None, "this system was started without trace files"
        path = self.traces_dir / f"{service}.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines() if line] if path.exists() else []

    async def health(self, name: str) -> dict:
        async with httpx.AsyncClient() as client:
            return (await client.get(self.url(name, "/healthz"), timeout=5)).json()

    async def published(self, *names: str) -> None:
        """Wait until these services' relays have put everything they stored on the log."""
        async def drained():
            return all([(await self.health(name))["relay"]["pending"] == 0 for name in names])

        await wait_for(drained, what=f"the outboxes of {', '.join(names)} drained")

    async def stop(self) -> None:
        await asyncio.gather(*(child.stop() for child in self.children.values()))
        await self.mail.stop()
        await self.sms.stop()
        self.log.close()

    async def publish(self, topic: str, messages: Iterable[tuple]) -> None:
        """Publish (key, value) or (key, value, headers) with a plain Kafka producer, as an upstream portal would."""
        producer = AIOKafkaProducer(bootstrap_servers=self.infra.kafka_bootstrap, max_request_size=32 * 2**20)
        await producer.start()
        try:
            sends = [
                await producer.send(self.topic(topic), message[1], key=message[0],
                                    headers=message[2] if len(message) > 2 else None)
                for message in messages
            ]
            await asyncio.gather(*sends)
        finally:
            await producer.stop()

    async def read_topic(self, topic: str, *, until: int, timeout_s: float = 60.0) -> list[ConsumerRecord]:
        """Every record of one of this system's topics, once at least `until` have arrived."""
        return await read_topic(self.infra.kafka_bootstrap, self.topic(topic), until, timeout=timeout_s)

    @asynccontextmanager
    async def database(self, service: str) -> AsyncIterator:
        engine = create_async_engine(self.settings.service_database_url(service))
        try:
            async with engine.connect() as conn:
                yield conn
        finally:
            await engine.dispose()

    async def scalar(self, service: str, sql: str):
        async with self.database(service) as conn:
            return (await conn.execute(text(sql))).scalar()

    async def rows(self, service: str, sql: str) -> list[tuple]:
        async with self.database(service) as conn:
            return [tuple(row) for row in (await conn.execute(text(sql))).all()]

    def service_settings(self, name: str) -> Settings:
        """The settings a command run beside `name` (a rebuild) gets in this system."""
        return system.service(name).settings(kafka_bootstrap=self.infra.kafka_bootstrap,
                                              database_url=self.infra.database_url, namespace=self.namespace)

    async def rebuild(self, name: str, settings: Settings | None = None, **options) -> Rebuilt:
        """`tawasul rebuild name` beside this system (`options`: accept_changes, wait_s)."""
        async with AsyncExitStack() as stack:
            stores = {other: await stack.enter_async_context(
                service_database(system.service(other), self.service_settings(other))) for other in SERVICES}
            return await rebuild(system.service(name), settings or self.service_settings(name), stores, **options)

    async def read_models(self, name: str) -> dict[str, dict[Key, Row]]:
        """Each of `name`'s read-model tables as it is now, row by row under its primary key."""
        tables = {}
        async with self.database(name) as conn:
            for projection in system.service(name).projections():
                keys = [column.name for column in projection.table.primary_key.columns]
                rows = (await conn.execute(text(f'SELECT * FROM "{projection.name}"'))).mappings().all()
                tables[projection.name] = {tuple(row[k] for k in keys): dict(row) for row in rows}
        return tables

    async def folded(self, name: str) -> dict[str, dict[Key, Row]]:
        """Each of `name`'s read models as its own folds make it from the whole log, in memory."""
        tables = {}
        for subscription in system.service(name).read_models():
            first: dict = {}
            for record in await self.read_topic(subscription.topic, until=1):
                try:
                    item = subscription.decode(record)
                except Poison:
                    continue  # dead-lettered: it changed nothing
                if item is not None:
                    first.setdefault(item.message_id, item.body)  # a repeat is applied once, as the inbox does
            for projection in subscription.projections:
                tables[projection.name] = projection.fold(first.values())
        return tables

    async def as_folded(self, name: str, timeout_s: float = 60.0) -> dict[str, dict[Key, Row]]:
        """`name`'s read models once they equal the log's fold (the last batch may still be applying)."""
        async def same():
            live = await self.read_models(name)
            return live if live == await self.folded(name) else None

        try:
            return await wait_for(same, timeout_s=timeout_s, every_s=0.5, what=f"{name}'s read models as folded")
        except AssertionError:
            raise AssertionError(difference(await self.read_models(name), await self.folded(name))) from None

    def officer(self, department: str = "passports") -> dict[str, str]:
        """The headers that make a request an officer's of `department` on casework's API."""
        return {"Authorization": f"Bearer {self.casework_keys[department]}"}

    def supervisor(self, department: str = "passports") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.casework_keys[f'supervisor:{department}']}"}

    def auditor(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.casework_keys['auditor']}"}

    async def case(self, client: httpx.AsyncClient, case_id: str) -> dict:
        """Casework's view of a case, as an auditor reads it."""
        response = await client.get(self.url("casework", f"/api/v1/cases/{case_id}"), headers=self.auditor())
        if response.status_code != 200:
            raise AssertionError(f"case {case_id}: {response.status_code} {response.text}")
        return response.json()

    async def act(self, client: httpx.AsyncClient, case_id: str, action: str, body: dict) -> httpx.Response:
        """`action` on a case, by an officer of the department it is with now."""
        department = (await self.case(client, case_id))["department"]
        return await client.post(self.url("casework", f"/api/v1/cases/{case_id}/{action}"), json=body,
                                 headers=self.officer(department))

    async def resolve(self, case_ids: Iterable[str]) -> None:
        """Resolve each case through casework's HTTP endpoint, as an officer of its department would."""
        async with httpx.AsyncClient(timeout=10) as client:
            for case_id in case_ids:
                response = await self.act(client, case_id, "resolve",
                                          {"outcome": "completed", "public_reply": "تمت معالجة طلبك"})
                if response.status_code != 200:
                    raise AssertionError(f"resolve {case_id}: {response.status_code} {response.text}")


@cache
def cheap_passwords():
    """Password hashing at argon2's lowest cost: these users sign in with their keys, and ~30 full-cost hashes would
    add seconds to every system a test starts."""
    from argon2 import PasswordHasher

    from casework.users import Passwords

    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


async def casework_keys(settings: Settings) -> dict[str, str]:
    """An officer and a supervisor of every department and an auditor in casework, each with an API key: the
    officers' keys by department code, the supervisors' by `supervisor:CODE`, and `auditor`'s."""
    from casework.accounts import Accounts
    from casework.credentials import Credentials
    from casework.users import User
    from tawasul.users import departments

    codes = list(departments())
    people = [User(f"officer.{n}", f"Officer {n}", "officer", code, "en") for n, code in enumerate(codes)]
    people += [User(f"supervisor.{n}", f"Supervisor {n}", "supervisor", code, "en") for n, code in enumerate(codes)]
    people.append(User("auditor", "Auditor", "auditor", None, "en"))
    async with service_database(system.service("casework"), settings) as sessions:
        accounts = Accounts(sessions, frozenset(codes), passwords=cheap_passwords())
        credentials = Credentials(sessions, absolute_s=3600)
        keys = {}
        for person in people:
            await accounts.add(person, uuid.uuid4().hex, actor="tests")
            name = {"officer": person.department, "supervisor": f"supervisor:{person.department}"}.get(person.role,
                                                                                                     person.role)
            keys[name] = await credentials.issue_key(person.username, label="tests", actor="tests")
    return keys


def difference(live: dict[str, dict[Key, Row]], folded: dict[str, dict[Key, Row]], most: int = 3) -> str:
    """Where two sets of read-model tables differ, in a few lines."""
    lines = []
    for table in sorted(live.keys() | folded.keys()):
        mine, theirs = live.get(table, {}), folded.get(table, {})
        lines += [f"{table}: only live {key}" for key in sorted(mine.keys() - theirs.keys())[:most]]
        lines += [f"{table}: only folded {key}" for key in sorted(theirs.keys() - mine.keys())[:most]]
        for key in sorted(mine.keys() & theirs.keys()):
            columns = {c for c in mine[key].keys() | theirs[key].keys() if mine[key].get(c) != theirs[key].get(c)}
            if columns:
                lines.append(f"{table} {key}: " + ", ".join(
                    f"{c} live {mine[key].get(c)!r} folded {theirs[key].get(c)!r}" for c in sorted(columns)))
                if len(lines) > 12:
                    break
    return "read models differ from the log's fold:\n" + "\n".join(lines)


async def read_topic(bootstrap: str, topic: str, at_least: int, *, timeout: float = 10) -> list[ConsumerRecord]:
    """Every record of `topic`: waits for `at_least`, then reads on to the end of every partition."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await asyncio.wait_for(consumer.start(), timeout=30)

    async def at_the_end() -> bool:
        for partition in consumer.assignment():
            end = consumer.highwater(partition)
            try:  # a position the broker is slow to give is "not yet", not a reason to hang
                if end is None or await asyncio.wait_for(consumer.position(partition), timeout=5) < end:
                    return False
            except TimeoutError:
                return False
        return bool(consumer.assignment())

    records: list[ConsumerRecord] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (len(records) < at_least or not await at_the_end()):
            for batch in (await consumer.getmany(timeout_ms=100)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    assert len(records) >= at_least, f"{len(records)} of {at_least} records reached {topic} in {timeout} s"
    return sorted(records, key=lambda record: (record.partition, record.offset))


async def wait_for(predicate, *, timeout_s: float = 120.0, every_s: float = 0.2, what: str = "condition"):
    """Poll an async predicate until it returns something truthy; fail with `what` when time is up."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} not reached within {timeout_s} s")
        await asyncio.sleep(every_s)


def envelope_of(record) -> dict:
    return json.loads(record.value)


def submission(n: int, **overrides) -> dict:
    """A valid portal submission (see `tests.samples`); `n` makes its ids unique."""
    return samples.submission(n, **overrides)


def encode(body: dict) -> tuple[bytes, bytes]:
    return body["submission_id"].encode(), json.dumps(body, ensure_ascii=False).encode()


__all__ = ["System", "encode", "envelope_of", "submission", "topics", "wait_for"]
