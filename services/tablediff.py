"""Two tables of the same shape compared by checksums over ranges of their primary key, bisecting to the
differing rows, as data-diff does: equal ranges cost one aggregate each, and only a range that differs is split
further, until it is small enough to compare row by row.

A range's checksum is its row count and the sum of the first 60 bits of each row's MD5 (over the row's text
form); PostgreSQL computes it next to the data, so comparing two equal tables moves two numbers per range.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SPLIT = 16
"""A differing range is split into this many parts."""
SMALL = 64
"""A differing range with at most this many rows is compared row by row."""
SHOWN = 20
"""Differing keys reported at most."""

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Checksum:
    rows: int
    sum: int


@dataclass
class Difference:
    """How a table differs from another: by key, the rows only one holds and the rows both hold differently."""

    rows: tuple[int, int] = (0, 0)
    only_left: list[Key] = field(default_factory=list)
    only_right: list[Key] = field(default_factory=list)
    changed: list[Key] = field(default_factory=list)
    ranges: int = 0
    """Range checksums computed."""
    columns: dict[Key, list[str]] = field(default_factory=dict)
    """For the first changed rows: the columns whose values differ."""

    @property
    def equal(self) -> bool:
        return not (self.only_left or self.only_right or self.changed)

    @property
    def count(self) -> int:
        return len(self.only_left) + len(self.only_right) + len(self.changed)


@dataclass(frozen=True)
class Tables:
    """Two tables to compare: qualified names (quoted as need be) and the key columns they share."""

    left: str
    right: str
    key: Sequence[str]

    @property
    def _key(self) -> str:
        return ", ".join(f'"{name}"' for name in self.key)

    def _where(self, low: Key | None, high: Key | None) -> tuple[str, dict]:
        conditions, params = [], {}
        for bound, op, name in ((low, ">=", "lo"), (high, "<", "hi")):
            if bound is not None:
                names = ", ".join(f":{name}{i}" for i in range(len(bound)))
                conditions.append(f"ROW({self._key}) {op} ROW({names})")
                params |= {f"{name}{i}": value for i, value in enumerate(bound)}
        return (" WHERE " + " AND ".join(conditions)) if conditions else "", params

    async def checksum(self, session: AsyncSession, table: str, low: Key | None, high: Key | None) -> Checksum:
        where, params = self._where(low, high)
        row = (await session.execute(text(
            f"SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0) "
            f"FROM {table} AS t{where}"), params)).one()
        return Checksum(int(row[0]), int(row[1]))

    async def rows(self, session: AsyncSession, table: str, low: Key | None, high: Key | None) -> dict[Key, str]:
        where, params = self._where(low, high)
        result = await session.execute(text(f"SELECT {self._key}, md5(t::text) FROM {table} AS t{where}"), params)
        return {tuple(row[:-1]): row[-1] for row in result}

    async def document(self, session: AsyncSession, table: str, key: Key) -> dict[str, Any]:
        """One row as a JSON object."""
        equal = " AND ".join(f'"{name}" = :k{i}' for i, name in enumerate(self.key))
        params = {f"k{i}": value for i, value in enumerate(key)}
        return (await session.execute(text(f"SELECT to_jsonb(t) FROM {table} AS t WHERE {equal}"), params)).scalar()

    async def boundaries(self, session: AsyncSession, table: str, low: Key | None, high: Key | None,
                         rows: int) -> list[Key]:
        """Keys splitting the range into about `SPLIT` parts of equal size."""
        where, params = self._where(low, high)
        step = max(1, -(-rows // SPLIT))
        result = await session.execute(text(
            f"SELECT {self._key} FROM (SELECT {self._key}, row_number() OVER (ORDER BY {self._key}) AS tablediff_n "
            f"FROM {table}{where}) AS k WHERE tablediff_n % :step = 1 AND tablediff_n > 1 ORDER BY {self._key}"),
            params | {"step": step})
        return [tuple(row) for row in result]


async def compare(session: AsyncSession, tables: Tables) -> Difference:
    """How `tables.right` differs from `tables.left`."""
    difference = Difference()
    pending: list[tuple[Key | None, Key | None]] = [(None, None)]
    while pending:
        low, high = pending.pop()
        left = await tables.checksum(session, tables.left, low, high)
        right = await tables.checksum(session, tables.right, low, high)
        difference.ranges += 1
        if low is None and high is None:
            difference.rows = (left.rows, right.rows)
        if left == right:
            continue
        if not (left.rows and right.rows):  # one side empty: every row of the other is its own
            keys = list(await tables.rows(session, tables.left if left.rows else tables.right, low, high))
            (difference.only_left if left.rows else difference.only_right).extend(keys)
            continue
        if max(left.rows, right.rows) <= SMALL:
            _row_by_row(difference, await tables.rows(session, tables.left, low, high),
                        await tables.rows(session, tables.right, low, high))
            continue
        bigger = tables.left if left.rows >= right.rows else tables.right
        cuts = await tables.boundaries(session, bigger, low, high, max(left.rows, right.rows))
        edges = [low, *cuts, high]
        pending += [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]
    for keys in (difference.only_left, difference.only_right, difference.changed):
        keys.sort()
    for key in difference.changed[:SHOWN]:
        left = await tables.document(session, tables.left, key)
        right = await tables.document(session, tables.right, key)
        difference.columns[key] = sorted(name for name in left.keys() | right.keys()
                                         if left.get(name) != right.get(name))
    return difference


def _row_by_row(difference: Difference, left: dict[Key, str], right: dict[Key, str]) -> None:
    difference.only_left += [key for key in left if key not in right]
    difference.only_right += [key for key in right if key not in left]
    difference.changed += [key for key in left if key in right and left[key] != right[key]]
