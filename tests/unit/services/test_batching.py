"""Group commit: concurrent callers share a batch, and a failing item fails only its own caller."""

import asyncio

import pytest

from services.batching import Batcher


async def test_concurrent_items_are_processed_together_and_each_caller_gets_its_own_result():
    batches: list[list[int]] = []

    async def process(items):
        batches.append(list(items))
        await asyncio.sleep(0.01)
        return [item * 10 for item in items]

    batcher = Batcher(process, max_size=50)
    results = await asyncio.gather(*(batcher.apply(n) for n in range(120)))
    await batcher.close()
    assert results == [n * 10 for n in range(120)]
    assert len(batches) < 10 and max(len(b) for b in batches) == 50  # batched, and never over the maximum


async def test_a_failing_item_is_retried_alone_and_only_its_caller_sees_the_error():
    calls: list[list[int]] = []

    async def process(items):
        calls.append(list(items))
        if 3 in items:
            raise ValueError("item 3 is bad")
        return list(items)

    batcher = Batcher(process)
    results = await asyncio.gather(*(batcher.apply(n) for n in range(6)), return_exceptions=True)
    await batcher.close()
    assert results[:3] == [0, 1, 2] and results[4:] == [4, 5]
    assert isinstance(results[3], ValueError)
    assert [3] in calls


async def test_the_worker_survives_a_caller_that_went_away():
    release = asyncio.Event()

    async def process(items):
        await release.wait()
        return list(items)

    batcher = Batcher(process)
    abandoned = asyncio.create_task(batcher.apply(1))
    await asyncio.sleep(0.01)
    abandoned.cancel()
    release.set()
    assert await batcher.apply(2) == 2
    await batcher.close()
    with pytest.raises(asyncio.CancelledError):
        await abandoned
