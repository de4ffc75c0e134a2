"""``IntegrationConfig``: every setting of the integration, validated on construction.

Build it in code, or from the environment with :meth:`IntegrationConfig.from_env` (the
variables are listed in :data:`ENVIRONMENT`). Secrets (API secret and keys, the opt-out
token) never appear in ``repr``.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import platformdirs
from attrs import field, frozen

from ._policy import DEFAULT_RETRY, DEFAULT_TIMEOUT, RetryPolicy, Timeout
from ._urls import normalize_base_url
from .callbacks import check_token
from .errors import ValidationError
from .mapping import (
    NON_PURCHASE_STATUSES,
    RETURN_STATUSES,
    ConsentMode,
    ConsentSync,
    MappingSettings,
    TagStyle,
)

__all__ = ["ENVIRONMENT", "IntegrationConfig", "default_location", "default_state_path"]

_LOCATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,35}")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

#: Attribute -> environment variable read by :meth:`IntegrationConfig.from_env`.
ENVIRONMENT: Mapping[str, str] = {
    "salesmanago_client_id": "SALESMANAGO_CLIENT_ID",
    "salesmanago_api_secret": "SALESMANAGO_API_SECRET",
    "salesmanago_owner": "SALESMANAGO_OWNER",
    "salesmanago_endpoint": "SALESMANAGO_ENDPOINT",
    "salesmanago_api_v3_key": "SALESMANAGO_API_V3_KEY",
    "salesmanago_v3_endpoint": "SALESMANAGO_V3_ENDPOINT",
    "idosell_shop_url": "IDOSELL_SHOP_URL",
    "idosell_api_key": "IDOSELL_API_KEY",
    "idosell_api_version": "IDOSELL_API_VERSION",
    "shop_id": "IDOSELL_SHOP_ID",
    "language": "IDOSELL_LANGUAGE",
    "timezone": "IDOSELL_TIMEZONE",
    "opt_out_token": "SMIDO_OPT_OUT_TOKEN",
    "consent_mode": "SMIDO_CONSENT_MODE",
    "consent_sync": "SMIDO_CONSENT_SYNC",
    "mirror_consent": "SMIDO_MIRROR_CONSENT",
    "purchase_excluded_statuses": "SMIDO_PURCHASE_EXCLUDED_STATUSES",
    "return_statuses": "SMIDO_RETURN_STATUSES",
    "follow_up_events": "SMIDO_FOLLOW_UP_EVENTS",
    "location": "SMIDO_LOCATION",
    "currency": "SMIDO_CURRENCY",
    "catalog_name": "SMIDO_CATALOG_NAME",
    "registration_tag": "SMIDO_REGISTRATION_TAG",
    "newsletter_tag": "SMIDO_NEWSLETTER_TAG",
    "category_tag_depth": "SMIDO_CATEGORY_TAG_DEPTH",
    "tag_style": "SMIDO_TAG_STYLE",
    "idosell_rate_limit": "SMIDO_IDOSELL_RATE_LIMIT",
    "contact_batch_size": "SMIDO_CONTACT_BATCH_SIZE",
    "event_batch_size": "SMIDO_EVENT_BATCH_SIZE",
    "page_size": "SMIDO_PAGE_SIZE",
    "read_overlap": "SMIDO_READ_OVERLAP",
    "reconcile_settle": "SMIDO_RECONCILE_SETTLE",
    "timeout": "SMIDO_TIMEOUT",
    "retry": "SMIDO_RETRY",
    "callback_rate_limit": "SMIDO_CALLBACK_RATE_LIMIT",
    "salesmanago_rate_limit": "SMIDO_SALESMANAGO_RATE_LIMIT",
    "category_cache_ttl": "SMIDO_CATEGORY_CACHE_TTL",
}
#: Settings whose values are never echoed in an error message.
SECRET_SETTINGS = frozenset(
    {"salesmanago_api_secret", "salesmanago_api_v3_key", "idosell_api_key", "opt_out_token"}
)
_REQUIRED = (
    "salesmanago_client_id",
    "salesmanago_api_secret",
    "salesmanago_owner",
    "salesmanago_endpoint",
    "idosell_shop_url",
    "idosell_api_key",
)


def default_location(shop_url: str) -> str:
    """A SALESmanago ``location`` derived from the shop host: ``sklep.pl`` -> ``sklep_pl``."""
    host = urlsplit(shop_url if "://" in shop_url else f"https://{shop_url}").hostname or "shop"
    name = _NOT_ALNUM.sub("_", host.lower()).strip("_") or "shop"
    if not name[0].isalpha():
        name = f"shop_{name}"
    return name[:36].rstrip("_").ljust(3, "_")


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _file_name(text: str) -> str:
    return _UNSAFE_NAME.sub("_", text.strip()).strip("._") or "_"


def default_state_path(config: IntegrationConfig, *, data_dir: str | Path | None = None) -> Path:
    """Where the command line keeps the state of one shop and one SALESmanago account.

    ``<user data dir>/state/<shop host>/<SALESmanago client id>.sqlite``, the user data
    directory being the platform's (``~/.local/share/salesmanago-idosell`` on Linux,
    ``~/Library/Application Support/salesmanago-idosell`` on macOS, ``%LOCALAPPDATA%`` on
    Windows; via ``platformdirs``). The same run started from any directory finds the same
    state, and two shops or two accounts never share one.
    """
    base = Path(data_dir) if data_dir is not None else _user_data_dir()
    shop = urlsplit(normalize_base_url(config.idosell_shop_url, field="idosell_shop_url"))
    shop_name = _file_name(shop.netloc.lower())
    return base / "state" / shop_name / f"{_file_name(config.salesmanago_client_id)}.sqlite"


def _user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("salesmanago-idosell", appauthor=False))


def _check(pattern: re.Pattern[str], what: str) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def validate(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and not pattern.fullmatch(str(value)):
            raise ValidationError(f"{attribute.name}: {what}", field=attribute.name)

    return validate


def _token(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    """The callbacks' own rule (:func:`~salesmanago_idosell.callbacks.check_token`)."""
    if value is None:
        return
    try:
        check_token(value)
    except ValidationError as exc:
        raise ValidationError(f"{attribute.name}: {exc}", field=attribute.name) from None


def _not_blank(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not str(value).strip():
        raise ValidationError(f"{attribute.name} must not be empty", field=attribute.name)


def _not_negative(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValidationError(
            f"{attribute.name} must be a finite number, 0 or more", field=attribute.name
        )


def _positive(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValidationError(
            f"{attribute.name} must be a positive finite number", field=attribute.name
        )


def _optional_positive(_: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None:
        _positive(_, attribute, value)


def _optional_float(value: float | str | None) -> float | None:
    return None if value is None or value == "" else float(value)


def _timezone(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"timezone: unknown time zone {value!r}", field="timezone") from None


def _batch(limit: int) -> Callable[[Any, attrs.Attribute[Any], int], None]:
    def validate(_: Any, attribute: attrs.Attribute[Any], value: int) -> None:
        if not 1 <= value <= limit:
            raise ValidationError(f"{attribute.name} must be 1..{limit}", field=attribute.name)

    return validate


def _timeout(value: float | Timeout | tuple[float, float] | str) -> Timeout:
    """A :class:`Timeout` from itself, seconds, a pair or ``"connect,read[,total]"``."""
    return Timeout.parse(value) if isinstance(value, str) else Timeout.of(value)


_TRUE = frozenset({"1", "true", "yes", "on", "y"})
_FALSE = frozenset({"0", "false", "no", "off", "n"})


def _flag(value: bool | str) -> bool:
    """A bool from itself or ``1/0``, ``true/false``, ``yes/no``, ``on/off``."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError(f"not a yes/no value: {value!r}")


def _statuses(
    value: str | frozenset[str] | set[str] | list[str] | tuple[str, ...],
) -> frozenset[str]:
    """Order statuses from a collection or a comma-separated text (lower case)."""
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(str(v).strip().lower() for v in items if str(v).strip())


def _retry(value: RetryPolicy | int | str) -> RetryPolicy:
    """A :class:`RetryPolicy` from itself, a number of attempts or its text form."""
    if isinstance(value, RetryPolicy):
        return value
    if isinstance(value, str):
        return RetryPolicy.parse(value)
    return RetryPolicy(max_attempts=int(value))


def _converted(attribute: attrs.Attribute[Any], raw: str, variable: str) -> Any:
    converter = attribute.converter
    if converter is None or not callable(converter):
        return raw
    try:
        return converter(raw)
    except ValueError:
        raise ValidationError(f"{variable}: invalid value", field=variable) from None


def _without_values(text: str, raw: Mapping[str, str], values: Mapping[str, Any]) -> str:
    """The message without any variable's value (a secret may sit in the wrong variable)."""
    shown = [v for v in raw.values() if len(v) >= 4]
    shown += [str(values[n]) for n in SECRET_SETTINGS if values.get(n)]
    for value in sorted(shown, key=len, reverse=True):
        text = text.replace(value, "***")
    return text


@frozen(kw_only=True)
class IntegrationConfig:
    """Settings of one shop <-> SALESmanago integration.

    Attributes:
        salesmanago_client_id: the SALESmanago account's client id.
        salesmanago_api_secret: its API secret (never shown).
        salesmanago_owner: the e-mail of the SALESmanago user owning the contacts.
        salesmanago_endpoint: the account's server (``app2.salesmanago.pl``).
        salesmanago_api_v3_key: the API v3 key (catalogs, products; never shown).
        salesmanago_v3_endpoint: the API v3 host (``https://api.salesmanago.com``; for a
            loopback ``salesmanago_endpoint``, the sandbox, that endpoint).
        idosell_shop_url: the IdoSell shop's address.
        idosell_api_key: its Admin API key (never shown).
        idosell_api_version: the Admin API version (``v6``).
        shop_id: the IdoSell shop whose consent counts (1).
        language: IdoSell language id of names and categories (``pol``).
        timezone: the shop's time zone (``Europe/Warsaw``).
        opt_out_token: the callbacks' security parameter (1-16 letters, digits, ``-_``).
        consent_mode: which contacts are passed (consented only by default).
        consent_sync: when the shop's consent reaches contacts SALESmanago has
            (``changes``, the default: set when the SDK first sends a contact, then only
            when the shop's consent changes; ``shop_wins``: with every upsert).
        mirror_consent: opt contacts without consent out (True); False never sends an
            opt-out from the shop (``yes``/``no`` in the environment).
        location: SALESmanago ``location`` of events and the catalog (derived from the
            shop host when not given; 3-36 letters, digits, ``_``).
        currency: the product catalog's currency (``PLN``).
        catalog_name: the product catalog's name (``IdoSell``).
        registration_tag: the tag of customers with an account (``rejestracja``).
        newsletter_tag: the tag of subscribers without an account (``newsletter``).
        category_tag_depth: category levels turned into tags after an order (3).
        tag_style: how category names become tags.
        purchase_excluded_statuses: order statuses never sent as purchases (``canceled,
            false, lost, missing, returned``; comma-separated in the environment).
        return_statuses: of those, the statuses whose follow-up event is ``RETURN``
            (``returned``); the others give ``CANCELLATION``.
        follow_up_events: send ``CANCELLATION`` / ``RETURN`` when an order whose PURCHASE
            was sent leaves the purchase statuses (True).
        idosell_rate_limit: IdoSell requests per second (2; be gentle with the shop).
        overload_backoff: seconds to wait while IdoSell reports an overloaded server (30).
        load_check_pages: the server load is checked when IdoSell's answers slow down (over
            twice the run's usual page time) or after an overload answer (429/503), and at
            the latest after this many pages without a check (100).
        contact_batch_size: contacts per SALESmanago batch upsert (1000, the API's maximum);
            the checkpoint follows each acknowledged batch.
        event_batch_size: PURCHASE events per batch, sent in one request (1000, the API's
            maximum); every order has its own delivery state, so a hard kill during the
            request leaves the batch's orders ``uncertain`` (reconciled), never re-sent
            blindly.
        product_batch_size: products per catalog request (100).
        page_size: records per IdoSell page (100, the maximum); smaller pages make
            checkpoints more frequent.
        read_overlap: seconds each incremental window reaches back before the previous
            run's start (600): records stamped just before a run ended (shop clock behind,
            late writes) are read again instead of being missed; re-reading is harmless.
        reconcile_settle: seconds an order must have been uncertain before reconciliation
            believes the export's "not stored" (300): a request of a run killed a moment
            ago may still be processed by SALESmanago.
        timeout: every API call's :class:`Timeout` (connect 5 s, read 30 s, 300 s per call
            with retries); from the environment as ``"connect,read[,total]"`` seconds.
        retry: the :class:`RetryPolicy` of both clients (4 attempts); from the environment
            as ``"attempts[,backoff_base,backoff_max,retry_after_max]"``.
        callback_rate_limit: IdoSell requests per second of the opt-in/opt-out callbacks
            (2), a budget of their own so that a running sync never delays them.
        salesmanago_rate_limit: SALESmanago requests per second per API (``None``: not
            paced, the default; SALESmanago answers 429 when a limit is hit).
        category_cache_ttl: seconds a product's category (asked from IdoSell for category
            tags) is reused from the state store by later runs (86400: a day; 0: ask again
            every run, answers are still reused within a run).
    """

    salesmanago_client_id: str = field(validator=_not_blank)
    salesmanago_api_secret: str = field(validator=_not_blank, repr=False)
    salesmanago_owner: str = field(validator=_not_blank)
    salesmanago_endpoint: str = field(validator=_not_blank)
    salesmanago_api_v3_key: str | None = field(default=None, repr=False)
    salesmanago_v3_endpoint: str | None = None
    idosell_shop_url: str = field(validator=_not_blank)
    idosell_api_key: str = field(validator=_not_blank, repr=False)
    idosell_api_version: str = field(
        default="v6", validator=_check(re.compile(r"v\d{1,2}"), "an API version such as v6")
    )
    shop_id: int = field(default=1, converter=int, validator=_positive)
    language: str = "pol"
    timezone: str = field(default="Europe/Warsaw", validator=_timezone)
    opt_out_token: str | None = field(default=None, repr=False, validator=_token)
    consent_mode: ConsentMode = field(default=ConsentMode.CONSENTED_ONLY, converter=ConsentMode)
    consent_sync: ConsentSync = field(default=ConsentSync.CHANGES, converter=ConsentSync)
    mirror_consent: bool = field(default=True, converter=_flag)
    location: str = field(validator=_check(_LOCATION, "3-36 letters, digits or '_'"))
    currency: str = "PLN"
    catalog_name: str = "IdoSell"
    registration_tag: str = field(default="rejestracja", validator=_not_blank)
    newsletter_tag: str = field(default="newsletter", validator=_not_blank)
    category_tag_depth: int = field(default=3, converter=int, validator=_positive)
    tag_style: TagStyle = field(default=TagStyle.AS_NAMED, converter=TagStyle)
    purchase_excluded_statuses: frozenset[str] = field(
        default=NON_PURCHASE_STATUSES, converter=_statuses
    )
    return_statuses: frozenset[str] = field(default=RETURN_STATUSES, converter=_statuses)
    follow_up_events: bool = field(default=True, converter=_flag)
    idosell_rate_limit: float = field(default=2.0, converter=float, validator=_positive)
    overload_backoff: float = field(default=30.0, converter=float, validator=_positive)
    load_check_pages: int = field(default=100, converter=int, validator=_positive)
    contact_batch_size: int = field(default=1000, converter=int, validator=_batch(1000))
    event_batch_size: int = field(default=1000, converter=int, validator=_batch(1000))
    product_batch_size: int = field(default=100, converter=int, validator=_batch(100))
    page_size: int = field(default=100, converter=int, validator=_batch(100))
    read_overlap: float = field(default=600.0, converter=float, validator=_not_negative)
    reconcile_settle: float = field(default=300.0, converter=float, validator=_not_negative)
    timeout: Timeout = field(default=DEFAULT_TIMEOUT, converter=_timeout)
    retry: RetryPolicy = field(default=DEFAULT_RETRY, converter=_retry)
    callback_rate_limit: float = field(default=2.0, converter=float, validator=_positive)
    salesmanago_rate_limit: float | None = field(
        default=None, converter=_optional_float, validator=_optional_positive
    )
    category_cache_ttl: float = field(default=86400.0, converter=float, validator=_not_negative)

    @location.default
    def _location(self) -> str:
        return default_location(self.idosell_shop_url)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> IntegrationConfig:
        """Read the configuration from environment variables (see :data:`ENVIRONMENT`).

        A missing required variable or an invalid value raises :class:`ValidationError`
        naming the variable; the message never repeats a variable's value (a secret put in
        the wrong variable must not end up in a log).
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        given: dict[str, str] = {}
        fields = attrs.fields_dict(cls)
        for name, variable in ENVIRONMENT.items():
            raw = env.get(variable, "").strip()
            if raw:
                given[variable] = raw
                values[name] = _converted(fields[name], raw, variable)
            elif name in _REQUIRED and name not in overrides:
                raise ValidationError(f"{variable} is not set", field=variable)
        values.update(overrides)
        try:
            return cls(**values)
        except (ValidationError, ValueError) as exc:
            field_name = getattr(exc, "field", None)
            variable = ENVIRONMENT.get(str(field_name), str(field_name or "configuration"))
            message = _without_values(f"{variable}: {exc}", given, values)
            raise ValidationError(message, field=variable) from None

    def mapping_settings(self) -> MappingSettings:
        """The :class:`MappingSettings` these settings imply."""
        return MappingSettings(
            shop_id=self.shop_id,
            consent_mode=self.consent_mode,
            consent_sync=self.consent_sync,
            mirror_consent=self.mirror_consent,
            timezone=self.timezone,
            location=self.location,
            shop_domain=urlsplit(
                normalize_base_url(self.idosell_shop_url, field="idosell_shop_url")
            ).hostname,
            registration_tag=self.registration_tag,
            newsletter_tag=self.newsletter_tag,
            category_tag_depth=self.category_tag_depth,
            tag_style=self.tag_style,
            category_language=self.language,
            non_purchase_statuses=self.purchase_excluded_statuses,
            return_statuses=self.return_statuses,
            follow_ups=self.follow_up_events,
        )
