"""`tawasul up` keeps the system alive: it restarts a lost memory-only broker (the relays republish)
and a service that stops answering."""

import asyncio
import os
import signal
import uuid
from collections import defaultdict
from contextlib import AsyncExitStack

import httpx
import pytest

from notify.local.mail import read_mailbox
from notify.local.sms import read_outbox
from notify.settings import NotifySettings
from services.app import service_database
from services.reconcile import reconcile
from services.settings import Settings
from services.supervisor import RUNNING, Supervisor, beside_running
from tawasul import demo
from tawasul import system as tawasul
from tawasul.development import development
from tests.infra import Infra, free_port
from tests.system import System, encode, envelope_of, submission, topics, wait_for

pytestmark = pytest.mark.e2e

CASES = 40


class Up:
    """A Supervisor run in this process with its own embedded broker, against the test database."""

    def __init__(self, infra, home) -> None:
        self.infra = infra
        self.home = home
        self.settings = Settings(database_url=infra.database_url, kafka_bootstrap=None,
                                 namespace="u" + uuid.uuid4().hex[:10], kafka_port=free_port(), home=home)
        self.ports = {name: free_port() for name in tawasul.NAMES}
        self.supervisor = Supervisor(self.settings, self.ports, tawasul.command, unhealthy_after=3,
                                     prepare=development(NotifySettings()))

    async def healthy(self) -> bool:
        async with httpx.AsyncClient(timeout=2) as client:
            try:
                return all([
                    (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
                    for port in self.ports.values()
                ])
            except httpx.TransportError:
                return False

    def system(self) -> System:
        """The test helpers, aimed at this supervisor's broker and namespace (they start no services)."""
        infra = Infra(self.supervisor.kafka.bootstrap, self.infra.database_url, "up")
        return System(infra, self.home, self.settings.namespace, traces=False)


@pytest.fixture
async def up(infra, tmp_path, monkeypatch):
    for name, value in {"TAWASUL_LOG_FORMAT": "json", "TAWASUL_KAFKA_SESSION_TIMEOUT_MS": "2000",
                        "TAWASUL_KAFKA_HEARTBEAT_INTERVAL_MS": "500", "TAWASUL_LOCAL_SMTP_PORT": "0",
                        "TAWASUL_LOCAL_SMS_PORT": "0", "TAWASUL_SMS_QUIET_FROM": "00:00",
                        "TAWASUL_SMS_QUIET_UNTIL": "00:00"}.items():  # no quiet hours: tests run at any hour
        monkeypatch.setenv(name, value)  # the supervisor hands its environment to the services
    up = Up(infra, tmp_path)
    running = asyncio.create_task(up.supervisor.run())
    try:
        await wait_for(up.healthy, what="all four services healthy")
        yield up
    finally:
        up.supervisor.stop()
        await running
    assert not up.supervisor.kafka.alive()
    assert not (tmp_path / RUNNING).exists()  # commands run beside it no longer find it


async def test_a_broker_that_dies_is_restarted_reconciled_and_every_read_model_complete_once(up: Up):
    beside = beside_running(Settings(home=up.home))  # what `tawasul rebuild` and `tawasul key` would use
    assert (beside.kafka_bootstrap, beside.database_url) == (up.supervisor.kafka.bootstrap, up.infra.database_url)
    system = up.system()
    first = [submission(n) for n in range(CASES)]
    await system.publish(topics.SUBMISSIONS, [encode(body) for body in first])
    await wait_for(lambda: _count(system, "routing", "cases", CASES), what="first cases routed")

    old_pid = up.supervisor.kafka.pid
    os.kill(old_pid, signal.SIGSTOP)  # frozen first: every service says it cannot reach its broker
    try:
        await wait_for(lambda: _all_say(up, "degraded: broker unreachable"), what="every service degraded")
    finally:
        os.kill(old_pid, signal.SIGCONT)
    await wait_for(lambda: _all_say(up, "ok"), what="every service ok again")
    up.supervisor.kafka._proc.kill()  # the broker dies, and its memory with it
    await wait_for(lambda: _restarted(up, old_pid), what="broker restarted")
    await wait_for(up.healthy, what="services restarted")

    second = [submission(n) for n in range(CASES, 2 * CASES)]
    await system.publish(topics.SUBMISSIONS, [encode(body) for body in second])
    await wait_for(lambda: _count(system, "routing", "cases", 2 * CASES), what="second cases routed")
    expected = sum(2 * len(body["channels"]) for body in first + second)
    await wait_for(lambda: _count(system, "notify", "notifications", expected), what="notify caught up")

    # The new broker's log holds every case again: the first ones republished from the stores.
    records = await system.read_topic(topics.CASE_EVENTS, until=4 * CASES)
    while len({envelope_of(r)["event_id"] for r in records if envelope_of(r)["type"] == "Routed"}) < 2 * CASES:
        records = await system.read_topic(topics.CASE_EVENTS, until=len(records) + 1)  # the last ones still coming
    history = defaultdict(set)
    for record in records:
        envelope = envelope_of(record)
        if not envelope["type"].startswith("Notification"):
            history[envelope["case_id"]].add((envelope["type"], envelope["event_id"]))
    assert len(history) == 2 * CASES
    assert {tuple(sorted(t for t, _ in events)) for events in history.values()} == {("RequestSubmitted", "Routed")}
    assert await system.scalar("casework", "SELECT count(*) FROM queue") == 2 * CASES
    assert await system.scalar("notify", "SELECT count(*) FROM notifications") == expected
    def received() -> int:
        return len(read_mailbox(up.home / "mail")) + len(read_outbox(up.home / "sms"))

    async def all_received():
        return received() >= expected

    await wait_for(all_received, what="every notification at the local providers")

    # The reconcile that preceded the services' restart published what the stores held and the new log lacked,
    # once: the log and the stores agree, and every read model rebuilt from the log equals the live one.
    async with AsyncExitStack() as stack:
        databases = {name: await stack.enter_async_context(service_database(
            tawasul.service(name), system.service_settings(name))) for name in tawasul.NAMES}
        agreed = await reconcile(system.service_settings("intake"), databases, again=False)
    assert agreed.agree and agreed.published == agreed.stored, agreed
    # The registry's topic is the population registry's, not ours: no store holds it, and a rebuild of intake
    # refuses to lose the links it brought until the registry has published them again.
    refused = await system.rebuild("intake", wait_s=1)
    assert not refused.swapped and refused.refused.startswith("links: the log holds fewer"), refused.refused
    await demo.publish_household(system.service_settings("intake"))
    for name in tawasul.NAMES:
        rebuilt = await system.rebuild(name)
        assert rebuilt.swapped and rebuilt.duplicates == 0, "\n".join(rebuilt.lines())
        assert all(model.live == model.tally for model in rebuilt.models), "\n".join(rebuilt.lines())
    assert received() == expected  # no one was told twice


async def test_a_service_that_stops_answering_is_restarted_and_the_flow_goes_on(up: Up):
    system = up.system()
    routing = next(child for child in up.supervisor.children if child.name == "routing")
    await wait_for(lambda: _seen_healthy(routing), what="the supervisor to see routing up")
    hung_pid = routing.proc.pid
    os.kill(hung_pid, signal.SIGSTOP)  # alive, but answering nothing: a hung process
    await system.publish(topics.SUBMISSIONS, [encode(submission(n)) for n in range(CASES)])

    await wait_for(lambda: _replaced(routing, hung_pid), what="the hung routing service replaced")
    await wait_for(lambda: _count(system, "routing", "cases", CASES), what="cases routed after the restart")
    assert await system.scalar("routing", "SELECT count(*) FROM cases") == CASES


async def _all_say(up: Up, status: str) -> bool:
    async with httpx.AsyncClient(timeout=5) as client:
        try:
            answers = [(await client.get(f"http://127.0.0.1:{port}/healthz")).json() for port in up.ports.values()]
        except httpx.TransportError:
            return False
    return all(answer["status"] == status for answer in answers)


async def _count(system, service: str, table: str, expected: int) -> bool:
    return await system.scalar(service, f"SELECT count(*) FROM {table}") >= expected


async def _restarted(up: Up, old_pid: int) -> bool:
    kafka = up.supervisor.kafka
    return kafka.alive() and kafka.pid != old_pid


async def _seen_healthy(child) -> bool:
    return child.healthy_once


async def _replaced(child, old_pid: int) -> bool:
    return child.proc.pid != old_pid and child.healthy_once
