"""Topic administration, for the embedded broker and a production cluster alike."""

import asyncio
import time
from collections.abc import Iterable, Mapping
from typing import Any

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

log = structlog.get_logger()


async def ensure_topics(
    bootstrap: str, names: Iterable[str], partitions: int, *, replication: int = 1, timeout: float = 15.0,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Create each missing topic with `partitions` partitions and wait until metadata shows them.

    Only list/create/metadata requests are used: Tansu lacks alter_configs,
    create_partitions and delete_records. An existing topic is left as it is.
    """
    wanted = list(dict.fromkeys(names))
    admin = AIOKafkaAdminClient(**(options or {}), bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if missing:
            response = await admin.create_topics([NewTopic(name, partitions, replication) for name in missing])
            for result in response.to_object()["topic_errors"]:
                code = result["error_code"]
                if code not in (0, TopicAlreadyExistsError.errno):
                    message = result.get("error_message")
                    raise for_code(code)(f"creating topic {result['topic']}: {message}")
            log.info("kafka.topics_created", topics=missing, partitions=partitions)
        counts = await _wait_for_topics(admin, wanted, {name: partitions for name in missing}, timeout)
    finally:
        await admin.close()
    for name in wanted:
        if counts[name] != partitions:
            log.warning("kafka.topic_partitions_differ", topic=name, partitions=counts[name], wanted=partitions)


async def _wait_for_topics(
    admin: AIOKafkaAdminClient, names: list[str], created: dict[str, int], timeout: float
) -> dict[str, int]:
    """Poll metadata until every topic has its partitions, each with a leader; return their counts."""
    deadline = time.monotonic() + timeout
    while True:
        # Ask for all topics: naming an unknown topic in a metadata request makes Tansu auto-create it.
        seen = {t["topic"]: t["partitions"] for t in await admin.describe_topics(None) if t["error_code"] == 0}
        pending = [name for name in names if not _topic_ready(seen.get(name, []), created.get(name, 1))]
        if not pending:
            return {name: len(seen[name]) for name in names}
        if time.monotonic() >= deadline:
            raise TimeoutError(f"topics not ready after {timeout:.0f} s: {pending}")
        await asyncio.sleep(0.1)


def _topic_ready(partitions: list[dict[str, Any]], at_least: int) -> bool:
    led = all(p["error_code"] == 0 and p["leader"] >= 0 for p in partitions)
    return led and len(partitions) >= at_least
