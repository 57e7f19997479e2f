"""SMS through a provider's JSON HTTP API: one POST per message, the idempotency key in body and header."""

from collections.abc import Mapping
from types import MappingProxyType

import httpx
import structlog

from notify.channels.base import Outgoing, PermanentFailure, Receipt, TemporaryFailure

log = structlog.get_logger()

OUR_FIELDS = ("to", "text", "sender", "idempotency_key")
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
"""Client errors worth retrying: timeout, a conflicting request still in flight, too early, rate limited."""


class HttpSmsChannel:
    """A generic JSON POST adapter; `fields` renames our fields to the provider's (identity by default)."""

    name = "sms"

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        auth_header: str = "Authorization",
        auth_scheme: str = "Bearer",
        sender_id: str = "Tawasul",
        fields: Mapping[str, str] | None = None,
        id_field: str = "message_id",
        timeout_s: float = 10,
        deduplicates: bool = True,
    ) -> None:
        unknown = set(fields or {}) - set(OUR_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}; ours are {list(OUR_FIELDS)}")
        self.url = url
        self.sender_id = sender_id
        self.fields = MappingProxyType({**{name: name for name in OUR_FIELDS}, **(fields or {})})
        self.id_field = id_field
        self.deduplicates = deduplicates
        headers = {auth_header: f"{auth_scheme} {token}" if auth_scheme else token} if token else {}
        self._client = httpx.AsyncClient(headers=headers, timeout=timeout_s)

    def payload(self, outgoing: Outgoing) -> dict[str, str]:
        """The JSON body the provider receives for `outgoing`, under its field names."""
        ours = {
            "to": outgoing.to,
            "text": outgoing.message.text,
            "sender": self.sender_id,
            "idempotency_key": outgoing.idempotency_key,
        }
        return {self.fields[name]: value for name, value in ours.items()}

    async def send(self, outgoing: Outgoing) -> Receipt:
        key = outgoing.idempotency_key
        try:
            response = await self._client.post(
                self.url, json=self.payload(outgoing), headers={"Idempotency-Key": key}
            )
        except httpx.HTTPError as exc:
            log.warning("sms.unavailable", idempotency_key=key, error=type(exc).__name__)
            raise TemporaryFailure(f"SMS provider unavailable: {type(exc).__name__}") from None
        status = response.status_code
        if 200 <= status < 300:
            try:
                return Receipt(provider_message_id=str(response.json()[self.id_field]))
            except (ValueError, TypeError, KeyError, IndexError):
                log.warning("sms.no_message_id", idempotency_key=key, status=status)
                raise TemporaryFailure(f"HTTP {status} without {self.id_field!r}") from None
        log.warning("sms.refused", idempotency_key=key, status=status)
        if 400 <= status < 500 and status not in RETRYABLE_4XX:
            raise PermanentFailure(f"HTTP {status}")
        raise TemporaryFailure(f"HTTP {status}")

    async def close(self) -> None:
        await self._client.aclose()
