"""The local mail server and SMS gateway `tawasul up` runs when no real provider is configured."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from notify.local.mail import LocalMailServer
from notify.local.sms import LocalSmsGateway
from notify.settings import NotifySettings


@asynccontextmanager
async def local_providers(configured: NotifySettings) -> AsyncIterator[tuple[list[str], dict[str, str]]]:
    """Start what `configured` lacks; yield lines to print and the environment that points notify at them."""
    notes: list[str] = []
    env: dict[str, str] = {}
    mail = sms = None
    try:
        if not configured.smtp_host:
            mail = LocalMailServer(configured.home / "mail", port=configured.local_smtp_port)
            await mail.start()
            env |= {"TAWASUL_SMTP_HOST": "127.0.0.1", "TAWASUL_SMTP_PORT": str(mail.port),
                    "TAWASUL_SMTP_DEDUPLICATES": "true"}
            notes.append(f"mail       smtp://127.0.0.1:{mail.port} (local; `tawasul mail` lists what it received)")
        if not configured.sms_gateway_url:
            sms = LocalSmsGateway(configured.home / "sms", port=configured.local_sms_port)
            await sms.start()
            env |= {"TAWASUL_SMS_GATEWAY_URL": sms.url}
            notes.append(f"sms        {sms.url} (local; `tawasul sms` lists what it received)")
        yield notes, env
    finally:
        if mail is not None:
            await mail.stop()
        if sms is not None:
            await sms.stop()
