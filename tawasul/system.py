"""The system: the four services, the port each serves HTTP on, and how a service process is started.

Everything that names a service — the command line, the supervisor's list, ports, the development setup — takes
it from here; the runtime in `services/` knows none of them. A service's code is imported when it is first asked
for, so a process running one service loads that one alone.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from services.app import Service
from services.settings import Settings

if TYPE_CHECKING:
    from casework.reference import Reference
    from services.projection import Projection


def _intake() -> Service:
    from intake.app import SERVICE

    return SERVICE


def _routing() -> Service:
    from routing.app import SERVICE

    return SERVICE


@cache
def reference() -> "Reference":
    """What casework reads but does not own: routing's departments and business calendar, intake's catalog of
    sections and sub-services."""
    from casework.reference import Reference
    from intake.catalog import load as catalog
    from intake.settings import IntakeSettings
    from routing.rules import load as rules
    from routing.settings import RoutingSettings
    from routing.sla import load_calendar

    def names(item) -> dict[str, str]:
        return {"ar": item.name_ar, "en": item.name_en}

    sections = catalog(IntakeSettings.model_fields["catalog_version"].default)
    return Reference(
        departments={department.code: names(department)
                     for department in rules(RoutingSettings.model_fields["rules_version"].default).departments},
        sections={section.code: names(section) for section in sections.sections},
        sub_services={(section.code, sub.code): names(sub) for section in sections.sections
                      for sub in section.sub_services},
        attachment_kinds={kind.code: names(kind) for kind in sections.attachment_kinds},
        calendar=load_calendar())


@cache
def _casework() -> Service:
    from casework.app import service

    return service(reference(), projections=projections)


def _notify() -> Service:
    from notify.app import SERVICE

    return SERVICE


@dataclass(frozen=True)
class Part:
    load: Callable[[], Service]
    port: int
    """Where the service serves HTTP unless `TAWASUL_HTTP_PORT` says otherwise."""

    @property
    def service(self) -> Service:
        return self.load()


PARTS: dict[str, Part] = {
    "intake": Part(_intake, 8081),
    "routing": Part(_routing, 8082),
    "casework": Part(_casework, 8080),
    "notify": Part(_notify, 8083),
}
"""The services in the order they start."""

NAMES = tuple(PARTS)


def service(name: str) -> Service:
    return PARTS[name].service


@cache
def projections() -> dict[str, list["Projection"]]:
    """Every service's read models (its projections), by service: what a case's history is folded through to say
    what each service's read models said of it at a moment (`tawasul audit history --as-of`, and casework's
    auditor's page, which is handed this function and calls it when first asked)."""
    return {name: service(name).projections() for name in NAMES}


def ports() -> dict[str, int]:
    return {name: part.port for name, part in PARTS.items()}


def port_of(name: str, settings: Settings) -> int:
    """Where `name` serves HTTP in this process: `TAWASUL_HTTP_PORT`, else its own port."""
    return settings.http_port or PARTS[name].port


def command(name: str) -> list[str]:
    """How `tawasul up` (and the tests) start one service as a process of its own."""
    return [sys.executable, "-m", "tawasul", "run", name]
