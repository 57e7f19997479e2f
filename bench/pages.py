"""`make bench` (pages): the officers' queue page and case page, server time with 100,000 cases in casework.

Casework runs in this process (its lifespan: migrations, consumer, relay) on the embedded broker and database (or
TAWASUL_KAFKA_BOOTSTRAP / TAWASUL_DATABASE_URL), in a namespace of its own. Its read model is seeded directly:
100,000 cases in `queue` in one INSERT … SELECT (routing's departments, skewed; the catalog's sections and
sub-services; ~40% resolved, some awaiting information; due times over ±10 days around now, so some warned,
breached, escalated; assignees among a few officers per department), and a timeline of 10–30 entries for 1,000
cases of the largest department, made by casework's own timeline fold from real events. Then VACUUM ANALYZE.

An officer and a supervisor of the largest department ask (their API keys as `Authorization: Bearer`, which
pages accept like the session cookie), one request at a time through httpx's ASGI transport, so no network and
no queueing is in the figures: after a warm-up, N GETs of /queue (and of each filter or page the queue page has
come to accept, if any) and N GETs of /cases/{id} over the sampled cases, in each round. Prints p50, p99 and mean
per page per round, the medians of the rounds, and EXPLAIN (ANALYZE, BUFFERS) timings of each read-model query
one page view runs.
"""

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from casework.accounts import Accounts
from casework.credentials import Credentials
from casework.timeline import TIMELINE
from casework.users import User
from contracts import (
    AttachmentRef,
    CaseAssigned,
    CaseClaimed,
    CaseReleased,
    Envelope,
    Escalated,
    Event,
    InfoProvided,
    InfoRequested,
    NoteAdded,
    RequestSubmitted,
    Resolved,
    Routed,
    SlaBreached,
    SlaPaused,
    SlaResumed,
    SlaWarning,
    TransferRefused,
    TransferRequested,
)
from contracts.vocabulary import REJECTION_REASONS
from routing.rules import load as load_rules
from routing.settings import RoutingSettings
from services.app import create_app
from services.logging import configure_logging
from tawasul import demo, system
from tests import samples
from tests.infra import provide_infra
from tests.system import cheap_passwords

CASES = 100_000
SAMPLED = 1_000
"""Cases of the largest department given a timeline: the case page is asked for these."""
WEIGHTS = {"residency-riyadh": 20, "passports": 16, "visas-riyadh": 12, "residency-makkah": 10,
           "visit-visas": 9, "residency-eastern": 8, "visas-makkah": 7, "sponsorship": 7, "visas-eastern": 6,
           "visit-extensions": 5}
"""The departments the cases are with, in per cent (routing's codes; the others get none)."""
OFFICERS = 6
"""Officers per department among whom the cases are assigned."""
CASE_LINK = re.compile(r'href="/cases/(TW26\d{8})"')


def profiles() -> tuple[list[str], list[str], list[str], str]:
    """1,000 (department, section, sub-service) in WEIGHTS' shares, each department's cycling through the
    catalog's sub-services of the sections routing's rules send to it; and the largest department."""
    rules = load_rules(RoutingSettings.model_fields["rules_version"].default)
    codes = {department.code for department in rules.departments}
    served: dict[str, list[tuple[str, str]]] = {}
    for rule in rules.rules:
        section = samples.CATALOG.section(rule.section)
        if section is None:
            continue
        subs = [rule.sub_service] if rule.sub_service else list(section.sub_service_codes)
        for department in rule.departments:
            for sub in subs:
                if (rule.section, sub) not in served.setdefault(department, []):
                    served[department].append((rule.section, sub))
    weights = {code: share for code, share in WEIGHTS.items() if code in codes and served.get(code)}
    if len(weights) < 5:
        raise SystemExit(f"routing's rules name few of the bench's departments: {sorted(codes)}")
    departments, sections, subs = [], [], []
    scale = 1000 / sum(weights.values())
    for code, share in weights.items():
        for k in range(round(share * scale)):
            section, sub = served[code][k % len(served[code])]
            departments.append(code)
            sections.append(section)
            subs.append(sub)
    return departments, sections, subs, max(weights, key=weights.__getitem__)


SEED = """
INSERT INTO queue (case_id, section, sub_service, language, department, status, outcome, submitted_at, routed_at,
                   resolved_at, due_at, correlation_id, version, assignee, rejection_reason, resolved_by, paused_at,
                   answer_due_at, warn_at, warned_due_at, breached_due_at, escalated_due_at, notes{columns})
SELECT case_id, section, sub_service, language, department, status, outcome, submitted_at, routed_at,
       resolved_at, due_at, gen_random_uuid(),
       (assignee IS NOT NULL)::int + notes + (status <> 'open')::int + (escalated IS NOT NULL)::int,
       assignee, CASE WHEN outcome = 'rejected'
                      THEN (CAST(:reasons AS text[]))[1 + floor(r_reason * cardinality(CAST(:reasons AS text[])))::int]
                 END,
       CASE WHEN outcome <> 'closed_no_response' THEN assignee END,
       CASE WHEN status = 'awaiting_information' THEN now() - r_reason * interval '5 days' END,
       CASE WHEN status = 'awaiting_information' THEN now() + (10 - 5 * r_reason) * interval '1 day' END,
       warn_at,
       CASE WHEN least(resolved_at, now()) > warn_at THEN due_at END,
       CASE WHEN least(resolved_at, now()) > due_at THEN due_at END,
       escalated, notes{columns}
FROM (
    SELECT *, CASE WHEN status <> 'resolved' AND due_at < now() - interval '1 day' AND r_escalate < 0.6
                   THEN due_at END AS escalated
    FROM (
        SELECT *, CASE WHEN status = 'resolved' THEN submitted_at + (least(now(), due_at + interval '2 days')
                       - submitted_at) * r_resolve END AS resolved_at,
                  CASE WHEN status = 'resolved' OR r_assignee < 0.65
                       THEN department || '.officer' || (1 + floor(r_assignee * :officers)::int) END AS assignee
        FROM (
            SELECT 'TW26' || lpad(i::text, 8, '0') AS case_id, (CAST(:departments AS text[]))[p] AS department,
                   (CAST(:sections AS text[]))[p] AS section, (CAST(:subs AS text[]))[p] AS sub_service,
                   CASE WHEN r_language < 0.8 THEN 'ar' ELSE 'en' END AS language,
                   CASE WHEN r_status < 0.40 THEN 'resolved' WHEN r_status < 0.48 THEN 'awaiting_information'
                        ELSE 'open' END AS status,
                   CASE WHEN r_status >= 0.40 THEN NULL WHEN r_outcome < 0.82 THEN 'completed'
                        WHEN r_outcome < 0.97 THEN 'rejected' ELSE 'closed_no_response' END AS outcome,
                   due_at, due_at - sla - interval '1 hour' AS submitted_at,
                   due_at - sla - interval '1 hour' + (1 + 4 * r_outcome) * interval '1 second' AS routed_at,
                   due_at - sla * 0.2 AS warn_at,
                   floor(r_notes * r_notes * 5)::int AS notes, r_assignee, r_reason, r_resolve, r_escalate,
                   CASE WHEN r_subject < 0.55 THEN '1' ELSE '2' END
                       || lpad(floor(r_subject * 1e9)::bigint::text, 9, '0') AS subject_id,
                   extract(epoch FROM sla)::int AS sla_seconds
            FROM (
                SELECT i, 1 + floor(random() * cardinality(CAST(:departments AS text[])))::int AS p,
                       date_trunc('second', now()) + (random() * 20 - 10) * interval '1 day' AS due_at,
                       (10 + floor(random() * 5)) * interval '1 day' AS sla,
                       random() AS r_language, random() AS r_status, random() AS r_outcome, random() AS r_assignee,
                       random() AS r_notes, random() AS r_reason, random() AS r_resolve, random() AS r_escalate,
                       random() AS r_subject
                FROM generate_series(1, :cases) AS i
            ) AS drawn
        ) AS cases
    ) AS closed
) AS late
"""
LATER = ("subject_id", "sla_seconds")
"""Columns the queue has had since (seeded when the table has them)."""


async def columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set((await conn.execute(text("SELECT column_name FROM information_schema.columns "
                                            "WHERE table_name = 'queue'"))).scalars())


async def seed_queue(engine: AsyncEngine, cases: int) -> str:
    departments, sections, subs, largest = profiles()
    present = await columns(engine)
    later = "".join(f", {name}" for name in LATER if name in present)
    async with engine.begin() as conn:
        await conn.execute(text("SELECT setseed(0.2026)"))
        await conn.execute(text(SEED.format(columns=later)), {
            "departments": departments, "sections": sections, "subs": subs, "reasons": list(REJECTION_REASONS),
            "officers": OFFICERS, "cases": cases})
    return largest


def life(row, rng: random.Random, n: int) -> list[tuple[Envelope, Event]]:
    """A timeline of 10–30 events for a seeded case, consistent with its row: submitted, routed, taken up,
    noted, perhaps asked and answered, transferred and refused, warned, breached and escalated, resolved."""
    department, due, now = row.department, row.due_at, datetime.now(UTC)
    plan = next(p for p in samples.PLANS if p[:2] == (row.section, row.sub_service))
    body = samples.submission(n, plan=plan)
    sub = samples.CATALOG.sub_service(row.section, row.sub_service)
    kinds = [*sub.required_attachments, *sub.optional_attachments[: rng.randint(0, 1)]]
    body |= {"attachments": [AttachmentRef(kind=kind, name=f"{kind}.pdf", content_type="application/pdf",
                                           size=rng.randint(40_000, 900_000), sha256=f"{rng.getrandbits(256):064x}")
                             for kind in kinds],
             "language": row.language, "submitted_at": row.submitted_at,
             "subject_id": getattr(row, "subject_id", None) or body["subject_id"],
             "catalog_version": samples.CATALOG.version}
    body["description"] = demo.description(body["subject_id"], row.language == "ar", n)
    officer = row.assignee or f"{department}.officer1"
    supervisor = f"{department}.supervisor"
    steps: list[Event] = [
        RequestSubmitted.model_validate(body),
        Routed(department=department, rule=row.section, rules_version="2026.1", due_at=due, warn_at=row.warn_at,
               calendar_version="sa-2026", department_names={"ar": department, "en": department},
               sla_seconds=int((due - row.submitted_at).total_seconds())),
    ]
    middle: list[Event] = []
    if rng.random() < 0.5:
        middle.append(CaseAssigned(department=department, officer_id=officer, assigned_by=supervisor))
    else:
        middle.append(CaseClaimed(department=department, officer_id=officer))
    if rng.random() < 0.15:
        middle += [TransferRequested(from_department=department, to_department="general-desk", officer_id=officer,
                                     reason="ليس من اختصاص الإدارة"),
                   TransferRefused(to_department="general-desk", reason="the rules send this section here")]
    if rng.random() < 0.3 or row.status == "awaiting_information":
        middle += [InfoRequested(department=department, officer_id=officer,
                                 question="يرجى إرفاق صورة واضحة من جواز السفر ساري المفعول."),
                   SlaPaused(paused_at=row.submitted_at, remaining_seconds=3 * 86400, due_at=due,
                             answer_due_at=due)]
        if row.status != "awaiting_information":
            middle += [InfoProvided(answer="تم إرفاق المطلوب.", attachments=body["attachments"][:1]),
                       SlaResumed(resumed_at=row.submitted_at, due_at=due, warn_at=row.warn_at,
                                  calendar_version="sa-2026")]
    if rng.random() < 0.2:
        middle += [CaseReleased(department=department, officer_id=officer, released_by=officer),
                   CaseAssigned(department=department, officer_id=officer, assigned_by=supervisor)]
    end: list[Event] = []
    if row.warned_due_at is not None:
        end.append(SlaWarning(due_at=due, share=0.8))
    if row.breached_due_at is not None:
        end.append(SlaBreached(due_at=due, new_due_at=due + timedelta(days=3), calendar_version="sa-2026"))
    if row.escalated_due_at is not None:
        end.append(Escalated(department=department, due_at=due))
    if row.status == "resolved":
        end.append(Resolved(department=department, outcome=row.outcome, rejection_reason=row.rejection_reason,
                            public_reply="تمت معالجة طلبك، شكراً لتواصلك.", officer_id=row.resolved_by))
    notes = max(0, rng.randint(10, 30) - len(steps) - len(middle) - len(end))
    for k in range(notes):
        middle.insert(rng.randint(1, len(middle)), NoteAdded(
            department=department, officer_id=officer,
            note=f"Called the beneficiary ({k + 1}); the file is with the {department} office, pending review."))
    steps += middle + end
    first = row.routed_at
    last = max(first, min(now, row.resolved_at or now))
    sequences: dict[str, int] = {}
    facts = []
    for k, step in enumerate(steps):
        sequences[step.PRODUCER] = sequences.get(step.PRODUCER, 0) + 1
        at = row.submitted_at if k == 0 else first + (last - first) * (k - 1) / max(1, len(steps) - 2)
        facts.append((Envelope(type=step.TYPE, version=step.VERSION, case_id=row.case_id,
                               sequence=sequences[step.PRODUCER], producer=step.PRODUCER,
                               correlation_id=row.correlation_id, occurred_at=at,
                               data=step.model_dump(mode="json")), step))
    return facts


async def seed_timelines(engine: AsyncEngine, department: str, count: int) -> list[str]:
    """A timeline for `count` cases of `department` (through casework's own fold), their queue rows' notes and
    versions made to agree; the case ids."""
    rng = random.Random(2026)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM queue WHERE department = :d ORDER BY md5(case_id) LIMIT :n"),
                                   {"d": department, "n": count})).all()
    facts, counts = [], []
    for n, row in enumerate(rows):
        case = life(row, rng, n)
        facts += case
        counts.append({"case": row.case_id, "notes": sum(isinstance(e, NoteAdded) for _, e in case),
                       "version": sum(envelope.producer == "casework" for envelope, _ in case)})
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions.begin() as session:
        await TIMELINE.apply(session, facts)
        await session.execute(text("UPDATE queue SET notes = :notes, version = :version WHERE case_id = :case"),
                              counts)
    return [row.case_id for row in rows]


async def add_users(engine: AsyncEngine, department: str) -> dict[str, str]:
    """An officer and a supervisor of `department`, an API key each (by role)."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    accounts = Accounts(sessions, frozenset({department}), passwords=cheap_passwords())
    credentials = Credentials(sessions, absolute_s=3600)
    keys = {}
    for user in (User("bench.officer", "Bench Officer", "officer", department, "ar"),
                 User("bench.supervisor", "Bench Supervisor", "supervisor", department, "en")):
        await accounts.add(user, uuid.uuid4().hex, actor="bench")
        keys[user.role] = await credentials.issue_key(user.username, label="bench", actor="bench")
    return keys


class Statements:
    """The SQL statements casework sends while `recording()`, with their parameters (every engine's)."""

    def __init__(self) -> None:
        self.on = False
        self.seen: list[tuple[str, object]] = []
        event.listen(Engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.on:
            self.seen.append((statement, parameters))

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, object]]]:
        self.seen, self.on = [], True
        try:
            yield self.seen
        finally:
            self.on = False


async def explain(engine: AsyncEngine, statements: list[tuple[str, object]]) -> list[str]:
    """Planning and execution time of each read-model query (FROM queue or timeline) a page view ran."""
    lines = []
    async with engine.connect() as conn:
        for statement, parameters in statements:
            table = re.search(r"\bFROM (queue|timeline)\b", statement)
            if table is None:
                continue
            plan = (await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)).scalars().all()
            timing = "; ".join(line.strip() for line in plan if line.startswith(("Planning Time", "Execution Time")))
            nodes = [plan[0], *(line for line in plan[1:] if " Scan " in line or line.lstrip("-> ").startswith(
                ("Index", "Seq", "Bitmap")))][:2]
            top = " → ".join(node.split("  (")[0].strip(" ->") for node in nodes)
            buffers = next((line.strip() for line in plan if "Buffers:" in line), "")
            lines.append(f"  {table[1]}: {timing} | {top} | {buffers}")
    return lines


Variant = tuple[str, str, dict[str, str]]
"""(label, URL, extra headers) of one way of asking for the queue page."""


async def candidates(engine: AsyncEngine, department: str) -> list[Variant]:
    """Filters, a search and a page of the queue an officer might ask for (kept only if the page has them)."""
    async with engine.connect() as conn:
        case_id, subject = (await conn.execute(text(
            "SELECT case_id, {subject} FROM queue WHERE department = :d AND status <> 'resolved' "
            "ORDER BY md5(case_id) LIMIT 1".format(subject="subject_id" if "subject_id" in await columns(engine)
                                                   else "NULL")), {"d": department})).one()
        section = await conn.scalar(text("SELECT section FROM queue WHERE department = :d GROUP BY section "
                                         "ORDER BY count(*) DESC LIMIT 1"), {"d": department})
    found: list[Variant] = [("page 2", "/queue?page=2", {}), ("awaiting information",
                            "/queue?status=awaiting_information", {}), ("unassigned", "/queue?unassigned=1", {}),
                            (f"section {section}", f"/queue?section={section}", {}),
                            ("search by tracking number", f"/queue?q={case_id}", {})]
    if subject:
        found.append(("search by ID number", f"/queue?q={subject}", {}))
    found.append(("rows only (htmx refresh)", "/queue", {"HX-Request": "true"}))
    return found


async def supported(client: httpx.AsyncClient, key: str, found: list[Variant]) -> list[Variant]:
    """The variants the queue page answers differently from plain /queue (a parameter it ignores is left out)."""
    _, plain = await timed(client, "/queue", key)
    kept = []
    for label, url, headers in found:
        response = await client.get(url, headers={"Authorization": f"Bearer {key}", **headers})
        if response.status_code != 200:
            continue
        if (CASE_LINK.findall(response.text) != CASE_LINK.findall(plain.text)
                or len(response.content) < 0.8 * len(plain.content)):
            kept.append((label, url, headers))
    return kept


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def timed(client: httpx.AsyncClient, url: str, key: str, headers: dict[str, str] | None = None
                ) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await client.get(url, headers={"Authorization": f"Bearer {key}", **(headers or {})})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code} {response.text[:300]}")
    return elapsed, response


async def main(n: int, rounds: int, cases: int) -> None:
    configure_logging(service="bench.pages", level="WARNING")
    statements = Statements()
    with tempfile.TemporaryDirectory() as tmp, provide_infra(Path(tmp)) as infra:
        service = system.service("casework")
        settings = service.settings().model_copy(update={
            "database_url": infra.database_url, "kafka_bootstrap": infra.kafka_bootstrap,
            "namespace": f"bp{uuid.uuid4().hex[:8]}", "session_secret": SecretStr(uuid.uuid4().hex)})
        app = create_app(service, settings)
        async with app.router.lifespan_context(app):
            engine = create_async_engine(settings.service_database_url("casework"))
            try:
                started = time.monotonic()
                department = await seed_queue(engine, cases)
                sampled = await seed_timelines(engine, department, SAMPLED)
                keys = await add_users(engine, department)
                async with engine.connect() as conn:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                    await conn.execute(text("VACUUM ANALYZE queue, timeline"))
                    shown = await conn.scalar(text("SELECT count(*) FROM queue WHERE department = :d AND status "
                                                   "<> 'resolved' AND submitted_at IS NOT NULL"), {"d": department})
                    entries = await conn.scalar(text("SELECT count(*) FROM timeline"))
                print(f"seeded {cases:,} cases ({shown:,} open in {department}, the largest department) and "
                      f"{entries:,} timeline entries of {len(sampled):,} of its cases in "
                      f"{time.monotonic() - started:.1f} s", flush=True)
                await measure(app, engine, statements, keys, sampled, department, n, rounds, infra.kind, cases)
            finally:
                await engine.dispose()


async def measure(app, engine: AsyncEngine, statements: Statements, keys: dict[str, str], sampled: list[str],
                  department: str, n: int, rounds: int, kind: str, cases: int) -> None:
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 50000))
    callers = [keys["officer"], keys["supervisor"]]  # alternately
    order = random.Random(7).sample(sampled, len(sampled))
    async with httpx.AsyncClient(transport=transport, base_url="http://casework.test", follow_redirects=False,
                                 timeout=60) as client:
        for i in range(60):  # warm-up: connections, templates, the tables' pages in the cache
            await timed(client, "/queue", callers[i % 2])
            await timed(client, f"/cases/{order[-1 - i]}", callers[i % 2])
        variants = await supported(client, callers[0], await candidates(engine, department))
        print("queue variants the page has: " + (", ".join(f"{label} ({url})" for label, url, _ in variants)
                                                 or "none"), flush=True)
        for url in ("/queue", f"/cases/{order[0]}"):
            with statements.recording() as seen:
                _, response = await timed(client, url, callers[0])
            if url == "/queue" and not CASE_LINK.search(response.text):
                raise SystemExit(f"the queue page lists no case:\n{response.text[:1000]}")
            print(f"EXPLAIN (ANALYZE, BUFFERS) of GET {url}'s read-model queries:")
            print("\n".join(await explain(engine, seen)) or "  (none recognised)", flush=True)
        results: dict[str, list[tuple[float, float, float]]] = {}
        served = 0
        each = max(10, n // 10)
        for index in range(1, rounds + 1):
            times, cpu = [], time.process_time()
            for i in range(n):
                elapsed, response = await timed(client, "/queue", callers[i % 2])
                if not CASE_LINK.search(response.text):
                    raise SystemExit("GET /queue listed no case")
                times.append(elapsed)
            results.setdefault("/queue", []).append(stats(times, cpu))
            times, cpu = [], time.process_time()
            for i in range(n):
                elapsed, _ = await timed(client, f"/cases/{order[served % len(order)]}", callers[i % 2])
                served += 1
                times.append(elapsed)
            results.setdefault("/cases/{id}", []).append(stats(times, cpu))
            for label, url, headers in variants:
                cpu = time.process_time()
                times = [(await timed(client, url, callers[i % 2], headers))[0] for i in range(each)]
                results.setdefault(label, []).append(stats(times, cpu))
            print(f"round {index}: /queue {show(results['/queue'][-1])} | /cases/{{id}} "
                  f"{show(results['/cases/{id}'][-1])}" + (f" | queue variants ({each} GETs each), p50: " + ", ".join(
                      f"{label} {results[label][-1][0]:.1f} ms" for label, _, _ in variants) if variants else ""),
                  flush=True)

    def median(label: str, p99: bool = True) -> str:
        rows = results[label]
        return (f"p50 {statistics.median(r[0] for r in rows):.1f} ms"
                + (f", p99 {statistics.median(r[1] for r in rows):.1f} ms" if p99 else "")
                + f", mean {statistics.median(r[2] for r in rows):.1f} ms"
                f" (this process's CPU {statistics.median(r[3] for r in rows):.1f} ms)")

    print(f"pages, median of {rounds} rounds of {n} GETs each ({kind} infrastructure, {cases:,} cases, in-process "
          f"ASGI, one request at a time, server time): queue page {median('/queue')} | case page "
          f"{median('/cases/{id}')}")
    if variants:
        print(f"  queue variants, {each} GETs each, median of rounds: " + "; ".join(
            f"{label} {median(label, p99=False)}" for label, _, _ in variants))


def stats(times: list[float], cpu_since: float) -> tuple[float, float, float, float]:
    """p50, p99, mean (ms) and this process's CPU time per request (ms) since `cpu_since`."""
    cpu = (time.process_time() - cpu_since) * 1000 / len(times)
    return percentile(times, 0.50), percentile(times, 0.99), statistics.fmean(times), cpu


def show(values: tuple[float, float, float, float]) -> str:
    return (f"p50 {values[0]:5.1f} ms, p99 {values[1]:5.1f} ms, mean {values[2]:5.1f} ms "
            f"(CPU {values[3]:4.1f} ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="GETs of each page in each round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cases", type=int, default=CASES, help="cases seeded into casework's queue")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.rounds, args.cases))
