"""Casework: the officers' queue of routed cases, and resolving them."""

from pathlib import Path

from casework import api
from casework.handlers import on_info_provided, on_routed, on_sla_resumed, on_submitted
from contracts import InfoProvided, RequestSubmitted, Routed, SlaResumed
from services.app import Service
from services.case_events import CaseEvents

SERVICE = Service(
    name="casework",
    migrations=Path(__file__).parent / "migrations",
    subscriptions=lambda runtime: [CaseEvents({
        RequestSubmitted: on_submitted, Routed: on_routed, InfoProvided: on_info_provided, SlaResumed: on_sla_resumed,
    })],
    routes=api.routes,
)
