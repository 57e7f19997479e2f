"""The README's picture and tables of topics and events are the ones the contracts and the services give, and the
AsyncAPI document names as readers of each topic exactly the services that subscribe to it."""

from contracts.asyncapi import ROUTES
from services.app import parts_of
from tawasul import docs, system


def test_the_readme_shows_the_generated_topics_and_events():
    assert docs.current(docs.README) == docs.section(), "README.md's topics are stale: run `tawasul schemas`"


def test_the_asyncapi_readers_of_each_topic_are_the_services_that_subscribe_to_it():
    subscribed = {
        (subscription.topic, name)
        for name, part in system.PARTS.items() for subscription in parts_of(part.service).subscriptions
    }
    documented = {(topic, reader) for topic, route in ROUTES.items() for reader in route.readers
                  if reader in system.PARTS}
    assert documented == subscribed


def test_every_service_emits_what_the_readme_says_and_reads_the_case_log():
    emitted, consumed = docs.emitted(), docs.consumed()
    assert set(emitted) == set(consumed) == set(system.NAMES)
    assert all("tawasul.case-events" in topics for topics in consumed.values())
