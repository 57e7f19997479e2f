"""What every channel takes, returns and raises."""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from notify.render import Language, Message


@dataclass(frozen=True)
class Outgoing:
    """One notification to send; `idempotency_key` is the same for every attempt of it (stable per event, channel)."""

    idempotency_key: str
    to: str
    message: Message
    language: Language


@dataclass(frozen=True)
class Receipt:
    """The provider's acknowledgement of one accepted message."""

    provider_message_id: str


class PermanentFailure(Exception):
    """The provider refused this message for good (bad address/number): do not retry."""


class TemporaryFailure(Exception):
    """Try again later (provider away, 4xx SMTP, 5xx/429 HTTP, timeout)."""


@runtime_checkable
class Channel(Protocol):
    """A way to reach a beneficiary; `deduplicates` when the provider honours the idempotency key."""

    name: str
    deduplicates: bool

    async def send(self, outgoing: Outgoing) -> Receipt: ...

    async def close(self) -> None: ...
