"""Tracing across every Kafka hop: a consumer span per message, continued by the events it causes.

A message's span is the child of the trace context in its Kafka headers; the events its handling
emits store that span's context, and the relay publishes it in their headers, so one trace runs
from the portal's submission through every service that touches the case.
"""

import os
from collections.abc import Mapping
from pathlib import Path

from aiokafka.structs import ConsumerRecord
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.trace import Span, SpanKind

tracer = trace.get_tracer("tawasul")


def configure_tracing(service: str, *, traces_dir: Path | None) -> None:
    """Spans go to OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and to `<traces_dir>/<service>.jsonl` if given."""
    provider = TracerProvider(resource=Resource.create({"service.name": f"tawasul-{service}"}))
    if traces_dir is not None:
        traces_dir.mkdir(parents=True, exist_ok=True)
        out = (traces_dir / f"{service}.jsonl").open("a", encoding="utf-8")
        exporter = ConsoleSpanExporter(out=out, formatter=lambda span: span.to_json(indent=None) + "\n")
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


def message_span(record: ConsumerRecord, consumer: str) -> Span:
    """A CONSUMER span for one record, continuing the trace its headers carry."""
    carrier = {name: value.decode(errors="replace") for name, value in record.headers or () if value is not None}
    return tracer.start_span(
        f"{record.topic} process",
        context=propagate.extract(carrier),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": record.topic,
            "messaging.consumer.group.name": consumer,
            "messaging.destination.partition.id": str(record.partition),
            "messaging.kafka.offset": record.offset,
        },
    )


def context_headers(span: Span | None = None) -> dict[str, str]:
    """W3C trace context of `span` (default: the current span) as headers to store with an event."""
    carrier: dict[str, str] = {}
    context = trace.set_span_in_context(span) if span is not None else None
    propagate.inject(carrier, context=context)
    return carrier


def server_span(name: str, headers: Mapping[str, str]):
    """A SERVER span for an HTTP request, continuing the caller's trace if it sent one."""
    return tracer.start_as_current_span(name, context=propagate.extract(dict(headers)), kind=SpanKind.SERVER)
