"""`make bench`: the system's speed in one run, against the system as `make run` starts it.

`tawasul up` runs as a process of its own in a fresh home (embedded broker and database, the four services,
the local mail and SMS providers; `bench.up`), and this process plays the portal from outside it (`bench.load`).
Each round measures:

- burst: N realistic submissions published at once; cases/s from the first publish until every one is in
  casework's queue, and e-mail + SMS accepted by the providers per second from the first publish until the
  burst's last was accepted;
- steady: R submissions a second for S seconds; submit → visible in casework's queue and submit → the first
  e-mail accepted by SMTP, p50 and p99, how long notify took to drain once the offer stopped, and the median of
  each hop (portal → intake's `RequestSubmitted` on the log → routing's `Routed` on the log → casework's queue);
- memory: the largest resident set of each service process while the load ran.

Then, with the system quiet: the event store beside the `eventsourcing` library's PostgreSQL recorder on the
system's PostgreSQL (`bench.store`), and casework's read models rebuilt from the log (`tawasul rebuild
casework`'s own code, proven and swapped) beside a plain SELECT of the same events from the four stores.

Ends with a table of medians over the rounds (min–max beside them) and one line `key=value …` of every figure.
`--soak N` (`make bench SOAK=1`: a million) measures the empty system first, then loads until the stores hold N
events, measures again and prints the drift of each figure.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from bench.load import Offered, Portal, Relayed, Stores, settled, spans, watch_visible
from bench.up import Up
from services.app import service_database
from services.rebuild import rebuild
from services.settings import Settings
from tawasul import system

Figures = dict[str, float]

ROWS: list[tuple[str, str, str]] = [
    ("burst_cases_per_s", "burst: submitted → in casework's queue", "cases/s"),
    ("burst_messages_per_s", "burst: e-mail + SMS accepted by the providers", "messages/s"),
    ("steady_queue_p50_ms", "steady: submit → in casework's queue, p50", "ms"),
    ("steady_queue_p99_ms", "steady: submit → in casework's queue, p99", "ms"),
    ("steady_email_p50_ms", "steady: submit → first e-mail accepted by SMTP, p50", "ms"),
    ("steady_email_p99_ms", "steady: submit → first e-mail accepted by SMTP, p99", "ms"),
    ("steady_drain_s", "steady: notify's backlog drained, after the offer stopped", "s"),
    ("hop_intake_ms", "steady hop: portal publish → RequestSubmitted on the log (intake + relay), median", "ms"),
    ("hop_routing_ms", "steady hop: RequestSubmitted → Routed on the log (routing + relay), median", "ms"),
    ("hop_casework_ms", "steady hop: Routed on the log → in casework's queue, median", "ms"),
    ("store_events_per_s", "event store: 8 writers, 10 events of ~500 B a case", "events/s"),
    ("peer_events_per_s", "the same on the `eventsourcing` library's PostgreSQL recorder", "events/s"),
    ("store_ratio", "event store ÷ the `eventsourcing` library", "×"),
    ("rebuild_events_per_s", "casework's read models rebuilt from the log, proven and swapped", "events/s"),
    ("select_events_per_s", "a plain SELECT of the same events from the stores", "events/s"),
    ("rebuild_share", "the rebuild ÷ the plain SELECT", "×"),
    *((f"rss_{name}_mb", f"memory: {name}'s largest resident set under load", "MB") for name in system.NAMES),
    ("stored_events", "events in the four stores when measured", "events"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def burst(portal: Portal, stores: Stores, n: int) -> Figures:
    await settled(stores)
    offered = await portal.offer(n, None)
    correlations = list(offered.at)
    while await stores.count_visible(correlations) < n:
        await asyncio.sleep(0.05)
    visible_at = time.time()
    await settled(stores)
    accepted = [row[3].timestamp() for row in await stores.sent(correlations)]
    return {"burst_cases_per_s": n / (visible_at - offered.first),
            "burst_messages_per_s": len(accepted) / (max(accepted) - offered.first)}


async def steady(portal: Portal, stores: Stores, rate: float, seconds: float, bootstrap: str, partitions: int,
                 traces: Path | None) -> Figures:
    await settled(stores)
    offered, done = Offered({}), asyncio.Event()
    async with Relayed(bootstrap, partitions) as relayed:
        watcher = asyncio.create_task(watch_visible(stores, offered, done, timeout_s=seconds + 600))
        await portal.offer(int(rate * seconds), rate, into=offered)
        done.set()
        visible = await watcher
        await asyncio.sleep(1)  # the last Routed records reach the tail
    drained = await settled(stores) - offered.last
    first_email: dict = {}
    for correlation, _, channel, at in await stores.sent(list(offered.at)):
        if channel == "email":
            first_email[correlation] = min(first_email.get(correlation, at.timestamp()), at.timestamp())
    queue = [1000 * (visible[c] - offered.at[c]) for c in offered.at]
    email = [1000 * (first_email[c] - offered.at[c]) for c in first_email]
    submitted, routed = relayed.at["RequestSubmitted"], relayed.at["Routed"]
    both = [c for c in offered.at if c in submitted and c in routed]
    figures = {
        "steady_queue_p50_ms": percentile(queue, 0.50), "steady_queue_p99_ms": percentile(queue, 0.99),
        "steady_email_p50_ms": percentile(email, 0.50), "steady_email_p99_ms": percentile(email, 0.99),
        "steady_drain_s": drained,
        "hop_intake_ms": statistics.median(1000 * (submitted[c] - offered.at[c]) for c in both),
        "hop_routing_ms": statistics.median(1000 * (routed[c] - submitted[c]) for c in both),
        "hop_casework_ms": statistics.median(1000 * (visible[c] - routed[c]) for c in both),
    }
    if traces is not None:
        print(hops(traces, offered, submitted, routed, visible), flush=True)
    return figures


def hops(traces: Path, offered: Offered, submitted: dict, routed: dict, visible: dict) -> str:
    """Each hop of the steady phase's cases, from their consumer spans and the log's timestamps: p50 / p99 ms."""
    steps: dict[str, list[float]] = {}

    def add(name: str, seconds: float) -> None:
        steps.setdefault(name, []).append(1000 * seconds)

    for trace in spans(traces).values():
        by = {}
        for span in sorted(trace, key=lambda s: s["start_time"]):
            span["start"] = _seconds(span["start_time"])
            span["end"] = _seconds(span["end_time"])
            by.setdefault(span["service"], []).append(span)
        intake = next((s for s in by.get("intake", []) if s["attributes"]["messaging.destination.name"]
                       .endswith("submissions")), None)
        routing = next(iter(by.get("routing", [])), None)
        casework = next((s for s in by.get("casework", []) if routing and s["parent_id"] ==
                         routing["context"]["span_id"]), None)
        correlation = next((c for c in offered.at if c in submitted and abs(submitted[c] - intake["end"]) < 5),
                           None) if intake else None
        if not (intake and routing and casework and correlation and correlation in routed and correlation in visible):
            continue
        add("portal publish → intake's consumer has it", intake["start"] - offered.at[correlation])
        add("intake handles it (its transaction)", intake["end"] - intake["start"])
        add("intake's relay publishes RequestSubmitted", submitted[correlation] - intake["end"])
        add("→ routing's consumer has it", routing["start"] - submitted[correlation])
        add("routing handles it", routing["end"] - routing["start"])
        add("routing's relay publishes Routed", routed[correlation] - routing["end"])
        add("→ casework's consumer has it", casework["start"] - routed[correlation])
        add("casework handles it", casework["end"] - casework["start"])
        add("→ the benchmark's poll sees it in the queue", visible[correlation] - casework["end"])
    lines = ["per hop (from the services' consumer spans and the log's timestamps), p50 / p99 ms:"]
    lines += [f"  {name:<48} {percentile(values, 0.5):7.1f} / {percentile(values, 0.99):7.1f}  ({len(values)} cases)"
              for name, values in steps.items()]
    return "\n".join(lines)


def _seconds(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


async def rebuilt(running: dict[str, str]) -> Figures:
    """`tawasul rebuild casework` (its code) against the quiet system, and a plain SELECT of the same events."""
    async with AsyncExitStack() as stack:
        def settings_of(name: str) -> Settings:
            return system.service(name).settings(kafka_bootstrap=running["kafka_bootstrap"],
                                                 database_url=running["database_url"])

        stores = {name: await stack.enter_async_context(service_database(system.service(name), settings_of(name)))
                  for name in system.NAMES}
        started = time.perf_counter()
        result = await rebuild(system.service("casework"), settings_of("casework"), stores, wait_s=30)
        seconds = time.perf_counter() - started
        if not result.swapped:
            raise SystemExit("the rebuild did not swap:\n" + "\n".join(result.lines()))
        from sqlalchemy import text

        selected, select_seconds = 0, 0.0
        for sessions in stores.values():
            async with sessions() as session:
                began = time.perf_counter()
                rows = (await session.execute(text("SELECT envelope FROM event_store WHERE topic = :topic "
                                                   "ORDER BY position"), {"topic": "tawasul.case-events"})).all()
                select_seconds += time.perf_counter() - began
                selected += len(rows)
    rate, select_rate = result.messages / seconds, selected / select_seconds
    return {"rebuild_events_per_s": rate, "select_events_per_s": select_rate, "rebuild_share": rate / select_rate}


async def measure(args: argparse.Namespace, up: Up, running: dict[str, str], portal: Portal, stores: Stores,
                  partitions: int) -> list[Figures]:
    rounds = []
    for index in range(1, args.rounds + 1):
        up.memory.peak_mb.clear()
        figures = await burst(portal, stores, args.cases)
        figures |= await steady(portal, stores, args.rate, args.seconds, running["kafka_bootstrap"], partitions,
                                up.home / "traces" if args.hops else None)
        figures |= {f"rss_{name}_mb": mb for name, mb in up.memory.peak_mb.items()}
        figures["stored_events"] = await stores.stored_events()
        print(f"round {index}: " + ", ".join(f"{key}={_short(value)}" for key, value in figures.items()), flush=True)
        rounds.append(figures)
    if "store" not in args.skip:
        from bench import store  # the `eventsourcing` peer comes with the `bench` extra

        quiet = await store.measure(running["database_url"], rounds=args.rounds)
        for figures in rounds:
            figures |= {key: quiet[key] for key in ("store_events_per_s", "peer_events_per_s", "store_ratio")}
    for index, figures in enumerate(rounds if "rebuild" not in args.skip else (), start=1):
        figures |= await rebuilt(running)
        print(f"rebuild {index}: rebuild_events_per_s={figures['rebuild_events_per_s']:.0f} "
              f"select_events_per_s={figures['select_events_per_s']:.0f}", flush=True)
    return rounds


async def fill(portal: Portal, stores: Stores, events: int, cases: int) -> None:
    """Bursts of `cases` until the four stores hold `events`."""
    started = time.monotonic()
    while (stored := await stores.stored_events()) < events:
        print(f"soak: {stored:,} events stored ({time.monotonic() - started:.0f} s); another {cases:,} cases",
              flush=True)
        await portal.offer(cases, None)
        await settled(stores)
    print(f"soak: {await stores.stored_events():,} events stored in {time.monotonic() - started:.0f} s", flush=True)


def medians(rounds: list[Figures]) -> dict[str, tuple[float, float, float]]:
    keys = [key for key, _, _ in ROWS if all(key in figures for figures in rounds)]
    return {key: (statistics.median(f[key] for f in rounds), min(f[key] for f in rounds),
                  max(f[key] for f in rounds)) for key in keys}


def table(title: str, rounds: list[Figures], against: list[Figures] | None = None) -> str:
    found, before = medians(rounds), medians(against) if against else {}
    lines = [title, f"| measure | median (min–max) of {len(rounds)} rounds |" + (" empty system | drift |" if
                                                                                 before else ""),
             "| --- | --- |" + (" --- | --- |" if before else "")]
    for key, label, unit in ROWS:
        if key not in found:
            continue
        median, low, high = found[key]
        line = f"| {label} | {_short(median)} {unit} ({_short(low)}–{_short(high)}) |"
        if key in before:
            line += f" {_short(before[key][0])} {unit} | {median / before[key][0] - 1:+.0%} |" if before[key][0] \
                else " – | – |"
        lines.append(line)
    return "\n".join(lines)


def machine_line(rounds: list[Figures], prefix: str = "") -> str:
    return " ".join(f"{prefix}{key}={_short(median, plain=True)}" for key, (median, _, _) in medians(rounds).items())


def _short(value: float, plain: bool = False) -> str:
    if abs(value) >= 100:
        return f"{value:.0f}" if plain else f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="tawasul-bench-") as tmp:
        up = Up(Path(tmp), env={"TAWASUL_TRACES_DIR": str(Path(tmp) / "traces")} if args.hops else None)
        try:
            running = await up.start()
            partitions = Settings().topic_partitions
            async with Portal(running["kafka_bootstrap"], partitions) as portal, \
                    Stores(running["database_url"]) as stores:
                await portal.offer(500, None)  # warm-up: connections, caches, group assignments
                await settled(stores)
                empty = await measure(args, up, running, portal, stores, partitions)
                print(table(f"\nmedians ({args.cases:,}-case bursts; {args.rate:.0f}/s for {args.seconds:.0f} s):",
                            empty), flush=True)
                full = None
                if args.soak:
                    await fill(portal, stores, args.soak, args.cases)
                    full = await measure(args, up, running, portal, stores, partitions)
                    print(table(f"\nwith {args.soak:,} events stored first:", full, against=empty), flush=True)
        finally:
            await up.stop()
    print("\n" + machine_line(empty) + (" " + machine_line(full, "soak_") if full else ""), flush=True)


def parser() -> argparse.ArgumentParser:
    parsed = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parsed.add_argument("--cases", type=int, default=20_000, help="submissions in each burst")
    parsed.add_argument("--rate", type=float, default=200, help="submissions/s of the steady phase")
    parsed.add_argument("--seconds", type=float, default=60, help="how long the steady phase offers them")
    parsed.add_argument("--rounds", type=int, default=3)
    parsed.add_argument("--soak", type=int, default=0, metavar="EVENTS",
                        help="measure again once the stores hold this many events")
    parsed.add_argument("--hops", action="store_true",
                        help="the services write their spans, and the steady phase prints each hop's latency")
    parsed.add_argument("--skip", type=lambda value: set(value.split(",")), default=set(), metavar="store,rebuild",
                        help="leave out the event store's or the rebuild's figures (a quicker look at the rest)")
    return parsed


if __name__ == "__main__":
    try:
        asyncio.run(main(parser().parse_args()))
    except KeyboardInterrupt:
        sys.exit(130)
