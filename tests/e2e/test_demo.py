"""`tawasul demo` plays a portal against the running services and prints every answer."""

import pytest

from intake.settings import IntakeSettings
from tawasul.demo import demo
from tests.system import System

pytestmark = pytest.mark.e2e


async def test_the_demo_prints_a_tracking_number_for_each_sample_submission(shared: System, capsys):
    await demo(IntakeSettings(**shared.settings.model_dump(include={"kafka_bootstrap", "namespace"})), 3)
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("sent") for line in lines) == 3
    accepted = [line for line in lines if line.startswith("accepted")]
    assert len(accepted) == 3 and all("tracking number TW" in line for line in accepted)
