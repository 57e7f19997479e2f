"""The `tawasul` command: run one service, bring the whole system up, export the contracts' schemas."""

import argparse
import asyncio
import importlib
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

SERVICES = ("intake", "routing", "casework", "notify")


def run_service(name: str) -> None:
    import uvicorn

    from services.app import create_app
    from services.logging import configure_logging
    from services.settings import Settings
    from services.telemetry import configure_tracing

    settings = Settings()
    configure_logging(service=name, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(name, traces_dir=settings.traces_dir)
    if not (settings.kafka_bootstrap and settings.database_url):
        sys.exit("tawasul run needs TAWASUL_KAFKA_BOOTSTRAP and TAWASUL_DATABASE_URL; `tawasul up` sets both")
    service = importlib.import_module(f"{name}.app").SERVICE
    app = create_app(service, settings)
    uvicorn.run(app, host=settings.http_host, port=settings.port_of(name), log_config=None,
                access_log=False, lifespan="on", timeout_graceful_shutdown=20)


def up() -> None:
    from services.logging import configure_logging
    from services.settings import Settings
    from services.supervisor import Supervisor

    settings = Settings()
    configure_logging(service="up", fmt=settings.log_format, level=settings.log_level)
    asyncio.run(Supervisor(settings, SERVICES, prepare=development).run())


@asynccontextmanager
async def development(settings) -> AsyncIterator[tuple[list[str], dict[str, str]]]:
    """What `tawasul up` adds around the services: development keys and the demo registry (intake), and local
    mail and SMS providers where none is configured (notify)."""
    notes = await importlib.import_module("intake.demo").prepare(settings)
    async with importlib.import_module("notify.providers").local_providers(settings) as (more, env):
        yield notes + more, env


def demo(count: int) -> None:
    from services.settings import Settings

    asyncio.run(importlib.import_module("intake.demo").demo(Settings(), count))


def rebuild(service: str) -> None:
    from services.settings import Settings

    applied = asyncio.run(importlib.import_module(f"{service}.rebuild").rebuild(Settings()))
    print(f"{service}: read model rebuilt from {applied} events; nothing sent")


def received(kind: str) -> None:
    from services.settings import Settings

    importlib.import_module("notify.inbox").show(kind, Settings().home)


def issue_key(role: str, name: str, label: str) -> None:
    from services.settings import Settings

    keys = importlib.import_module("intake.keys")
    issued = asyncio.run(keys.issue_keys(Settings(), [(name, role)], label))
    print(issued[name])


def export_schemas() -> None:
    import json
    from pathlib import Path

    from contracts.schemas import SNAPSHOTS, export
    from services.app import openapi_document

    for path in export(SNAPSHOTS):
        print(path)
    for name in SERVICES:
        module = importlib.import_module(f"{name}.app")
        path = Path(module.__file__).parent / "openapi.json"
        path.write_text(json.dumps(openapi_document(module.SERVICE), indent=2, ensure_ascii=False) + "\n")
        print(path)


def sla_due(submitted_at: str, sub_service: str | None) -> None:
    from datetime import datetime

    sla = importlib.import_module("routing.sla")
    calendar = sla.load_calendar()
    working_days = sla.working_days_for(sub_service)
    try:
        instant = datetime.fromisoformat(submitted_at)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=calendar.timezone)
        due = calendar.due_at(instant, working_days)
    except (ValueError, OverflowError) as error:
        sys.exit(f"tawasul sla due: {submitted_at!r} is not a usable ISO 8601 instant ({error})")
    years = range(calendar.local_date(instant).year, calendar.local_date(due).year + 1)
    if missing := [year for year in years if year not in calendar.years]:
        print(f"warning: no holiday data for {', '.join(map(str, missing))}; only weekends skipped", file=sys.stderr)
    print(due.astimezone(calendar.timezone).isoformat())
    print(f"calendar {calendar.version}, sla {sla.sla_version()}, {working_days} working days")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tawasul", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one service in this process")
    run.add_argument("service", choices=SERVICES)
    commands.add_parser("up", help="start the embedded broker and database (unless overridden) and all services")
    commands.add_parser("schemas", help="write the contracts' JSON Schemas and AsyncAPI document to contracts/schemas, "
                        "and each service's OpenAPI document to <service>/openapi.json")
    sample = commands.add_parser("demo", help="act as a portal: publish sample submissions, print the answers")
    sample.add_argument("--count", type=int, default=5)
    sla = commands.add_parser("sla", help="service-level clock")
    sla_commands = sla.add_subparsers(dest="sla_command", required=True)
    due = sla_commands.add_parser("due", help="print the due time of a request submitted at an ISO 8601 instant")
    due.add_argument("submitted_at", help="ISO 8601 instant; without an offset it is Asia/Riyadh local time")
    due.add_argument("--sub-service", default=None, help="sub-service code (default: the default SLA)")
    again = commands.add_parser("rebuild", help="rebuild a service's read model from the case log (sends nothing)")
    again.add_argument("service", choices=("notify",))
    commands.add_parser("mail", help="list the e-mail the local mail server received (addresses masked)")
    commands.add_parser("sms", help="list the SMS the local gateway received (numbers masked)")
    key = commands.add_parser("key", help="issue an API key for a portal or an officer (printed once, stored hashed)")
    key.add_argument("role", choices=("portal", "officer"))
    key.add_argument("name", help="the portal's name (absher, muqeem) or the officer's id")
    key.add_argument("--label", default="", help="a note kept with the key")
    args = parser.parse_args(argv)
    if args.command == "run":
        run_service(args.service)
    elif args.command == "up":
        up()
    elif args.command == "demo":
        demo(args.count)
    elif args.command == "rebuild":
        rebuild(args.service)
    elif args.command in ("mail", "sms"):
        received(args.command)
    elif args.command == "key":
        issue_key(args.role, args.name, args.label)
    elif args.command == "sla":
        sla_due(args.submitted_at, args.sub_service)
    else:
        export_schemas()


if __name__ == "__main__":
    main()
