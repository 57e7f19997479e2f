"""Routing: sends each submitted request to the competent department and keeps its SLA clock."""

from pathlib import Path

from contracts import InfoProvided, InfoRequested, RequestSubmitted, Resolved, TransferRequested
from routing.breaches import Breaches
from routing.handlers import on_info_provided, on_info_requested, on_resolved, on_submitted, on_transfer_requested
from routing.settings import RoutingSettings
from services.app import Service
from services.case_events import CaseEvents

SERVICE = Service(
    name="routing",
    migrations=Path(__file__).parent / "migrations",
    subscriptions=lambda runtime: [CaseEvents({
        RequestSubmitted: on_submitted, TransferRequested: on_transfer_requested, InfoRequested: on_info_requested,
        InfoProvided: on_info_provided, Resolved: on_resolved,
    })],
    workers=lambda runtime: [Breaches(runtime.sessions, runtime.store, every_s=RoutingSettings().sla_sweep_s)],
)
