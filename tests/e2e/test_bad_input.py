"""Bad submissions are dead-lettered with their reason, answered where they can be, and the stream goes on."""


import pytest

from contracts.topics import REASON_HEADER
from tests.system import System, encode, envelope_of, submission, topics, wait_for

pytestmark = pytest.mark.e2e


async def test_unreadable_submissions_go_to_the_dead_letters_and_the_next_one_is_processed(system: System):
    not_json = b"\xff this is not JSON {"
    wrong_types = submission(1, submission_id="wrong-types-1", portal=5, channels="email")
    good = submission(2)
    undecodable_header = submission(4)
    await system.publish(
        topics.SUBMISSIONS,
        [(b"garbage", not_json), encode(wrong_types), encode(good),
         (*encode(undecodable_header), [("x-portal-trace", b"\xff\xfe not utf-8")])],
    )

    dead = await system.read_topic(topics.dead_letters(topics.SUBMISSIONS), until=2)
    wrong_bytes = encode(wrong_types)[1]
    assert sorted(record.value for record in dead) == sorted([not_json, wrong_bytes])
    reasons = {record.value: dict(record.headers)[REASON_HEADER].decode() for record in dead}
    assert "Invalid JSON" in reasons[not_json]
    assert "portal" in reasons[wrong_bytes]
    assert "channels" in reasons[wrong_bytes]

    results = {record.key.decode(): envelope_of(record) for record in
               await system.read_topic(topics.SUBMISSION_RESULTS, until=3)}
    assert results["wrong-types-1"]["type"] == "SubmissionRejected"
    assert [(r["code"], r["field"]) for r in results["wrong-types-1"]["data"]["reasons"]] == [
        ("invalid_field", "portal"), ("invalid_field", "channels"),
    ]
    assert results[good["submission_id"]]["type"] == "SubmissionAccepted"
    # A header value that is not UTF-8 is no reason to lose the message (FastStream alone drops it).
    assert results[undecodable_header["submission_id"]]["type"] == "SubmissionAccepted"
    assert set(results) == {"wrong-types-1", good["submission_id"], undecodable_header["submission_id"]}
    assert (await system.health("intake"))["consumer"]["dead_lettered"] == 2


async def test_a_submission_breaking_a_rule_is_answered_with_every_reason_not_dead_lettered(system: System):
    body = submission(3, section="general-inquiries", sub_service="ask", channels=["email", "sms"],
                      contact={"email": None, "mobile": None})
    await system.publish(topics.SUBMISSIONS, [encode(body)])

    results = await system.read_topic(topics.SUBMISSION_RESULTS, until=1)
    answer = envelope_of(results[0])
    assert answer["type"] == "SubmissionRejected"
    assert [(r["code"], r["field"]) for r in answer["data"]["reasons"]] == [
        ("unknown_service", "section"), ("contact_missing", "contact.email"), ("contact_missing", "contact.mobile"),
    ]
    assert all(r["message_ar"] and r["message_en"] for r in answer["data"]["reasons"])
    assert await system.scalar("intake", "SELECT status FROM submissions") == "rejected"

    async def nothing_dead():
        return (await system.health("intake"))["consumer"]["dead_lettered"] == 0

    assert await wait_for(nothing_dead)
