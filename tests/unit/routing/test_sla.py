"""SLA per sub-service, from the packaged sla.json."""

import pytest

from routing import sla


def test_the_default_applies_to_unknown_and_missing_sub_services():
    assert sla.sla_version() == "2026.1"
    assert sla.working_days_for(None) == 7
    assert sla.working_days_for("no-such-sub-service") == 7


def test_an_override_keyed_by_sub_service_code_wins(monkeypatch):
    table = {"version": "t", "default_working_days": 7, "overrides": {"renewal": 3}}
    monkeypatch.setattr(sla, "sla_table", lambda: table)
    assert sla.working_days_for("renewal") == 3
    assert sla.working_days_for("issuance") == 7


def test_malformed_working_days_are_rejected(monkeypatch):
    sla.sla_table.cache_clear()
    monkeypatch.setattr(sla, "read", lambda name: {"version": "t", "default_working_days": 7, "overrides": {"x": 0}})
    with pytest.raises(ValueError):
        sla.sla_table()
    monkeypatch.undo()
    sla.sla_table.cache_clear()
    assert sla.working_days_for(None) == 7
