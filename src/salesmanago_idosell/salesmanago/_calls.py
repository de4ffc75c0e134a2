"""Sending SALESmanago requests and turning answers into data or typed errors.

``V2Caller`` signs v2 bodies and checks ``success``/``message``; ``V3Caller`` sends the
``API-KEY`` header and separates reason code 12 (a warning: data trimmed) from real errors.
Resource modules (contacts, events, products) only build bodies and read results.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from cattrs import Converter

from .._transport import HTTPResponse, Timeout, Transport
from ..errors import (
    AuthenticationError,
    ResponseValidationError,
    SalesmanagoAPIError,
    SalesmanagoV3APIError,
    V3Problem,
    ValidationError,
    status_error,
)
from .auth import Credentials, signed_body

__all__ = ["V2Caller", "V3Caller", "parse_problem"]

#: Non-2xx statuses whose body may carry the API's own error; read before raising.
_ERROR_BODY_STATUSES = frozenset({400, 401, 403, 404, 409, 422})
TimeoutArg = float | Timeout | tuple[float, float] | None
V3_WARNING_CODE = 12
#: API v3 reason code of a refused ``API-KEY``.
V3_AUTH_CODE = 10
#: API v2 messages of refused credentials ("User not authenticated", "Not authenticated").
_NOT_AUTHENTICATED = re.compile(r"\bnot authenticated\b", re.IGNORECASE)


def _json_object(response: HTTPResponse, endpoint: str) -> dict[str, Any]:
    if not response.content.strip():
        return {}
    try:
        body = response.json()
    except ValueError:
        if 200 <= response.status_code < 300:
            raise ResponseValidationError(
                f"{endpoint} answered {response.status_code} with a body that is not JSON",
                endpoint=endpoint,
            ) from None
        return {}
    if not isinstance(body, dict):
        raise ResponseValidationError(
            f"{endpoint} answered with JSON that is not an object", endpoint=endpoint
        )
    return body


def _messages(value: Any) -> list[str]:
    """The API's message(s) as a list of texts, whatever shape they came in."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(m) for m in value if m is not None and m != ""]
    return [str(value)]


def _code(value: Any) -> int | None:
    """A reason code as an int; ``None`` when absent or not a number."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _auth_error(response: HTTPResponse, method: str, text: str) -> AuthenticationError:
    return AuthenticationError(
        f"SALESmanago refused the credentials (HTTP {response.status_code}): {text}",
        status_code=response.status_code,
        body_excerpt=text[:500],
        method=method,
        url=response.url,
    )


def _raise_status(response: HTTPResponse, method: str, scrub: Callable[[str], str]) -> None:
    """Raise the status error of a non-2xx answer that carried no API error body."""
    if not 200 <= response.status_code < 300:
        raise status_error(
            status_code=response.status_code,
            body_excerpt=scrub(response.text[:500]),
            method=method,
            url=scrub(response.url),
        )


class V2Caller:
    """Signs and sends API v2 calls; returns the answer's JSON object."""

    def __init__(
        self,
        transport: Transport,
        credentials: Credentials,
        *,
        wallclock: Callable[[], float],
        converter: Converter,
    ) -> None:
        self.transport = transport
        self.credentials = credentials
        self.wallclock = wallclock
        self.converter = converter
        self.owner = credentials.owner

    def __call__(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        idempotent: bool,
        timeout: TimeoutArg = None,
    ) -> dict[str, Any]:
        """POST a signed body to ``/api{path}``; raise on ``success: false`` or HTTP errors."""
        signed = signed_body(self.credentials, body, request_time_ms=round(self.wallclock() * 1000))
        with self.transport.scrubbing():
            response = self.transport.request(
                "POST",
                path,
                json_body=signed,
                idempotent=idempotent,
                timeout=timeout,
                ok_statuses=_ERROR_BODY_STATUSES,
            )
            answer = _json_object(response, path)
            if answer.get("success") is False or response.status_code in (401, 403):
                messages = _messages(answer.get("message"))
                text = "; ".join(messages)
                if response.status_code in (401, 403) or _NOT_AUTHENTICATED.search(text):
                    raise _auth_error(response, "POST", text or response.text[:500])
                raise SalesmanagoAPIError(
                    messages=messages, status_code=response.status_code, endpoint=path
                )
            _raise_status(response, "POST", self.transport.scrub)
            return answer


def parse_problem(item: Any) -> V3Problem:
    """One v3 ``problems`` item; the field is the message's text before ``|`` or ``:``.

    A malformed item (not an object, a null or non-numeric ``reasonCode``) still gives a
    problem: ``reason_code=None`` and the item's text as the message.
    """
    if not isinstance(item, Mapping):
        return V3Problem(reason_code=None, message=str(item), field=None)
    raw = item.get("message")
    message = "" if raw is None else str(raw)
    head = message.split("|", 1)[0].split(":", 1)[0].strip()
    field = head if head and head != message.strip() else None
    return V3Problem(reason_code=_code(item.get("reasonCode")), message=message, field=field)


def _problems(value: Any) -> list[V3Problem]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [parse_problem(p) for p in items]


class V3Caller:
    """Sends API v3 calls with the ``API-KEY`` header; splits warnings from errors."""

    def __init__(self, transport: Transport | None) -> None:
        self.transport = transport

    def __call__(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        idempotent: bool,
        timeout: TimeoutArg = None,
    ) -> tuple[dict[str, Any], tuple[V3Problem, ...]]:
        """Send one call; return the JSON answer and its reason-code-12 warnings."""
        if self.transport is None:
            raise ValidationError(
                "SALESmanago API v3 (catalogs, products) needs api_v3_key", field="api_v3_key"
            )
        with self.transport.scrubbing():
            response = self.transport.request(
                method,
                path,
                json_body=body,
                idempotent=idempotent,
                timeout=timeout,
                ok_statuses=_ERROR_BODY_STATUSES,
            )
            return self._interpret(method, path, response)

    def _interpret(
        self, method: str, path: str, response: HTTPResponse
    ) -> tuple[dict[str, Any], tuple[V3Problem, ...]]:
        answer = _json_object(response, path)
        problems = _problems(answer.get("problems"))
        errors = [p for p in problems if p.reason_code != V3_WARNING_CODE]
        has_code = answer.get("reasonCode") is not None
        code = _code(answer.get("reasonCode"))
        messages = _messages(answer.get("messages") or answer.get("message"))
        codes = {code, *(p.reason_code for p in errors)}
        if response.status_code in (401, 403) or V3_AUTH_CODE in codes:
            texts = messages + [p.message for p in problems]
            raise _auth_error(response, method, "; ".join(texts) or response.text[:500])
        if errors or (has_code and code != V3_WARNING_CODE):
            raise SalesmanagoV3APIError(
                reason_code=code if code is not None or not errors else errors[0].reason_code,
                messages=messages,
                problems=errors,
                status_code=response.status_code,
                endpoint=path,
            )
        _raise_status(response, method, lambda text: text)
        warnings = [p for p in problems if p.reason_code == V3_WARNING_CODE]
        if has_code:
            warnings += [
                V3Problem(reason_code=V3_WARNING_CODE, message=m, field=None) for m in messages
            ]
        return answer, tuple(warnings)
