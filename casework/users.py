"""Who works cases: a user's role, department and language, the rules a new user must meet, and passwords.

Passwords are hashed with argon2id (argon2-cffi's defaults, which follow RFC 9106); a hash made with weaker
parameters than today's is replaced at the next successful sign-in.
"""

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from contracts.vocabulary import ROLES, Language, Role

DEPARTMENTAL: frozenset[Role] = frozenset({"officer", "supervisor"})
"""Roles that belong to one department (and see its cases); an auditor sees every case, an admin none."""

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
"""Longer would only make hashing a denial-of-service lever."""


class Invalid(ValueError):
    """A user that may not exist as given; the message says which rule it breaks."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    department: str | None
    language: Language
    disabled: bool = False


def check(user: User, departments: frozenset[str]) -> User:
    """`user` if it meets every rule, else `Invalid` naming the first it breaks."""
    if not USERNAME.match(user.username):
        raise Invalid(f"username {user.username!r}: 2–32 characters, a lowercase letter first, then lowercase "
                      "letters, digits, '.', '_' or '-'")
    if not user.display_name.strip() or len(user.display_name) > 100 or not user.display_name.isprintable():
        raise Invalid("display name: 1–100 printable characters")
    if user.role not in ROLES:
        raise Invalid(f"role {user.role!r}: one of {', '.join(ROLES)}")
    if user.role in DEPARTMENTAL and user.department is None:
        raise Invalid(f"{a_role(user.role)} belongs to a department: give --department")
    if user.role not in DEPARTMENTAL and user.department is not None:
        raise Invalid(f"{a_role(user.role)} belongs to no department: leave out --department")
    if user.department is not None and user.department not in departments:
        raise Invalid(f"department {user.department!r}: one of {', '.join(sorted(departments))}")
    return user


def a_role(role: str) -> str:
    return f"{'an' if role[0] in 'aeiou' else 'a'} {role}"


def check_password(password: str, username: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(f"password: {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if username.lower() in password.lower():
        raise Invalid("password: must not contain the username")
    return password


class Passwords:
    """argon2id hashing and checking."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._decoy = self._hasher.hash("a decoy, so an unknown username costs what a known one does")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches `stored`; with no stored hash, the same work is done and False returned."""
        try:
            return self._hasher.verify(stored or self._decoy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def outdated(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)
