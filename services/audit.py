"""A service's store read back for an auditor: every event's hashes recomputed, stream by stream."""

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import merkle
from services.integrity import Broken, Chains, Stored
from services.sealer import Checkpoint

BATCH = 5_000


@dataclass(frozen=True)
class Verified:
    events: int
    streams: int
    broken: Broken | None


async def verify_chains(sessions: async_sessionmaker[AsyncSession]) -> Verified:
    """Every stored event's content hash and chain recomputed, in (stream, sequence) order; the first broken
    link, if any. Read in one snapshot, a batch at a time."""
    chains = Chains()
    async with sessions() as session, session.begin():
        await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        result = await session.stream(text(
            "SELECT position, event_id::text, stream, sequence, envelope, content_hash, previous_hash, chain_hash "
            "FROM event_store ORDER BY stream, sequence"), execution_options={"yield_per": BATCH})
        async for row in result:
            if (broken := chains.check(Stored(*row))) is not None:
                return Verified(events=chains.events, streams=chains.streams, broken=broken)
    return Verified(events=chains.events, streams=chains.streams, broken=None)


@dataclass(frozen=True)
class Tree:
    """The store's Merkle tree as read back: its leaves, and the first thing about it that does not hold."""

    leaves: list[bytes]
    positions: list[int]
    queued: int
    problem: str | None


async def read_tree(sessions: async_sessionmaker[AsyncSession]) -> Tree:
    """Every leaf checked against the event it seals, the head against the leaves, and every stored checkpoint
    (signature and root) against the tree; in one snapshot."""
    async with sessions() as session, session.begin():
        await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        rows = (await session.execute(text(
            "SELECT l.index, l.position, l.leaf_hash, e.chain_hash, e.event_id::text FROM merkle_leaves AS l "
            "LEFT JOIN event_store AS e ON e.position = l.position ORDER BY l.index"))).all()
        size, frontier = (await session.execute(text("SELECT size, frontier FROM merkle_head"))).one()
        stored = (await session.execute(text("SELECT size, root_hash, signed_at, public_key, signature FROM "
                                              "merkle_checkpoints ORDER BY size"))).all()
        queued = int(await session.scalar(text("SELECT count(*) FROM seal_queue")) or 0)
        events = int(await session.scalar(text("SELECT count(*) FROM event_store")) or 0)
    leaves = [row.leaf_hash for row in rows]
    positions = [row.position for row in rows]

    def tree(problem: str | None) -> Tree:
        return Tree(leaves, positions, queued, problem)

    for expected, row in enumerate(rows):
        if row.index != expected:
            return tree(f"leaf {expected} is missing from the tree")
        if row.chain_hash is None:
            return tree(f"the event at position {row.position}, sealed as leaf {row.index}, is gone from the store")
        if merkle.leaf(row.chain_hash) != row.leaf_hash:
            return tree(f"leaf {row.index} does not seal event {row.event_id} (position {row.position}) as it is")
    if size != len(leaves) or merkle.frontier_root(list(frontier)) != merkle.root(leaves):
        return tree(f"the tree's head says {size} leaves and a root the {len(leaves)} leaves do not have")
    if events != len(leaves) + queued:
        return tree(f"{events} events are stored, but {len(leaves)} are sealed and {queued} wait to be")
    for checkpoint in stored:
        signed = Checkpoint("", checkpoint.size, checkpoint.root_hash, checkpoint.signed_at, checkpoint.public_key,
                            checkpoint.signature)
        if not signed.signed():
            return tree(f"the stored checkpoint of size {checkpoint.size} is not signed by its key")
        if checkpoint.size > len(leaves) or merkle.root(leaves[:checkpoint.size]) != checkpoint.root_hash:
            return tree(f"the tree no longer has the root its checkpoint of size {checkpoint.size} signed")
    return tree(None)


def against(checkpoint: Checkpoint, leaves: list[bytes], public_key: bytes | None = None) -> str | None:
    """Why the store's tree is not a growth of the one `checkpoint` signed (None: it is, by a consistency proof
    checked as RFC 9162 says)."""
    if public_key is not None and checkpoint.public_key != public_key:
        return "the checkpoint is signed by another key than the one given"
    if not checkpoint.signed():
        return "the checkpoint's signature does not hold"
    if checkpoint.size > len(leaves):
        return (f"the store was truncated: its tree has {len(leaves)} events, the checkpoint saw "
                f"{checkpoint.size}")
    proof = merkle.consistency_proof(leaves, checkpoint.size)
    if not merkle.verify_consistency(checkpoint.size, len(leaves), proof, checkpoint.root, merkle.root(leaves)):
        return (f"the store's first {checkpoint.size} events are not those the checkpoint sealed: they were "
                "changed, removed or reordered")
    return None
