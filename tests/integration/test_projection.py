"""A read model folded into its table, a few events at a time in separate transactions, is what the same fold makes
in memory; rows are locked while a decision folds into them, and only the rows it loaded."""

import pytest
from sqlalchemy import text

from routing.projection import CASES
from tests.samples import CASE, life


async def table(sessions) -> dict:
    async with sessions() as session:
        rows = (await session.execute(text("SELECT * FROM cases WHERE case_id = :c"), {"c": CASE})).mappings().all()
    return {(row["case_id"],): dict(row) for row in rows}


@pytest.mark.parametrize("size", [1, 3, 100])
async def test_folding_into_the_table_in_pieces_gives_the_fold_in_memory(sessions, size):
    async with sessions.begin() as session:
        await session.execute(text("DELETE FROM cases WHERE case_id = :c"), {"c": CASE})
    facts = life()
    for start in range(0, len(facts), size):
        async with sessions.begin() as session:
            await CASES.apply(session, facts[start:start + size])
    assert await table(sessions) == CASES.fold(facts)


async def test_a_decision_may_fold_only_into_the_rows_it_loaded(sessions):
    facts = life()
    async with sessions.begin() as session:
        async with CASES.editing(session, [("TW-other",)]) as rows:
            with pytest.raises(ValueError, match="not loaded"):
                rows.fold(facts[:1])
