"""`tawasul demo` plays a portal against the running services and prints every answer and routing."""

import re

import pytest

from intake.settings import IntakeSettings
from tawasul.demo import demo
from tests.system import System

pytestmark = pytest.mark.e2e


async def test_the_demo_prints_a_tracking_number_and_a_department_for_each_sample_submission(shared: System, capsys):
    await demo(IntakeSettings(**shared.settings.model_dump(include={"kafka_bootstrap", "namespace"})), 3, "absher")
    lines = capsys.readouterr().out.splitlines()
    sent = [line for line in lines if line.startswith("sent")]
    assert len(sent) == 3 and all(" absher: " in line for line in sent)
    accepted = {match[1] for line in lines if (match := re.search(r"^accepted .* tracking number (TW\d+)$", line))}
    routed = {match[1] for line in lines if (match := re.search(r"^routed +(TW\d+) +to \S+, due \d{4}-", line))}
    assert len(accepted) == 3 and routed == accepted, lines
