"""Routing's pure decision: every catalog section has a competent department; anything else the fallback desk."""

from intake.catalog import SECTIONS
from routing import domain


def test_every_section_of_the_catalog_has_a_department_of_its_own():
    for section in SECTIONS:
        decision = domain.route(section)
        assert decision.department != domain.FALLBACK_DESK
        assert decision.rule == f"section:{section}"


def test_a_section_no_rule_covers_goes_to_the_fallback_desk_and_says_so():
    decision = domain.route("something-new")
    assert (decision.department, decision.rule) == (domain.FALLBACK_DESK, "fallback")


def test_visas_and_residency_are_different_departments():
    assert domain.route("exit-reentry").department != domain.route("iqama").department
