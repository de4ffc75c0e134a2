"""Base URLs given by users: a bare host becomes ``https://``; an explicit scheme is kept."""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import ValidationError

__all__ = ["normalize_base_url"]


def normalize_base_url(value: str, *, field: str, strip_suffix: str = "") -> str:
    """``host`` -> ``https://host``; ``http(s)://host/path/`` kept without the trailing ``/``.

    Args:
        value: a host (``app2.salesmanago.pl``) or an ``http(s)://`` URL (an explicit
            ``http://`` is kept: local test servers and the sandbox use it).
        field: the setting's name, for the error.
        strip_suffix: a path suffix to drop (``"/api"`` for SALESmanago endpoints).

    Raises:
        ValidationError: not a host or an http(s) URL.
    """
    text = value.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        raise ValidationError(f"{field} is not a host or an http(s) URL: {value!r}", field=field)
    path = parts.path.rstrip("/")
    if strip_suffix:
        path = path.removesuffix(strip_suffix)
    return f"{parts.scheme}://{parts.netloc}{path}"
