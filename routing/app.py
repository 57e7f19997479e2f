"""Routing: sends each submitted request to the competent department and keeps its SLA clock."""

from pathlib import Path
from typing import cast

from routing import rules
from routing.handlers import Routing
from routing.projection import CASES
from routing.settings import RoutingSettings
from routing.sla import load_calendar
from routing.timers import Timers
from services.app import Parts, Runtime, Service
from services.case_events import CaseEvents


def build(runtime: Runtime) -> Parts:
    settings = cast(RoutingSettings, runtime.settings)
    routing = Routing(rules=rules.load(settings.rules_version), calendar=load_calendar(),
                      deadlines=settings.deadlines)
    return Parts(
        subscriptions=[CaseEvents(routing.handlers(), [CASES])],
        workers=[Timers(runtime.sessions, runtime.store, routing.calendar, every_s=settings.sla_sweep_s,
                        deadlines=settings.deadlines)],
    )


SERVICE = Service(
    name="routing",
    settings=RoutingSettings,
    migrations=Path(__file__).parent / "migrations",
    build=build,
    read_models=lambda: [CaseEvents.folding(CASES)],
)
