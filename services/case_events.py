"""A subscription to the case log that hands each wanted event type to its handler."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from contracts import Envelope, Event, UnknownEventType, decode_event, topics
from services.consumer import Incoming, Poison, Subscription, Unit, validation_reason
from services.eventstore import Cause

Handler = Callable[[Unit, Envelope, Any], Awaitable[None]]


class CaseEvents(Subscription):
    """Consumes `tawasul.case-events`; event types without a handler are skipped without a trace."""

    topic = topics.CASE_EVENTS

    def __init__(self, handlers: Mapping[type[Event], Handler]) -> None:
        self._handlers = {event.TYPE: handler for event, handler in handlers.items()}

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def decode(self, record: ConsumerRecord) -> Incoming | None:
        try:
            envelope = Envelope.model_validate_json(record.value or b"")
        except ValidationError as error:
            raise Poison(f"not an event envelope: {validation_reason(error)}") from error
        if envelope.type not in self._handlers:
            return None
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
        envelope, event = incoming.body
        await self._handlers[envelope.type](unit, envelope, event)
