"""The live ledger: sends each pending notification once, records every attempt, and tells the log how it went.

A round claims as many due notifications as it sends at once (`pending` → `sending`, one
transaction, `SKIP LOCKED` so several senders share the work), sends them concurrently, then
records each outcome with its event in one transaction: `NotificationSent` with the provider's id;
a temporary failure is retried with exponential backoff until `send_attempts`, then
`NotificationFailed`; a permanent one fails at once. Each notification carries one idempotency
key for all its attempts. A claim older than the lease belongs to a sender that died between
sending and recording: where the provider deduplicates it is sent again under the same key; where
it does not, it is marked `in_doubt` — counted and shown, not resent, because resending could tell
the beneficiary twice.
"""

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from opentelemetry.trace import SpanKind
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import NotificationFailed, NotificationSent
from notify import schedule
from notify.channels.base import Channel, Outgoing, PermanentFailure, Receipt, TemporaryFailure
from notify.render import TEMPLATES_VERSION, render
from notify.settings import NotifySettings
from services.eventstore import Cause, EventStore, unit_of_work
from services.tasks import stopping
from services.telemetry import tracer

log = structlog.get_logger()

CLAIM = text(
    """
    WITH due AS (
        SELECT event_id, channel FROM notifications
        WHERE status = 'pending' AND next_attempt_at <= now() AND channel = ANY(:channels)
          AND NOT (channel = 'sms' AND :quiet AND NOT (event_type = ANY(:urgent)))
        ORDER BY next_attempt_at
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE notifications AS n
    SET status = 'sending', attempts = n.attempts + 1, claimed_at = now()
    FROM due
    WHERE n.event_id = due.event_id AND n.channel = due.channel
    RETURNING n.event_id, n.channel, n.case_id, n.event_type, n.language, n.attempts
    """
)

CONTENT = text(
    """
    SELECT k.event_id, k.channel, u.data, u.correlation_id, r.email, r.mobile
    FROM unnest(CAST(:event_ids AS uuid[]), CAST(:channels AS text[])) AS k (event_id, channel)
    CROSS JOIN LATERAL (SELECT data, correlation_id, case_id FROM updates WHERE event_id = k.event_id LIMIT 1) AS u
    CROSS JOIN LATERAL (SELECT email, mobile FROM recipients WHERE case_id = u.case_id LIMIT 1) AS r
    """
)

CLAIMED = text(
    """
    INSERT INTO attempts (event_id, channel, attempt, claimed_at, started_at)
    SELECT *, now(), now() FROM unnest(CAST(:event_ids AS uuid[]), CAST(:channels AS text[]), CAST(:attempts AS int[]))
    ON CONFLICT DO NOTHING
    """
)
"""Every claimed notification is handed to its provider right after this commits (a round claims no more than
it sends at once), so a claim is also the attempt's start: after a crash, each one is in doubt."""

FINISH = text(
    """
    WITH done AS (
        SELECT * FROM unnest(CAST(:event_ids AS uuid[]), CAST(:channels AS text[]), CAST(:attempts AS int[]),
                             CAST(:statuses AS text[]), CAST(:next_attempts AS timestamptz[]),
                             CAST(:provider_ids AS text[]), CAST(:errors AS text[]), CAST(:outcomes AS text[]))
            AS d (event_id, channel, attempt, status, next_attempt_at, provider_message_id, error, outcome)
    ), recorded AS (
        UPDATE attempts AS a SET finished_at = now(), outcome = d.outcome, detail = d.error,
            provider_message_id = d.provider_message_id
        FROM done AS d WHERE a.event_id = d.event_id AND a.channel = d.channel AND a.attempt = d.attempt
    )
    UPDATE notifications AS n
    SET status = d.status, finished_at = CASE WHEN d.status = 'pending' THEN NULL ELSE now() END,
        next_attempt_at = coalesce(d.next_attempt_at, now()), provider_message_id = d.provider_message_id,
        last_error = d.error, claimed_at = NULL
    FROM done AS d
    WHERE n.event_id = d.event_id AND n.channel = d.channel AND n.status = 'sending' AND n.attempts = d.attempt
    RETURNING n.event_id, n.channel
    """
)
"""Each outcome and its attempt, in one statement. Only the claim that sent a notification may record it (a
claim recovered meanwhile is someone else's now): what it returns is what was recorded."""

ATTEMPTED = text(
    """
    UPDATE attempts SET finished_at = now(), outcome = :outcome, detail = :error,
        provider_message_id = :provider_message_id
    WHERE event_id = :event_id AND channel = :channel AND attempt = :attempt
    """
)

STALE = text(
    """
    UPDATE notifications AS n
    SET status = CASE WHEN a.started_at IS NULL OR n.channel = ANY(:resend) THEN 'pending' ELSE 'in_doubt' END,
        next_attempt_at = now(), claimed_at = NULL,
        last_error = 'the sender stopped between sending and recording'
    FROM attempts AS a
    WHERE n.status = 'sending' AND n.claimed_at < now() - make_interval(secs => :lease_s)
      AND a.event_id = n.event_id AND a.channel = n.channel AND a.attempt = n.attempts
    RETURNING n.event_id, n.channel, n.attempts, n.status, a.started_at IS NOT NULL AS started
    """
)

WAITING = text(
    """
    SELECT status, count(*) FROM notifications WHERE status = 'pending' GROUP BY status
    UNION ALL SELECT status, count(*) FROM notifications WHERE status = 'sending' GROUP BY status
    UNION ALL SELECT status, count(*) FROM notifications WHERE status = 'in_doubt' GROUP BY status
    """
)
"""The notifications not settled yet, each count read from its partial index: `/healthz` is polled every second,
and the settled ones (sent, failed) grow without end."""


class Sender:
    """The notify service's sending worker (see the module docstring)."""

    name = "sender"

    def __init__(self, sessions: async_sessionmaker[AsyncSession], store: EventStore,
                 channels: Mapping[str, Channel], settings: NotifySettings) -> None:
        self.sessions = sessions
        self.store = store
        self.channels = dict(channels)
        self.settings = settings
        self.sent = 0
        self.failed = 0
        self.retried = 0
        self.in_doubt = 0
        self.resent = 0
        """Sent again after a crash under the same key, to a provider that drops what it has seen."""

    async def run(self) -> None:
        if set(self.channels) != {"email", "sms"}:
            log.warning("sender.channel_missing", configured=sorted(self.channels),
                        note="notifications on other channels wait until one is configured")
        try:
            recovered_at = 0.0
            while not stopping():
                if time.monotonic() - recovered_at > self.settings.send_lease_s / 2:
                    await self.recover()
                    recovered_at = time.monotonic()
                if not await self.round():
                    await asyncio.sleep(self.settings.send_poll_s)
        finally:
            for channel in self.channels.values():
                await channel.close()

    async def health(self) -> dict:
        async with self.sessions() as session:
            counts = dict((await session.execute(WAITING)).tuples().all())
        return {"sent": self.sent, "failed": self.failed, "retried": self.retried, "in_doubt": self.in_doubt,
                "resent_after_crash": self.resent, "unsettled": counts, "channels": sorted(self.channels)}

    async def recover(self) -> None:
        resend = [name for name, channel in self.channels.items() if channel.deduplicates]
        async with self.sessions.begin() as session:
            stale = (await session.execute(STALE, {"resend": resend, "lease_s": self.settings.send_lease_s})).all()
            for row in stale:
                await session.execute(ATTEMPTED, dict(
                    event_id=row.event_id, channel=row.channel, attempt=row.attempts,
                    outcome="in_doubt" if row.started else "not_sent",
                    error="the sender stopped " + ("while sending" if row.started else "before sending"),
                    provider_message_id=None,
                ))
        for row in stale:
            self.in_doubt += row.status == "in_doubt"
            self.resent += row.started and row.status == "pending"
            log.warning("sender.recovered", event_id=str(row.event_id), channel=row.channel, now=row.status,
                        started=row.started)

    async def round(self) -> int:
        """Claim, send and record one batch; the number claimed."""
        now = datetime.now(UTC)
        quiet = schedule.is_quiet(now, self.settings.sms_quiet_from, self.settings.sms_quiet_until)
        async with self.sessions.begin() as session:
            claimed = (await session.execute(CLAIM, {
                "channels": sorted(self.channels), "quiet": quiet, "urgent": self.settings.sms_urgent_events,
                "limit": self.settings.send_concurrency,
            })).all()
            if not claimed:
                return 0
            keys = dict(event_ids=[r.event_id for r in claimed], channels=[r.channel for r in claimed])
            content = {(r.event_id, r.channel): r for r in (await session.execute(CONTENT, keys)).all()}
            await session.execute(CLAIMED, {**keys, "attempts": [r.attempts for r in claimed]})

        async def attempt(row: Any) -> tuple[Any, Receipt | Exception]:
            try:
                return row, await self._send(row, content.get((row.event_id, row.channel)))
            except (PermanentFailure, TemporaryFailure) as error:
                return row, error
            except Exception as error:  # noqa: BLE001 - a bug or a surprise: retried like a temporary failure
                log.exception("sender.unexpected", event_id=str(row.event_id), channel=row.channel)
                return row, TemporaryFailure(f"unexpected: {type(error).__name__}")

        outcomes = await asyncio.gather(*(attempt(row) for row in claimed))
        await self._record(outcomes, content)
        return len(claimed)

    async def _send(self, row: Any, content: Any) -> Receipt:
        if content is None:
            raise PermanentFailure("the update or its recipient is no longer known")
        to = content.email if row.channel == "email" else content.mobile
        if not to:
            raise PermanentFailure(f"no {row.channel} contact for the case")
        context = {"tracking_number": row.case_id, "department": None, "department_names": None, "due_at": None,
                   "question": None, "outcome": None, "public_reply": None, "new_due_at": None,
                   **_with_datetimes(content.data)}
        message = render(row.event_type, row.language, row.channel, context,
                         max_sms_segments=self.settings.sms_max_segments)
        outgoing = Outgoing(idempotency_key=f"{row.event_id}-{row.channel}", to=to, message=message,
                            language=row.language)
        return await self.channels[row.channel].send(outgoing)

    async def _record(self, outcomes: list[tuple[Any, Receipt | Exception]], content: Mapping) -> None:
        finished: list[dict[str, Any]] = []
        events: dict[tuple, Any] = {}
        for row, result in outcomes:
            finish = dict(event_id=row.event_id, channel=row.channel, attempt=row.attempts, next_attempt_at=None,
                          provider_message_id=None, error=None)
            if isinstance(result, Receipt):
                finish |= dict(status="sent", provider_message_id=result.provider_message_id, outcome="sent")
                events[(row.event_id, row.channel)] = NotificationSent(
                    notified_event_id=row.event_id, notified_event_type=row.event_type, channel=row.channel,
                    provider_message_id=result.provider_message_id, attempts=row.attempts,
                    templates_version=TEMPLATES_VERSION)
                self.sent += 1
            elif isinstance(result, TemporaryFailure) and row.attempts < self.settings.send_attempts:
                delay = schedule.retry_delay(row.attempts, base_s=self.settings.send_retry_base_s,
                                             cap_s=self.settings.send_retry_cap_s)
                finish |= dict(status="pending", next_attempt_at=datetime.now(UTC) + delay, error=str(result),
                               outcome="temporary")
                self.retried += 1
            else:
                permanent = isinstance(result, PermanentFailure)
                finish |= dict(status="failed", error=str(result), outcome="permanent" if permanent else "temporary")
                events[(row.event_id, row.channel)] = NotificationFailed(
                    notified_event_id=row.event_id, notified_event_type=row.event_type, channel=row.channel,
                    reason=str(result), attempts=row.attempts, permanent=permanent)
                self.failed += 1
            finished.append(finish)
            log.info("sender.attempt", event_id=str(row.event_id), channel=row.channel, attempt=row.attempts,
                     outcome=finish["outcome"], error=finish["error"])
        columns = {"event_ids": "event_id", "channels": "channel", "attempts": "attempt", "statuses": "status",
                   "next_attempts": "next_attempt_at", "provider_ids": "provider_message_id", "errors": "error",
                   "outcomes": "outcome"}
        # The round's events continue this span's trace (the updates they answer keep no trace context here).
        with tracer.start_as_current_span("notify send", kind=SpanKind.PRODUCER,
                                          attributes={"tawasul.notifications": len(finished)}):
            await self._finish(finished, columns, outcomes, events, content)

    async def _finish(self, finished: list[dict[str, Any]], columns: Mapping[str, str], outcomes: list,
                      events: Mapping[tuple, Any], content: Mapping) -> None:
        async with unit_of_work(self.sessions, self.store) as unit:
            recorded = (await unit.session.execute(FINISH, {
                name: [finish[key] for finish in finished] for name, key in columns.items()
            })).tuples().all()
            rows = {(row.event_id, row.channel): row for row, _ in outcomes}
            for key in recorded:
                if key in events:
                    row = rows[key]
                    correlation = getattr(content.get(key), "correlation_id", None)
                    await unit.emit([events[key]], key=row.case_id, case_id=row.case_id,
                                    cause=Cause(correlation_id=correlation or row.event_id, causation_id=row.event_id))


def _with_datetimes(data: Mapping[str, Any]) -> dict[str, Any]:
    """The update's data with its ISO timestamps as datetimes, as the templates format them."""
    return {key: datetime.fromisoformat(value) if key in ("due_at", "new_due_at") and value else value
            for key, value in data.items()}
