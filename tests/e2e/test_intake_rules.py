"""Every rule of the seeds on both of intake's paths: Kafka and HTTP answer each bad case with the same
code and field, and accept the good one."""

import json
import uuid

import httpx
import pytest

from contracts.topics import REASON_HEADER
from tests import samples
from tests.system import System, encode, envelope_of, submission, topics, wait_for

pytestmark = pytest.mark.e2e

FILE_LIMIT = 64 * 1024
REQUEST_LIMIT = 160 * 1024
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
IQAMA_RENEWAL = ("iqama", "renew", "holder")
SPONSORED_REPORT = ("reports", "absence-from-work", "sponsored")
UNLINKED = "2000000022"  # a valid Iqama nobody linked to the demo account


def body(plan=IQAMA_RENEWAL, **overrides) -> dict:
    return submission(1, plan=plan, **overrides)


def big(size: int) -> bytes:
    return samples.PDF + b"0" * (size - len(samples.PDF))


CASES: dict[str, tuple[dict, tuple[str, str]]] = {
    "section not listed": (body(section="general-inquiries", sub_service="ask"), ("unknown_service", "section")),
    "sub-service of another section": (body(sub_service="issue-single"), ("unknown_service", "sub_service")),
    "general inquiry": (body(description="How do I renew an Iqama, please?"),
                        ("general_inquiry_not_accepted", "description")),
    "general inquiry in Arabic": (body(description="ما هي رسوم تجديد الإقامة؟"),
                                  ("general_inquiry_not_accepted", "description")),
    "no identity number": (body(description="The renewal could not be completed online, please help."),
                           ("missing_id_in_description", "description")),
    "another person's number": (body(description="The renewal could not be completed online for 1000000016."),
                                ("missing_id_in_description", "description")),
    "subject with a bad check digit": (body(subject_id="2000000007",
                                            description="Renewal failed online for 2000000007."),
                                       ("invalid_identity_number", "subject_id")),
    "subject not linked": (body(SPONSORED_REPORT, subject_id=UNLINKED,
                                description=samples.description(UNLINKED, arabic=True)),
                           ("subject_not_linked_to_account", "subject_id")),
    "subject not allowed for the sub-service": (
        body(SPONSORED_REPORT, subject_id=samples.ACCOUNT, description=samples.description(samples.ACCOUNT, True)),
        ("subject_not_allowed_for_service", "subject_id")),
    "required attachment missing": (body(attachments=[]), ("attachment_missing", "attachments")),
    "an executable named .pdf": (body(attachments=[samples.attachment("iqama-copy", EXECUTABLE, "iqama.pdf")]),
                                 ("attachment_type_not_allowed", "attachments[0].data_base64")),
    "attachment kind not taken": (body(attachments=[samples.attachment("iqama-copy"),
                                                    samples.attachment("birth-certificate")]),
                                  ("attachment_kind_not_allowed", "attachments[1].kind")),
    "a file over the limit": (body(attachments=[samples.attachment("iqama-copy", big(FILE_LIMIT + 1))]),
                              ("attachment_too_large", "attachments[0]")),
    "files over the request limit": (
        body(attachments=[samples.attachment("iqama-copy", big(FILE_LIMIT))]
             + [samples.attachment("other-supporting", big(FILE_LIMIT)) for _ in range(2)]),
        ("attachment_too_large", "attachments")),
    "description too short": (body(description="1000000008 help"), ("description_length", "description")),
    "language not offered": (body(language="fr"), ("language_not_supported", "language")),
    "invalid e-mail": (body(contact={"email": "no-at-sign", "mobile": "+966500000000"}),
                       ("contact_invalid", "contact.email")),
    "SMS without a mobile": (body(channels=["sms"], contact={"email": "a@example.sa"}),
                             ("contact_missing", "contact.mobile")),
}


@pytest.fixture(scope="module")
async def intake(infra, tmp_path_factory):
    """Intake alone, with small attachment limits so the limits are cheap to cross."""
    system = System(infra, tmp_path_factory.mktemp("intake"), traces=False, env={
        "TAWASUL_ATTACHMENT_MAX_BYTES": str(FILE_LIMIT), "TAWASUL_REQUEST_ATTACHMENTS_MAX_BYTES": str(REQUEST_LIMIT),
    })
    try:
        await system.start(["intake"])
        await wait_for(lambda: _links(system), what="the demo household in intake's registry model")
        yield system
    finally:
        await system.stop()


async def _links(system: System) -> bool:
    return await system.scalar("intake", "SELECT count(*) FROM links WHERE linked") == len(samples.PEOPLE)


def fresh(case: dict) -> dict:
    return {**case, "submission_id": f"{case['submission_id']}-{uuid.uuid4().hex[:6]}"}


async def post(system: System, payload: dict, key: str | None = "absher", **kwargs) -> httpx.Response:
    headers = {"X-Api-Key": system.keys[key]} if key else {}
    async with httpx.AsyncClient(timeout=30) as client:
        if "files" in kwargs:
            return await client.post(system.url("intake", "/api/v1/requests"), headers=headers, **kwargs)
        return await client.post(system.url("intake", "/api/v1/requests"), headers=headers, json=payload)


def answered(response: httpx.Response) -> list[tuple[str, str]]:
    return [(r["code"], r["field"]) for r in response.json()["reasons"]]


async def test_every_rule_refuses_the_bad_case_with_its_code_on_both_paths_and_accepts_the_good_one(intake):
    good = body(portal="absher")
    sponsored = body(SPONSORED_REPORT, portal="absher")
    arabic_digits = body(description="تعذر تجديد الإقامة إلكترونياً لصاحب الهوية ١٠٠٠-٠٠٠-٠٠٨ وظهرت رسالة خطأ")
    on_kafka = {name: fresh({**case, "portal": "absher"}) for name, (case, _) in CASES.items()}
    kafka_good = [fresh(good), fresh(sponsored), fresh(arabic_digits)]
    await intake.publish(topics.SUBMISSIONS, [encode(b) for b in [*on_kafka.values(), *kafka_good]])

    for name, (case, expected) in CASES.items():
        response = await post(intake, fresh({**case, "portal": "absher"}))
        assert response.status_code == 422, name
        assert expected in answered(response), f"{name}: {answered(response)}"
        assert all(r["message_ar"] and r["message_en"] for r in response.json()["reasons"])
    for accepted in (good, sponsored, arabic_digits):
        response = await post(intake, fresh(accepted))
        assert response.status_code == 201, response.text
        assert response.json()["tracking_number"].startswith("TW")

    results = {
        record.key.decode(): envelope_of(record)
        # every Kafka case is answered there; so is every HTTP one but the one that did not fit the contract
        for record in await intake.read_topic(topics.SUBMISSION_RESULTS, until=len(CASES) * 2 + 5)
    }
    for name, case in on_kafka.items():
        answer = results[case["submission_id"]]
        assert answer["type"] == "SubmissionRejected", name
        assert CASES[name][1] in [(r["code"], r["field"]) for r in answer["data"]["reasons"]], name
    for case in kafka_good:
        assert results[case["submission_id"]]["type"] == "SubmissionAccepted"


async def test_a_request_is_accepted_as_multipart_with_files_sniffed_from_their_bytes(intake):
    fields = {k: v for k, v in fresh(body()).items() if k != "attachments"}
    response = await post(intake, {}, data={"submission": json.dumps(fields)},
                          files=[("iqama-copy", ("scan.pdf", samples.PNG, "application/pdf"))])
    assert response.status_code == 201, response.text
    tracking = response.json()["tracking_number"]
    refs = await intake.scalar("intake", f"SELECT attachments FROM requests WHERE tracking_number = '{tracking}'")
    assert [(r["kind"], r["name"], r["content_type"], r["size"]) for r in refs] == [
        ("iqama-copy", "scan.png", "image/png", len(samples.PNG))
    ]

    fields["submission_id"] += "-exe"
    refused = await post(intake, {}, data={"submission": json.dumps(fields)},
                         files=[("iqama-copy", ("iqama.pdf", EXECUTABLE, "application/pdf"))])
    assert refused.status_code == 422
    assert answered(refused) == [("attachment_type_not_allowed", "attachments[0].data_base64")]


async def test_an_attachment_is_stored_once_however_many_requests_carry_it(intake):
    content = samples.PDF + uuid.uuid4().bytes
    for n in range(3):
        response = await post(intake, fresh(body(attachments=[samples.attachment("iqama-copy", content)])))
        assert response.status_code == 201, (n, response.text)
    digest = __import__("hashlib").sha256(content).hexdigest()
    assert await intake.scalar("intake", f"SELECT count(*) FROM attachments WHERE sha256 = '{digest}'") == 1
    stored = await intake.scalar("intake", f"SELECT content FROM attachments WHERE sha256 = '{digest}'")
    assert bytes(stored) == content


async def test_a_link_arriving_after_a_refusal_does_not_revive_it_and_an_unlink_takes_effect(intake):
    person = "2000000030"
    refused = fresh(body(SPONSORED_REPORT, subject_id=person, description=samples.description(person, False)))
    first = await post(intake, refused)
    assert answered(first) == [("subject_not_linked_to_account", "subject_id")]

    change = {"event_id": f"e-{uuid.uuid4()}", "type": "PersonLinked", "account_id": samples.ACCOUNT,
              "person_id": person, "relation": "sponsored", "nationality": "EG",
              "occurred_at": "2026-11-01T08:00:00+03:00"}
    await intake.publish(topics.REGISTRY, [(samples.ACCOUNT.encode(), json.dumps(change).encode())])

    async def linked():
        return await intake.scalar("intake", f"SELECT linked FROM links WHERE person_id = '{person}'")

    await wait_for(linked, what="the new link")
    again = await post(intake, refused)
    assert again.status_code == 422 and again.headers["Idempotent-Replayed"] == "true"
    assert answered(again) == [("subject_not_linked_to_account", "subject_id")]
    resubmitted = await post(intake, fresh(refused))
    assert resubmitted.status_code == 201

    unlink = {**change, "event_id": f"e-{uuid.uuid4()}", "type": "PersonUnlinked",
              "occurred_at": "2026-11-02T08:00:00+03:00"}
    stale = {**change, "event_id": f"e-{uuid.uuid4()}", "occurred_at": "2026-10-01T08:00:00+03:00"}
    await intake.publish(topics.REGISTRY, [(samples.ACCOUNT.encode(), json.dumps(m).encode()) for m in (unlink, stale)])
    await wait_for(lambda: _not(linked), what="the unlink (a stale link arriving after it changes nothing)")
    assert answered(await post(intake, fresh(refused))) == [("subject_not_linked_to_account", "subject_id")]


async def _not(predicate) -> bool:
    return await predicate() is False


async def test_the_catalog_is_served_with_its_version(intake):
    async with httpx.AsyncClient() as client:
        catalog = (await client.get(intake.url("intake", "/api/v1/catalog"))).json()
    assert catalog["version"] == "2026.1"
    assert [s["code"] for s in catalog["sections"]][:3] == ["saudi-passport", "iqama", "dependents"]
    renew = next(s for s in catalog["sections"] if s["code"] == "iqama")["sub_services"]
    assert {"code", "name_ar", "name_en", "required_attachments", "optional_attachments", "subjects"} <= set(renew[0])


async def test_accepted_requests_record_the_catalog_version_and_the_subjects_link(intake):
    accepted = fresh(body(("visit-extension", "extend-yemeni-syrian", "visitor")))
    assert (await post(intake, accepted)).status_code == 201
    event = await intake.scalar("intake", "SELECT envelope FROM event_store WHERE type = 'RequestSubmitted' "
                                          f"AND envelope->'data'->>'submission_id' = '{accepted['submission_id']}'")
    assert event["data"]["catalog_version"] == "2026.1"
    assert (event["data"]["subject_relation"], event["data"]["subject_nationality"]) == ("visitor", "YE")
    assert [a["sha256"] for a in event["data"]["attachments"]]
    assert "data_base64" not in json.dumps(event)  # attachments travel by reference only


async def test_control_characters_are_refused_with_a_reason_on_both_paths(intake):
    with_nul = {
        "submission_id": (fresh({**body(), "submission_id": "nul\x00id"}), "submission_id"),
        "description": (fresh(body(description=body()["description"] + "\x00")), "description"),
        "attachment name": (fresh(body(attachments=[samples.attachment("iqama-copy", name="scan\x00.pdf")])),
                            "attachments.0.name"),
    }
    for name, (case, field) in with_nul.items():
        response = await post(intake, case)
        assert response.status_code == 422, f"{name}: {response.status_code} {response.text}"
        assert ("control_characters", field) in answered(response), name

    readable_id, unusable_id, good = fresh(with_nul["description"][0]), with_nul["submission_id"][0], fresh(body())
    await intake.publish(topics.SUBMISSIONS, [encode(readable_id), encode(unusable_id), encode(good)])
    wanted = {readable_id["submission_id"].encode(), good["submission_id"].encode()}

    async def both_answered():
        results = {record.key: envelope_of(record) for record in
                   await intake.read_topic(topics.SUBMISSION_RESULTS, until=1)}
        return results if wanted <= results.keys() else None

    results = await wait_for(both_answered, what="both readable submissions answered")
    answer = results[readable_id["submission_id"].encode()]
    assert answer["type"] == "SubmissionRejected"
    assert ("control_characters", "description") in [(r["code"], r["field"]) for r in answer["data"]["reasons"]]
    assert results[good["submission_id"].encode()]["type"] == "SubmissionAccepted"  # the consumer went on
    assert unusable_id["submission_id"].encode() not in results  # an id that cannot be stored gets no answer
    dead = await intake.read_topic(topics.dead_letters(topics.SUBMISSIONS), until=1)
    assert encode(unusable_id)[1] in {record.value for record in dead}


async def test_an_id_answered_as_unreadable_stays_answered_and_says_so_on_both_paths(intake):
    submission_id = f"unreadable-{uuid.uuid4().hex[:8]}"
    await intake.publish(topics.SUBMISSIONS, [encode(body(submission_id=submission_id, channels="email"))])

    async def answered_once():
        return [r for r in await intake.read_topic(topics.SUBMISSION_RESULTS, until=1)
                if r.key == submission_id.encode()]

    [first] = await wait_for(answered_once, what="the unreadable submission answered")
    assert envelope_of(first)["type"] == "SubmissionRejected"
    valid = body(submission_id=submission_id)
    again = await post(intake, valid)
    assert again.status_code == 409, again.text
    assert "the first answer stands" in again.json()["detail"] and "invalid_field" in again.json()["detail"]
    await intake.publish(topics.SUBMISSIONS, [encode(valid)])

    async def conflict_dead_lettered():
        return [r for r in await intake.read_topic(topics.dead_letters(topics.SUBMISSIONS), until=1)
                if r.key == submission_id.encode() and b"first answer stands" in dict(r.headers)[REASON_HEADER]]

    assert await wait_for(conflict_dead_lettered, what="the valid copy dead-lettered as a conflict")
    assert len(await answered_once()) == 1  # still one answer


async def test_a_chunked_body_over_the_limit_is_a_413_and_too_many_attachments_a_422(intake):
    async def chunks():
        for _ in range(60):  # 3.8 MB without a Content-Length, where intake reads at most 2.2 MB
            yield b"x" * 64 * 1024

    async with httpx.AsyncClient(timeout=30) as client:
        try:
            response = await client.post(intake.url("intake", "/api/v1/requests"), content=chunks(), headers={
                "X-Api-Key": intake.keys["absher"], "content-type": "application/json"})
            status = response.status_code
        except httpx.TransportError:
            status = None  # the server may close before the client has written everything
    assert status in (413, None)
    assert (await post(intake, fresh(body()))).status_code == 201  # and intake goes on serving
    many = fresh(body(attachments=[samples.attachment("iqama-copy")] * 25))
    response = await post(intake, many)
    assert response.status_code == 422 and answered(response) == [("attachment_count", "attachments")]
