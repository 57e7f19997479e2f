"""Routing rules: every catalog request has a department, the most specific rule wins, the least loaded is chosen."""

import json
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from routing.rules import RULES_VERSION, Decision, RuleSet, load
from tests.samples import CATALOG

RULES = load()

ALL_SUB_SERVICES = [(section.code, sub.code) for section in CATALOG.sections for sub in section.sub_services]
REGIONAL_SECTIONS = {"iqama": "residency", "dependents": "residency", "exit-reentry": "visas"}
OFFICES = {
    "riyadh": "riyadh", "qassim": "riyadh", "hail": "riyadh", "al-jawf": "riyadh", "northern-borders": "riyadh",
    "tabuk": "riyadh", "makkah": "makkah", "madinah": "makkah", "asir": "makkah", "jazan": "makkah",
    "najran": "makkah", "al-baha": "makkah", "eastern": "eastern",
}  # fmt: skip
RESIDENCY = ("residency-riyadh", "residency-makkah", "residency-eastern")


def raw() -> dict:
    return json.loads(files("routing").joinpath("rules", f"{RULES_VERSION}.json").read_text(encoding="utf-8"))


def test_the_packaged_rules_load_and_name_their_version():
    assert load(RULES_VERSION) == RULES
    assert RULES.version == RULES_VERSION
    assert RULES.department(RULES.fallback) is not None
    assert RULES.department("nowhere") is None
    assert all(d.name_en and d.name_ar for d in RULES.departments)


@pytest.mark.parametrize(("section", "sub_service"), ALL_SUB_SERVICES)
def test_every_catalog_request_has_a_department_without_nationality_or_region(section, sub_service):
    decision = RULES.decide(section, sub_service, None, None, {})
    assert decision.rule != "fallback"
    assert decision.department != RULES.fallback
    assert not decision.flagged
    rule = RULES.match(section, sub_service, None, None)
    assert rule is not None and not rule.nationality and not rule.region


@pytest.mark.parametrize("nationality", ["YE", "SY"])
@pytest.mark.parametrize("sub_service", ["extend", "extend-yemeni-syrian"])
def test_yemeni_and_syrian_visit_extensions_go_to_their_team(nationality, sub_service):
    decision = RULES.decide("visit-extension", sub_service, nationality, "riyadh", {})
    assert decision.department == "visit-extensions-yemeni-syrian"


def test_other_nationals_visit_extensions_go_to_the_general_team():
    assert RULES.decide("visit-extension", "extend", "EG", None, {}).department == "visit-extensions"
    assert RULES.decide("visit-extension", "extend", None, None, {}).department == "visit-extensions"


@pytest.mark.parametrize("nationality", ["EG", "IN", None])
def test_the_yemeni_syrian_sub_service_goes_to_their_team_whatever_the_nationality(nationality):
    decision = RULES.decide("visit-extension", "extend-yemeni-syrian", nationality, None, {})
    assert decision.department == "visit-extensions-yemeni-syrian"


@pytest.mark.parametrize("region", sorted(OFFICES))
@pytest.mark.parametrize("section", sorted(REGIONAL_SECTIONS))
def test_regional_sections_go_to_the_office_of_the_account_region(section, region):
    sub_service = CATALOG.section(section).sub_services[0].code
    decision = RULES.decide(section, sub_service, "IN", region, {})
    assert decision.department == f"{REGIONAL_SECTIONS[section]}-{OFFICES[region]}"
    assert decision.candidates == (decision.department,)


def test_iqama_renewal_by_region():
    assert RULES.decide("iqama", "renew", None, "asir", {}).department == "residency-makkah"
    assert RULES.decide("iqama", "renew", None, "eastern", {}).department == "residency-eastern"
    assert RULES.decide("iqama", "renew", None, "qassim", {}).department == "residency-riyadh"


def test_lost_reports_go_to_passports_and_residency():
    assert RULES.decide("reports", "lost-passport", None, None, {}).department == "passports"
    assert RULES.decide("reports", "lost-iqama", None, "jazan", {}).department == "residency-makkah"
    assert RULES.decide("reports", "lost-iqama", None, None, {}).candidates == RESIDENCY
    assert RULES.decide("reports", "absence-from-work", None, "jazan", {}).department == "reports"


def test_without_a_region_the_least_loaded_regional_office_is_chosen_and_recorded():
    loads = {"residency-riyadh": 7, "residency-makkah": 3, "residency-eastern": 5, "passports": 0}
    decision = RULES.decide("iqama", "renew", None, None, loads)
    assert decision == Decision(
        department="residency-makkah",
        rule="iqama",
        candidates=RESIDENCY,
        loads={"residency-riyadh": 7, "residency-makkah": 3, "residency-eastern": 5},
        flagged=False,
    )


def test_a_tie_in_load_goes_to_the_first_department_code():
    tied = RULES.decide("iqama", "renew", None, None, {"residency-riyadh": 2, "residency-makkah": 2})
    assert tied.department == "residency-eastern"  # missing counts as 0
    all_tied = RULES.decide("iqama", "renew", None, None, dict.fromkeys(RESIDENCY, 4))
    assert all_tied.department == "residency-eastern"
    assert RULES.decide("iqama", "renew", None, "tabuk", {}).loads == {"residency-riyadh": 0}


@pytest.mark.parametrize(("section", "sub_service"), [("general-inquiry", None), ("nowhere", "x"), ("", "renew")])
def test_an_unknown_section_goes_to_the_fallback_flagged(section, sub_service):
    decision = RULES.decide(section, sub_service, "YE", "riyadh", {"general-desk": 9, "passports": 1})
    assert decision == Decision("general-desk", "fallback", ("general-desk",), {"general-desk": 9}, flagged=True)
    assert RULES.match(section, sub_service, "YE", "riyadh") is None


def test_a_known_section_with_an_unknown_sub_service_still_routes_on_the_section():
    decision = RULES.decide("saudi-passport", "nowhere", None, None, {})
    assert (decision.department, decision.rule, decision.flagged) == ("passports", "saudi-passport", False)


def ruleset(*rules: dict, departments: tuple[str, ...] = ("a", "b", "desk")) -> RuleSet:
    return RuleSet.model_validate(
        {
            "version": "test",
            "fallback": "desk",
            "departments": [{"code": c, "name_en": c, "name_ar": "قسم"} for c in departments],
            "rules": list(rules),
        }
    )


def test_a_rule_naming_the_sub_service_beats_one_naming_the_section_only():
    rules = ruleset(
        {"id": "section", "section": "s", "departments": ["a"]},
        {"id": "sub", "section": "s", "sub_service": "x", "departments": ["b"]},
    )
    assert rules.decide("s", "x", None, None, {}).rule == "sub"
    assert rules.decide("s", "y", None, None, {}).rule == "section"


def test_more_criteria_win_and_equal_specificity_goes_to_the_earlier_rule():
    rules = ruleset(
        {"id": "region", "section": "s", "region": ["asir"], "departments": ["a"]},
        {"id": "nationality", "section": "s", "nationality": ["YE"], "departments": ["b"]},
        {"id": "both", "section": "s", "sub_service": "x", "nationality": ["YE"], "region": ["asir"],
         "departments": ["b"]},
    )  # fmt: skip
    assert rules.match("s", "y", "YE", "asir").id == "region"
    assert rules.match("s", "x", "YE", "asir").id == "both"
    assert rules.match("s", "x", "YE", "eastern").id == "nationality"
    assert rules.match("s", "x", "EG", "eastern") is None


loads_of = st.dictionaries(st.sampled_from([d.code for d in RULES.departments]), st.integers(min_value=0, max_value=50))
regions = st.sampled_from([None, *sorted(OFFICES)])
nationalities = st.sampled_from([None, "YE", "SY", "EG", "IN"])


@settings(max_examples=300, deadline=None)
@given(request=st.sampled_from(ALL_SUB_SERVICES), nationality=nationalities, region=regions, loads=loads_of)
def test_the_choice_is_always_a_least_loaded_candidate_and_deterministic(request, nationality, region, loads):
    decision = RULES.decide(*request, nationality, region, loads)
    assert decision.department in decision.candidates
    assert decision.loads == {c: loads.get(c, 0) for c in decision.candidates}
    assert decision.loads[decision.department] == min(decision.loads.values())
    assert RULES.decide(*request, nationality, region, dict(reversed(list(loads.items())))) == decision


@settings(max_examples=100, deadline=None)
@given(loads=loads_of)
def test_without_a_region_a_regional_section_picks_among_the_three_offices(loads):
    decision = RULES.decide("exit-reentry", "final-exit-issue", None, None, loads)
    assert decision.candidates == ("visas-riyadh", "visas-makkah", "visas-eastern")
    assert decision.loads[decision.department] == min(decision.loads.values())


def test_the_validator_rejects_an_unknown_department():
    with pytest.raises(ValidationError, match="unknown department 'ghost'"):
        ruleset({"id": "r", "section": "s", "departments": ["a", "ghost"]})
    data = raw()
    data["rules"][0]["departments"] = ["ghost"]
    with pytest.raises(ValidationError, match="unknown department"):
        RuleSet.model_validate(data)


def test_the_validator_rejects_duplicate_rule_ids_and_departments_and_an_unknown_fallback():
    with pytest.raises(ValidationError, match="duplicate rule id 'r'"):
        ruleset({"id": "r", "section": "s", "departments": ["a"]}, {"id": "r", "section": "t", "departments": ["b"]})
    with pytest.raises(ValidationError, match="duplicate department 'a'"):
        ruleset(departments=("a", "a", "desk"))
    with pytest.raises(ValidationError, match="unknown fallback"):
        ruleset(departments=("a", "b"))
    with pytest.raises(ValidationError):
        ruleset({"id": "r", "section": "s", "departments": []})
    with pytest.raises(ValidationError):
        ruleset({"id": "r", "section": "s", "region": ["atlantis"], "departments": ["a"]})
