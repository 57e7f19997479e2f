"""Tamper evidence over the running services: every store's chains and Merkle tree verify; an edited event, events
swapped between two cases and a truncated store are each named by `tawasul audit verify`; an inclusion proof and
a consistency proof are checked by a verifier written here from the README's description alone (it shares no code
with `services.merkle`)."""

import hashlib
import json
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from services import db
from tests.e2e.test_history import audit
from tests.e2e.test_lifecycle import submitted
from tests.system import System, wait_for

# The README's recipe, written out independently -------------------------------------------------------------


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def content_of(stream: str, envelope: dict) -> bytes:
    return sha(json.dumps({"envelope": envelope, "stream": stream}, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode())


def leaf_of(chain: bytes) -> bytes:
    return sha(b"\x00" + chain)


def parent(left: bytes, right: bytes) -> bytes:
    return sha(b"\x01" + left + right)


def included(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2, as the README cites it."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = parent(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = parent(r, p)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and r == root


def consistent(m: int, n: int, proof: list[bytes], first: bytes, second: bytes) -> bool:
    """RFC 9162 §2.1.4.2, as the README cites it."""
    if m == n:
        return not proof and first == second
    if not proof:
        return False
    if m & (m - 1) == 0:
        proof = [first, *proof]
    fn, sn = m - 1, n - 1
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = parent(c, fr), parent(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            sr = parent(sr, c)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and fr == first and sr == second


# ------------------------------------------------------------------------------------------------------------


@pytest.fixture
async def sealed(infra, tmp_path_factory):
    """A system whose sealers sign a checkpoint every second."""
    system = System(infra, tmp_path_factory.mktemp("audit"), env={"TAWASUL_SEAL_CHECKPOINT_INTERVAL_S": "1"})
    try:
        await system.start()
        yield system
    finally:
        await system.stop()


async def all_sealed(system: System) -> None:
    async def done():
        for name in ("intake", "routing", "casework", "notify"):
            waiting = await system.scalar(name, "SELECT count(*) FROM seal_queue")
            stored = await system.scalar(name, "SELECT count(*) FROM event_store")
            signed = await system.scalar(name, "SELECT coalesce(max(size), 0) FROM merkle_checkpoints")
            if waiting or signed != stored:
                return False
        return True

    await wait_for(done, timeout_s=60, what="every store sealed and checkpointed")


async def tamper(system: System, service: str, statements: list[str]) -> None:
    url = make_url(system.settings.service_database_url(service))
    async with await psycopg.AsyncConnection.connect(db.libpq_dsn(url), autocommit=True) as conn:
        for table in ("event_store", "merkle_leaves"):
            await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            for table in ("event_store", "merkle_leaves"):
                await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


async def test_the_stores_verify_and_each_kind_of_tampering_is_named(sealed: System, tmp_path: Path):
    system = sealed
    cases = await submitted(system, 3)
    (first, _), (second, _), _ = cases
    async with httpx.AsyncClient(timeout=30) as client:
        claimed = await system.act(client, second, "notes", {"note": "Called the office."})
        assert claimed.status_code == 200, claimed.text
    await all_sealed(system)
    code, out = await audit(system, "verify")
    assert code == 0, out
    assert out.count("every hash and chain holds") == 4

    # An inclusion proof, checked from the README alone: the event's content, chain, leaf, path and signed root.
    [(event_id, stream, envelope, chain)] = await system.rows("routing", (
        "SELECT event_id::text, stream, envelope, chain_hash FROM event_store WHERE type = 'Routed' AND "
        f"stream = '{first}'"))
    code, out = await audit(system, "prove", event_id, "--service", "routing")
    assert code == 0, out
    proof = json.loads(out)
    assert bytes.fromhex(proof["content_hash"]) == content_of(stream, envelope)
    assert bytes.fromhex(proof["chain_hash"]) == bytes(chain)
    assert bytes.fromhex(proof["leaf_hash"]) == leaf_of(bytes(chain)) and proof["signed"] is True
    assert included(leaf_of(bytes(chain)), proof["leaf_index"], proof["tree_size"],
                    [bytes.fromhex(step) for step in proof["audit_path"]], bytes.fromhex(proof["root"]))
    assert not included(leaf_of(bytes(32)), proof["leaf_index"], proof["tree_size"],
                        [bytes.fromhex(step) for step in proof["audit_path"]], bytes.fromhex(proof["root"]))

    # A checkpoint kept by the auditor; the store grows; the consistency proof checks from the README alone.
    code, out = await audit(system, "checkpoint", "routing")
    assert code == 0, out
    kept = tmp_path / "routing-checkpoint.json"
    kept.write_text(out)
    checkpoint = json.loads(out)
    await submitted(system, 1)
    await all_sealed(system)
    code, out = await audit(system, "consistency", str(kept))
    assert code == 0, out
    grown = json.loads(out)
    assert grown["second_size"] > checkpoint["size"] == grown["first_size"]
    assert consistent(grown["first_size"], grown["second_size"], [bytes.fromhex(p) for p in grown["proof"]],
                      bytes.fromhex(checkpoint["root"]), bytes.fromhex(grown["second_root"]))
    code, out = await audit(system, "verify", "--checkpoint", str(kept))
    assert code == 0 and "only grew since the checkpoint" in out, out
    await system.stop()  # what follows is done to the databases, as someone with the owner's rights could

    # One event edited with plain SQL: verify names exactly that event.
    [(edited_id, edited_position)] = await system.rows("casework", (
        f"SELECT event_id::text, position FROM event_store WHERE stream = '{second}' ORDER BY sequence LIMIT 1"))
    await tamper(system, "casework", [f"UPDATE event_store SET envelope = jsonb_set(envelope, '{{data,department}}', "
                                      f"'\"elsewhere\"') WHERE position = {edited_position}"])
    code, out = await audit(system, "verify", "casework")
    assert code == 1 and f"event {edited_id}" in out and "content" in out, out

    # Two cases' events swapped: verify reports it.
    rows = await system.rows("intake", "SELECT position FROM event_store WHERE type = 'RequestSubmitted' "
                                       f"AND stream IN ('{first}', '{second}') ORDER BY stream")
    one, other = (position for (position,) in rows)
    await tamper(system, "intake", [
        "UPDATE event_store AS e SET envelope = o.envelope, content_hash = o.content_hash FROM event_store AS o "
        f"WHERE (e.position, o.position) IN (({one}, {other}), ({other}, {one}))"])
    code, out = await audit(system, "verify", "intake")
    assert code == 1 and "BROKEN" in out and ("content" in out or "envelope" in out), out

    # The last events of routing's store removed, with their leaves and the tree's head rewound to match, as a
    # careful intruder would: the chains and the shortened tree hold, but the auditor's checkpoint does not.
    last = checkpoint["size"]
    await tamper(system, "routing", [
        f"DELETE FROM outbox WHERE position IN (SELECT position FROM merkle_leaves WHERE index >= {last - 1})",
        "DELETE FROM seal_queue",
        f"DELETE FROM event_store WHERE position IN (SELECT position FROM merkle_leaves WHERE index >= {last - 1})",
        f"DELETE FROM merkle_leaves WHERE index >= {last - 1}",
        "ALTER TABLE merkle_checkpoints DISABLE TRIGGER USER", "DELETE FROM merkle_checkpoints",
        "ALTER TABLE merkle_checkpoints ENABLE TRIGGER USER",
    ])
    await rewind_head(system, "routing")
    code, out = await audit(system, "verify", "--checkpoint", str(kept))
    assert code == 1 and "truncated" in out, out


async def rewind_head(system: System, service: str) -> None:
    """The tree's head recomputed over the leaves left (the intruder's last step)."""
    from services import merkle

    leaves = [bytes(leaf) for (leaf,) in await system.rows(service, "SELECT leaf_hash FROM merkle_leaves "
                                                                    "ORDER BY index")]
    frontier: list[bytes] = []
    for size, leaf_hash in enumerate(leaves):
        frontier = merkle.append(frontier, size, leaf_hash)
    url = make_url(system.settings.service_database_url(service))
    async with await psycopg.AsyncConnection.connect(db.libpq_dsn(url), autocommit=True) as conn:
        await conn.execute("UPDATE merkle_head SET size = %s, frontier = %s", (len(leaves), frontier))
