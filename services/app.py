"""What a service is (`Service`), and `create_app(service, settings)`: the app every service runs as.

The runtime knows no service by name: the composition root (`tawasul.system`) hands each one in.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import structlog
from fastapi import APIRouter, FastAPI, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from services import db, migrations
from services.consumer import BatchConsumer, Subscription
from services.eventstore import EventStore
from services.kafka import all_topics, broker_reachable, consumer_lag, create_broker, create_producer
from services.projection import Projection
from services.relay import Relay
from services.settings import Settings
from services.telemetry import server_span
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
    workers = parts.workers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(db.ensure_database, url)
        await asyncio.to_thread(migrations.upgrade, url, service.migrations)
        await ensure_topics(
            bootstrap, all_topics(settings), settings.topic_partitions, replication=settings.topic_replication
        )
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
        if settings.republish:
            await relay.republish_all()
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

    app = FastAPI(title=f"Tawasul {service.name}", lifespan=lifespan)

    app.add_middleware(BodyLimit, max_bytes=parts.max_body_bytes)
    app.add_middleware(TraceRequests)
    app.add_middleware(SecurityHeaders)

    @app.get("/healthz")
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


API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'unsafe-inline' "
    "https://cdn.jsdelivr.net; img-src data: https://fastapi.tiangolo.com; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""The interactive OpenAPI page loads its script and style from a CDN, so it gets just what it needs."""
DOCS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


class SecurityHeaders:
    """Every HTTP answer is kept out of caches, frames and referrers, and its type is never sniffed.

    Plain ASGI, like `TraceRequests`; a header the route set itself is left as it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] in DOCS else API_POLICY
        extra = [(b"cache-control", b"no-store"), (b"content-security-policy", policy.encode()),
                 (b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                 (b"referrer-policy", b"no-referrer")]

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(StarletteHTTPException):
    """Raised while the body is read, so whichever part reads it answers 413."""


class BodyLimit:
    """Refuses a body larger than `max_bytes` with 413, whether its `Content-Length` says so or its chunks add up
    to it: no more than the limit is ever read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen, started = 0, False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(413, self._detail)
            return message

        async def watched(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    @property
    def _detail(self) -> str:
        return f"the body is larger than the {self.max_bytes} bytes this service reads"

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"detail": self._detail})
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body.encode()})


class TraceRequests:
    """A SERVER span around each HTTP request (not health checks), so the events it emits continue its trace.

    Plain ASGI rather than `@app.middleware("http")`, whose per-request task and stream wrapping cost the portal
    API a noticeable share of its time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        with server_span(f"{scope['method']} {scope['path']}", headers):
            await self.app(scope, receive, send)


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
