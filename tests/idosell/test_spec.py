"""The wire records against the v6 spec: every field they read exists, every other is declared."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from salesmanago_idosell._converter import camel
from salesmanago_idosell.idosell import _order_records as orders
from salesmanago_idosell.idosell import catalog, customers, newsletter
from salesmanago_idosell.idosell._wire import _SNAKE, declared_keys

from .conftest import operation


def _row(path: str, method: str, *keys: str) -> dict[str, Any]:
    schema = operation(path, method)["responses"]["200"]["content"]["application/json"]["schema"]
    for key in keys:
        schema = schema["items"] if key == "[]" else schema["properties"][key]
    return dict(schema)


CLIENT = ("/clients/clients", "get", "results", "[]")
CRM = ("/clients/crm/search", "post", "clientsResults", "[]")
SUBSCRIBER = ("/clients/newsletter/email/search", "post", "clients", "[]")
ORDER = ("/orders/orders/search", "post", "Results", "[]")
CATEGORY = ("/products/categories", "get", "categories", "[]")

RECORDS: list[tuple[type[Any], list[tuple[str, ...]]]] = [
    (customers._ClientRecord, [CLIENT]),
    (customers._BillingAddress, [(*CLIENT, "clientBillingAddress")]),
    (customers._PersonalData, [(*CLIENT, "clientPersonalData")]),
    (customers._Preferences, [(*CLIENT, "clientPreferences")]),
    (
        customers._EmailApproval,
        [
            (*CLIENT, "newsletterEmailApprovalsData", "[]"),
            (*CRM, "newsletterEmailApprovalsData", "[]"),
        ],
    ),
    (
        customers._ActiveShop,
        [(*CLIENT, "clientActiveInShops", "[]"), (*CRM, "clientActiveInShops", "[]")],
    ),
    (customers._CrmRecord, [CRM]),
    (newsletter._SubscriberRecord, [SUBSCRIBER]),
    (newsletter._ShopRecord, [(*SUBSCRIBER, "shops", "[]")]),
    (orders.OrderRecord, [ORDER]),
    (orders._ClientResult, [(*ORDER, "clientResult")]),
    (orders._Account, [(*ORDER, "clientResult", "clientAccount")]),
    (orders._Billing, [(*ORDER, "clientResult", "clientBillingAddress")]),
    (orders._Delivery, [(*ORDER, "clientResult", "clientDeliveryAddress")]),
    (orders._PickupPoint, [(*ORDER, "clientResult", "clientPickupPointAddress")]),
    (orders._Details, [(*ORDER, "orderDetails")]),
    (orders._Payments, [(*ORDER, "orderDetails", "payments")]),
    (orders._Costs, [(*ORDER, "orderDetails", "payments", "orderCurrency")]),
    (orders._Source, [(*ORDER, "orderDetails", "orderSourceResults")]),
    (orders._Line, [(*ORDER, "orderDetails", "productsResults", "[]")]),
    (orders._RowError, [(*ORDER, "errors", "[]")]),
    (catalog._CategoryRecord, [CATEGORY]),
    (catalog._LangData, [(*CATEGORY, "lang_data", "[]")]),
]


@pytest.mark.parametrize(("record", "locations"), RECORDS, ids=lambda v: getattr(v, "__name__", ""))
def test_record_matches_the_spec(record: type[Any], locations: list[tuple[str, ...]]) -> None:
    documented: set[str] = set()
    for path, method, *keys in locations:
        documented |= set(_row(path, method, *keys)["properties"])
    read = {a.name if record in _SNAKE else camel(a.name) for a in attrs.fields(record)}
    assert read <= documented, f"read but not in the spec: {read - documented}"
    assert documented <= declared_keys(record), (
        f"documented but neither read nor ignored: {documented - declared_keys(record)}"
    )


def test_product_search_reads_documented_fields() -> None:
    documented = set(_row("/products/products/search", "post", "results", "[]")["properties"])
    assert {"productId", "categoryId"} <= documented
    assert declared_keys(catalog._ProductRecord) == {"productId", "categoryId"}
