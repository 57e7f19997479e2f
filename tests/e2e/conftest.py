import pytest

from tests.system import System


@pytest.fixture
async def system(infra, tmp_path_factory):
    """The four services as processes, in a namespace of their own on the shared test infrastructure: for a test
    that kills, stops or reconfigures them, or counts whole tables."""
    system = System(infra, tmp_path_factory.mktemp("e2e"))
    try:
        await system.start()
        yield system
    finally:
        await system.stop()


@pytest.fixture(scope="session")
async def shared(infra, tmp_path_factory):
    """One running system for the tests that only look at their own cases, started once for all of them."""
    system = System(infra, tmp_path_factory.mktemp("shared"))
    try:
        await system.start()
        yield system
    finally:
        await system.stop()
