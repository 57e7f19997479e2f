from contextlib import asynccontextmanager

import pytest

from tests.system import System


@asynccontextmanager
async def running(infra, directory):
    system = System(infra, directory)
    try:
        await system.start()
        yield system
    finally:
        await system.stop()


@pytest.fixture
async def system(infra, tmp_path_factory):
    """The four services as processes, in a namespace of their own on the shared test infrastructure: for a test
    that kills, stops or reconfigures them, or counts whole tables."""
    async with running(infra, tmp_path_factory.mktemp("e2e")) as system:
        yield system


@pytest.fixture(scope="package")
async def shared(infra, tmp_path_factory):
    """One running system for the tests that only look at their own cases, started once for all of them and
    stopped after the last e2e test (so it loads nothing else)."""
    async with running(infra, tmp_path_factory.mktemp("shared")) as system:
        yield system
