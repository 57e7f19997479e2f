"""Casework: the officers' queue of routed cases, and resolving them."""

from pathlib import Path

from casework import api
from casework.handlers import on_routed, on_submitted
from contracts import RequestSubmitted, Routed
from services.app import Service
from services.case_events import CaseEvents

SERVICE = Service(
    name="casework",
    migrations=Path(__file__).parent / "migrations",
    subscriptions=lambda runtime: [CaseEvents({RequestSubmitted: on_submitted, Routed: on_routed})],
    routes=api.routes,
)
