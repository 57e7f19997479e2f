"""Group commit for request handlers: concurrent callers' items are applied together, one transaction a batch.

A caller awaits `Batcher.apply(item)`; one worker takes everything queued (up to `max_size`) and
hands it to the set-based `process`, which returns one result per item, in order. When a batch
fails, each of its items is tried alone, so one bad item (or a lost race on a unique key) costs
only its own caller an error.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    def __init__(self, process: Callable[[Sequence[T]], Awaitable[Sequence[R]]], max_size: int = 100) -> None:
        self._process = process
        self._max_size = max_size
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def apply(self, item: T) -> R:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._work(), name="batcher")
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        return await future

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._run(batch)

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._process([item for item, _ in batch])
        except Exception as error:  # noqa: BLE001 - handed to the callers
            if len(batch) == 1:
                _settle(batch[0][1], error=error)
                return
            for one in batch:
                await self._run([one])
            return
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)


def _settle(future: asyncio.Future, *, result: object = None, error: BaseException | None = None) -> None:
    if future.done():  # the caller went away
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
