"""Casework's pure decision: only an open, routed case can be resolved, and only once."""

import pytest

from casework import domain

COMMAND = domain.ResolveCase(case_id="TW2600000019", outcome="completed", public_reply="Done", officer_id="o-1")


def test_an_open_routed_case_is_resolved_by_its_department():
    resolved = domain.resolve(COMMAND, status="open", department="residency")
    assert (resolved.department, resolved.outcome, resolved.public_reply, resolved.officer_id) == (
        "residency", "completed", "Done", "o-1",
    )


def test_a_resolved_case_cannot_be_resolved_again():
    with pytest.raises(domain.CaseNotResolvable, match="resolved already"):
        domain.resolve(COMMAND, status="resolved", department="residency")


def test_a_case_not_yet_routed_cannot_be_resolved():
    with pytest.raises(domain.CaseNotResolvable, match="not been routed"):
        domain.resolve(COMMAND, status="submitted", department=None)
