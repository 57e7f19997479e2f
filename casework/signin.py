"""Signing in, behind one small interface (`SignIn`), so an organisation's OpenID Connect provider can take the
place of local passwords without touching what uses it.

`LocalPasswords` checks a username and password against casework's users. After repeated failures it refuses
further attempts for that username, and from that client address, for a while, without even checking them; an
unknown username, a wrong password and a disabled user get the same answer and cost the same time.
"""

from dataclasses import dataclass
from typing import Protocol

from casework.accounts import Accounts
from casework.users import User
from services.ratelimit import RateLimiter


@dataclass(frozen=True)
class Refused:
    reason: str
    retry_after_s: float = 0.0


class SignIn(Protocol):
    async def sign_in(self, username: str, password: str, address: str) -> User | Refused: ...


WRONG = "the username or password is wrong, or the user is disabled"


class LocalPasswords:
    def __init__(self, accounts: Accounts, *, per_username: RateLimiter, per_address: RateLimiter) -> None:
        self.accounts = accounts
        self.per_username = per_username
        self.per_address = per_address

    async def sign_in(self, username: str, password: str, address: str) -> User | Refused:
        wait = max(self.per_username.wait(username), self.per_address.wait(address))
        if wait > 0:
            return Refused(f"too many failed sign-ins; try again in {wait:.0f} s", retry_after_s=wait)
        user, stored = await self.accounts.credentials(username) or (None, None)
        if not self.accounts.passwords.verify(stored, password) or user is None or user.disabled:
            self.per_username.take(username)
            self.per_address.take(address)
            return Refused(WRONG)
        if stored and self.accounts.passwords.outdated(stored):
            await self.accounts.rehash(username, password)
        return user
