"""Intake: turns portal submissions into cases with tracking numbers, and answers every submission."""

from pathlib import Path

from intake.handlers import Submissions
from services.app import Service

SERVICE = Service(
    name="intake",
    migrations=Path(__file__).parent / "migrations",
    subscriptions=lambda runtime: [Submissions()],
)
