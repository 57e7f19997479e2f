"""Intake: turns portal submissions into cases with tracking numbers, answers every one, and tells
portals how their requests stand."""

from pathlib import Path
from typing import cast

from fastapi.exceptions import RequestValidationError

from contracts import PortalSubmission
from contracts.events import INTAKE
from intake import api
from intake.catalog import load
from intake.handlers import Intake, Submissions
from intake.information import InformationReply
from intake.projection import HISTORY, REQUESTS
from intake.registry import Registry
from intake.settings import IntakeSettings
from intake.storage import AttachmentStore, DatabaseStore, FileStore
from services.app import Parts, Runtime, Service
from services.case_events import CaseEvents


def store_of(settings: IntakeSettings) -> AttachmentStore:
    if settings.attachment_store == "filesystem":
        return FileStore(settings.attachments_dir or settings.home / "attachments")
    return DatabaseStore()


def build(runtime: Runtime) -> Parts:
    settings = cast(IntakeSettings, runtime.settings)
    intake = Intake(catalog=load(settings.catalog_version), store=store_of(settings), limits=settings.limits)
    return Parts(
        subscriptions=[Registry(), Submissions(intake), CaseEvents.folding(REQUESTS, HISTORY, besides=INTAKE)],
        routes=api.routes(runtime, intake, settings),
        max_body_bytes=settings.max_body_bytes,
        exception_handlers={RequestValidationError: api.rejected_request},
    )


SERVICE = Service(
    name="intake",
    settings=IntakeSettings,
    migrations=Path(__file__).parent / "migrations",
    build=build,
    read_models=lambda: [Registry(), CaseEvents.folding(REQUESTS, HISTORY)],
    documented=(PortalSubmission, InformationReply),
)
