"""Kafka topic names: the contract between portals and the four services."""

SUBMISSIONS = "tawasul.submissions"
"""Portals publish submissions here, key = submission_id."""

SUBMISSION_RESULTS = "tawasul.submission-results"
"""Intake answers every submission here, key = submission_id."""

CASE_EVENTS = "tawasul.case-events"
"""The append-only case log, key = tracking number."""

REGISTRY = "tawasul.registry"
"""The population registry publishes who is linked to whose account here, key = account_id."""

ALL = (SUBMISSIONS, SUBMISSION_RESULTS, CASE_EVENTS, REGISTRY)


def dead_letters(topic: str) -> str:
    """The dead-letter topic of `topic`: undecodable or invalid messages, with their reason."""
    return f"{topic}.dlq"


REASON_HEADER = "tawasul-dlq-reason"
SOURCE_HEADER = "tawasul-dlq-source"
CONSUMER_HEADER = "tawasul-dlq-consumer"
DEAD_LETTER_HEADERS = {
    REASON_HEADER: "why the message can never be applied (field and rule where there is one)",
    SOURCE_HEADER: "where it was read: `<topic>/<partition>/<offset>`",
    CONSUMER_HEADER: "the consumer group that gave up on it",
}
"""Headers a consumer adds to a dead letter, beside the original message's own."""
