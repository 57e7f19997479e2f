"""Casework: the officers' queue of routed cases, and what officers do to them."""

from pathlib import Path

from casework import api
from casework.projection import QUEUE
from contracts.events import CASEWORK
from services.app import Parts, Runtime, Service
from services.case_events import CaseEvents


def build(runtime: Runtime) -> Parts:
    # An officer's own events are folded as they are emitted (`handlers.act`).
    return Parts(subscriptions=[CaseEvents.folding(QUEUE, besides=CASEWORK)], routes=api.routes(runtime))


SERVICE = Service(
    name="casework",
    migrations=Path(__file__).parent / "migrations",
    build=build,
    read_models=lambda: [CaseEvents.folding(QUEUE)],
)
