"""What each read model has applied: how many events, and a digest of which.

Every transaction that folds facts into a read model adds a row to `read_model_tally`: the number of facts it
applied and the sum of their weights, a weight being the first 128 bits of SHA-256 over a fixed prefix and the
fact's id. The read model's tally is the sum of its rows — its count, and its digest modulo 2¹²⁸. A sum is a
multiset hash: it does not depend on the order in which events were applied (the live consumer and a rebuild
interleave partitions differently) and is cheap to extend, while two different sets of applied events give the
same digest with negligible chance. The rows are only ever inserted, so concurrent writers never wait on each
other for it; reading a tally folds its rows into one.

A rebuild computes the same tally over what it folds from the log, and swaps its tables in only where the two
agree (`services.rebuild`).
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

PREFIX = b"tawasul-applied/v1\x00"
MODULUS = 1 << 128

_RECORD = text("INSERT INTO read_model_tally (projection, applied, digest) VALUES (:projection, :applied, :digest)")
_COMPACT = text(
    """
    WITH gone AS (DELETE FROM read_model_tally WHERE projection = ANY(:names) RETURNING projection, applied, digest)
    INSERT INTO read_model_tally (projection, applied, digest)
    SELECT projection, sum(applied), sum(digest) % (2::numeric ^ 128) FROM gone GROUP BY projection
    RETURNING projection, applied, digest
    """
)


def weight(fact_id: UUID) -> int:
    return int.from_bytes(hashlib.sha256(PREFIX + fact_id.bytes).digest()[:16], "big")


@dataclass(frozen=True)
class Tally:
    """How many facts were applied, and the digest of their ids."""

    applied: int = 0
    digest: int = 0

    @classmethod
    def of(cls, ids: Iterable[UUID]) -> "Tally":
        applied = total = 0
        for fact_id in ids:
            applied += 1
            total += weight(fact_id)
        return cls(applied, total % MODULUS)

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.applied + other.applied, (self.digest + other.digest) % MODULUS)

    @property
    def hex(self) -> str:
        return f"{self.digest:032x}"

    def __str__(self) -> str:
        return f"{self.applied} applied, digest {self.hex}"


async def record(session: AsyncSession, projection: str, ids: Sequence[UUID]) -> None:
    """Count `ids` as applied to `projection` in `session`'s transaction."""
    if ids:
        tally = Tally.of(ids)
        await session.execute(_RECORD, {"projection": projection, "applied": tally.applied, "digest": tally.digest})


async def replace(session: AsyncSession, projection: str, total: Tally) -> None:
    """Make `total` the tally of `projection` (a rebuilt read model swapped in with its own)."""
    await session.execute(text("DELETE FROM read_model_tally WHERE projection = :projection"),
                          {"projection": projection})
    if total.applied:
        await session.execute(_RECORD, {"projection": projection, "applied": total.applied, "digest": total.digest})


async def read(session: AsyncSession, names: Sequence[str]) -> dict[str, Tally]:
    """The tally of each named read model (folding its rows into one as it reads them)."""
    rows = (await session.execute(_COMPACT, {"names": list(names)})).all()
    found = {name: Tally(int(applied), int(digest)) for name, applied, digest in rows}
    return {name: found.get(name, Tally()) for name in names}
