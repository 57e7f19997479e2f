"""`tawasul mail` / `tawasul sms`: what the local providers received, with addresses and numbers masked."""

from pathlib import Path

from notify.local.mail import read_mailbox
from notify.local.sms import read_outbox


def mask_email(address: str) -> str:
    """`s*****e@example.sa`: enough to tell messages apart, not enough to read the address."""
    local, _, domain = address.partition("@")
    return (local[:1] + "*" * max(1, len(local) - 2) + local[-1:] if len(local) > 1 else "*") + "@" + domain


def mask_mobile(number: str) -> str:
    """`+9665******00`: the country and network prefix and the last two digits."""
    return number[:5] + "*" * max(0, len(number) - 7) + number[-2:] if len(number) > 7 else "*" * len(number)


def show(kind: str, home: Path) -> None:
    if kind == "mail":
        messages = read_mailbox(home / "mail")
        for m in messages:
            print(f"{m['received_at']}  {mask_email(str(m['to']))}  {m['subject']}")
    else:
        messages = read_outbox(home / "sms")
        for m in messages:
            print(f"{m['received_at']}  {mask_mobile(str(m['to']))}  {m['text']}")
    print(f"{len(messages)} {'e-mail' if kind == 'mail' else 'SMS'} received")
