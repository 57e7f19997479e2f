"""Routing's settings: the runtime's, and what routing adds (`TAWASUL_*` variables, read once per process)."""

from pydantic import Field

from routing.rules import RULES_VERSION
from services.settings import Settings


class RoutingSettings(Settings):
    sla_sweep_s: float = Field(default=30.0, gt=0)
    """How often routing looks for cases past their due time."""
    rules_version: str = RULES_VERSION
    """Which `routing/rules/<version>.json` requests are routed by."""
