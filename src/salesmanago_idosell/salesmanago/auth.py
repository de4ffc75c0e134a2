"""SALESmanago API v2 body signing (pure functions, no I/O).

Every v2 call carries ``clientId``, ``apiKey`` (any caller-chosen string), ``sha`` (lowercase
hex SHA-1 of ``apiKey + clientId + apiSecret``), ``requestTime`` (epoch milliseconds) and
``owner`` at the top level of its JSON body. The API secret itself never goes on the wire.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

__all__ = ["Credentials", "new_api_key", "sha_signature", "signed_body"]


def sha_signature(api_key: str, client_id: str, api_secret: str) -> str:
    """Lowercase hex SHA-1 of ``api_key + client_id + api_secret`` (UTF-8)."""
    return hashlib.sha1((api_key + client_id + api_secret).encode()).hexdigest()  # noqa: S324


def new_api_key() -> str:
    """A random request key (the ``apiKey`` body field is chosen by the caller)."""
    return secrets.token_hex(16)


@frozen(kw_only=True)
class Credentials:
    """SALESmanago v2 credentials; the secret, key and signature never appear in ``repr``.

    Attributes:
        client_id: the account's client id ("shortId").
        api_secret: the API secret from the SALESmanago UI.
        owner: the login e-mail of the user who owns the contacts.
        api_key: the request key sent as ``apiKey`` (random unless given).
    """

    client_id: str
    api_secret: str = field(repr=False)
    owner: str
    api_key: str = field(factory=new_api_key, repr=False)
    sha: str = field(init=False, repr=False)

    @sha.default
    def _sha(self) -> str:
        return sha_signature(self.api_key, self.client_id, self.api_secret)


def signed_body(
    credentials: Credentials, body: Mapping[str, Any], *, request_time_ms: int
) -> dict[str, Any]:
    """Return ``body`` with the auth fields and ``owner`` added at the top level."""
    return {
        "clientId": credentials.client_id,
        "apiKey": credentials.api_key,
        "sha": credentials.sha,
        "requestTime": request_time_ms,
        "owner": credentials.owner,
        **body,
    }
