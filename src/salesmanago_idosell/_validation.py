"""Pure input checks shared by the clients and the mapping (no I/O).

Each check returns a reason string when the value is invalid and ``None`` when it is fine,
so callers can decide between raising a :class:`~salesmanago_idosell.errors.ValidationError`
and recording a skip reason in a sync report.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["EMAIL_LOCAL_MAX", "EMAIL_MAX", "email_problem", "normalize_email"]

EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"(?:{_LABEL}\.)+[A-Za-z]{{2,63}}"
_EMAIL = re.compile(rf"{_LOCAL}@{_DOMAIN}")


def normalize_email(email: str) -> str:
    """Trim surrounding whitespace (the only change made to an e-mail address)."""
    return email.strip()


@lru_cache(maxsize=4096)  # a record's address is checked 2-3 times on its way (map, send)
def email_problem(email: str) -> str | None:
    """Why ``email`` would be refused by SALESmanago, or ``None`` if it looks valid.

    The rules follow SALESmanago's documented validation: an RFC-style address whose local
    part has at most 64 characters and whose whole length is at most 254.

    Example:
        >>> email_problem("jan@example.pl") is None
        True
        >>> email_problem("jan@")
        'invalid e-mail address'
    """
    if not email:
        return "empty e-mail address"
    if len(email) > EMAIL_MAX:
        return f"e-mail address longer than {EMAIL_MAX} characters"
    if "@" in email and len(email.rsplit("@", 1)[0]) > EMAIL_LOCAL_MAX:
        return f"e-mail local part longer than {EMAIL_LOCAL_MAX} characters"
    if _EMAIL.fullmatch(email) is None:
        return "invalid e-mail address"
    return None
