"""`tawasul audit …`: what an auditor checks on their own — every service's store, event by event, and its Merkle
tree against the signed checkpoints they kept (README: Audit)."""

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from tawasul import system


def add_parsers(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="check the stores: every event's hash, its stream's chain, the "
                                "store's Merkle tree and its signed checkpoints")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="recompute every stored event's hashes and the store's tree; name "
                                "the first broken link and exit 1")
    verify.add_argument("service", nargs="?", choices=system.NAMES, help="one service (default: all four)")
    verify.add_argument("--checkpoint", type=Path, help="a checkpoint saved earlier (`audit checkpoint`): prove "
                        "the store only grew since")
    checkpoint = actions.add_parser("checkpoint", help="print the latest signed checkpoint of a service's store, "
                                    "to keep outside the system")
    checkpoint.add_argument("service", choices=system.NAMES)
    prove = actions.add_parser("prove", help="print the inclusion proof of a stored event in its store's tree")
    prove.add_argument("event_id")
    prove.add_argument("--service", choices=system.NAMES, help="the store to look in (default: each in turn)")
    history = actions.add_parser("history", help="a case's whole history across the four services (and, with "
                                 "--as-of, what each service's read models said of it then)")
    history.add_argument("tracking_number")
    history.add_argument("--as-of", type=_moment, help="an ISO 8601 time (Asia/Riyadh unless it says otherwise)")
    history.add_argument("--format", choices=("text", "json", "csv"), default="text")
    reconcile = actions.add_parser("reconcile", help="compare tawasul.case-events with every store: each stored "
                                   "event on the topic with the same hash, nothing on the topic its producer lacks")
    reconcile.add_argument("--republish", action="store_true", help="queue what the topic lacks for each "
                           "service's relay again, in the store's order")
    grown = actions.add_parser("consistency", help="print the proof that a service's store only grew since a "
                               "checkpoint saved earlier, up to its latest checkpoint")
    grown.add_argument("checkpoint", type=Path)


def run(args: argparse.Namespace) -> None:
    if args.audit_command == "verify":
        sys.exit(asyncio.run(verify(args.service, args.checkpoint)))
    if args.audit_command == "checkpoint":
        sys.exit(asyncio.run(latest_checkpoint(args.service)))
    if args.audit_command == "history":
        sys.exit(asyncio.run(history(args.tracking_number, args.as_of, args.format)))
    if args.audit_command == "reconcile":
        sys.exit(asyncio.run(reconcile(args.republish)))
    if args.audit_command == "consistency":
        sys.exit(asyncio.run(consistency(args.checkpoint)))
    sys.exit(asyncio.run(prove(args.event_id, args.service)))


def _moment(value: str) -> datetime:
    from casework.history import moment

    return moment(value)


async def history(case_id: str, moment: datetime | None, fmt: str) -> int:
    from contextlib import AsyncExitStack

    from tawasul.history import as_csv, as_document, as_of, as_text, read_case, up_to

    async with AsyncExitStack() as stack:
        databases = {name: await stack.enter_async_context(database(name)) for name in system.NAMES}
        entries = await read_case(case_id, databases)
    if not entries:
        print(f"no service stores an event of {case_id}", file=sys.stderr)
        return 1
    shown = up_to(entries, moment)
    said = as_of(entries, moment, case_id) if moment is not None else None
    if fmt == "json":
        print(json.dumps(as_document(case_id, entries, moment, said), indent=2, ensure_ascii=False, default=str))
    elif fmt == "csv":
        print(as_csv(shown), end="")
    else:
        print(as_text(shown))
        for model, row in (said or {}).items():
            print(f"as of {moment.isoformat()}: {model}: " + ", ".join(f"{k}={v}" for k, v in row.items()))
    return 0


async def reconcile(again: bool) -> int:
    from contextlib import AsyncExitStack

    from services.reconcile import STORED_TOPICS, reconcile
    from services.settings import Settings
    from services.supervisor import beside_running

    async with AsyncExitStack() as stack:
        databases = {name: await stack.enter_async_context(database(name)) for name in system.NAMES}
        result = await reconcile(beside_running(Settings()), databases, again=again)
    print(f"{result.stored} events stored, {result.published} on {', '.join(STORED_TOPICS)}")
    for name, positions in result.missing.items():
        if positions:
            print(f"{name}: {len(positions)} stored events are not on the topic"
                  + (f"; {result.queued.get(name, 0)} queued for its relay again" if again
                     else " (--republish queues them)"))
    for event_id in result.differing:
        print(f"DIFFERS: event {event_id} is on the topic with other content than its store holds")
    for event_id in result.unknown:
        print(f"UNKNOWN: event {event_id} is on the topic but not in the store of the producer it names")
    if result.agree:
        print("the log and the stores agree")
        return 0
    return 0 if again and not (result.differing or result.unknown) else 1


def database(name: str):
    """Sessions on `name`'s database, as a command run beside the system opens it."""
    from services.app import service_database
    from services.supervisor import beside_running

    service = system.service(name)
    return service_database(service, beside_running(service.settings()))


async def verify(only: str | None, saved: Path | None) -> int:
    from services.audit import against, read_tree, verify_chains
    from services.sealer import Checkpoint

    kept = Checkpoint.of_json(json.loads(saved.read_text())) if saved else None
    if kept is not None and only is None:
        only = kept.service
    failed = 0
    for name in [only] if only else system.NAMES:
        async with database(name) as sessions:
            chains = await verify_chains(sessions)
            tree = await read_tree(sessions)
        if chains.broken is not None:
            broken = chains.broken
            print(f"{name}: BROKEN at position {broken.position}, event {broken.event_id} (stream {broken.stream}, "
                  f"sequence {broken.sequence}): {broken.reason}")
            failed = 1
            continue
        problem = tree.problem or (against(kept, tree.leaves) if kept is not None else None)
        if problem is not None:
            print(f"{name}: BROKEN: {problem}")
            failed = 1
            continue
        since = f"; it only grew since the checkpoint of {kept.size}" if kept is not None else ""
        print(f"{name}: {chains.events} events in {chains.streams} streams, every hash and chain holds; "
              f"{len(tree.leaves)} sealed in the tree ({tree.queued} waiting){since}")
    return failed


async def latest_checkpoint(name: str) -> int:
    from sqlalchemy import text

    from services.sealer import Checkpoint

    async with database(name) as sessions, sessions() as session:
        row = (await session.execute(text("SELECT size, root_hash, signed_at, public_key, signature FROM "
                                          "merkle_checkpoints ORDER BY size DESC LIMIT 1"))).one_or_none()
    if row is None:
        print(f"{name}: no checkpoint yet (the sealer signs one every TAWASUL_SEAL_CHECKPOINT_INTERVAL_S)",
              file=sys.stderr)
        return 1
    print(json.dumps(Checkpoint(name, row.size, row.root_hash, row.signed_at, row.public_key, row.signature)
                     .as_json(), indent=2))
    return 0


async def prove(event_id: str, only: str | None) -> int:
    from sqlalchemy import text

    from services import merkle
    from services.audit import read_tree

    for name in [only] if only else system.NAMES:
        async with database(name) as sessions:
            async with sessions() as session:
                found = (await session.execute(text(
                    "SELECT e.position, e.content_hash, e.chain_hash, l.index FROM event_store AS e LEFT JOIN "
                    "merkle_leaves AS l ON l.position = e.position WHERE e.event_id::text = :id"),
                    {"id": event_id})).one_or_none()
                signed = await session.scalar(text("SELECT max(size) FROM merkle_checkpoints"))
            if found is None:
                continue
            if found.index is None:
                print(f"{name}: event {event_id} is stored but not sealed yet; try again in a moment",
                      file=sys.stderr)
                return 1
            leaves = (await read_tree(sessions)).leaves
        size = signed if signed and found.index < signed else len(leaves)
        proof = merkle.inclusion_proof(leaves[:size], found.index)
        print(json.dumps({"service": name, "event_id": event_id, "position": found.position,
                          "content_hash": found.content_hash.hex(), "chain_hash": found.chain_hash.hex(),
                          "leaf_index": found.index, "leaf_hash": leaves[found.index].hex(), "tree_size": size,
                          "root": merkle.root(leaves[:size]).hex(), "signed": size == signed,
                          "audit_path": [step.hex() for step in proof]}, indent=2))
        return 0
    print(f"no service stores an event {event_id}", file=sys.stderr)
    return 1


async def consistency(saved: Path) -> int:
    from sqlalchemy import text

    from services import merkle
    from services.audit import read_tree
    from services.sealer import Checkpoint

    kept = Checkpoint.of_json(json.loads(saved.read_text()))
    async with database(kept.service) as sessions:
        leaves = (await read_tree(sessions)).leaves
        async with sessions() as session:
            latest = await session.scalar(text("SELECT max(size) FROM merkle_checkpoints"))
    size = latest or len(leaves)
    if kept.size > size:
        print(f"{kept.service}: the store was truncated: {size} events sealed, the checkpoint saw {kept.size}",
              file=sys.stderr)
        return 1
    print(json.dumps({"service": kept.service, "first_size": kept.size, "first_root": kept.root.hex(),
                      "second_size": size, "second_root": merkle.root(leaves[:size]).hex(),
                      "proof": [step.hex() for step in merkle.consistency_proof(leaves[:size], kept.size)]},
                     indent=2))
    return 0
