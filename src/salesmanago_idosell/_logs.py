"""What may reach a log: no secret ever, personal data masked unless asked for.

:class:`LogScrubber` is a :class:`logging.Filter` installed on the package logger and on
``urllib3``'s loggers (which log request lines such as ``GET /categories.xml?token=...`` at
DEBUG). It rewrites each record that passes: every secret value known to a live client becomes
``***``, and every e-mail address becomes ``j***@example.pl``. Request bodies logged by the
transport also have phone numbers shortened (:func:`mask_personal`).

Only the package logger itself carries the filter: modules log through
``logging.getLogger("salesmanago_idosell")``, never a child logger (a test checks it).

Setting the environment variable ``SMIDO_LOG_PERSONAL_DATA=1`` turns the masking of personal
data off (for debugging on one's own data); secrets are scrubbed regardless.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

__all__ = [
    "PERSONAL_DATA_VARIABLE",
    "LogScrubber",
    "install_log_filters",
    "mask_email",
    "mask_emails",
    "mask_personal",
    "mask_phone",
    "personal_data_allowed",
    "register_secrets",
]

PACKAGE_LOGGER = "salesmanago_idosell"
#: urllib3 logs request lines (with query strings) on these loggers.
URLLIB3_LOGGERS = (
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)
PERSONAL_DATA_VARIABLE = "SMIDO_LOG_PERSONAL_DATA"
REDACTED = "***"
_STOP = r"\s@\"'<>(),;:=\[\]{}&?/\\"
_EMAIL = re.compile(rf"([^{_STOP}])[^{_STOP}]*@")
_PHONE_KEYS = re.compile(r"phone|mobile|fax|gsm", re.IGNORECASE)


class _HasSecrets(Protocol):
    def secret_values(self) -> tuple[str, ...]: ...


_sources: weakref.WeakSet[Any] = weakref.WeakSet()
_sources_lock = threading.Lock()


def register_secrets(source: _HasSecrets) -> None:
    """Scrub ``source.secret_values()`` from log records for as long as it lives."""
    with _sources_lock:
        _sources.add(source)
    install_log_filters()


#: Shorter values are not scrubbed from every log line (a one-letter test key would mangle
#: all text); exception texts are scrubbed of every secret whatever its length.
MIN_LOGGED_SECRET = 6


def _known_secrets() -> list[str]:
    with _sources_lock:
        sources = list(_sources)
    found = {s for source in sources for s in source.secret_values()}
    found = {s for s in found if len(s) >= MIN_LOGGED_SECRET}
    return sorted(found, key=len, reverse=True)  # a longer secret may contain a shorter one


def personal_data_allowed() -> bool:
    """True when ``SMIDO_LOG_PERSONAL_DATA`` is set to ``1``/``true``/``yes``."""
    return os.environ.get(PERSONAL_DATA_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def mask_email(email: str) -> str:
    """``jan.kowalski@example.pl`` -> ``j***@example.pl``."""
    local, at, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}" if at else REDACTED


def mask_emails(text: str) -> str:
    """Mask every e-mail-like token in free text (anything with an ``@``)."""
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@", text)


def mask_phone(phone: str) -> str:
    """``+48 600 123 456`` -> ``+48***56``: the country prefix and the last two digits."""
    text = str(phone).strip()
    return f"{text[:3]}***{text[-2:]}" if len(text) > 6 else REDACTED


def mask_personal(value: Any) -> Any:
    """A copy of a JSON-like value with phone numbers shortened and e-mails masked."""
    if isinstance(value, Mapping):
        return {
            k: (
                mask_phone(str(v))
                if isinstance(v, str | int) and _PHONE_KEYS.search(str(k))
                else mask_personal(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_personal(v) for v in value]
    if isinstance(value, str):
        return mask_emails(value)
    return value


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in ``text`` with ``***``."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class LogScrubber(logging.Filter):
    """Rewrites each record: known secrets -> ``***``, e-mails masked (unless allowed)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report
            return True
        clean = self._clean(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:  # a traceback is part of the record too
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True

    @staticmethod
    def _clean(text: str) -> str:
        clean = scrub_text(text, _known_secrets())
        return clean if personal_data_allowed() else mask_emails(clean)


_SCRUBBER = LogScrubber()
_FORMATTER = logging.Formatter()


def install_log_filters(*, urllib3: bool = True) -> None:
    """Put the scrubber on the package logger and urllib3's loggers (idempotent).

    The package does the former on import; the first HTTP client does the latter.
    """
    for name in (PACKAGE_LOGGER, *(URLLIB3_LOGGERS if urllib3 else ())):
        log = logging.getLogger(name)
        if _SCRUBBER not in log.filters:
            log.addFilter(_SCRUBBER)
