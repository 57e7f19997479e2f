"""The system: the four services, the port each serves HTTP on, and how a service process is started.

Everything that names a service — the command line, the supervisor's list, ports, the development setup — takes
it from here; the runtime in `services/` knows none of them.
"""

import sys
from dataclasses import dataclass

from casework.app import SERVICE as CASEWORK
from intake.app import SERVICE as INTAKE
from notify.app import SERVICE as NOTIFY
from routing.app import SERVICE as ROUTING
from services.app import Service
from services.settings import Settings


@dataclass(frozen=True)
class Part:
    service: Service
    port: int
    """Where the service serves HTTP unless `TAWASUL_HTTP_PORT` says otherwise."""


PARTS: dict[str, Part] = {
    part.service.name: part
    for part in (Part(INTAKE, 8081), Part(ROUTING, 8082), Part(CASEWORK, 8080), Part(NOTIFY, 8083))
}
"""The services in the order they start; a batch order is the services' own business."""

NAMES = tuple(PARTS)


def service(name: str) -> Service:
    return PARTS[name].service


def ports() -> dict[str, int]:
    return {name: part.port for name, part in PARTS.items()}


def port_of(name: str, settings: Settings) -> int:
    """Where `name` serves HTTP in this process: `TAWASUL_HTTP_PORT`, else its own port."""
    return settings.http_port or PARTS[name].port


def command(name: str) -> list[str]:
    """How `tawasul up` (and the tests) start one service as a process of its own."""
    return [sys.executable, "-m", "tawasul", "run", name]
