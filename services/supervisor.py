"""`tawasul up`: embedded infrastructure plus the services as child processes, kept alive.

The embedded broker keeps its log in memory only, while the embedded database keeps its data across runs: so
before the services start, the log is reconciled with their stores (`services.reconcile`) and what the stores
hold and the log lacks is queued for their relays (the consumers' inboxes absorb what they had already applied),
and the log holds every case again, as a rebuild needs. If the broker dies it is started again, reconciled, and
every service restarted the same way.
"""

import asyncio
import ctypes
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from pathlib import Path
from typing import BinaryIO, TypeVar

import httpx
import psutil
import structlog
from sqlalchemy import text

from services import db
from services.embedded import EmbeddedKafka, EmbeddedPostgres
from services.kafka import all_topics, client_options
from services.reconcile import reconcile
from services.settings import Settings
from services.topics import ensure_topics

log = structlog.get_logger()

STOP_TIMEOUT_S = 25.0
HEALTH_TIMEOUT_S = 2.0
STARTUP_GRACE_S = 120.0
EMBEDDED_KAFKA_ENV = {"TAWASUL_KAFKA_SESSION_TIMEOUT_MS": "6000", "TAWASUL_KAFKA_HEARTBEAT_INTERVAL_MS": "1500"}
"""Short group sessions for the embedded broker, which holds every join for half the session timeout."""
RESTART_DELAY_S = 1.0


RUNNING = "running.json"
"""Where a running `tawasul up` leaves the addresses of its broker and database, for commands run beside it."""

S = TypeVar("S", bound=Settings)


def beside_running(settings: S) -> S:
    """`settings` for a command run beside a system (a rebuild, a key): the addresses the environment gives, else
    those of the `tawasul up` running on the same home; SystemExit with what to do when there are neither."""
    if settings.kafka_bootstrap and settings.database_url:
        return settings
    try:
        running = json.loads((settings.home / RUNNING).read_text())
    except (FileNotFoundError, ValueError):
        raise SystemExit("no running system found: start it with `make run` (`tawasul up`), or set "
                         "TAWASUL_KAFKA_BOOTSTRAP and TAWASUL_DATABASE_URL") from None
    return settings.model_copy(update={
        "kafka_bootstrap": settings.kafka_bootstrap or running["kafka_bootstrap"],
        "database_url": settings.database_url or running["database_url"],
    })


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if the supervisor dies, so no service is left orphaned."""
    if sys.platform == "linux":
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop_leftover(pid_file: Path) -> None:
    """Stop the broker a killed earlier `tawasul up` left behind, so it does not hold the port."""
    try:
        process = psutil.Process(int(pid_file.read_text()))
        if "tansu" in " ".join(process.cmdline()):
            log.warning("up.leftover_broker", pid=process.pid)
            process.terminate()
            process.wait(10)
    except (FileNotFoundError, ValueError, psutil.Error):
        pass


class Child:
    """One service process whose output is passed on, each line prefixed with the service's name."""

    def __init__(self, name: str, command: Sequence[str], env: dict[str, str], out: BinaryIO | None = None) -> None:
        self.name = name
        self.command = list(command)
        self.env = env
        self.out = out or sys.stdout.buffer
        self.proc: asyncio.subprocess.Process | None = None
        self.healthy_once = False
        self.failed_checks = 0
        self.started_at = 0.0
        self._pump: asyncio.Task | None = None

    async def start(self) -> None:
        env = self.env
        self.healthy_once, self.failed_checks = False, 0
        self.started_at = time.monotonic()
        self.proc = await asyncio.create_subprocess_exec(
            *self.command,
            env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
        )
        self._pump = asyncio.create_task(self._forward(self.proc.stdout))

    async def _forward(self, stream: asyncio.StreamReader) -> None:
        prefix = f"{self.name:<8} | ".encode()
        while line := await stream.readline():
            self.out.write(prefix + line)
            self.out.flush()

    @property
    def exited(self) -> bool:
        return self.proc is not None and self.proc.returncode is not None

    def kill(self) -> None:
        """SIGKILL: the crash the services must survive."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    async def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.returncode is not None:
            await self.proc.wait()
            return
        self.proc.send_signal(signal.SIGTERM)
        self.proc.send_signal(signal.SIGCONT)  # a stopped process must run to handle it
        try:
            await asyncio.wait_for(self.proc.wait(), STOP_TIMEOUT_S)
        except TimeoutError:
            log.warning("service.kill", service=self.name)
            self.proc.kill()
            await self.proc.wait()
        if self._pump is not None:
            await self._pump


Prepare = Callable[[Settings], AbstractAsyncContextManager[tuple[list[str], dict[str, str]]]]
"""Entered once the infrastructure is up, before the services start, and left after they stop; yields lines to
print and environment for the services."""


class Supervisor:
    """`ports` names the services to run and where each serves HTTP; `command(name)` is how one is started."""

    def __init__(
        self,
        settings: Settings,
        ports: Mapping[str, int],
        command: Callable[[str], Sequence[str]],
        *,
        unhealthy_after: int = 15,
        prepare: Prepare | None = None,
    ) -> None:
        self.settings = settings
        self.prepare = prepare
        self.command = command
        self.services = list(ports)
        self.ports = dict(ports)
        self.unhealthy_after = unhealthy_after
        """Failed health checks in a row (one a second) after which a service that was up is restarted."""
        self.kafka: EmbeddedKafka | None = None
        self.postgres: EmbeddedPostgres | None = None
        self.children: list[Child] = []
        self._stopping = asyncio.Event()
        self._health: httpx.AsyncClient | None = None
        """One client for every health check: a new one each time builds an SSL context, which cost this process
        a third of its time under load."""

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self._stopping.set)
        extras = AsyncExitStack()
        try:
            env = await self._infrastructure()
            notes: list[str] = []
            if self.prepare is not None:
                notes, more = await extras.enter_async_context(self.prepare(self.settings.model_copy(update={
                    "kafka_bootstrap": env["TAWASUL_KAFKA_BOOTSTRAP"], "database_url": env["TAWASUL_DATABASE_URL"],
                })))
                env = {**env, **more}
            self.children = [
                Child(name, self.command(name), {**env, "TAWASUL_HTTP_PORT": str(self.ports[name])})
                for name in self.services
            ]
            if self.kafka is not None:  # a broker of our own starts empty: what the stores hold is published again
                await self._reconcile(env)
            for child in self.children:
                await child.start()
            self._announce(env, notes)
            await self._watch(self.children)
        finally:
            await asyncio.gather(*(child.stop() for child in self.children))
            if self._health is not None:
                await self._health.aclose()
            (self.settings.home / RUNNING).unlink(missing_ok=True)
            await extras.aclose()
            if self.kafka is not None:
                await asyncio.to_thread(self.kafka.stop)
            if self.postgres is not None:
                await asyncio.to_thread(self.postgres.stop)
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
            log.info("up.stopped")

    def stop(self) -> None:
        self._stopping.set()

    async def _infrastructure(self) -> dict[str, str]:
        settings = self.settings
        settings.home.mkdir(parents=True, exist_ok=True)
        database_url = settings.database_url
        if database_url is None:
            self.postgres = EmbeddedPostgres(settings.home / "pgdata", keep=True)
            await asyncio.to_thread(self.postgres.start)
            database_url = self.postgres.url
        bootstrap = settings.kafka_bootstrap
        if bootstrap is None:
            pid_file = settings.home / "tansu.pid"
            _stop_leftover(pid_file)
            self.kafka = EmbeddedKafka(port=settings.kafka_port, log_path=settings.home / "tansu.log")
            await asyncio.to_thread(self.kafka.start)
            pid_file.write_text(str(self.kafka.pid))
            bootstrap = self.kafka.bootstrap
        await ensure_topics(bootstrap, all_topics(settings), settings.topic_partitions,
                            options=client_options(settings))
        (settings.home / RUNNING).write_text(json.dumps({"kafka_bootstrap": bootstrap, "database_url": database_url}))
        return {
            **(EMBEDDED_KAFKA_ENV if self.kafka is not None else {}),
            **os.environ,
            "TAWASUL_KAFKA_BOOTSTRAP": bootstrap,
            "TAWASUL_DATABASE_URL": database_url,
            "TAWASUL_NAMESPACE": settings.namespace,
        }

    async def _reconcile(self, env: Mapping[str, str]) -> None:
        """Compare the (empty, or shorter) log of our broker with every store, and queue what it lacks for each
        store's relay: the services publish exactly that when they start."""
        settings = self.settings.model_copy(update={"kafka_bootstrap": env["TAWASUL_KAFKA_BOOTSTRAP"],
                                                    "database_url": env["TAWASUL_DATABASE_URL"]})
        async with AsyncExitStack() as stack:
            databases = {}
            for name in self.services:
                url = settings.service_database_url(name)
                if not await asyncio.to_thread(db.database_exists, url):
                    continue  # never started: it stores nothing
                engine = db.create_engine(url, pool_size=1)
                stack.push_async_callback(engine.dispose)
                async with engine.connect() as conn:
                    if await conn.scalar(text("SELECT to_regclass('event_store')")) is None:
                        continue
                databases[name] = db.session_factory(engine)
            result = await reconcile(settings, databases, again=True)
        log.info("up.reconciled", stored=result.stored, published=result.published,
                 queued=sum(result.queued.values()), differing=len(result.differing), unknown=len(result.unknown))

    def _announce(self, env: dict[str, str], notes: list[str]) -> None:
        print(f"kafka      {env['TAWASUL_KAFKA_BOOTSTRAP']}" + ("  (embedded Tansu)" if self.kafka else ""))
        print(f"postgres   {env['TAWASUL_DATABASE_URL']}" + ("  (embedded)" if self.postgres else ""))
        for name in self.services:
            print(f"{name:<10} http://{self.settings.http_host}:{self.ports[name]}")
        for line in notes:
            print(line)
        print("Ctrl-C stops everything.", flush=True)

    async def _watch(self, children: list[Child]) -> None:
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), 1.0)
                return
            except TimeoutError:
                pass
            if self.kafka is not None and not self.kafka.alive():
                log.warning("up.broker_died", action="restart the broker, publish again what the stores hold")
                await asyncio.gather(*(child.stop() for child in children))
                await asyncio.to_thread(self.kafka.start)
                await ensure_topics(self.kafka.bootstrap, all_topics(self.settings), self.settings.topic_partitions)
                await self._reconcile(children[0].env)
                for child in children:
                    await child.start()
                continue
            for child in children:
                if child.exited:
                    log.warning("up.service_exited", service=child.name, code=child.proc.returncode)
                    await asyncio.sleep(RESTART_DELAY_S)
                    await child.start()
            await asyncio.gather(*(self._check(child) for child in children if not child.exited))

    async def _check(self, child: Child) -> None:
        """Liveness: a service that answered /healthz once and then stops answering (hung, frozen) is restarted."""
        if self._health is None:
            self._health = httpx.AsyncClient(timeout=HEALTH_TIMEOUT_S)
        try:
            response = await self._health.get(f"http://127.0.0.1:{self.ports[child.name]}/healthz")
            healthy = response.status_code == 200
        except httpx.HTTPError:
            healthy = False
        if healthy:
            child.healthy_once, child.failed_checks = True, 0
            return
        if not child.healthy_once and time.monotonic() - child.started_at < STARTUP_GRACE_S:
            return  # still starting (migrations, the first group join)
        child.failed_checks += 1
        if child.failed_checks >= self.unhealthy_after:
            log.warning("up.service_unhealthy", service=child.name, failed_checks=child.failed_checks)
            child.kill()
            await child.proc.wait()
            await child.start()
