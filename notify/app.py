"""Notify: tells the beneficiary of every update on the channels they chose."""

from pathlib import Path

from contracts import RequestSubmitted, Resolved, Routed
from notify.handlers import on_submitted, on_update
from services.app import Service
from services.case_events import CaseEvents

SERVICE = Service(
    name="notify",
    migrations=Path(__file__).parent / "migrations",
    subscriptions=lambda runtime: [
        CaseEvents({RequestSubmitted: on_submitted, Routed: on_update, Resolved: on_update})
    ],
)
