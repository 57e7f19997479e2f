"""Intake: turns portal submissions into cases with tracking numbers, answers every one, and tells
portals how their requests stand."""

from pathlib import Path

from contracts import PortalSubmission
from intake import api
from intake.handlers import Intake, Submissions
from intake.history import record_history
from intake.registry import Registry
from intake.settings import IntakeSettings
from intake.status import PUBLIC
from intake.storage import AttachmentStore, DatabaseStore, FileStore
from services.app import Runtime, Service
from services.case_events import CaseEvents


def store_of(settings: IntakeSettings) -> AttachmentStore:
    if settings.attachment_store == "filesystem":
        return FileStore(settings.attachments_dir or settings.home / "attachments")
    return DatabaseStore()


def intake_of(runtime: Runtime) -> Intake:
    settings = IntakeSettings()
    return Intake(store=store_of(settings), limits=settings.limits)


SERVICE = Service(
    name="intake",
    migrations=Path(__file__).parent / "migrations",
    subscriptions=lambda runtime: [
        Registry(),
        Submissions(intake_of(runtime)),
        CaseEvents(dict.fromkeys(PUBLIC, record_history)),
    ],
    routes=lambda runtime: api.routes(runtime, intake_of(runtime), IntakeSettings()),
    documented=(PortalSubmission,),
)
