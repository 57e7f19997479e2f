"""A request's public status, folded from its history, shown in Riyadh time."""

from datetime import UTC, datetime

from intake.status import Step, fold

AT = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)


def step(type_: str, **details) -> Step:
    return Step(type=type_, at=AT, details=details)


def test_the_status_follows_the_public_history_and_a_resolved_request_stays_resolved():
    history = [
        step("RequestSubmitted"),
        step("Routed", department="passports", due_at="2026-11-30T12:00:00Z"),
        step("InfoRequested", question="Please attach the passport."),
        step("SlaPaused"),
    ]
    view = fold("TW2600000014", "saudi-passport", "renew", AT, history)
    assert (view.status, view.department, view.question, view.due_at) == (
        "information_requested", "passports", "Please attach the passport.", None)
    history += [step("InfoProvided"), step("SlaResumed", due_at="2026-12-03T12:00:00Z"),
                step("Resolved", outcome="completed", public_reply="Done."), step("Routed", department="reports")]
    view = fold("TW2600000014", "saudi-passport", "renew", AT, history)
    assert (view.status, view.outcome, view.public_reply, view.question) == ("resolved", "completed", "Done.", None)
    assert view.department == "passports"  # nothing after the resolution changes it


def test_a_transfer_while_waiting_for_the_beneficiary_keeps_the_status():
    history = [step("RequestSubmitted"), step("Routed", department="passports"), step("InfoRequested", question="?"),
               step("Routed", department="reports")]
    view = fold("TW2600000014", "saudi-passport", "renew", AT, history)
    assert (view.status, view.department) == ("information_requested", "reports")


def test_times_are_shown_in_riyadh():
    view = fold("TW2600000014", "saudi-passport", "renew", AT,
                [step("Routed", department="passports", due_at="2026-11-30T12:00:00Z")])
    shown = view.model_dump(mode="json")
    assert shown["due_at"] == "2026-11-30T15:00:00+03:00" and shown["submitted_at"].endswith("10:00:00+03:00")
    assert shown["history"][0]["details"]["due_at"] == "2026-11-30T15:00:00+03:00"
    assert shown["history"][0]["at"].endswith("+03:00")
