"""What `tawasul up` adds around the services on a developer's machine: development API keys, the demo household
in the registry, and local mail and SMS providers where none is configured."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from intake.keys import Role, issue_keys
from notify.providers import local_providers
from notify.settings import NotifySettings
from services.app import service_database
from services.settings import Settings
from services.supervisor import Prepare
from tawasul import demo, system

DEV_LABEL = "tawasul-up"
DEV_PRINCIPALS: list[tuple[str, Role]] = [("absher", "portal"), ("muqeem", "portal"), ("officer-1", "officer")]


def development(notify: NotifySettings) -> Prepare:
    """The supervisor's `prepare`, given notify's settings as this process read them."""

    @asynccontextmanager
    async def prepare(settings: Settings) -> AsyncIterator[tuple[list[str], dict[str, str]]]:
        notes = await keys_and_household(settings)
        async with local_providers(notify.model_copy(update={"home": settings.home})) as (more, env):
            yield notes + more, env

    return prepare


async def keys_and_household(settings: Settings) -> list[str]:
    """Development keys for both portals and an officer (the previous run's are revoked), and the demo household;
    the lines that tell of them."""
    async with service_database(system.service("intake"), settings) as sessions:
        issued = await issue_keys(sessions, DEV_PRINCIPALS, DEV_LABEL, replace=True)
    await demo.publish_household(settings)
    return [f"api key    {name:<10} {key}" for name, key in issued.items()] + [
        f"registry   {len(demo.PEOPLE)} people linked to the demo account holder (README: To try it)"
    ]
