"""A provider's own field names and auth reach the SMS channel from the environment."""

from notify.app import channels_of
from notify.settings import NotifySettings


def test_sms_gateway_settings_shape_the_channel(monkeypatch):
    monkeypatch.setenv("TAWASUL_SMS_GATEWAY_URL", "https://sms.example.gov/send")
    monkeypatch.setenv("TAWASUL_SMS_GATEWAY_FIELDS", '{"to": "msisdn", "text": "body"}')
    monkeypatch.setenv("TAWASUL_SMS_GATEWAY_AUTH_HEADER", "X-API-Key")
    monkeypatch.setenv("TAWASUL_SMS_GATEWAY_AUTH_SCHEME", "")
    monkeypatch.setenv("TAWASUL_SMS_GATEWAY_TOKEN", "secret")
    monkeypatch.delenv("TAWASUL_SMTP_HOST", raising=False)
    channels = channels_of(NotifySettings())
    assert set(channels) == {"sms"}
    sms = channels["sms"]
    assert sms.url == "https://sms.example.gov/send"
    assert sms.fields["to"] == "msisdn" and sms.fields["text"] == "body"
    assert sms._client.headers["X-API-Key"] == "secret"  # the token alone, in the provider's header
