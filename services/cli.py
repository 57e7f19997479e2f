"""The `tawasul` command: run one service, bring the whole system up, export the contracts' schemas."""

import argparse
import asyncio
import importlib
import sys

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
    asyncio.run(Supervisor(settings, SERVICES).run())


def demo(count: int) -> None:
    from services.settings import Settings

    asyncio.run(importlib.import_module("intake.demo").demo(Settings(), count))


def export_schemas() -> None:
    from contracts.schemas import SNAPSHOTS, export

    for path in export(SNAPSHOTS):
        print(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tawasul", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one service in this process")
    run.add_argument("service", choices=SERVICES)
    commands.add_parser("up", help="start the embedded broker and database (unless overridden) and all services")
    commands.add_parser("schemas", help="write the contracts' JSON Schemas and AsyncAPI document to contracts/schemas")
    sample = commands.add_parser("demo", help="act as a portal: publish sample submissions, print the answers")
    sample.add_argument("--count", type=int, default=5)
    args = parser.parse_args(argv)
    if args.command == "run":
        run_service(args.service)
    elif args.command == "up":
        up()
    elif args.command == "demo":
        demo(args.count)
    else:
        export_schemas()


if __name__ == "__main__":
    main()
