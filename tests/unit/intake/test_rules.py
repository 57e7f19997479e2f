"""Every rule of the seeds, one at a time and all at once: the code, the field, both languages."""

import pytest
from pydantic import ValidationError

from contracts import PortalSubmission
from intake import domain
from intake.domain import Limits, schema_reasons
from tests import samples

HOLDER_PLAN = ("iqama", "renew", "holder")  # requires iqama-copy


def check(submission: PortalSubmission, **kwargs) -> domain.Verdict:
    return domain.check(submission, catalog=samples.CATALOG, **kwargs)


def a_submission(plan=HOLDER_PLAN, **overrides) -> PortalSubmission:
    return PortalSubmission.model_validate(samples.submission(1, plan=plan, **overrides))


def relation_of(submission: PortalSubmission) -> str | None:
    if submission.subject_id == submission.account_id:
        return "holder"
    return samples.PEOPLE.get(submission.subject_id, (None,))[0]


def codes(submission: PortalSubmission, **kwargs) -> list[tuple[str, str | None]]:
    kwargs.setdefault("relation", relation_of(submission))
    return [(r.code, r.field) for r in check(submission, **kwargs).reasons]


@pytest.mark.parametrize("plan", samples.PLANS, ids="/".join)
def test_every_sub_service_for_every_subject_it_allows_is_accepted_with_its_files(plan):
    submission = a_submission(plan)
    verdict = check(submission, relation=relation_of(submission))
    assert verdict.reasons == []
    assert [f.ref.kind for f in verdict.files] == [a.kind for a in submission.attachments]


def test_accepted_files_are_referenced_by_hash_with_their_real_type_and_a_safe_name():
    pdf = samples.attachment("iqama-copy", samples.PNG, name="../scan.pdf")
    [file] = check(a_submission(attachments=[pdf]), relation="holder").files
    assert (file.ref.content_type, file.ref.name, file.ref.size) == ("image/png", "scan.png", len(samples.PNG))
    assert file.content == samples.PNG and len(file.ref.sha256) == 64


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"section": "general-inquiries"}, ("unknown_service", "section")),
    ({"sub_service": "issue-single"}, ("unknown_service", "sub_service")),  # exists, but under exit-reentry
    ({"description": "How do I renew an Iqama, please?"}, ("general_inquiry_not_accepted", "description")),
    ({"description": "كيف أجدد الإقامة؟"}, ("general_inquiry_not_accepted", "description")),
    ({"description": "The renewal could not be completed online for me."},
     ("missing_id_in_description", "description")),
    ({"description": "The renewal could not be completed online for 1000000016."},
     ("missing_id_in_description", "description")),  # a valid ID, but not the subject's
    ({"description": "The renewal failed online: ID 1000000009 (mistyped)."},
     ("missing_id_in_description", "description")),
    ({"description": "too short 1000000008"[:5]}, ("description_length", "description")),
    ({"account_id": "1000000007", "subject_id": "1000000007",
      "description": "The renewal could not be completed online for 1000000007."},
     ("invalid_identity_number", "account_id")),
    ({"attachments": []}, ("attachment_missing", "attachments")),
    ({"contact": {"email": "not-an-address", "mobile": "+966500000000"}}, ("contact_invalid", "contact.email")),
    ({"contact": {"email": "a@example.sa", "mobile": "12345"}}, ("contact_invalid", "contact.mobile")),
    ({"channels": ["sms"], "contact": {"email": "a@example.sa"}}, ("contact_missing", "contact.mobile")),
    ({"channels": ["email"], "contact": {"mobile": "0500000000"}}, ("contact_missing", "contact.email")),
])
def test_each_rule_refuses_with_its_code_and_field(overrides, expected):
    assert expected in codes(a_submission(**overrides))


def test_the_subject_must_be_linked_to_the_account_and_allowed_for_the_sub_service():
    sponsored = a_submission(("reports", "absence-from-work", "sponsored"))
    assert codes(sponsored) == []
    assert codes(sponsored, relation=None) == [("subject_not_linked_to_account", "subject_id")]
    assert codes(sponsored, relation="dependent") == [("subject_not_allowed_for_service", "subject_id")]
    holder = a_submission(("reports", "absence-from-work", "sponsored"), subject_id=samples.ACCOUNT,
                          description=samples.description(samples.ACCOUNT, arabic=True))
    assert codes(holder) == [("subject_not_allowed_for_service", "subject_id")]


def test_arabic_indic_digits_with_dashes_name_the_subject():
    description = "تعذر تجديد الإقامة إلكترونياً لصاحب الهوية ١٠٠٠-٠٠٠-٠٠٨ وظهرت رسالة خطأ"
    assert codes(a_submission(description=description)) == []


def test_a_border_number_names_a_visitor():
    visitor = a_submission(("visit-extension", "extend-yemeni-syrian", "visitor"))
    assert visitor.subject_id.startswith(("3", "4")) and codes(visitor) == []


@pytest.mark.parametrize(("content", "code"), [
    (b"MZ\x90\x00 an executable renamed", "attachment_type_not_allowed"),
    (b"GIF89a", "attachment_type_not_allowed"),
    (b"", "attachment_unreadable"),
])
def test_only_pdf_jpeg_and_png_by_their_bytes(content, code):
    attachment = samples.attachment("iqama-copy", content, name="iqama.pdf")
    assert codes(a_submission(attachments=[attachment])) == [(code, "attachments[0].data_base64")]


def test_attachment_data_that_is_not_base64_is_unreadable():
    attachment = {**samples.attachment("iqama-copy"), "data_base64": "%%% not base64 %%%"}
    assert codes(a_submission(attachments=[attachment])) == [("attachment_unreadable", "attachments[0].data_base64")]


def test_an_attachment_kind_the_sub_service_does_not_take_is_refused():
    extra = samples.attachment("birth-certificate")
    assert codes(a_submission(attachments=[samples.attachment("iqama-copy"), extra])) == [
        ("attachment_kind_not_allowed", "attachments[1].kind")
    ]


def test_size_limits_per_file_and_per_request_are_configurable():
    big = samples.PDF + b"0" * 3000
    two = [samples.attachment("iqama-copy", big), samples.attachment("other-supporting", big)]
    assert codes(a_submission(attachments=two), limits=Limits(file_bytes=4000, request_bytes=10_000)) == []
    assert codes(a_submission(attachments=two), limits=Limits(file_bytes=3000, request_bytes=10_000)) == [
        ("attachment_too_large", "attachments[0]"), ("attachment_too_large", "attachments[1]"),
    ]
    assert codes(a_submission(attachments=two), limits=Limits(file_bytes=4000, request_bytes=6000)) == [
        ("attachment_too_large", "attachments"),
    ]


def test_the_default_limits_are_5_mb_a_file_and_20_mb_a_request():
    assert Limits() == Limits(file_bytes=5 * 1024 * 1024, request_bytes=20 * 1024 * 1024)


def test_every_reason_is_reported_at_once_in_both_languages():
    submission = a_submission(
        sub_service="no-such-thing", description="What are the fees?", attachments=[],
        contact={"email": "nope"}, channels=["email", "sms"],
    )
    reasons = check(submission, relation=None).reasons
    assert [(r.code, r.field) for r in reasons] == [
        ("unknown_service", "sub_service"),
        ("description_length", "description"),
        ("general_inquiry_not_accepted", "description"),
        ("missing_id_in_description", "description"),
        ("subject_not_linked_to_account", "subject_id"),
        ("contact_invalid", "contact.email"),
        ("contact_missing", "contact.mobile"),
    ]
    for reason in reasons:
        assert reason.message_en.isascii() and not reason.message_ar.isascii()


def test_a_refused_submission_keeps_no_files():
    assert check(a_submission(), relation=None).files == []


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"language": "fr"}, ("language_not_supported", "language")),
    ({"description": "x" * 4001}, ("description_length", "description")),
    ({"subject_id": "12345"}, ("invalid_identity_number", "subject_id")),
    ({"channels": ["fax"]}, ("invalid_field", "channels.0")),
])
def test_what_does_not_fit_the_contract_is_explained_in_the_rules_codes(overrides, expected):
    with pytest.raises(ValidationError) as error:
        a_submission(**overrides)
    assert expected in [(r.code, r.field) for r in schema_reasons(error.value)]


def test_reasons_say_which_attachment_kind_is_missing():
    [reason] = check(a_submission(attachments=[]), relation="holder").reasons
    assert "iqama-copy" in reason.message_en and "iqama-copy" in reason.message_ar


def test_no_reason_repeats_an_identity_number():
    submission = a_submission(account_id="1000000007", subject_id="2000000007",
                              description="The renewal failed online for someone else 1000000016.")
    reasons = check(submission, relation=None).reasons
    assert {"invalid_identity_number", "missing_id_in_description"} <= {r.code for r in reasons}
    for number in ("1000000007", "2000000007", "1000000016"):
        assert all(number not in r.message_en and number not in r.message_ar for r in reasons)
