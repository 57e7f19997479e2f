"""A subscription to the case log that hands each wanted event type to its handler.

Handlers take runs: every maximal run of consecutive events of one type in a batch goes to the
type's handler in one call, in log order, so a handler can apply a run with set-based SQL while
each case still sees its events in the order they happened.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from itertools import groupby
from typing import Any

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from contracts import EVENTS, PRODUCERS, Envelope, Event, UnknownEventType, decode_event, topics
from contracts.envelope import TYPE_HEADER
from services.consumer import Incoming, Poison, Subscription, validation_reason
from services.eventstore import Cause, Unit
from services.projection import CaseFact, Projection, apply_all

Handler = Callable[[Unit, Sequence[tuple[Envelope, Any]]], Awaitable[None]]
"""Applies a run of (envelope, event) pairs of one type, in order."""


class CaseEvents(Subscription):
    """Consumes `tawasul.case-events`; event types without a handler are skipped without a trace. An event that
    does not come from the service the contracts say emits its type is dead-lettered, never applied."""

    topic = topics.CASE_EVENTS

    def __init__(self, handlers: Mapping[type[Event], Handler], projections: Sequence[Projection] = ()) -> None:
        self._handlers = {event.TYPE: handler for event, handler in handlers.items()}
        self.projections = tuple(projections)

    @property
    def handled(self) -> list[str]:
        """The event types this subscription takes, in the order of the contracts."""
        return [model.TYPE for model in EVENTS.values() if model.TYPE in self._handlers]

    @classmethod
    def folding(cls, *projections: Projection[CaseFact], besides: str | None = None,
                deciding: Mapping[type[Event], Handler] | None = None) -> "CaseEvents":
        """Every event type these read models fold, folded into them and nothing else (a rebuild's subscription);
        `besides` a service, the event types it emits are left out (it folds them as it emits them). `deciding`:
        handlers that take the place of the fold for their types (and fold as they decide)."""
        types = set().union(*(projection.types for projection in projections))

        async def fold(unit: Unit, run: Sequence[CaseFact]) -> None:
            await apply_all(unit.session, projections, run)

        events = {model for model in EVENTS.values() if model.TYPE in types and model.PRODUCER != besides}
        return cls({**dict.fromkeys(events, fold), **(deciding or {})}, projections)

    def decode(self, record: ConsumerRecord) -> Incoming | None:
        named = next((value for name, value in record.headers or () if name == TYPE_HEADER), None)
        if named is not None and named.decode(errors="replace") not in self._handlers:
            return None  # not for this service: skipped without parsing the body
        try:
            envelope = Envelope.model_validate_json(record.value or b"")
        except ValidationError as error:
            raise Poison(f"not an event envelope: {validation_reason(error)}") from error
        if envelope.type not in self._handlers:
            return None
        if (owner := PRODUCERS.get(envelope.type)) != envelope.producer:
            raise Poison(f"{envelope.type} is emitted by {owner} alone, not by {envelope.producer!r}")
        try:
            event = decode_event(envelope)
        except UnknownEventType as error:
            raise Poison(str(error)) from error
        except ValidationError as error:
            raise Poison(f"{envelope.type} v{envelope.version}: {validation_reason(error)}") from error
        return Incoming(
            record=record,
            message_id=envelope.event_id,
            body=(envelope, event),
            cause=Cause.following(envelope),
        )

    async def handle(self, unit: Unit, incoming: Incoming) -> None:
        await self.handle_batch(unit, [incoming])

    async def handle_batch(self, unit: Unit, items: Sequence[Incoming]) -> None:
        for type_, run in groupby(items, key=lambda item: item.body[0].type):
            await self._handlers[type_](unit, [item.body for item in run])
