import pytest

from tests.system import System


@pytest.fixture
async def system(infra, tmp_path_factory):
    """The four services as processes, in a namespace of their own on the shared test infrastructure."""
    system = System(infra, tmp_path_factory.mktemp("e2e"))
    try:
        await system.start()
        yield system
    finally:
        await system.stop()
