"""The cattrs converter factory shared by both API clients.

:func:`make_converter` builds a converter with the hooks both APIs share:

* attrs classes map snake_case attributes to camelCase wire keys (override single names with
  :func:`register_renames`);
* unstructuring drops ``None``, empty strings, empty lists and empty objects, so "not set" is
  never sent as ``null``/``""`` (booleans, including ``False``, are always kept);
* ``Decimal`` from strings or numbers (comma decimals accepted) and to a JSON number;
* ``date``/``datetime`` from and to ISO 8601.

Production converters are lenient (unknown keys are ignored, because the APIs grow); tests
build the strict variant with ``make_converter(strict=True)``, which forbids extra keys so
drift between fixtures and models shows up in CI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
from cattrs import Converter
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

__all__ = [
    "camel",
    "decimal_from_wire",
    "decimal_to_wire",
    "is_empty",
    "make_converter",
    "register_renames",
]


def camel(name: str) -> str:
    """``first_name`` -> ``firstName`` (leading/trailing underscores are dropped)."""
    head, *rest = name.strip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def is_empty(value: Any) -> bool:
    """True for values never sent on the wire: None, "", [] and {} (but not False or 0)."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict):
        return len(value) == 0
    return False


def decimal_from_wire(value: Any, _: Any = None) -> Decimal:
    """Parse a wire number (``12.5``, ``"12.50"``, ``"12,50"``) into a Decimal.

    Raises:
        ValueError: not a finite number (``NaN`` and ``Infinity`` included: Python's JSON
            parser reads them, and no amount, price or quantity is either).
    """
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a number: {value!r}")
    return number


def decimal_to_wire(value: Decimal) -> int | float:
    """Render a Decimal as a JSON number that prints exactly as the Decimal does.

    Integers stay ``int``; other values become the float whose shortest repr equals the
    Decimal (true for up to 15 significant digits, which covers every price).
    """
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value:
        raise ValueError(f"{value} cannot be sent as an exact JSON number")
    return as_float


def _structure_date(value: Any, _: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _structure_datetime(value: Any, _: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def hook(value: Any, _: Any) -> Any:
        return None if value is None else convert(value)

    return hook


def _drop_empty(
    unstructure: Callable[[Any], dict[str, Any]],
) -> Callable[[Any], dict[str, Any]]:
    def hook(obj: Any) -> dict[str, Any]:
        return {
            k: v
            for k, v in unstructure(obj).items()
            if v is not None and (v or not isinstance(v, str | list | tuple | dict))
        }

    return hook


def make_converter(*, strict: bool = False, detailed: bool = True) -> Converter:
    """Build a converter with the shared hooks.

    Args:
        strict: forbid keys the models do not know (for tests on recorded fixtures).
        detailed: collect every field's error with its path (cattrs' detailed validation);
            ``False`` builds the fast variant, which stops at the first error (used first,
            the detailed one only to explain a failure).
    """
    converter = Converter(forbid_extra_keys=strict, detailed_validation=detailed)
    converter.register_structure_hook(Decimal, decimal_from_wire)
    converter.register_unstructure_hook(Decimal, decimal_to_wire)
    converter.register_structure_hook(date, _structure_date)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    # optional scalars without cattrs' generic Optional dispatch (same rules: None stays
    # None, anything else goes through the type's own conversion)
    converter.register_structure_hook(str | None, _optional(str))
    converter.register_structure_hook(float | None, _optional(float))
    converter.register_structure_hook(Decimal | None, _optional(decimal_from_wire))

    def structure_factory(cls: type[Any]) -> Callable[[Any, Any], Any]:
        return _structure_fn(converter, cls, {}, strict=strict)

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        return _unstructure_fn(converter, cls, {})

    converter.register_structure_hook_factory(attrs.has, structure_factory)
    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return converter


def _renames(cls: type[Any], renames: Mapping[str, str]) -> dict[str, Any]:
    return {a.name: override(rename=renames.get(a.name, camel(a.name))) for a in attrs.fields(cls)}


def _structure_fn(
    converter: Converter, cls: type[Any], renames: Mapping[str, str], *, strict: bool
) -> Callable[[Any, Any], Any]:
    return make_dict_structure_fn(
        cls, converter, _cattrs_forbid_extra_keys=strict, **_renames(cls, renames)
    )


def _unstructure_fn(
    converter: Converter, cls: type[Any], renames: Mapping[str, str]
) -> Callable[[Any], Any]:
    return _drop_empty(make_dict_unstructure_fn(cls, converter, **_renames(cls, renames)))


def register_renames(
    converter: Converter,
    cls: type[Any],
    *,
    hooks: Mapping[str, Callable[[Any, Any], Any]] | None = None,
    **renames: str,
) -> None:
    """Give some attributes of ``cls`` wire names other than their camelCase form.

    Args:
        converter: the converter to register on.
        cls: an attrs class.
        hooks: per-attribute structure hooks (e.g. epoch milliseconds to datetime).
        renames: attribute name -> wire name.

    Example:
        ``register_renames(conv, Event, type="contactExtEventType")``
    """
    strict = bool(converter.forbid_extra_keys)
    overrides = _renames(cls, renames)
    for name, hook in (hooks or {}).items():
        overrides[name] = override(rename=overrides[name].rename, struct_hook=hook)
    structure = make_dict_structure_fn(
        cls, converter, _cattrs_forbid_extra_keys=strict, **overrides
    )
    converter.register_structure_hook(cls, structure)
    converter.register_unstructure_hook(cls, _unstructure_fn(converter, cls, renames))
