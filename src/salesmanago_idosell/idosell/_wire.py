"""The IdoSell wire format: one cattrs converter that knows the API's quirks.

:func:`make_idosell_converter` builds on the shared :func:`make_converter` and adds hooks for:

* ``y``/``n`` and ``yes``/``no`` flags -> ``bool``;
* naive shop-local date-times (``YYYY-MM-DD HH:MM:SS``) -> timezone-aware ``datetime`` in the
  shop's time zone; in optional fields ``0``, ``""``, ``0000-00-00`` and impossible dates
  (``1990-02-30``) -> ``None``;
* ``null`` for any field means "absent": the field's default applies (a ``null`` address
  object is an empty address), and a required field that is ``null`` fails the row;
* PHP-isms: ``[]`` where an object is expected (empty map), and objects keyed by id where the
  specification promises a list (the values are taken, the key fills a missing ``id_key``);
* snake_case gates: record classes marked with :func:`snake_case` keep their attribute names on
  the wire instead of the camelCase form;
* documented-but-unused keys: :func:`ignores` lists the spec fields a record does not read, so
  the strict converter (tests) fails only on keys outside the specification.

Wire records (private attrs classes mirroring response rows) are structured with this converter;
the public models are built from them by pure functions in each resource module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, tzinfo
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import attrs
from cattrs import Converter
from cattrs.gen import make_dict_structure_fn, override

from .._converter import camel, make_converter

__all__ = [
    "DEFAULT_TIMEZONE",
    "declared_keys",
    "format_date",
    "format_datetime",
    "ignores",
    "make_idosell_converter",
    "open_record",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_optional_int",
    "resolve_timezone",
    "snake_case",
]

DEFAULT_TIMEZONE = "Europe/Warsaw"
_TRUE = frozenset({"y", "yes", "true", "1", "t"})
_FALSE = frozenset({"n", "no", "false", "0", "f", ""})
_TRUE_WIRE = frozenset({"y", "yes", "true", "1", "t"})
_FALSE_WIRE = frozenset({"n", "no", "false", "0", "f", ""})
_SNAKE: set[type[Any]] = set()
_IGNORED: dict[type[Any], frozenset[str]] = {}
_OPEN: set[type[Any]] = set()
#: Key inserted into each value of an object keyed by id, when the value lacks it.
_ID_KEYS = ("shop_id", "shopId", "id")

C = TypeVar("C", bound=type[Any])


def snake_case(cls: C) -> C:
    """Mark a record class whose wire keys are its snake_case attribute names."""
    _SNAKE.add(cls)
    return cls


def ignores(*wire_keys: str) -> Callable[[C], C]:
    """Declare wire keys the specification documents but the record does not read.

    Strict converters drop them silently, so they only fail on keys outside the spec.
    """

    def mark(cls: C) -> C:
        _IGNORED[cls] = frozenset(wire_keys)
        return cls

    return mark


def open_record(cls: C) -> C:
    """Mark a record whose gate may add any documented field (never strict about extras)."""
    _OPEN.add(cls)
    return cls


def declared_keys(cls: type[Any]) -> frozenset[str]:
    """The wire keys a record reads or knowingly ignores."""
    return frozenset(_wire_names(cls)) | _IGNORED.get(cls, frozenset())


def resolve_timezone(value: str | tzinfo) -> tzinfo:
    """Accept an IANA name (``"Europe/Warsaw"``) or a ``tzinfo``."""
    return ZoneInfo(value) if isinstance(value, str) else value


def parse_bool(value: Any) -> bool:
    """``y``/``yes``/``true``/``1`` -> True, ``n``/``no``/``false``/``0``/empty -> False."""
    if isinstance(value, bool):
        return value
    if value.__class__ is str:  # the usual spellings, without normalising
        if value in _TRUE_WIRE:
            return True
        if value in _FALSE_WIRE:
            return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a y/n flag: {value!r}")


def _is_zero_date(text: str) -> bool:
    return text in {"", "0", "null"} or text.startswith("0000-00-00")


def parse_int(value: Any) -> int:
    """A whole number: an int, a float without a fraction or a string of digits.

    ``17.5`` or ``"17.5"`` is an error, never silently 17 (serial numbers and ids must not
    collide with another record's).
    """
    if isinstance(value, bool):
        raise ValueError("not an integer: a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not an integer: it has a fraction")
        return int(value)
    return int(str(value).strip())


def parse_optional_int(value: Any) -> int | None:
    """An integer, with ``None`` and ``""`` meaning absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_int(value)


def parse_datetime(value: Any, tz: tzinfo) -> datetime | None:
    """Parse a shop-local ``YYYY-MM-DD[ HH:MM:SS]`` into an aware datetime (zero dates: None)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    text = str(value).strip()
    if _is_zero_date(text):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed.astimezone(tz)
    except (ValueError, OverflowError):  # an impossible moment in an optional field (or one
        return None  # beyond year 1..9999 in the shop's zone) means "not known"


def parse_date(value: Any) -> date | None:
    """Parse ``YYYY-MM-DD`` (a time part is ignored); zero dates give None."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = str(value).strip()
    if _is_zero_date(text):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:  # 1990-02-30 in an optional field means "not known"
        return None


def format_datetime(value: datetime | date, tz: tzinfo) -> str:
    """Render a moment as the naive shop-local ``YYYY-MM-DD HH:MM:SS`` IdoSell expects.

    Aware datetimes are converted to the shop's zone; naive ones are taken as shop-local; a
    ``date`` means its midnight.
    """
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is not None:
        value = value.astimezone(tz)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def format_date(value: datetime | date, tz: tzinfo) -> str:
    """Render the shop-local calendar day ``YYYY-MM-DD``."""
    if isinstance(value, datetime):
        value = (value.astimezone(tz) if value.tzinfo else value).date()
    return value.isoformat()


def _unkey(value: Any) -> Any:
    """An object keyed by id -> the list of its values (key copied into a missing id)."""
    if not isinstance(value, Mapping):
        return value
    rows = []
    for key, row in value.items():
        keyed = isinstance(row, Mapping) and not any(k in row for k in _ID_KEYS)
        rows.append({"__key__": int(key), **row} if keyed and str(key).isdigit() else row)
    return rows


def _list_hook(converter: Converter, cls: Any) -> Callable[[Any, Any], Any]:
    (item_type,) = get_args(cls) or (Any,)

    def hook(value: Any, _: Any) -> list[Any]:
        if value is None:
            return []
        rows = _unkey(value)
        return [_structure_item(converter, item_type, row) for row in rows]

    return hook


def _structure_item(converter: Converter, item_type: Any, row: Any) -> Any:
    if isinstance(row, Mapping) and "__key__" in row:
        key = row["__key__"]
        row = {k: v for k, v in row.items() if k != "__key__"}
        if attrs.has(item_type):
            names = _wire_names(item_type)
            id_key = next((k for k in _ID_KEYS if k in names), None)
            if id_key is not None:
                row[id_key] = key
    return converter.structure(row, item_type)


def _wire_names(cls: type[Any]) -> set[str]:
    snake = cls in _SNAKE
    return {a.name if snake else camel(a.name) for a in attrs.fields(cls)}


def _is_list(cls: Any) -> bool:
    origin: Any = get_origin(cls)
    return origin is list


def _record_hook(
    converter: Converter, cls: type[Any], *, strict: bool, detailed: bool
) -> Callable[[Any, Any], Any]:
    snake = cls in _SNAKE
    renames: dict[str, Any] = {
        a.name: override(rename=a.name if snake else camel(a.name)) for a in attrs.fields(cls)
    }
    forbid = strict and cls not in _OPEN
    inner = make_dict_structure_fn(
        cls,
        converter,
        _cattrs_forbid_extra_keys=forbid,
        _cattrs_detailed_validation=detailed,
        **renames,
    )
    ignored = _IGNORED.get(cls, frozenset())

    def hook(value: Any, target: Any) -> Any:
        if value.__class__ is dict:  # the common case: only copied when it has to be
            if None in value.values() or not ignored.isdisjoint(value):
                value = {k: v for k, v in value.items() if v is not None and k not in ignored}
            return inner(value, target)
        if isinstance(value, list) and not value:
            value = {}
        if isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if v is not None and k not in ignored}
        return inner(value, target)

    return hook


def _field_code(
    converter: Converter, attribute: Any, index: int, env: dict[str, Any]
) -> tuple[str, str]:
    """The fast path's conversion of one present, non-null wire value ``v``: an expression,
    and the helper it names (added to ``env``)."""
    declared = attribute.type
    inner = declared
    args = get_args(declared)
    if get_origin(declared) in (Union, UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        inner = rest[0] if len(rest) == 1 else declared
    if declared in (str, str | None):
        return "v if v.__class__ is str else str(v)", ""
    if attrs.has(inner):
        name = f"_r{index}"
        env[name] = converter.get_structure_hook(inner)
        env[f"_t{index}"] = inner
        return f"{name}(v, _t{index})", name
    if _is_list(inner):
        (item,) = get_args(inner) or (Any,)
        env[f"_i{index}"] = converter.get_structure_hook(item)
        env[f"_it{index}"] = item
        env[f"_l{index}"] = converter.get_structure_hook(inner)
        env[f"_lt{index}"] = inner
        return (
            f"[_i{index}(r, _it{index}) for r in v] if v.__class__ is list "
            f"else _l{index}(v, _lt{index})"
        ), ""
    env[f"_h{index}"] = converter.get_structure_hook(declared)
    env[f"_ht{index}"] = declared
    return f"_h{index}(v, _ht{index})", ""


def _fast_record_hook(
    converter: Converter, cls: type[Any], *, strict: bool
) -> Callable[[Any, Any], Any]:
    """A structure function generated for ``cls``: one ``get`` per field, ``null`` read as
    absent, no copy of the row, nested records by their own generated functions.

    Any error is left to the caller, which explains it with the detailed converter; the
    rules are the same as :func:`_record_hook`'s (a row this accepts, that one accepts
    with the same result)."""
    attrs.resolve_types(cls)
    snake = cls in _SNAKE
    env: dict[str, Any] = {"_cls": cls, "_Mapping": Mapping}
    known = set()
    lines = [
        "def structure(o, _=None):",
        "    if o.__class__ is not dict:",
        "        if o.__class__ is list and not o:",
        "            o = {}",
        "        elif not isinstance(o, _Mapping):",
        "            raise TypeError('not an object')",
        "    kw = {}",
    ]
    for index, attribute in enumerate(attrs.fields(cls)):
        wire = attribute.name if snake else camel(attribute.name)
        known.add(wire)
        expression, _ = _field_code(converter, attribute, index, env)
        target = attribute.alias or attribute.name
        lines += [
            f"    v = o.get({wire!r})",
            "    if v is not None:",
            f"        kw[{target!r}] = {expression}",
        ]
    if strict and cls not in _OPEN:
        env["_known"] = frozenset(known | _IGNORED.get(cls, frozenset()))
        lines += ["    if not _known.issuperset(o):", "        raise ValueError('extra keys')"]
    lines.append("    return _cls(**kw)")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<fast structure {cls.__name__}>", "exec"), env, namespace)  # noqa: S102
    hook: Callable[[Any, Any], Any] = namespace["structure"]
    return hook


def make_idosell_converter(
    *, strict: bool = False, tz: str | tzinfo = DEFAULT_TIMEZONE, detailed: bool = True
) -> Converter:
    """Build the converter for IdoSell records.

    Args:
        strict: forbid keys the records do not know (tests on fixtures).
        tz: the shop's time zone, given to naive wire date-times.
        detailed: cattrs' detailed validation (every error with its path); the client
            decodes with the fast variant (``False``) and asks the detailed one only to
            explain a row that failed.
    """
    zone = resolve_timezone(tz)
    converter = make_converter(strict=strict, detailed=detailed)
    converter.register_structure_hook(bool, lambda v, _: parse_bool(v))
    converter.register_structure_hook(datetime | None, lambda v, _: parse_datetime(v, zone))
    converter.register_structure_hook(date | None, lambda v, _: parse_date(v))
    converter.register_structure_hook(int, lambda v, _: parse_int(v))
    converter.register_structure_hook(int | None, lambda v, _: parse_optional_int(v))
    converter.register_structure_hook_factory(_is_list, lambda t: _list_hook(converter, t))
    if detailed:
        converter.register_structure_hook_factory(
            attrs.has, lambda cls: _record_hook(converter, cls, strict=strict, detailed=True)
        )
    else:
        converter.register_structure_hook_factory(
            attrs.has, lambda cls: _fast_record_hook(converter, cls, strict=strict)
        )
    return converter
