"""Fast constructors make exactly the instance ``__init__`` makes, or refuse the class."""

from __future__ import annotations

import copy
import pickle
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesmanago_idosell import mapping
from salesmanago_idosell._builders import builder
from salesmanago_idosell.idosell import models as idosell_models
from salesmanago_idosell.salesmanago import models as salesmanago_models

#: Every class the SDK builds through :func:`builder`.
BUILT = [
    idosell_models.Address,
    idosell_models.Customer,
    idosell_models.NewsletterConsent,
    idosell_models.Order,
    idosell_models.OrderClient,
    idosell_models.OrderProduct,
    idosell_models.OrderSource,
    idosell_models.PickupPoint,
    idosell_models.ShopRef,
    salesmanago_models.Address,
    salesmanago_models.ContactUpsert,
    salesmanago_models.ExternalEvent,
    mapping.Decision,
    mapping.Purchase,
]
VALUES = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(),
    st.booleans(),
    st.just(Decimal("1.50")),
    st.just(datetime(2024, 5, 1, tzinfo=timezone.utc)),
    st.just(date(2024, 5, 1)),
    st.lists(st.text(max_size=3), max_size=3),
)


@pytest.mark.parametrize("cls", BUILT, ids=lambda c: f"{c.__module__.split('.')[-2]}.{c.__name__}")
@given(data=st.data())
def test_an_instance_is_the_one_init_makes(cls: type[Any], data: st.DataObject) -> None:
    values = {f.name: data.draw(VALUES, label=f.name) for f in attrs.fields(cls)}
    try:
        made = cls(**copy.deepcopy(values))
    except Exception as exc:  # a converter refused the value: so must the builder
        with pytest.raises(type(exc)):
            builder(cls)(**values)
        return
    built = builder(cls)(**values)
    assert type(built) is cls
    assert built == made
    assert repr(built) == repr(made)
    assert attrs.asdict(built, recurse=False) == attrs.asdict(made, recurse=False)
    assert pickle.loads(pickle.dumps(built)) == made  # noqa: S301 - our own bytes
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.__setattr__(attrs.fields(cls)[0].name, None)


def test_converters_run_as_in_init() -> None:
    build = builder(salesmanago_models.ContactUpsert)
    values: dict[str, Any] = {f.name: None for f in attrs.fields(salesmanago_models.ContactUpsert)}
    values.update(email="a@b.pl", tags="one", remove_tags=["x", "y"], properties={})
    contact = build(**values)
    assert contact.tags == ("one",)
    assert contact.remove_tags == ("x", "y")


def test_every_field_must_be_named() -> None:
    with pytest.raises(TypeError):
        builder(idosell_models.ShopRef)(shop_id=1)


@attrs.frozen
class _Validated:
    value: int = attrs.field(validator=attrs.validators.instance_of(int))


@attrs.frozen
class _PostInit:
    value: int

    def __attrs_post_init__(self) -> None:
        pass


@attrs.frozen
class _NotInInit:
    value: int
    hidden: int = attrs.field(init=False, default=0)


@attrs.frozen
class _Aliased:
    _value: int


@attrs.frozen(slots=False)
class _NoSlots:
    value: int


def _keep(value: int, _: Any) -> int:
    return value


@attrs.frozen
class _SelfConverter:
    value: int = attrs.field(converter=attrs.Converter(_keep, takes_self=True))  # type: ignore[misc]


@attrs.frozen(cache_hash=True)
class _CachedHash:
    value: int


@pytest.mark.parametrize(
    "cls",
    [_Validated, _PostInit, _NotInInit, _Aliased, _NoSlots, _SelfConverter, _CachedHash, dict],
)
def test_a_class_whose_init_does_more_is_refused(cls: type[Any]) -> None:
    with pytest.raises(TypeError):
        builder(cls)


@attrs.frozen
class _OwnInit:  # attrs keeps an __init__ of the class's own (and makes __attrs_init__)
    value: int

    def __init__(self, value: int) -> None:
        self.__attrs_init__(value=value * 2)  # type: ignore[attr-defined]


@attrs.frozen(init=False)
class _NoInit:
    value: int


@attrs.frozen
class _OwnNew:
    value: int

    def __new__(cls, *args: Any, **kwargs: Any) -> _OwnNew:
        return super().__new__(cls)


@attrs.frozen
class _Base:
    value: int


class _UndecoratedInit(_Base):
    __slots__ = ()

    def __init__(self, value: int) -> None:
        super().__init__(value=value + 1)


@pytest.mark.parametrize("cls", [_OwnInit, _NoInit, _OwnNew, _UndecoratedInit])
def test_a_class_whose_construction_is_not_attrs_own_is_refused(cls: type[Any]) -> None:
    """Without the refusal the builder skipped the class's own __init__ (value 1, not 2)."""
    with pytest.raises(TypeError):
        builder(cls)


@attrs.frozen
class _Derived(_Base):
    extra: str


def test_a_subclass_sets_its_inherited_fields_through_the_base_slots() -> None:
    assert builder(_Derived)(value=1, extra="x") == _Derived(value=1, extra="x")


def test_a_class_named_with_any_characters_is_built() -> None:
    odd = attrs.make_class("odd-name 2", {"value": attrs.field()}, frozen=True, slots=True)
    assert builder(odd)(value=1) == odd(value=1)
