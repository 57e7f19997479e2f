"""The intake catalog: the seeds' ten sections as versioned data, and the checks its loader enforces."""

import json
import re
from importlib.resources import files

import pytest
from pydantic import ValidationError

from intake.catalog import Catalog, load
from tests.samples import CATALOG

CATALOG_VERSION = CATALOG.version
SECTIONS = CATALOG.sub_service_codes()

ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
TEN_SECTIONS = [
    "saudi-passport",
    "iqama",
    "dependents",
    "passport-renewal",
    "exit-reentry",
    "visit-visa",
    "visit-extension",
    "transfer-of-services",
    "profession-change",
    "reports",
]
ALL_SUB_SERVICES = [(section, sub) for section in CATALOG.sections for sub in section.sub_services]


def raw_catalog() -> dict:
    return json.loads(files("intake").joinpath("catalogs", f"{CATALOG_VERSION}.json").read_text(encoding="utf-8"))


def test_the_ten_sections_of_the_seeds_in_their_order():
    assert [section.code for section in CATALOG.sections] == TEN_SECTIONS
    assert list(SECTIONS) == TEN_SECTIONS


def test_sections_maps_each_section_to_its_sub_service_codes():
    for section in CATALOG.sections:
        assert SECTIONS[section.code] == {sub.code for sub in section.sub_services}


def test_loading_a_version_gives_that_version():
    assert load("2026.1").version == "2026.1"
    assert load(CATALOG_VERSION) == CATALOG


@pytest.mark.parametrize(("section", "sub"), ALL_SUB_SERVICES, ids=lambda v: getattr(v, "code", None))
def test_every_sub_service_names_known_kinds_and_at_least_one_subject(section, sub):
    kinds = {kind.code for kind in CATALOG.attachment_kinds}
    assert set(sub.required_attachments) <= kinds
    assert set(sub.optional_attachments) <= kinds
    assert not set(sub.required_attachments) & set(sub.optional_attachments)
    assert sub.subjects
    assert CATALOG.sub_service(section.code, sub.code) == sub


def test_every_name_is_arabic_in_arabic_and_free_of_arabic_in_english():
    named = [*CATALOG.sections, *(sub for _, sub in ALL_SUB_SERVICES), *CATALOG.attachment_kinds]
    for item in named:
        assert ARABIC_LETTER.search(item.name_ar), item.code
        assert not ARABIC_LETTER.search(item.name_en), item.code


@pytest.mark.parametrize(
    ("section", "codes"),
    [
        (
            "exit-reentry",
            {"issue-single", "issue-multiple", "extend", "cancel", "final-exit-issue", "final-exit-cancel"},
        ),
        ("iqama", {"issue", "renew", "replace-lost", "correct-data"}),
        ("visit-extension", {"extend", "extend-yemeni-syrian"}),
        ("reports", {"absence-from-work", "cancel-absence-report"}),
        ("saudi-passport", {"issue", "renew", "replace-lost", "travel-permit"}),
        ("passport-renewal", {"renew", "extend"}),
        ("transfer-of-services", {"transfer"}),
        ("profession-change", {"change"}),
    ],
)
def test_the_named_sub_services_exist(section, codes):
    assert codes <= SECTIONS[section]


def test_reporting_a_workers_absence_concerns_only_a_sponsored_worker():
    sub = CATALOG.sub_service("reports", "absence-from-work")
    assert sub is not None and sub.subjects == ("sponsored",)
    assert sub.name_ar == "بلاغ تغيب عن العمل"


def test_lookups_answer_none_for_what_is_not_listed():
    assert CATALOG.section("general-inquiry") is None
    assert CATALOG.sub_service("iqama", "issue-single") is None
    assert CATALOG.sub_service("general-inquiry", "ask") is None
    assert CATALOG.attachment_kind("selfie") is None
    kind = CATALOG.attachment_kind("passport-copy")
    assert kind is not None and kind.name_ar


def test_nothing_is_a_general_inquiry():
    for section, sub in ALL_SUB_SERVICES:
        text = " ".join([section.code, section.name_en, section.name_ar, sub.code, sub.name_en, sub.name_ar])
        assert "inquir" not in text.lower() and "enquir" not in text.lower()
        assert "استفسار" not in text


def test_the_real_file_validates_as_it_is():
    assert Catalog.model_validate(raw_catalog()) == CATALOG


def test_a_duplicate_sub_service_code_is_rejected():
    data = raw_catalog()
    subs = data["sections"][0]["sub_services"]
    subs.append(dict(subs[0]))
    with pytest.raises(ValidationError, match="duplicate sub-service"):
        Catalog.model_validate(data)


def test_a_duplicate_section_code_is_rejected():
    data = raw_catalog()
    data["sections"].append(data["sections"][0])
    with pytest.raises(ValidationError, match="duplicate section"):
        Catalog.model_validate(data)


def test_an_unknown_attachment_kind_is_rejected():
    data = raw_catalog()
    data["sections"][1]["sub_services"][0]["required_attachments"].append("selfie")
    with pytest.raises(ValidationError, match="unknown attachment kind 'selfie'"):
        Catalog.model_validate(data)


def test_a_kind_both_required_and_optional_is_rejected():
    data = raw_catalog()
    sub = data["sections"][4]["sub_services"][0]
    sub["optional_attachments"].append(sub["required_attachments"][0])
    with pytest.raises(ValidationError, match="both required and optional"):
        Catalog.model_validate(data)


def test_an_unknown_subject_or_an_unknown_field_is_rejected():
    data = raw_catalog()
    data["sections"][0]["sub_services"][0]["subjects"] = ["neighbour"]
    with pytest.raises(ValidationError):
        Catalog.model_validate(data)
    data = raw_catalog()
    data["sections"][0]["general_inquiry"] = True
    with pytest.raises(ValidationError):
        Catalog.model_validate(data)
