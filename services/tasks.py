"""Long-running loops that stop when they are told to, even when a library swallowed the cancellation."""

import asyncio


def stopping() -> bool:
    """Whether the current task was asked to stop. Python 3.11's `asyncio.wait_for`, used deep inside drivers and
    clients, can lose a cancellation that arrives as its inner call completes; a `while not stopping()` loop
    stops anyway."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
