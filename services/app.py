"""What a service is (`Service`), and `create_app(service, settings)`: the app every service runs as.

The runtime knows no service by name: the composition root (`tawasul.system`) hands each one in.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from services import db, migrations
from services.consumer import BatchConsumer, Subscription
from services.eventstore import EventStore
from services.http import BodyLimit, SecurityHeaders, TraceRequests
from services.kafka import (
    all_topics,
    broker_reachable,
    client_options,
    consumer_lag,
    create_broker,
    create_producer,
)
from services.projection import Projection
from services.relay import Relay
from services.sealer import Sealer, signing_key
from services.settings import Settings
from services.topics import ensure_topics

log = structlog.get_logger()


@dataclass(frozen=True)
class Runtime:
    """What a service's parts are built with."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    store: EventStore


class Worker(Protocol):
    """A long-running part of a service besides its consumer and relay (a sender, a timer)."""

    name: str

    async def run(self) -> None: ...

    async def health(self) -> dict: ...


@dataclass(frozen=True)
class Parts:
    """What a service runs, built once from its runtime: what it consumes, the HTTP routes it serves, its
    workers."""

    subscriptions: Sequence[Subscription] = ()
    """In the order a batch applies them: reference data before what uses it."""
    routes: APIRouter | None = None
    workers: Sequence[Worker] = ()
    max_body_bytes: int = 1024 * 1024
    """The largest HTTP body the service reads; a larger one is refused (413) as soon as it is seen to be."""
    exception_handlers: Mapping[type[Exception], Callable[[Request, Any], Awaitable[Response]]] = \
        field(default_factory=dict)
    """How the service answers an exception its routes raise, in place of FastAPI's answer."""
    middleware: Sequence[Middleware] = ()
    """Around the routes, outermost first (inside the runtime's own: body limit, trace, security headers)."""
    mounts: Mapping[str, ASGIApp] = field(default_factory=dict)
    """Applications served under a path (static files), by the path."""


@dataclass(frozen=True)
class Service:
    """A service: its name, its settings type, its migrations, how its parts are built, and its read models."""

    name: str
    migrations: Path
    build: Callable[[Runtime], Parts]
    settings: type[Settings] = Settings
    read_models: Callable[[], Sequence[Subscription]] = lambda: ()
    """Subscriptions that only fold the log into the service's read models (their `projections`): what a rebuild
    replays, never deciding or sending anything."""
    documented: tuple[type[BaseModel], ...] = field(default=())
    """Models a route reads by hand (not as a parameter) that the OpenAPI document must still define."""

    def projections(self) -> list[Projection]:
        return [projection for subscription in self.read_models() for projection in subscription.projections]


def _offline(service: Service) -> Settings:
    """Settings that build `service` without connecting to anything (for the documents that describe it)."""
    return service.settings(kafka_bootstrap="unused:9092", database_url="postgresql://unused/unused")


def openapi_document(service: Service) -> dict:
    """The service's OpenAPI document, as served at /openapi.json (built without connecting to anything)."""
    return create_app(service, _offline(service)).openapi()


def parts_of(service: Service) -> Parts:
    """What `service` consumes, serves and runs, built without connecting to anything."""
    settings = _offline(service)
    engine = db.create_engine(settings.service_database_url(service.name))
    return service.build(Runtime(settings, engine, db.session_factory(engine), EventStore(producer=service.name)))


@asynccontextmanager
async def service_database(service: Service, settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on `service`'s database, created and migrated first if need be: for a command run beside the
    service (issuing keys, a rebuild)."""
    url = settings.service_database_url(service.name)
    await asyncio.to_thread(db.ensure_database, url)
    await asyncio.to_thread(migrations.upgrade, url, service.migrations)
    engine = db.create_engine(url, pool_size=1)
    try:
        yield db.session_factory(engine)
    finally:
        await engine.dispose()


def create_app(service: Service, settings: Settings) -> FastAPI:
    if not settings.kafka_bootstrap:
        raise RuntimeError("TAWASUL_KAFKA_BOOTSTRAP is not set and no embedded broker was started")
    bootstrap = settings.kafka_bootstrap
    url = settings.service_database_url(service.name)
    engine = db.create_engine(url)
    runtime = Runtime(settings, engine, db.session_factory(engine), EventStore(producer=service.name))
    parts = service.build(runtime)
    subscriptions = {settings.topic(sub.topic): sub for sub in parts.subscriptions}
    key = settings.seal_key.get_secret_value() if settings.seal_key else None
    sealer = Sealer(service=service.name, sessions=runtime.sessions, key=signing_key(service.name, settings.home, key),
                    checkpoint_interval_s=settings.seal_checkpoint_interval_s)
    workers = [*parts.workers, sealer]  # every store is sealed, as every store is relayed

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(db.ensure_database, url)
        await asyncio.to_thread(migrations.upgrade, url, service.migrations)
        await ensure_topics(bootstrap, all_topics(settings), settings.topic_partitions,
                            replication=settings.topic_replication, options=client_options(settings))
        producer = app.state.producer = create_producer(settings, bootstrap)
        await producer.start()
        relay = app.state.relay = Relay(
            sessions=runtime.sessions,
            producer=producer,
            listen_dsn=db.libpq_dsn(url),
            topic_name=settings.topic,
            batch_size=settings.relay_batch_size,
            poll_interval_s=settings.relay_poll_interval_s,
        )
        consumer = app.state.consumer = BatchConsumer(
            name=service.name, subscriptions=subscriptions, sessions=runtime.sessions,
            store=runtime.store, producer=producer,
        )
        relay_task = app.state.relay_task = asyncio.create_task(relay.run(), name="relay")
        broker = app.state.broker = None
        if subscriptions:
            broker = create_broker(
                settings, bootstrap, service=service.name, topic_names=subscriptions, on_batch=consumer.process
            )
            await broker.start()
            app.state.broker = broker
        app.state.workers = {worker.name: asyncio.create_task(worker.run(), name=worker.name) for worker in workers}
        log.info("service.started", topics=sorted(subscriptions))
        try:
            yield
        finally:
            for task in app.state.workers.values():
                task.cancel()
            await _within(asyncio.gather(*app.state.workers.values(), return_exceptions=True), "workers")
            if broker is not None:
                await _within(broker.stop(), "consumer")
            relay_task.cancel()
            await asyncio.gather(relay_task, return_exceptions=True)
            await _within(producer.stop(), "producer")
            await engine.dispose()
            log.info("service.stopped")

    app = FastAPI(title=f"Tawasul {service.name}", lifespan=lifespan,
                  exception_handlers=dict(parts.exception_handlers))

    for layer in reversed(parts.middleware):
        app.add_middleware(layer.cls, *layer.args, **layer.kwargs)
    app.add_middleware(BodyLimit, max_bytes=parts.max_body_bytes)
    app.add_middleware(TraceRequests)
    app.add_middleware(SecurityHeaders)

    @app.get("/healthz", responses={503: {"description": "the relay, the consumer or a worker has stopped: "
                                                          "`status` says which"}})
    async def healthz(response: Response) -> dict:
        relay: Relay = app.state.relay
        consumer: BatchConsumer = app.state.consumer
        broker = app.state.broker
        lag = await consumer_lag(broker) if broker is not None else {}
        failing = [
            *(["relay stopped"] if app.state.relay_task.done() else []),
            *(["consumer stopped"] if broker is not None and not all(s.running for s in broker.subscribers) else []),
            *(f"{name} stopped" for name, task in app.state.workers.items() if task.done()),
        ]
        if failing:
            response.status_code = 503
        # Still up, but cut off: the supervisor restarts a failing service, not one waiting for its broker.
        degraded = [] if await broker_reachable(app.state.producer) else ["broker unreachable"]
        return {
            "service": service.name,
            "status": "failing: " + ", ".join(failing + degraded) if failing
            else "degraded: " + ", ".join(degraded) if degraded else "ok",
            "broker": "unreachable" if degraded else "ok",
            "relay": {"published": relay.published, "pending": await relay.pending()},
            "consumer": {
                "applied": consumer.applied,
                "ignored_duplicates": consumer.ignored,
                "dead_lettered": consumer.dead_lettered,
                "lag": sum(lag.values()),
                "lag_by_partition": lag,
            },
            **{worker.name: await worker.health() for worker in workers},
        }

    if parts.routes is not None:
        app.include_router(parts.routes)
    for path, mounted in parts.mounts.items():
        app.mount(path, mounted, name=path.strip("/"))
    if service.documented:
        _document(app, service.documented)
    return app


STOP_S = 3.0
"""How long the workers, the consumer and the producer each may take to stop. With the broker away the last two
would wait for it, and a worker may be in the middle of a provider's call; what they leave is safe (offsets are
committed only after a batch applied, outbox rows deleted only once sent, a notification claimed but not
recorded is recovered by the next sender's lease)."""


async def _within(stopping: Awaitable[None], what: str) -> None:
    try:
        async with asyncio.timeout(STOP_S):
            await stopping
    except TimeoutError:
        log.warning("service.stop_abandoned", part=what, after_s=STOP_S)


def _document(app: FastAPI, models: tuple[type[BaseModel], ...]) -> None:
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            components = generate().setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(schema.pop("$defs", {}))
                components[model.__name__] = schema
        return app.openapi_schema

    app.openapi = openapi


GRACEFUL_S = 5
"""How long a stopping service lets HTTP requests in flight finish (every one is short) before it stops the
consumer, relay and workers."""


def serve(service: Service, settings: Settings, port: int) -> None:
    """Run `service` in this process until it is told to stop: its consumer, relay, workers and HTTP API."""
    import uvicorn

    from services.logging import configure_logging
    from services.telemetry import configure_tracing

    configure_logging(service=service.name, fmt=settings.log_format, level=settings.log_level)
    configure_tracing(service.name, traces_dir=settings.traces_dir)
    if not (settings.kafka_bootstrap and settings.database_url):
        raise SystemExit("a service needs TAWASUL_KAFKA_BOOTSTRAP and TAWASUL_DATABASE_URL; `tawasul up` sets both")
    uvicorn.run(create_app(service, settings), host=settings.http_host, port=port,
                log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=GRACEFUL_S,
                server_header=False)
