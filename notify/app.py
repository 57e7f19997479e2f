"""Notify: tells the beneficiary of every update on the channels they chose, once."""

from pathlib import Path
from typing import cast

from contracts import SlaBreached
from notify.channels.base import Channel
from notify.channels.email import SmtpChannel
from notify.channels.sms import HttpSmsChannel
from notify.handlers import Notifications
from notify.projection import RECIPIENTS, TOLD, UPDATES
from notify.sender import Sender
from notify.settings import NotifySettings
from services.app import Parts, Runtime, Service
from services.case_events import CaseEvents


def channels_of(settings: NotifySettings) -> dict[str, Channel]:
    """The channels whose provider is configured; the others' notifications wait for one."""
    channels: dict[str, Channel] = {}
    if settings.smtp_host:
        channels["email"] = SmtpChannel(
            settings.smtp_host, settings.smtp_port, sender=settings.smtp_sender, starttls=settings.smtp_starttls,
            use_tls=settings.smtp_tls, username=settings.smtp_username or None, password=settings.smtp_password or None,
            deduplicates=settings.smtp_deduplicates,
        )
    if settings.sms_gateway_url:
        channels["sms"] = HttpSmsChannel(
            settings.sms_gateway_url, token=settings.sms_gateway_token or None, sender_id=settings.sms_sender_id,
            auth_header=settings.sms_gateway_auth_header, auth_scheme=settings.sms_gateway_auth_scheme,
            fields=settings.sms_gateway_fields or None, id_field=settings.sms_gateway_id_field,
            deduplicates=settings.sms_deduplicates,
        )
    return channels


def build(runtime: Runtime) -> Parts:
    settings = cast(NotifySettings, runtime.settings)
    told = [event.TYPE for event in TOLD if event is not SlaBreached or settings.notify_sla_breaches]
    notifications = Notifications(told)
    return Parts(
        subscriptions=[CaseEvents(dict.fromkeys(TOLD, notifications.on_update), [RECIPIENTS, UPDATES])],
        workers=[Sender(runtime.sessions, runtime.store, channels_of(settings), settings)],
    )


SERVICE = Service(
    name="notify",
    settings=NotifySettings,
    migrations=Path(__file__).parent / "migrations",
    build=build,
    read_models=lambda: [CaseEvents.folding(RECIPIENTS, UPDATES)],
)
