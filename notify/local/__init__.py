"""Local stand-ins for the mail and SMS providers, for development, demos and tests.

`notify.local.mail` (SMTP, one .eml file per message) and `notify.local.sms` (HTTP JSON, one line per message);
each runs in-process or as `python -m notify.local.<mail|sms>`.
"""
