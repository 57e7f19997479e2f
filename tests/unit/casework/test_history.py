"""A case's history as the auditor's page tells it, from casework's own copy of the case log: every event kept with
its envelope and no contact detail, the same entries and as-of as from the stores' envelopes, and exports a
spreadsheet cannot run."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from casework.case_log import CASE_LOG, REDACTED, envelope_of
from casework.history import Entry, as_csv, as_document, as_of, entries_of, inert, moment, up_to
from casework.history_page import input_value, shown
from casework.reference import Reference
from contracts import EVENTS, decode_event, topics
from contracts.vocabulary import RIYADH
from tawasul import system
from tests.samples import ACCOUNT, CASE, life


def kept(facts: list | None = None) -> list:
    """The case's events (default: `life()`'s) as casework keeps them, read back as envelopes."""
    return [envelope_of(SimpleNamespace(**row)) for row in CASE_LOG.fold(facts or life()).values()]


def test_every_event_of_the_log_is_kept_once_with_its_envelope_and_no_contact():
    facts = life()
    rows = CASE_LOG.fold(facts)
    assert len(rows) == len(facts) and {row["type"] for row in rows.values()} >= {"NotificationSent", "Resolved"}
    assert CASE_LOG.types == {model.TYPE for model in EVENTS.values() if model.TOPIC == topics.CASE_EVENTS}
    submitted, routed = facts[0][0], facts[1][0]
    row = rows[(routed.event_id,)]
    assert (row["producer"], row["type"], row["version"], row["sequence"], row["occurred_at"],
            row["correlation_id"], row["data"]) == ("routing", "Routed", 1, 1, routed.occurred_at,
                                                    routed.correlation_id, routed.data)
    contact = rows[(submitted.event_id,)]["data"]["contact"]
    assert contact == {"email": REDACTED, "mobile": REDACTED}
    assert submitted.data["contact"]["email"] not in json.dumps([row["data"] for row in rows.values()])
    redacted = decode_event(envelope_of(SimpleNamespace(**rows[(submitted.event_id,)])))
    assert redacted.contact.email == REDACTED and redacted.account_id == ACCOUNT  # still the event it was


def test_the_entries_and_as_of_from_what_casework_keeps_are_those_from_the_stores():
    facts = life()
    original = entries_of(envelope for envelope, _ in facts)
    mine = entries_of(kept(facts))
    assert [entry.as_json() for entry in mine] == [entry.as_json() for entry in original]
    projections = system.projections()
    for hours in (0.5, 2.5, 7.5, 10):
        instant = original[0].envelope.occurred_at + timedelta(hours=hours)
        assert as_of(mine, instant, CASE, projections) == as_of(original, instant, CASE, projections)
    said = as_of(mine, original[0].envelope.occurred_at + timedelta(hours=7.5), CASE, projections)
    assert said["casework.queue"]["department"] == "passports" and said["routing.cases"]["status"] == "open"
    document = as_document(CASE, mine, original[1].envelope.occurred_at, said)
    assert [event["type"] for event in document["events"]] == ["RequestSubmitted", "Routed"]


def test_internal_entries_are_marked_and_each_names_its_cause_its_actor_and_its_versions():
    facts = life()
    facts[3] = (facts[3][0].model_copy(update={"causation_id": facts[2][0].event_id}), facts[3][1])
    entries = {entry.envelope.type: entry for entry in entries_of(kept(facts))}
    assert not entries["TransferRequested"].public and entries["Resolved"].public
    assert entries["NotificationSent"].public and entries["NotificationSent"].versions == {"templates_version": "t"}
    assert entries["SlaPaused"].caused_by == "InfoRequested (casework)"
    assert entries["RequestSubmitted"].actor == "portal:absher" and entries["InfoProvided"].actor == "beneficiary"
    assert ACCOUNT not in json.dumps(entries["RequestSubmitted"].details, ensure_ascii=False)


def test_no_cell_of_the_csv_runs_as_a_formula():
    [first, *_] = entries_of(kept())
    hostile = Entry(first.envelope, "=HYPERLINK(\"http://evil\")", False, None, {"note": "x"})
    rows = list(csv.reader(io.StringIO(as_csv([first, hostile]))))
    assert rows[2][4] == "'=HYPERLINK(\"http://evil\")"
    assert [inert(value) for value in ("+1", "-1", "@x", "\tx", "\rx", "a=b", 3)] == [
        "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=b", 3]


def test_a_moment_is_riyadh_time_unless_it_says_otherwise_and_the_input_shows_it_rounded_up():
    assert moment("2026-12-03T10:15:00") == datetime(2026, 12, 3, 7, 15, tzinfo=UTC)
    assert moment("2026-12-03T10:15:00+00:00") == datetime(2026, 12, 3, 10, 15, tzinfo=UTC)
    assert input_value(datetime(2026, 12, 3, 7, 15, 1, 123401, tzinfo=UTC)) == "2026-12-03T10:15:01.124"
    assert input_value(datetime(2026, 12, 3, 7, 15, 1, tzinfo=UTC)) == "2026-12-03T10:15:01.000"
    entries = entries_of(kept())
    assert up_to(entries, None) == entries and up_to(entries, entries[1].envelope.occurred_at) == entries[:2]


def test_details_are_said_in_the_user_s_language():
    reference = Reference(departments={"passports": {"ar": "الجوازات", "en": "Passports"}})
    assert shown("to_department", "passports", language="ar", reference=reference) == "الجوازات"
    assert shown("outcome", "completed", language="en", reference=reference) == "completed"
    assert shown("channels", ["email", "sms"], language="ar", reference=reference) == "البريد الإلكتروني, رسالة نصية"
    assert shown("due_at", "2026-11-30T12:00:00Z", language="en", reference=reference) == "2026-11-30 15:00"
    assert shown("due_at", datetime(2026, 11, 30, 12, tzinfo=UTC).astimezone(RIYADH), language="en",
                 reference=reference) == "2026-11-30 15:00"
    assert shown("flagged", False, language="ar", reference=reference) == "لا"
