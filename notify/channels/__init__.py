"""How a rendered notification leaves Tawasul: one channel per medium, each behind the same small protocol."""

from notify.channels.base import Channel, Outgoing, PermanentFailure, Receipt, TemporaryFailure
from notify.channels.email import SmtpChannel
from notify.channels.sms import HttpSmsChannel

__all__ = [
    "Channel",
    "HttpSmsChannel",
    "Outgoing",
    "PermanentFailure",
    "Receipt",
    "SmtpChannel",
    "TemporaryFailure",
]
