"""Fast constructors of frozen attrs models, for the hot paths of a sync.

A frozen attrs class sets each field in its ``__init__`` through a bound
``object.__setattr__`` call, about half of what building a model costs. :func:`builder`
generates, once per class, a function taking every field (no defaults: the caller gives
them all, by keyword or in field order) that makes the very same instance:
``object.__new__`` and each slot's own descriptor, converters applied as ``__init__``
applies them. It refuses what it could not reproduce: a class without slots, an
``__init__`` or ``__new__`` of its own (or ``init=False``), a validator, an
``__attrs_post_init__`` or ``__attrs_pre_init__``, a cached hash, or a field left out of
``__init__``.

Why: building the public models of every row is most of what typed records cost in a full
sync (issue 11), and the IOF stream builds a product and its sizes the same way;
``tests/foundation/test_builders.py`` checks that each instance equals the one ``__init__``
makes.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, TypeVar

import attrs

__all__ = ["builder"]

T = TypeVar("T")


def builder(cls: type[T]) -> Callable[..., T]:
    """A function ``(*every_field) -> cls`` equal to ``cls(*every_field)``: every field is
    required, by keyword or positionally in ``attrs.fields(cls)`` order.

    Raises:
        TypeError: ``cls`` is not a slotted attrs class whose ``__init__`` only sets (and
            converts) its fields.
    """
    if (
        not attrs.has(cls)
        or "__slots__" not in cls.__dict__
        or "__attrs_attrs__" not in cls.__dict__
    ):
        raise TypeError(f"{cls.__name__}: not a slotted attrs class")
    if "_attrs_cached_hash" in cls.__dict__["__slots__"]:  # __init__ also clears the cache
        raise TypeError(f"{cls.__name__}: a cached hash is not reproduced")
    # attrs wrote __init__ only when the class has none of its own: then there is no
    # __attrs_init__ (made instead when __init__ is the class's own or init=False)
    if "__init__" not in cls.__dict__ or "__attrs_init__" in cls.__dict__:
        raise TypeError(f"{cls.__name__}: an __init__ not made by attrs is not reproduced")
    if cls.__new__ is not object.__new__:
        raise TypeError(f"{cls.__name__}: a __new__ of its own is not reproduced")
    for hook in ("__attrs_post_init__", "__attrs_pre_init__"):
        if hasattr(cls, hook):
            raise TypeError(f"{cls.__name__}: {hook} is not reproduced")
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    names: list[str] = []
    lines: list[str] = []
    for number, field in enumerate(attrs.fields(cls)):
        if field.validator is not None or not field.init or field.alias != field.name:
            raise TypeError(f"{cls.__name__}.{field.name}: not a plain field")
        names.append(field.name)
        slot = getattr(cls, field.name, None)  # an inherited field's slot is its base's
        if not isinstance(slot, MemberDescriptorType):
            raise TypeError(f"{cls.__name__}.{field.name}: not stored in a slot")
        scope[f"_set{number}"] = slot.__set__
        value = field.name
        if isinstance(field.converter, attrs.Converter):
            raise TypeError(f"{cls.__name__}.{field.name}: a converter taking more than the value")
        if field.converter is not None:
            scope[f"_convert{number}"] = field.converter
            value = f"_convert{number}({value})"
        lines.append(f"    _set{number}(self, {value})")
    source = (
        f"def build({', '.join(names)}):\n"  # any class name (make_class takes any)
        "    self = _new(_cls)\n" + "\n".join(lines) + "\n    return self\n"
    )
    exec(compile(source, f"<builder of {cls.__qualname__}>", "exec"), scope)  # noqa: S102
    built: Callable[..., T] = scope["build"]
    return built
