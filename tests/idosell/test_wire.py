"""The IdoSell converter hooks: flags, shop-local dates, PHP shapes, strictness."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import responses
from attrs import field, frozen
from cattrs.errors import ClassValidationError

from salesmanago_idosell.errors import ResponseValidationError
from salesmanago_idosell.idosell import IdosellClient
from salesmanago_idosell.idosell._wire import (
    format_date,
    format_datetime,
    make_idosell_converter,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_optional_int,
    snake_case,
)

from .conftest import BASE, load

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    ("wire", "value"),
    [
        ("y", True),
        ("n", False),
        ("yes", True),
        ("no", False),
        ("Y", True),
        ("", False),
        (True, True),
    ],
)
def test_flags(wire: object, value: bool) -> None:
    assert parse_bool(wire) is value


def test_bad_flag() -> None:
    with pytest.raises(ValueError, match="y/n"):
        parse_bool("maybe")


@pytest.mark.parametrize("wire", ["0", "", "0000-00-00", "0000-00-00 00:00:00", None])
def test_zero_dates_are_none(wire: object) -> None:
    assert parse_datetime(wire, WARSAW) is None
    assert parse_date(wire) is None


@pytest.mark.parametrize("wire", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_moment_outside_the_calendar_in_the_shop_zone_is_not_known(wire: str) -> None:
    # an offset that moves the moment before year 1 or after 9999 in the shop's zone
    assert parse_datetime(wire, WARSAW) is None


def test_wire_datetime_is_shop_local_and_aware() -> None:
    parsed = parse_datetime("2025-07-01 12:00:00", WARSAW)
    assert parsed == datetime(2025, 7, 1, 10, 0, tzinfo=timezone.utc)  # CEST = UTC+2
    assert parsed is not None
    assert parsed.tzinfo is WARSAW
    assert parse_date("2025-07-01 12:00:00") == date(2025, 7, 1)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (datetime(2025, 1, 15, 11, 0, tzinfo=timezone.utc), "2025-01-15 12:00:00"),
        (datetime(2025, 7, 15, 11, 0, tzinfo=timezone.utc), "2025-07-15 13:00:00"),
        (datetime(2025, 7, 15, 11, 0), "2025-07-15 11:00:00"),
        (date(2025, 7, 15), "2025-07-15 00:00:00"),
    ],
)
def test_format_datetime(value: datetime | date, wire: str) -> None:
    assert format_datetime(value, WARSAW) == wire


def test_format_date_uses_the_shop_day() -> None:
    late_utc = datetime(2025, 7, 15, 23, 30, tzinfo=timezone.utc)  # already 16 July in Warsaw
    assert format_date(late_utc, WARSAW) == "2025-07-16"
    assert format_date(date(2025, 7, 15), WARSAW) == "2025-07-15"


def test_optional_int() -> None:
    assert parse_optional_int("") is None
    assert parse_optional_int("12") == 12
    with pytest.raises(ValueError, match="integer"):
        parse_optional_int(True)


@frozen(kw_only=True)
class _Camel:
    shop_id: int
    parent_id: int | None = None
    flag: bool = False


@snake_case
@frozen(kw_only=True)
class _Snake:
    shop_id: int
    items: list[_Camel] = field(factory=list)


def test_camel_and_snake_records() -> None:
    conv = make_idosell_converter(strict=True)
    assert conv.structure({"shopId": 1, "parentId": "", "flag": "y"}, _Camel) == _Camel(
        shop_id=1, parent_id=None, flag=True
    )
    assert conv.structure({"shop_id": 2}, _Snake) == _Snake(shop_id=2)
    with pytest.raises(ClassValidationError):
        conv.structure({"shop_id": 2, "shopId": 2}, _Snake)


def test_keyed_objects_become_lists_with_their_id() -> None:
    conv = make_idosell_converter(strict=True)
    keyed = {"shop_id": 1, "items": {"7": {"flag": "n"}, "8": {"shopId": 9}}}
    assert conv.structure(keyed, _Snake) == _Snake(
        shop_id=1, items=[_Camel(shop_id=7), _Camel(shop_id=9)]
    )
    assert conv.structure({"shop_id": 1, "items": None}, _Snake) == _Snake(shop_id=1)


@frozen(kw_only=True)
class _Optional:
    parent_id: int | None = None


@frozen(kw_only=True)
class _Outer:
    inner: _Optional | None = None
    other: _Optional = _Optional()


def test_php_empty_array_for_an_object() -> None:
    conv = make_idosell_converter(strict=True)
    assert conv.structure({"inner": [], "other": []}, _Outer) == _Outer(inner=_Optional())
    assert conv.structure({"inner": None}, _Outer) == _Outer()


def test_unknown_customer_field_strict_vs_lenient(
    client: IdosellClient, lenient: IdosellClient, mocked: responses.RequestsMock
) -> None:
    page = load("clients_page.json")
    page["results"][0]["clientLoyaltyPoints"] = 12.5
    mocked.get(BASE + "/clients/clients", json=page)
    mocked.get(BASE + "/clients/clients", json=page)
    assert [c.id for c in lenient.customers.iter()] == [1024, 1025]
    with pytest.raises(ResponseValidationError, match="clientLoyaltyPoints") as info:
        list(client.customers.iter())
    assert info.value.endpoint == "/clients/clients"
