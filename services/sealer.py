"""The sealer: adds the store's committed events to its Merkle tree in the order they are sealed, and signs a
checkpoint of the tree (size, root, time) with the service's Ed25519 key every `checkpoint_interval_s`.

Like the relay, one sealer is active per database (an advisory lock), however many replicas run; each batch is
one transaction (leaves, head, queue), so a crash seals nothing twice and loses nothing. The signing key is the
service's own (`TAWASUL_SEAL_KEY`, base64 of the 32-byte private key, or a key file kept in the home); the public
key is in every checkpoint, and an auditor compares it with the one they were given.
"""

import asyncio
import base64
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import merkle
from services.backoff import Backoff
from services.tasks import stopping

log = structlog.get_logger()

SEAL_LOCK = 0x7A5A_0003
"""Advisory lock key: one active sealer per service database."""

NEXT_TO_SEAL = text("""
    SELECT q.position, e.chain_hash FROM (SELECT position FROM seal_queue ORDER BY position LIMIT :limit) AS q
    CROSS JOIN LATERAL (SELECT chain_hash FROM event_store WHERE position = q.position LIMIT 1) AS e
    ORDER BY q.position
""")


def statement(size: int, root: bytes, signed_at: datetime) -> bytes:
    """What a checkpoint's signature covers: `tawasul-checkpoint/v1`, the size, the root (hex) and the time
    (ISO 8601, UTC), one per line."""
    return f"tawasul-checkpoint/v1\n{size}\n{root.hex()}\n{signed_at.astimezone(UTC).isoformat()}\n".encode()


@dataclass(frozen=True)
class Checkpoint:
    service: str
    size: int
    root: bytes
    signed_at: datetime
    public_key: bytes
    signature: bytes

    def as_json(self) -> dict:
        return {"format": "tawasul-checkpoint/v1", "service": self.service, "size": self.size,
                "root": self.root.hex(), "signed_at": self.signed_at.astimezone(UTC).isoformat(),
                "public_key": self.public_key.hex(), "signature": self.signature.hex()}

    @classmethod
    def of_json(cls, document: dict) -> "Checkpoint":
        return cls(service=document["service"], size=int(document["size"]), root=bytes.fromhex(document["root"]),
                   signed_at=datetime.fromisoformat(document["signed_at"]),
                   public_key=bytes.fromhex(document["public_key"]), signature=bytes.fromhex(document["signature"]))

    def signed(self) -> bool:
        """Whether the signature is the public key's over this checkpoint's statement."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(
                self.signature, statement(self.size, self.root, self.signed_at))
        except Exception:  # noqa: BLE001 - any malformed key or signature is simply not a valid one
            return False
        return True


def signing_key(service: str, home: Path, configured: str | None) -> Ed25519PrivateKey:
    """The service's key: the configured one, else the one kept in `home/keys/SERVICE.ed25519` (made once)."""
    if configured:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(configured))
    path = home / "keys" / f"{service}.ed25519"
    if not path.exists():  # written whole under another name, then linked: a replica starting alongside reads
        path.parent.mkdir(parents=True, exist_ok=True)  # either no key or the whole of the one key
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(Ed25519PrivateKey.generate().private_bytes_raw())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the key
        finally:
            draft.unlink()
    return Ed25519PrivateKey.from_private_bytes(path.read_bytes())


class Sealer:
    name = "sealer"

    def __init__(self, *, service: str, sessions: async_sessionmaker[AsyncSession], key: Ed25519PrivateKey,
                 batch_size: int = 5000, poll_interval_s: float = 1.0, checkpoint_interval_s: float = 60.0) -> None:
        self.service = service
        self._sessions = sessions
        self._key = key
        self._public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._checkpoint_interval_s = checkpoint_interval_s
        self.sealed = 0
        self._last_checkpoint = 0.0

    async def run(self) -> None:
        backoff = Backoff()
        while not stopping():
            try:
                sealed = await self.seal_once()
                now = asyncio.get_running_loop().time()
                if now - self._last_checkpoint >= self._checkpoint_interval_s and await self.checkpoint():
                    self._last_checkpoint = now  # the next one an interval after the last signed, not tried
                backoff.reset()
            except Exception as error:  # noqa: BLE001 - the database away: wait and retry
                delay = backoff.next()
                log.warning("sealer.retry", error=repr(error), in_s=round(delay, 2))
                await asyncio.sleep(delay)
                continue
            if sealed < self._batch_size:
                await asyncio.sleep(self._poll_interval_s)

    async def seal_once(self) -> int:
        """Seal one batch of the queue, in one transaction; 0 if another sealer is active or nothing waits."""
        async with self._sessions.begin() as session:
            if not await session.scalar(select(func.pg_try_advisory_xact_lock(SEAL_LOCK))):
                return 0
            rows = (await session.execute(NEXT_TO_SEAL, {"limit": self._batch_size})).all()
            if not rows:
                return 0
            size, frontier = (await session.execute(text("SELECT size, frontier FROM merkle_head"))).one()
            frontier, leaves = list(frontier), []
            for offset, (position, chain_hash) in enumerate(rows):
                leaf_hash = merkle.leaf(chain_hash)
                frontier = merkle.append(frontier, size + offset, leaf_hash)
                leaves.append({"index": size + offset, "position": position, "leaf_hash": leaf_hash})
            await session.execute(text(  # one statement for the batch, not a round trip per leaf
                "INSERT INTO merkle_leaves (index, position, leaf_hash) SELECT * FROM unnest(CAST(:indexes AS "
                "bigint[]), CAST(:positions AS bigint[]), CAST(:hashes AS bytea[]))"),
                {"indexes": [leaf["index"] for leaf in leaves], "positions": [leaf["position"] for leaf in leaves],
                 "hashes": [leaf["leaf_hash"] for leaf in leaves]})
            await session.execute(text("UPDATE merkle_head SET size = :size, frontier = :frontier"),
                                  {"size": size + len(rows), "frontier": frontier})
            await session.execute(text("DELETE FROM seal_queue WHERE position = ANY(:positions)"),
                                  {"positions": [row.position for row in rows]})
        self.sealed += len(rows)
        return len(rows)

    async def checkpoint(self) -> Checkpoint | None:
        """A signed checkpoint of the tree as it is, unless the last one already has its size."""
        async with self._sessions.begin() as session:
            if not await session.scalar(select(func.pg_try_advisory_xact_lock(SEAL_LOCK))):
                return None
            size, frontier = (await session.execute(text("SELECT size, frontier FROM merkle_head"))).one()
            if size == 0 or await session.scalar(text("SELECT 1 FROM merkle_checkpoints WHERE size = :size"),
                                                 {"size": size}):
                return None
            root = merkle.frontier_root(list(frontier))
            signed_at = datetime.now(UTC).replace(microsecond=0)
            signature = self._key.sign(statement(size, root, signed_at))
            await session.execute(text("INSERT INTO merkle_checkpoints (size, root_hash, signed_at, public_key, "
                                       "signature) VALUES (:size, :root, :at, :key, :signature)"),
                                  {"size": size, "root": root, "at": signed_at, "key": self._public,
                                   "signature": signature})
        log.info("sealer.checkpoint", size=size)
        return Checkpoint(self.service, size, root, signed_at, self._public, signature)

    async def health(self) -> dict:
        async with self._sessions() as session:
            waiting = await session.scalar(text("SELECT count(*) FROM seal_queue"))
        return {"sealed": self.sealed, "waiting": int(waiting or 0)}
