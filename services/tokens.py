"""Bearer secrets (API keys, session ids): 32 random bytes, kept only as their SHA-256.

A secret this long cannot be guessed, so a plain SHA-256 keeps a stolen table useless (a slow password hash
guards guessable secrets, which these are not) and lets a lookup be one index probe."""

import hashlib
import secrets


def new_token(prefix: str = "") -> str:
    return f"{prefix}{secrets.token_urlsafe(32)}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
