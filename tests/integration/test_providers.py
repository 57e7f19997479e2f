"""`tawasul up` runs local mail and SMS providers only where no real one is configured."""

from notify.providers import local_providers
from notify.settings import NotifySettings


async def test_local_providers_start_when_nothing_is_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("TAWASUL_SMTP_HOST", raising=False)
    monkeypatch.delenv("TAWASUL_SMS_GATEWAY_URL", raising=False)
    monkeypatch.setenv("TAWASUL_LOCAL_SMTP_PORT", "0")
    monkeypatch.setenv("TAWASUL_LOCAL_SMS_PORT", "0")
    async with local_providers(NotifySettings(home=tmp_path)) as (notes, env):
        assert env["TAWASUL_SMTP_HOST"] == "127.0.0.1" and int(env["TAWASUL_SMTP_PORT"]) > 0
        assert env["TAWASUL_SMTP_DEDUPLICATES"] == "true"
        assert env["TAWASUL_SMS_GATEWAY_URL"].startswith("http://127.0.0.1:")
        assert len(notes) == 2


async def test_configured_providers_are_used_and_nothing_local_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("TAWASUL_SMTP_HOST", "smtp.example.gov")
    monkeypatch.setenv("TAWASUL_SMS_GATEWAY_URL", "https://sms.example.gov/v1/messages")
    async with local_providers(NotifySettings(home=tmp_path)) as (notes, env):
        assert (notes, env) == ([], {})
    assert not (tmp_path / "mail").exists() and not (tmp_path / "sms").exists()
