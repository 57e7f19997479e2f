"""Every service's read models, folded in memory from one case's whole life: what each row says, that a fact given
twice in a row changes nothing more, and that intake's own events coming back from the log change nothing."""

from datetime import timedelta

import pytest

from contracts.events import INTAKE
from contracts.registry import RegistryChange
from tawasul import system
from tests import samples
from tests.samples import DUE, REF, T0, life

CASE_LOG = [(name, projection) for name in system.NAMES for projection in system.service(name).projections()
            if projection.name != "links"]


def test_each_read_model_says_where_the_case_stands_at_the_end():
    facts = life()
    tables = {projection.name: projection.fold(facts) for _, projection in CASE_LOG}
    [case] = tables["cases"].values()
    assert (case["department"], case["status"], case["due_at"], case["breached_due_at"]) == (
        "passports", "resolved", DUE + timedelta(days=1), DUE + timedelta(days=1))
    [queued] = tables["queue"].values()
    assert (queued["department"], queued["status"], queued["outcome"], queued["version"]) == (
        "passports", "resolved", "completed", 3)
    [request] = tables["requests"].values()
    assert [ref["sha256"] for ref in request["attachments"]] == [REF.sha256]
    assert len(tables["request_history"]) == 9  # every public event; not the transfer request or the notification
    assert len(tables["recipients"]) == 1 and len(tables["updates"]) == 6  # both routings, the breach


@pytest.mark.parametrize(("service", "projection"), CASE_LOG, ids=[p.name for _, p in CASE_LOG])
def test_a_fact_given_twice_in_a_row_changes_nothing_more(service, projection):
    facts = life()
    assert projection.fold([fact for fact in facts for _ in (1, 2)]) == projection.fold(facts)


@pytest.mark.parametrize(("service", "projection"), [(s, p) for s, p in CASE_LOG if s == "intake"],
                         ids=lambda value: getattr(value, "name", value))
def test_intake_s_own_events_coming_back_from_the_log_later_change_nothing(service, projection):
    """Intake folds its `RequestSubmitted` and `InfoProvided` as it emits them; the log brings them back later."""
    facts = life()
    own = [fact for fact in facts if fact[0].producer == INTAKE]
    assert projection.fold([*facts, *own]) == projection.fold(facts)


def test_the_registry_s_order_wins_over_arrival():
    [links] = [p for p in system.service("intake").projections() if p.name == "links"]

    def change(kind: str, minutes: int, event_id: str) -> RegistryChange:
        return RegistryChange(event_id=event_id, type=kind, account_id=samples.ACCOUNT, person_id="2000000006",
                              relation="sponsored", nationality="IN", occurred_at=T0 + timedelta(minutes=minutes))

    linked, unlinked = change("PersonLinked", 1, "e-1"), change("PersonUnlinked", 2, "e-2")
    in_order, late = links.fold([linked, unlinked]), links.fold([unlinked, linked])
    assert in_order == late and [row["linked"] for row in late.values()] == [False]


def test_the_officers_queue_holds_a_case_only_once_it_was_submitted_whatever_came_first():
    from casework.projection import QUEUE, known

    submitted, routed = life()[:2]
    [early] = QUEUE.fold([routed]).values()
    assert not known(early) and early["status"] == "submitted"  # waits, seen by no officer
    [case] = QUEUE.fold([routed, submitted]).values()
    assert known(case) and case == next(iter(QUEUE.fold([submitted, routed]).values()))
    assert case["status"] == "open" and case["department"] == "residency-riyadh"
