"""A read model: a table, the key that picks a fact's row, and the pure `evolve` that applies one fact to a row.

`fold` is the computation itself, in memory: the rows a sequence of facts leads to. `apply` is the same fold
against the table inside the caller's transaction: it locks and loads the rows the facts touch, folds them, and
writes back what changed in one statement. The live consumer, a decision folding the events it has just
emitted, a rebuild from the log and a test comparing the log with the table all go through `fold`, so they
cannot disagree.

A fact is what a subscription hands its handler: an `(envelope, event)` pair from the case log, or a decoded
message of another topic. `evolve(row, fact)` returns the row after the fact as a new dict (the old one is
never changed), the row itself when the fact says nothing to this read model, and None while there is no row.
Repeated messages are the consumer's to drop (its inbox live, the rebuild's record of ids), but a fact applied
twice in a row gives what it gives once. A service folds the events it emits as it emits them and never reads
them back from the log, so each fact enters each read model once; every transaction that folds facts counts
them (by `identity`) in the read model's tally (`services.tally`), which a rebuild compares with its own.
"""

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Table, TextClause, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from contracts import Envelope, Event
from services import tally
from services.eventstore import Unit

F = TypeVar("F")
Row = dict[str, Any]
Key = tuple[Any, ...]
CaseFact = tuple[Envelope, Event]
Evolver = Callable[[Row | None, Envelope, Any], Row | None]
"""One event type's step of a case-log read model: (row, envelope, event) -> row."""


@dataclass(frozen=True, eq=False)
class Projection(Generic[F]):
    """One read-model table and how facts change it (see the module docstring)."""

    table: Table
    key: Callable[[F], Key]
    """The primary key of the row a fact concerns, in the order of the table's primary-key columns."""
    evolve: Callable[[Row | None, F], Row | None]
    identity: Callable[[F], UUID]
    """The id a fact is counted by in the read model's tally (an event's id)."""
    types: frozenset[str] = field(default=frozenset())
    """For the case log: the event types this read model folds (the others leave it as it is)."""
    takes: Callable[[F], bool] = lambda fact: True
    """Whether a fact can change this read model at all (the others are not even looked up)."""
    write_once: bool = False
    """A row, once made, never changes (its first fact decides it, and `evolve` returns it as it is): `apply`
    then inserts what the fold makes and leaves rows already there, without reading them first."""

    @property
    def name(self) -> str:
        return self.table.name

    def fold(self, facts: Iterable[F], rows: dict[Key, Row] | None = None) -> dict[Key, Row]:
        """The rows after `facts`, in order, starting from `rows` (default: none); `rows` is updated in place."""
        rows = {} if rows is None else rows
        for fact in facts:
            key = self.key(fact)
            after = self.evolve(rows.get(key), fact)
            if after is not None:
                rows[key] = after if after.keys() == self._columns.keys() else {c: after.get(c) for c in self._columns}
        return rows

    async def apply(self, session: AsyncSession, facts: Sequence[F]) -> None:
        """Fold `facts` into the table within `session`'s transaction."""
        facts = [fact for fact in facts if self.takes(fact)]
        if not facts:
            return
        if self.write_once:
            rows = [{name: row.get(name) for name in self._columns} for row in self.fold(facts).values()]
            await session.execute(self._insert_new, rows)
            await tally.record(session, self.name, [self.identity(fact) for fact in facts])
            return
        async with self.editing(session, [self.key(fact) for fact in facts]) as editing:
            editing.fold(facts)

    @asynccontextmanager
    async def editing(self, session: AsyncSession, keys: Iterable[Key]) -> AsyncIterator["Rows[F]"]:
        """The rows with these keys, locked and loaded, for a decision that reads them and folds what it
        emits as it goes; what changed is written back when the block ends."""
        wanted = sorted(set(keys))  # one lock order for every writer: no deadlocks
        before = await self.load(session, wanted)
        rows = Rows(self, set(wanted), dict(before))
        yield rows
        await self.save(session, [row for key, row in rows.rows.items() if before.get(key) != row])
        await tally.record(session, self.name, rows.applied)

    async def load(self, session: AsyncSession, keys: Sequence[Key]) -> dict[Key, Row]:
        """The rows with these keys, locked until the transaction ends."""
        if not keys:
            return {}
        columns = [column.name for column in self.table.primary_key.columns]
        params = {f"k{i}": [key[i] for key in keys] for i in range(len(columns))}
        rows = (await session.execute(self._load, params)).mappings().all()
        return {tuple(row[name] for name in columns): dict(row) for row in rows}

    async def save(self, session: AsyncSession, rows: Sequence[Row]) -> None:
        """Insert or overwrite whole rows (a column a row does not name is NULL)."""
        if rows:
            await session.execute(self._upsert, [{name: row.get(name) for name in self._columns} for row in rows])

    @cached_property
    def _columns(self) -> dict[str, None]:
        """The table's column names, in order."""
        return dict.fromkeys(column.name for column in self.table.columns)

    @cached_property
    def _load(self) -> TextClause:
        # Driven by the keys with one index lookup each, whatever a young table's statistics suggest.
        columns = list(self.table.primary_key.columns)
        dialect = postgresql.dialect()
        arrays = ", ".join(f"CAST(:k{i} AS {c.type.compile(dialect=dialect)}[])" for i, c in enumerate(columns))
        names = ", ".join(f'"{c.name}"' for c in columns)
        match = " AND ".join(f'r."{c.name}" = k."{c.name}"' for c in columns)
        return text(
            f'SELECT r.* FROM unnest({arrays}) AS k ({names}) '
            f'CROSS JOIN LATERAL (SELECT * FROM "{self.table.name}" AS r WHERE {match} LIMIT 1 FOR UPDATE) AS r'
        )

    # Both return the key they wrote, only so that SQLAlchemy sends their rows as multi-row `INSERT … VALUES`
    # statements (its "insertmanyvalues"), which it does for an `ON CONFLICT` statement only with RETURNING: five
    # times cheaper a row than psycopg's pipelined executemany (`services.db.create_engine`).
    @cached_property
    def _insert_new(self) -> Insert:
        return insert(self.table).on_conflict_do_nothing().returning(*self.table.primary_key.columns)

    @cached_property
    def _upsert(self) -> Insert:
        statement = insert(self.table)
        keys = [column.name for column in self.table.primary_key.columns]
        rest = {c.name: statement.excluded[c.name] for c in self.table.columns if c.name not in keys}
        returning = self.table.primary_key.columns
        if not rest:
            return statement.on_conflict_do_nothing().returning(*returning)
        return statement.on_conflict_do_update(index_elements=keys, set_=rest).returning(*returning)


@dataclass
class Rows(Generic[F]):
    """Rows of one projection being folded in a transaction (see `Projection.editing`)."""

    projection: Projection[F]
    keys: set[Key]
    rows: dict[Key, Row]
    applied: list[UUID] = field(default_factory=list)
    """The ids of the facts folded, for the read model's tally."""

    def get(self, key: Key) -> Row | None:
        return self.rows.get(key)

    def fold(self, facts: Iterable[F]) -> None:
        facts = list(facts)
        if stray := {self.projection.key(fact) for fact in facts} - self.keys:
            raise ValueError(f"{self.projection.name}: rows {sorted(stray)} were not loaded for this change")
        self.projection.fold(facts, self.rows)
        self.applied.extend(self.projection.identity(fact) for fact in facts if self.projection.takes(fact))


def of_the_case_log(
    table: Table, steps: Mapping[type[Event], Evolver], *, key: Callable[[Envelope], Key] | None = None,
    write_once: bool = False,
) -> Projection[CaseFact]:
    """A read model of `tawasul.case-events`: one step per event type it folds; a row per case unless `key` says
    otherwise (e.g. a row per event)."""
    by_type = {event.TYPE: step for event, step in steps.items()}
    row_key = key or (lambda envelope: (envelope.case_id,))

    def evolve(row: Row | None, fact: CaseFact) -> Row | None:
        envelope, event = fact
        step = by_type.get(envelope.type)
        return row if step is None else step(row, envelope, event)

    return Projection(table=table, key=lambda fact: row_key(fact[0]), evolve=evolve,
                      identity=lambda fact: fact[0].event_id, types=frozenset(by_type),
                      takes=lambda fact: fact[0].type in by_type, write_once=write_once)


async def emit_and_fold(unit: Unit, rows: Rows[CaseFact], events: Sequence[Event], **where: Any) -> list[Envelope]:
    """Emit `events` in `unit` (`where`: `Unit.emit`'s key, case, cause, expected version) and fold them, as
    stamped, into `rows`: a decision's own events change its read model in the same transaction."""
    emitted = await unit.emit(events, **where)
    rows.fold(zip(emitted, events, strict=True))
    return emitted


async def apply_all(session: AsyncSession, projections: Iterable[Projection[F]], facts: Sequence[F]) -> None:
    """Fold `facts` into every one of `projections`."""
    for projection in projections:
        await projection.apply(session, facts)
