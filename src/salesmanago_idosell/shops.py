"""Many shops as data: :class:`ShopConfig` and :class:`ShopRegistry`.

An agency describes its shops in a TOML file, in the environment or in code. Secrets (the
SALESmanago API secret and v3 key, the IdoSell API key, the opt-out token) are *referenced*,
by environment variable name or by a callable returning the value, and resolved only when a
shop's :class:`~salesmanago_idosell.config.IntegrationConfig` is built: they are never
written into a registry file, never sent to a task queue, never shown by ``repr``.

TOML (``[defaults]`` apply to every shop; a secret is given as ``<field>_env``)::

    [defaults]
    salesmanago_client_id = "agency01"
    salesmanago_owner = "owner@agency.pl"
    salesmanago_endpoint = "app3.salesmanago.pl"
    salesmanago_api_secret_env = "AGENCY_SM_SECRET"

    [shops.sklep-a]
    idosell_shop_url = "sklep-a.pl"
    idosell_api_key_env = "SKLEP_A_IDOSELL_KEY"
    idosell_rate_limit = 2
    offer_feed = "https://sklep-a.pl/data/export/full.xml"

Environment: ``SMIDO_SHOPS=sklep-a,sklep-b`` and, per shop, the usual variables of
:data:`~salesmanago_idosell.config.ENVIRONMENT` prefixed with ``SMIDO_SHOP_<KEY>_`` (key in
upper case, other characters as ``_``), e.g. ``SMIDO_SHOP_SKLEP_A_IDOSELL_SHOP_URL``; a
variable without the prefix is shared by every shop.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from attrs import field, frozen

from .config import ENVIRONMENT, IntegrationConfig
from .errors import ValidationError
from .idosell import IdosellClient
from .sync.state import SQLiteStateStore, StateStore

if TYPE_CHECKING:
    from ._policy import Limiter
    from .integration import Integration

if sys.version_info >= (3, 11):  # pragma: no cover - depends on the interpreter
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["SECRET_FIELDS", "SecretRef", "ShopConfig", "ShopRegistry", "open_state"]

#: ``IntegrationConfig`` fields that are secrets: referenced, never stored.
SECRET_FIELDS = frozenset(
    {"salesmanago_api_secret", "salesmanago_api_v3_key", "idosell_api_key", "opt_out_token"}
)
#: An environment variable's name, or a callable returning the secret.
SecretRef = str | Callable[[], str]
#: Shop settings that are not ``IntegrationConfig`` fields: the offer feed's URLs.
EXTRA_FIELDS = frozenset({"offer_feed", "offer_categories"})
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_CONFIG_FIELDS = frozenset(a.name for a in attrs.fields(IntegrationConfig))


def _check_key(_: Any, __: Any, key: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValidationError(
            f"shop key {key!r}: 1-100 letters, digits, '_', '.', '-'", field="key"
        )


def _check_settings(instance: Any, _: Any, settings: Mapping[str, Any]) -> None:
    for name in settings:
        if name in SECRET_FIELDS:
            raise ValidationError(
                f"shop {instance.key!r}: {name} is a secret; reference it ({name}_env = "
                "'VARIABLE' in TOML, or secrets={...} in code), never write it down",
                field=name,
            )
        if name not in _CONFIG_FIELDS and name not in EXTRA_FIELDS:
            raise ValidationError(f"shop {instance.key!r}: unknown setting {name!r}", field=name)


def _check_secrets(instance: Any, _: Any, secrets: Mapping[str, SecretRef]) -> None:
    for name, ref in secrets.items():
        if name not in SECRET_FIELDS:
            raise ValidationError(f"shop {instance.key!r}: {name} is not a secret", field=name)
        if not callable(ref) and not (isinstance(ref, str) and ref.strip()):
            raise ValidationError(
                f"shop {instance.key!r}: {name} must name an environment variable or be a callable",
                field=name,
            )


def _describe(ref: SecretRef) -> str:
    return f"${ref}" if isinstance(ref, str) else "<callable>"


@frozen(kw_only=True)
class ShopConfig:
    """One shop of a registry: its key, settings and secret references.

    Attributes:
        key: the shop key (state rows, task arguments, logs): 1-100 letters, digits,
            ``_ . -``.
        settings: ``IntegrationConfig`` fields other than secrets, plus ``offer_feed`` and
            ``offer_categories`` (the IOF feed URLs for ``sync_offer``).
        secrets: secret field -> environment variable name or callable.

    Raises:
        ValidationError: a secret among the settings, an unknown setting, a bad key.
    """

    key: str = field(validator=_check_key)
    settings: Mapping[str, Any] = field(factory=dict, validator=_check_settings)
    secrets: Mapping[str, SecretRef] = field(factory=dict, validator=_check_secrets, repr=False)

    def __repr__(self) -> str:
        refs = ", ".join(f"{k}={_describe(v)}" for k, v in sorted(self.secrets.items()))
        shop = self.settings.get("idosell_shop_url", "?")
        return f"ShopConfig(key={self.key!r}, shop={shop!r}, secrets=[{refs}])"

    def resolve_secrets(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The secrets' values (from ``environ``, default ``os.environ``, or the callables).

        Raises:
            ValidationError: a referenced variable is not set (its *name* is in the message).
        """
        env = os.environ if environ is None else environ
        values: dict[str, str] = {}
        for name, ref in self.secrets.items():
            value = ref() if callable(ref) else env.get(ref, "")
            if not value or not value.strip():
                where = f"environment variable {ref}" if isinstance(ref, str) else "its callable"
                raise ValidationError(f"shop {self.key!r}: {name} is empty ({where})", field=name)
            values[name] = value.strip()
        return values

    def config(self, environ: Mapping[str, str] | None = None) -> IntegrationConfig:
        """The shop's ``IntegrationConfig``, secrets resolved now.

        Raises:
            ValidationError: a missing secret or an invalid setting (naming the shop).
        """
        values = {k: v for k, v in self.settings.items() if k not in EXTRA_FIELDS}
        values.update(self.resolve_secrets(environ))
        try:
            return IntegrationConfig(**values)
        except TypeError as exc:
            raise ValidationError(f"shop {self.key!r}: {exc}", field="settings") from None
        except ValidationError as exc:
            raise ValidationError(f"shop {self.key!r}: {exc}", field=exc.field) from None

    def integration(
        self,
        state: str | Path | StateStore,
        *,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Integration:
        """An :class:`~salesmanago_idosell.integration.Integration` of this shop.

        Args:
            state: a ``postgresql://`` URL (this shop's rows in the shared database; its
                IdoSell rate limit is then one budget for every worker), a SQLite path
                (``{shop}`` in it is replaced by the key; a directory gets ``<key>.sqlite``)
                or a ``StateStore``.
            environ: where secrets' variables are read (default ``os.environ``).
            options: passed to ``Integration`` (``lease_ttl``, ``sleep``, ...).
        """
        from .integration import Integration  # noqa: PLC0415 - integration imports shops

        config = self.config(environ)
        limiter = shared_limiter(state, self.key, config.idosell_rate_limit)
        if limiter is not None and "idosell" not in options:
            options["idosell"] = IdosellClient(
                shop_url=config.idosell_shop_url,
                api_key=config.idosell_api_key,
                api_version=config.idosell_api_version,
                timezone=config.timezone,
                rate_limit=limiter,
                **{k: options[k] for k in ("sleep", "clock") if k in options},
            )
        return Integration(config, state=open_state(state, self.key), **options)

    def to_dict(self) -> dict[str, Any]:
        """Plain data as in a TOML table (``<secret>_env`` names only).

        Raises:
            ValidationError: a secret is a callable (it cannot be written down).
        """
        data = dict(self.settings)
        for name, ref in self.secrets.items():
            if not isinstance(ref, str):
                raise ValidationError(
                    f"shop {self.key!r}: {name} is a callable and cannot be serialised",
                    field=name,
                )
            data[f"{name}_env"] = ref
        return data

    @classmethod
    def from_dict(cls, key: str, data: Mapping[str, Any]) -> ShopConfig:
        """A shop from a TOML-style table (secrets as ``<field>_env`` variable names)."""
        settings: dict[str, Any] = {}
        secrets: dict[str, SecretRef] = {}
        for name, value in data.items():
            if name.endswith("_env") and name[: -len("_env")] in SECRET_FIELDS:
                secrets[name[: -len("_env")]] = value
            else:
                settings[name] = value
        return cls(key=key, settings=settings, secrets=secrets)


def shared_limiter(state: str | Path | StateStore, shop: str, per_second: float) -> Limiter | None:
    """The shop's database-wide IdoSell budget when ``state`` is a PostgreSQL URL."""
    if isinstance(state, str) and state.startswith(("postgresql://", "postgres://")):
        from .sync.postgres import PostgresRateLimiter  # noqa: PLC0415 - optional extra

        return PostgresRateLimiter(state, shop=shop, per_second=per_second)
    return None


def open_state(state: str | Path | StateStore, shop: str) -> StateStore:
    """The state store of ``shop`` for a ``--state`` value.

    ``postgresql://...`` -> :class:`~salesmanago_idosell.sync.postgres.PostgresStateStore`
    keyed by ``shop`` (the ``postgres`` extra); a path containing ``{shop}`` -> that file;
    an existing directory or a path ending in ``/`` -> ``<shop>.sqlite`` in it; another
    path -> that SQLite file (one shop only: its identity is checked).
    """
    if not isinstance(state, str | Path):
        return state
    text = str(state)
    if text.startswith(("postgresql://", "postgres://")):
        from .sync.postgres import PostgresStateStore  # noqa: PLC0415 - optional extra

        return PostgresStateStore(text, shop=shop)
    if "{shop}" in text:
        return SQLiteStateStore(text.replace("{shop}", shop))
    path = Path(text)
    if path.is_dir() or text.endswith(("/", os.sep)):
        return SQLiteStateStore(path / f"{shop}.sqlite")
    return SQLiteStateStore(path)


def _env_key(key: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", key.upper())


class ShopRegistry:
    """The shops an agency runs, by key (iteration keeps their order).

    Args:
        shops: the shops (keys must be unique).

    Raises:
        ValidationError: two shops with one key.
    """

    def __init__(self, shops: Iterable[ShopConfig] = ()) -> None:
        self._shops: dict[str, ShopConfig] = {}
        for shop in shops:
            if shop.key in self._shops:
                raise ValidationError(f"shop key {shop.key!r} is used twice", field="key")
            self._shops[shop.key] = shop

    def __repr__(self) -> str:
        return f"ShopRegistry({list(self._shops)})"

    def __iter__(self) -> Iterator[ShopConfig]:
        return iter(self._shops.values())

    def __len__(self) -> int:
        return len(self._shops)

    def __contains__(self, key: object) -> bool:
        return key in self._shops

    def __getitem__(self, key: str) -> ShopConfig:
        try:
            return self._shops[key]
        except KeyError:
            raise ValidationError(f"no shop {key!r} in the registry", field="shop") from None

    def keys(self) -> list[str]:
        """The shop keys in registry order."""
        return list(self._shops)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ShopRegistry:
        """From parsed TOML: ``{"defaults": {...}, "shops": {key: {...}}}``."""
        unknown = set(data) - {"defaults", "shops"}
        if unknown:
            raise ValidationError(f"unknown registry sections: {sorted(unknown)}", field="shops")
        defaults = dict(data.get("defaults", {}))
        shops = data.get("shops", {})
        if not isinstance(shops, Mapping):
            raise ValidationError("[shops] must be a table of shops", field="shops")
        return cls(ShopConfig.from_dict(k, {**defaults, **v}) for k, v in shops.items())

    @classmethod
    def from_toml(cls, path: str | Path) -> ShopRegistry:
        """Read a TOML registry file (see the module docstring).

        Raises:
            ValidationError: invalid TOML, a secret written in the file, an unknown setting.
        """
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(f"{path}: invalid TOML: {exc}", field="shops") from None
        return cls.from_mapping(data)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ShopRegistry:
        """Read ``SMIDO_SHOPS`` and each shop's ``SMIDO_SHOP_<KEY>_...`` variables.

        Secrets are kept as the *name* of the variable that holds them.
        """
        env = os.environ if environ is None else environ
        keys = [k.strip() for k in env.get("SMIDO_SHOPS", "").split(",") if k.strip()]
        shops = []
        for key in keys:
            prefix = f"SMIDO_SHOP_{_env_key(key)}_"
            settings: dict[str, Any] = {}
            secrets: dict[str, SecretRef] = {}
            for name, variable in ENVIRONMENT.items():
                own = prefix + variable
                chosen = own if env.get(own, "").strip() else variable
                if not env.get(chosen, "").strip():
                    continue
                if name in SECRET_FIELDS:
                    secrets[name] = chosen
                else:
                    settings[name] = env[chosen].strip()
            for extra in sorted(EXTRA_FIELDS):
                value = env.get(prefix + extra.upper(), "").strip()
                if value:
                    settings[extra] = value
            shops.append(ShopConfig(key=key, settings=settings, secrets=secrets))
        return cls(shops)

    @classmethod
    def load(cls, source: str | Path | None = None) -> ShopRegistry:
        """A TOML file when ``source`` is given (or ``SMIDO_REGISTRY`` is set), else env."""
        chosen = source if source is not None else os.environ.get("SMIDO_REGISTRY")
        return cls.from_toml(chosen) if chosen else cls.from_env()
