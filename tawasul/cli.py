"""The `tawasul` command: run a service, bring the whole system up, rebuild a read model, issue keys, export the
contracts, and the development helpers (demo, local mail and SMS, the SLA clock)."""

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from contracts.vocabulary import PORTALS
from tawasul import audit, system, users


def run_service(name: str) -> None:
    from services.app import serve

    service = system.service(name)
    settings = service.settings()
    serve(service, settings, system.port_of(name, settings))


def up() -> None:
    from notify.settings import NotifySettings
    from services.logging import configure_logging
    from services.settings import Settings
    from services.supervisor import Supervisor
    from tawasul.development import development

    settings = Settings()
    configure_logging(service="up", fmt=settings.log_format, level=settings.log_level)
    supervisor = Supervisor(settings, system.ports(), system.command, prepare=development(NotifySettings()))
    asyncio.run(supervisor.run())


def demo(count: int, portal: str | None, section: str | None) -> None:
    from intake.settings import IntakeSettings
    from services.supervisor import beside_running
    from tawasul.demo import demo

    try:
        asyncio.run(demo(beside_running(IntakeSettings()), count, portal, section=section))
    except LookupError as error:
        sys.exit(f"tawasul demo: {error.args[0]}")


def rebuild(name: str, accept_changes: bool, wait_s: float) -> None:
    from contextlib import AsyncExitStack

    from services.rebuild import rebuild
    from services.supervisor import beside_running
    from tawasul.audit import database

    async def rebuilt():
        async with AsyncExitStack() as stack:
            stores = {other: await stack.enter_async_context(database(other)) for other in system.NAMES}
            service = system.service(name)
            return await rebuild(service, beside_running(service.settings()), stores,
                                 accept_changes=accept_changes, wait_s=wait_s)

    result = asyncio.run(rebuilt())
    print("\n".join(result.lines()))
    if not result.swapped:
        sys.exit(1)


def received(kind: str) -> None:
    from notify.local.received import show
    from services.settings import Settings

    show(kind, Settings().home)


def issue_key(role: str, name: str, label: str) -> None:
    from intake.keys import UnknownPortal, check_principal, issue_keys
    from services.app import service_database
    from services.supervisor import beside_running

    try:
        check_principal(name, role)  # type: ignore[arg-type]
    except UnknownPortal as error:
        sys.exit(f"tawasul key: {error}")
    intake = system.service("intake")
    settings = beside_running(intake.settings())

    async def issue() -> dict[str, str]:
        async with service_database(intake, settings) as sessions:
            return await issue_keys(sessions, [(name, role)], label)  # type: ignore[list-item]

    print(asyncio.run(issue())[name])


def export_schemas() -> None:
    from contracts.schemas import SNAPSHOTS, export
    from services.app import openapi_document
    from tawasul import acls, docs

    for path in export(SNAPSHOTS):
        print(path)
    for part in system.PARTS.values():
        path = Path(part.service.migrations).parent / "openapi.json"  # beside the service's package
        path.write_text(json.dumps(openapi_document(part.service), indent=2, ensure_ascii=False) + "\n")
        print(path)
    if acls.SCRIPT.parent.exists():  # a source checkout: the Kafka principals and ACLs deploy/ applies
        acls.SCRIPT.write_text(acls.script())
        print(acls.SCRIPT)
    if docs.README.exists():  # a source checkout: the README's topics and events
        docs.update(docs.README)
        print(docs.README)


def sla_due(submitted_at: str, sub_service: str | None) -> None:
    from routing import sla
    from routing.holidays import VERSION as DERIVED

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
    if derived := [year for year in years if year not in calendar.years]:
        print(f"note: no official announcement for {', '.join(map(str, derived))}; its holidays are derived "
              f"({DERIVED})", file=sys.stderr)
    print(due.astimezone(calendar.timezone).isoformat())
    print(f"calendar {calendar.version}, sla {sla.sla_version()}, {working_days} working days")


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= count <= 1000:
        raise argparse.ArgumentTypeError(f"{count} is not between 1 and 1000")
    return count


def _sub_service(code: str) -> str:
    from intake.catalog import load
    from intake.settings import IntakeSettings

    catalog = load(IntakeSettings.model_fields["catalog_version"].default)
    known = sorted({sub.code for section in catalog.sections for sub in section.sub_services})
    if code not in known:
        raise argparse.ArgumentTypeError(f"no sub-service {code!r} in catalog {catalog.version}; "
                                         f"the codes are {', '.join(known)}")
    return code


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tawasul", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one service in this process")
    run.add_argument("service", choices=system.NAMES)
    commands.add_parser("up", help="start the embedded broker and database (unless overridden) and all services")
    commands.add_parser("schemas", help="write the contracts' JSON Schemas and AsyncAPI document to contracts/schemas, "
                        "and each service's OpenAPI document to <service>/openapi.json")
    sample = commands.add_parser("demo", help="act as a portal: publish sample submissions, print the answers and "
                                 "where each accepted one was routed")
    sample.add_argument("--portal", choices=PORTALS, default=None, help="the portal they come from (default: "
                        "absher and muqeem in turn)")
    sample.add_argument("--count", type=_count, default=5, help="how many (1–1000)")
    sample.add_argument("--section", default=None, help="only requests of this catalog section (e.g. "
                        "saudi-passport, which routing sends to passports)")
    sla = commands.add_parser("sla", help="service-level clock")
    sla_commands = sla.add_subparsers(dest="sla_command", required=True)
    due = sla_commands.add_parser("due", help="print the due time of a request submitted at an ISO 8601 instant")
    due.add_argument("submitted_at", help="ISO 8601 instant; without an offset it is Asia/Riyadh local time")
    due.add_argument("--sub-service", default=None, type=_sub_service,
                     help="a sub-service code of the catalog (default: the default SLA)")
    again = commands.add_parser("rebuild", help="rebuild a service's read models from the log into fresh tables, "
                                "compare them with the live ones and the stores, and swap them in (decides and "
                                "sends nothing)")
    again.add_argument("service", choices=system.NAMES)
    again.add_argument("--accept-changes", action="store_true", help="swap in rebuilt rows that differ from the "
                       "live ones (after a change to a fold); the events applied must still agree")
    again.add_argument("--wait", type=float, default=60.0, metavar="SECONDS", help="how long to wait for the live "
                       "model and the relays to catch up with the log before refusing (default 60)")
    commands.add_parser("mail", help="list the e-mail the local mail server received (addresses masked)")
    commands.add_parser("sms", help="list the SMS the local gateway received (numbers masked)")
    key = commands.add_parser("key", help="issue an API key for a portal or an officer (printed once, stored hashed)")
    key.add_argument("role", choices=("portal", "officer"))
    key.add_argument("name", help="the portal's name (absher, muqeem) or the officer's id")
    key.add_argument("--label", default="", help="a note kept with the key")
    users.add_parsers(commands)
    audit.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.command == "run":
        run_service(args.service)
    elif args.command == "up":
        up()
    elif args.command == "demo":
        demo(args.count, args.portal, args.section)
    elif args.command == "rebuild":
        rebuild(args.service, args.accept_changes, args.wait)
    elif args.command in ("mail", "sms"):
        received(args.command)
    elif args.command == "key":
        issue_key(args.role, args.name, args.label)
    elif args.command == "sla":
        sla_due(args.submitted_at, args.sub_service)
    elif args.command == "audit":
        audit.run(args)
    elif args.command in ("users", "departments"):
        users.run(args)
    else:
        export_schemas()


if __name__ == "__main__":
    main()
