"""Routing: sends each submitted request to the competent department."""

from pathlib import Path

from contracts import RequestSubmitted, Resolved
from routing.handlers import on_resolved, on_submitted
from services.app import Service
from services.case_events import CaseEvents

SERVICE = Service(
    name="routing",
    migrations=Path(__file__).parent / "migrations",
    subscriptions=lambda runtime: [CaseEvents({RequestSubmitted: on_submitted, Resolved: on_resolved})],
)
