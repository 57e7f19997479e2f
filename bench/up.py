"""The system as `make run` starts it — `tawasul up`, as a process of its own, on the embedded broker and database
— in a home of the benchmark's, and what its service processes hold in memory.

One setting differs from `make run`, and says so: SMS quiet hours are off, since a benchmark run after 22:00
Riyadh would otherwise measure the night's deferral. Everything else (ports, partitions, batch sizes, the local
mail and SMS providers inside the supervisor) is `make run`'s.
"""

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from tawasul import system

BENCH_ENV = {"TAWASUL_SMS_QUIET_FROM": "00:00", "TAWASUL_SMS_QUIET_UNTIL": "00:00"}


@dataclass
class Memory:
    """The largest resident set seen of each service's processes (MB), sampled while load runs."""

    peak_mb: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def sample(self, supervisor: psutil.Process) -> None:
        for child in supervisor.children(recursive=True):
            try:
                command = child.cmdline()
                rss = child.memory_info().rss / 2**20
            except psutil.Error:
                continue
            if "run" in command and command[-1] in system.NAMES:
                name = command[-1]
                self.peak_mb[name] = max(self.peak_mb[name], rss)


class Up:
    """`tawasul up` in `home`; `start()` returns once every service answers /healthz."""

    def __init__(self, home: Path, env: dict[str, str] | None = None) -> None:
        self.home = home
        self.env = {**os.environ, **BENCH_ENV, "TAWASUL_HOME": str(home), **(env or {})}
        self.proc: asyncio.subprocess.Process | None = None
        self.memory = Memory()
        self.output = home / "up.log"
        self._sampler: asyncio.Task | None = None

    async def start(self, timeout_s: float = 180) -> dict[str, str]:
        busy = [port for port in [*system.ports().values(), 9092, 2525, 8090] if _taken(port)]
        if busy:
            raise SystemExit(f"ports {busy} are taken (is `make run` running?): the benchmark starts the system "
                             "on make run's own ports; stop it first")
        self.home.mkdir(parents=True, exist_ok=True)
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tawasul", "up", env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=self.output.open("wb"), stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2) as client:
            for name, port in system.ports().items():
                while True:
                    if self.proc.returncode is not None:
                        raise SystemExit(f"tawasul up exited with {self.proc.returncode}; see {self.output}")
                    try:
                        if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{name} did not become healthy in {timeout_s} s; see {self.output}")
                    await asyncio.sleep(0.25)
        self._sampler = asyncio.create_task(self._sample())
        return json.loads((self.home / "running.json").read_text())

    async def _sample(self) -> None:
        supervisor = psutil.Process(self.proc.pid)
        while True:
            self.memory.sample(supervisor)
            await asyncio.sleep(0.5)

    async def stop(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.proc.wait(), 60)
            except TimeoutError:
                os.killpg(self.proc.pid, signal.SIGKILL)
                await self.proc.wait()


def _taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
