"""Routing's settings: the runtime's, and what routing adds (`TAWASUL_*` variables, read once per process)."""

from pydantic import Field

from routing.domain import Deadlines
from routing.rules import RULES_VERSION
from services.settings import Settings


class RoutingSettings(Settings):
    sla_sweep_s: float = Field(default=30.0, gt=0)
    """How often routing looks for deadlines that have passed (warnings, breaches, unanswered questions)."""
    sla_warning_share: float = Field(default=0.8, gt=0, lt=1)
    """The share of a case's working time after which its department is warned (`SlaWarning`)."""
    answer_working_days: int = Field(default=10, ge=1)
    """Working days a beneficiary has to answer an information request before the case is closed unanswered."""
    rules_version: str = RULES_VERSION
    """Which `routing/rules/<version>.json` requests are routed by."""

    @property
    def deadlines(self) -> Deadlines:
        return Deadlines(warning_share=self.sla_warning_share, answer_working_days=self.answer_working_days)
