"""`tawasul rebuild notify`: notify's read model (recipients, updates) rebuilt from the case log.

The ledger (`notifications`, `attempts`) is kept as it is and nothing is derived while replaying,
so a rebuild sends nothing: only live updates are ever sent.
"""

from sqlalchemy import text

from notify.app import SERVICE
from services import db
from services.eventstore import EventStore, unit_of_work
from services.replay import replay_log
from services.settings import Settings


async def rebuild(settings: Settings) -> int:
    engine = db.create_engine(settings.service_database_url("notify"), pool_size=1)
    sessions = db.session_factory(engine)
    try:
        [subscription] = SERVICE.subscriptions(None)  # notify's case-event handlers need nothing of the runtime
        async with unit_of_work(sessions, EventStore(producer="notify"), replaying=True) as unit:
            await unit.session.execute(text("TRUNCATE recipients, updates"))
            return await replay_log(settings, unit, subscription)
    finally:
        await engine.dispose()
