"""Bearer tokens that let one government deliver its own submissions.

A token belongs to exactly one government (its CBS code, such as ``GM0363``, or
``GR`` plus the overheidsnummer of a gemeenschappelijke regeling). It is shown once
when created and stored only as a SHA-256 digest: tokens are 32 random bytes, so a
plain digest cannot be reversed and needs no salt or slow hash. Revoked tokens stay
in the ledger for the record.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from iv3ld.errors import InputError
from iv3ld.state import StateDirectory, ledger_time

PREFIX = "iv3ld_"
_GOVERNMENT = re.compile(r"^(GM\d{4}|PV\d{2}|WS\d{2,4}|GR[0-9A-Za-z]+)$")


@dataclass(frozen=True)
class TokenRecord:
    """What the ledger knows about a token (never the token itself)."""

    id: int
    government: str
    label: str
    created: str
    revoked: str | None
    last_used: str | None


def check_government(code: str) -> str:
    """A government code as tokens use it; raises InputError for a malformed one."""
    text = code.strip()
    normalised = text if text.startswith("GR") else text.upper()
    if not _GOVERNMENT.match(normalised):
        raise InputError(
            f"{code!r} is not a government code: use GM + 4 digits (GM0363), PV + 2"
            " digits (PV27), WS + digits, or GR + the overheidsnummer"
        )
    return normalised


def create_token(state: StateDirectory, government: str, label: str = "") -> str:
    """Create a token for a government and return it; it is not stored in clear."""
    code = check_government(government)
    token = f"{PREFIX}{secrets.token_urlsafe(32)}"
    with state.connect() as connection:
        connection.execute(
            "INSERT INTO tokens (government, digest, label, created)"
            " VALUES (?, ?, ?, ?)",
            (code, _digest(token), label, ledger_time()),
        )
    return token


def list_tokens(
    state: StateDirectory, government: str | None = None
) -> list[TokenRecord]:
    """The tokens of one government, or of all, oldest first."""
    query = "SELECT id, government, label, created, revoked, last_used FROM tokens"
    parameters: tuple[str, ...] = ()
    if government is not None:
        query += " WHERE government = ?"
        parameters = (check_government(government),)
    with state.connect() as connection:
        rows = connection.execute(f"{query} ORDER BY id", parameters).fetchall()
    return [TokenRecord(**dict(row)) for row in rows]


def revoke_tokens(
    state: StateDirectory, government: str, token_id: int | None = None
) -> int:
    """Revoke a government's tokens (or one of them); returns how many."""
    code = check_government(government)
    query = "UPDATE tokens SET revoked = ? WHERE government = ? AND revoked IS NULL"
    parameters: tuple[object, ...] = (ledger_time(), code)
    if token_id is not None:
        query += " AND id = ?"
        parameters += (token_id,)
    with state.connect() as connection:
        return connection.execute(query, parameters).rowcount


def government_of(state: StateDirectory, token: str) -> str | None:
    """The government of a valid token; None for an unknown or revoked one."""
    if not token.startswith(PREFIX):
        return None
    with state.connect() as connection:
        row = connection.execute(
            "SELECT id, government FROM tokens WHERE digest = ? AND revoked IS NULL",
            (_digest(token),),
        ).fetchone()
        if row is None:
            return None
        connection.execute(
            "UPDATE tokens SET last_used = ? WHERE id = ?", (ledger_time(), row["id"])
        )
    return str(row["government"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
