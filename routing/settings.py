"""Routing's own settings, read from `TAWASUL_*` environment variables when the service is built."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RoutingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAWASUL_", extra="ignore")

    sla_sweep_s: float = Field(default=30.0, gt=0)
    """How often routing looks for cases past their due time."""
