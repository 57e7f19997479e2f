"""Two tables compared by checksums over key ranges: equal tables cost one checksum each; a few differing rows
among thousands are found by bisection, each named by its key and the columns that differ."""

from sqlalchemy import text

from services.tablediff import SMALL, Tables, compare


async def test_equal_tables_cost_one_range_and_differing_rows_are_found_by_bisection(sessions):
    async with sessions.begin() as session:
        for name in ("diff_left", "diff_right"):
            await session.execute(text(f"DROP TABLE IF EXISTS {name}"))
            await session.execute(text(f"CREATE TABLE {name} (region text, n int, label text, data jsonb, "
                                       "PRIMARY KEY (region, n))"))
            await session.execute(text(f"INSERT INTO {name} SELECT r, n, 'row ' || n, jsonb_build_object('n', n) "
                                       "FROM unnest(ARRAY['east', 'north', 'west']) AS r, generate_series(1, 4000) "
                                       "AS n"))
    tables = Tables(left="diff_left", right="diff_right", key=("region", "n"))
    async with sessions() as session:
        same = await compare(session, tables)
    assert same.equal and same.rows == (12000, 12000) and same.ranges == 1

    async with sessions.begin() as session:
        await session.execute(text("UPDATE diff_right SET label = 'changed' WHERE (region, n) IN "
                                   "(('east', 17), ('west', 3999))"))
        await session.execute(text("UPDATE diff_right SET data = '{\"n\": 0}' WHERE (region, n) = ('north', 2000)"))
        await session.execute(text("DELETE FROM diff_right WHERE (region, n) = ('north', 1)"))
        await session.execute(text("INSERT INTO diff_right VALUES ('south', 1, 'new', '{}')"))
    async with sessions() as session:
        found = await compare(session, tables)
    assert found.only_left == [("north", 1)] and found.only_right == [("south", 1)]
    assert found.changed == [("east", 17), ("north", 2000), ("west", 3999)]
    assert found.columns == {("east", 17): ["label"], ("north", 2000): ["data"], ("west", 3999): ["label"]}
    assert found.ranges < 12000 // SMALL  # far fewer checksums than row-by-row ranges would take
