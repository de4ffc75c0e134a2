"""Shop records -> IdoSell Admin API v6 JSON rows (names and shapes from the v6 spec)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .shop import Category, Customer, Order, OrderLine, PickupPoint, Product, Shop, Subscriber

__all__ = [
    "STATUS_IDS",
    "category_row",
    "client_row",
    "crm_row",
    "fmt_date",
    "fmt_datetime",
    "newsletter_row",
    "order_row",
    "product_row",
]

#: Order status -> id, as listed by ``GET /orders/statuses``.
STATUS_IDS = {
    "new": 1, "finished": 2, "false": 3, "lost": 4, "on_order": 5, "packed": 6, "ready": 7,
    "canceled": 8, "payment_waiting": 9, "delivery_waiting": 10, "suspended": 11,
    "joined": 12, "finished_ext": 13, "returned": 14, "complained": 15,
}  # fmt: skip
_CRM_TYPES = {"private": "person", "male": "person_male", "female": "person_female", "firm": "firm"}


def fmt_datetime(value: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS``, the Admin API's date-time format."""
    return value.strftime("%Y-%m-%d %H:%M:%S")


def fmt_date(value: date | datetime | None) -> str:
    """``YYYY-MM-DD`` (empty string for no date)."""
    return value.strftime("%Y-%m-%d") if value else ""


def _num(value: Decimal) -> float:
    return float(value)


def _approvals(since: datetime | None, key: str, shop_id: int) -> list[dict[str, Any]]:
    return [{key: fmt_date(since), "shopId": shop_id}] if since else []


_PREFERENCES = {
    "langId": "pol",
    "currencyId": "PLN",
    "clientIsWholesaler": "no",
    "clientVatPreferences": "bycountry",
    "clientGroupDiscountNumber": 0,
    "clientGroupDiscountName": None,
}
_TRADE_CREDIT = {"clientTradeCreditLimit": 0.0, "currencyId": "PLN", "clientTradeCreditUsed": 0.0}


def _billing(c: Customer) -> dict[str, Any]:
    return {
        "clientFirstName": c.first_name, "clientLastName": c.last_name, "clientNip": c.nip,
        "clientFirm": c.firm, "clientStreet": c.street, "clientZipCode": c.zip_code,
        "clientCity": c.city, "clientCountryId": c.country_id, "clientProvinceId": c.province_id,
        "clientPhone1": c.phone, "clientPhone2": "",
    }  # fmt: skip


def client_row(c: Customer, shop: Shop) -> dict[str, Any]:
    """A ``GET /clients/clients`` result row."""
    return {
        "clientId": c.id,
        # an account without a modification date (set to None by a test) has none here
        "clientsLastModificationDate": fmt_datetime(c.modified) if c.modified else None,
        "clientLogin": c.login, "clientCodeExternal": c.code_external, "clientEmail": c.email,
        "clientType": c.client_type, "showClientAsPartner": "n",
        "operator": {"login": "", "name": ""}, "isUnregistered": "n",
        "blockAutomaticallyAssigningGroupDiscount": "n",
        "clientBillingAddress": {**_billing(c), "clientRegionId": ""},
        "clientPersonalData": {"clientBirthDate": fmt_date(c.birth_date)},
        "clientPreferences": dict(_PREFERENCES),
        "newsletterEmailApprovalsData": _approvals(
            c.newsletter_since, "newsletterEmailApprovalDate", c.shop_id),
        "newsletterSmsApprovalsData": _approvals(
            c.sms_since, "newsletterSmsApprovalDate", c.shop_id),
        "clientBalances": [], "clientTradeCredit": dict(_TRADE_CREDIT),
        "affiliateLogin": None, "affiliateId": 0,
        "clientRegistrationDate": fmt_date(c.registered),
        "clientActiveInShops": [{"shopId": c.shop_id, "shopName": shop.shop_name}],
    }  # fmt: skip


def crm_row(c: Customer, shop: Shop) -> dict[str, Any]:
    """A ``POST /clients/crm/search`` ``clientsResults`` row (consent as ``y``/``n``)."""
    orders = [o for o in shop.orders if o.client_id == c.id]
    done = [o for o in orders if o.status in ("finished", "finished_ext")]
    return {
        "clientId": c.id, "clientLogin": c.login, "clientEmail": c.email,
        "clientType": _CRM_TYPES[c.client_type], "clientIsWholesaler": "no",
        "clientCountryId": c.country_id, "langId": "pol",
        "clientFirstName": c.first_name, "clientLastName": c.last_name, "clientNip": c.nip,
        "clientFirm": c.firm, "clientCodeExternal": c.code_external, "clientPhone1": c.phone,
        "clientPhone2": "", "clientNote": "",
        "clientOrdersCompletedCount": len(done), "clientOrdersAllCount": len(orders),
        "clientTotalOrdersValue": _num(sum((o.products_cost for o in done), Decimal(0))),
        "clientLastPurchaseDate": fmt_datetime(max(o.added for o in orders)) if orders else "",
        "clientActiveInShops": [{"shopId": c.shop_id, "shopName": shop.shop_name}],
        "clientOrdersData": [
            {"orderId": o.id, "orderSerialNumber": o.serial} for o in orders[:10]
        ],
        "newsletterEmailApprovalsData": [
            {"inNewsletterEmailApproval": "y" if c.newsletter_since else "n", "shopId": c.shop_id}
        ],
        "newsletterSmsApprovalsData": [
            {"inNewsletterSmsApproval": "y" if c.sms_since else "n", "shopId": c.shop_id}
        ],
        "clientBalances": [],
    }  # fmt: skip


def newsletter_row(entry: Customer | Subscriber) -> dict[str, Any]:
    """A ``POST /clients/newsletter/email/search`` ``clients`` row (snake_case)."""
    if isinstance(entry, Customer):
        changed = entry.newsletter_changed or entry.registered
        approved, number, login = entry.newsletter_since is not None, entry.id, entry.login
        registered = "y"
    else:
        changed, approved, number = entry.modified or entry.added, entry.approved, 0
        login = ""
        registered = "n"
    return {
        "client_number": number,
        "login": login,
        "registered": registered,
        "language": "pol",
        "email": entry.email,
        "shops": [
            {
                "shop_id": entry.shop_id,
                "approval": "y" if approved else "n",
                "date_modification": fmt_datetime(changed),
            }
        ],
    }


def _line_row(line: OrderLine, position: int) -> dict[str, Any]:
    net = (line.price / (1 + line.vat / 100)).quantize(Decimal("0.01"))
    return {
        "productId": line.product_id, "productName": line.name, "productCode": "",
        "sizeId": line.size_id, "sizePanelName": line.size_name,
        "productSizeCodeExternal": "", "stockId": 1, "productQuantity": float(line.quantity),
        "productWeight": 500.0, "productVat": _num(line.vat), "productVatFree": "n",
        "productPanelPrice": _num(line.price), "productPanelPriceNet": _num(net),
        "productOrderPrice": _num(line.price), "productOrderPriceNet": _num(net),
        "productOrderPriceBaseCurrency": _num(line.price),
        "productOrderPriceNetBaseCurrency": _num(net),
        "remarksToProduct": "", "label": None, "orderSalesMode": "money", "bundleId": 0,
        "basketPosition": position,
    }  # fmt: skip


def _delivery(c: Customer, point: PickupPoint | None) -> dict[str, Any]:
    street, zip_code, city = (point.street, point.zip_code, point.city) if point else (
        c.street, c.zip_code, c.city)  # fmt: skip
    return {
        "clientDeliveryAddressId": str(c.id), "clientDeliveryAddressFirstName": c.first_name,
        "clientDeliveryAddressLastName": c.last_name, "clientDeliveryAddressFirm": c.firm,
        "clientDeliveryAddressStreet": street, "clientDeliveryAddressZipCode": zip_code,
        "clientDeliveryAddressCity": city, "clientDeliveryAddressCountry": "Polska",
        "clientDeliveryAddressCountryId": "PL", "clientDeliveryAddressPhone1": c.phone,
        "clientDeliveryAddressPhone2": "",
        "clientDeliveryAddressType": "pickupPoint" if point else "client",
    }  # fmt: skip


def _client_result(order: Order, shop: Shop) -> dict[str, Any]:
    c = shop.customer(order.client_id)
    point = order.pickup_point
    result: dict[str, Any] = {
        "clientAccount": {
            "clientId": c.id, "clientLogin": c.login, "clientEmail": c.email,
            "clientPhone1": c.phone, "clientPhone2": "", "clientCodeExternal": c.code_external,
        },
        "clientBillingAddress": {**_billing(c), "clientCountryName": "Polska",
                                 "clientProvince": ""},
        "clientDeliveryAddress": _delivery(c, point),
    }  # fmt: skip
    if point:
        result["clientPickupPointAddress"] = {
            "pickupPointId": point.id, "name": point.name, "street": point.street,
            "zipCode": point.zip_code, "city": point.city, "description": point.name,
            "latitude": 52.23, "longitude": 21.01,
        }  # fmt: skip
    return result


def _payments(order: Order) -> dict[str, Any]:
    costs = {
        "orderProductsCost": _num(order.products_cost),
        "orderDeliveryCost": _num(order.delivery_cost),
        "orderPayformCost": 0.0,
        "orderInsuranceCost": 0.0,
    }
    return {
        "orderPaymentType": order.payment_type, "orderPaymentDays": 0, "orderRebatePercent": 0.0,
        "orderWorthCalculateType": "gross", "orderVatExists": "y",
        "orderCurrency": {"currencyId": order.currency, "orderCurrencyValue": 1.0,
                          "billingCurrencyRate": 1.0, **costs},
        "orderBaseCurrency": {"billingCurrency": "PLN", "orderDeliveryVat": 23.0,
                              "orderPayformVat": 23.0, "orderInsuranceVat": 23.0, **costs},
    }  # fmt: skip


def order_row(order: Order, shop: Shop) -> dict[str, Any]:
    """A ``POST /orders/orders/search`` ``Results`` row."""
    details = {
        "orderStatus": order.status, "orderStatusId": STATUS_IDS.get(order.status, 0),
        "apiFlag": "none", "orderConfirmation": "none",
        "orderAddDate": fmt_datetime(order.added), "orderChangeDate": fmt_datetime(order.modified),
        "purchaseDate": fmt_datetime(order.added), "orderDispatchDate": None,
        "receivedDate": None, "orderPrepareTime": None, "clientNoteToOrder": order.note,
        "payments": _payments(order), "prepaids": [],
        "orderSourceResults": {"orderSourceType": "shop", "shopId": order.shop_id,
                               "auctionsServiceName": None},
        "dispatch": {"courierId": 1, "courierName": order.courier},
        "productsResults": [_line_row(line, i) for i, line in enumerate(order.lines, start=1)],
        "stockId": 1, "orderNote": "", "clientRequestInvoice": "n",
    }  # fmt: skip
    return {
        "orderId": order.id, "orderSerialNumber": order.serial, "orderType": "n",
        "orderBridgeNote": "", "clientResult": _client_result(order, shop),
        "orderDetails": details, "errors": [],
    }  # fmt: skip


def product_row(p: Product, shop: Shop) -> dict[str, Any]:
    """A ``GET /products/products`` / ``POST /products/products/search`` result row."""
    category = shop.category(p.category_id)
    return {
        "productId": p.id, "productDisplayedCode": f"P-{p.id}", "productIsDeleted": "n",
        "producerId": p.producer_id, "producerName": p.producer_name,
        "categoryId": p.category_id, "categoryName": category.name, "currencyId": "PLN",
        "productRetailPrice": _num(p.price), "productVat": _num(p.vat),
        "productAddingTime": fmt_datetime(p.added),
        "productModificationTime": fmt_datetime(p.modified),
        "productDescriptionsLangData": [
            {"langId": "pol", "productName": p.name, "productDescription": p.name,
             "productLongDescription": p.description}
        ],
        "productSizesAttributes": [
            {"sizeId": s.id, "sizePanelName": s.name, "productSizeCodeExternal": s.code,
             "productSizeCodeProducer": s.ean} for s in p.sizes
        ],
        "productStocksData": {"productStocksQuantities": [
            {"stockId": 1, "productSizesData": [
                {"sizeId": s.id, "sizePanelName": s.name, "productSizeQuantity": float(s.quantity)}
                for s in p.sizes]}
        ]},
    }  # fmt: skip


def category_row(c: Category, shop: Shop) -> dict[str, Any]:
    """A ``GET /products/categories`` row (snake_case; top level has ``parent_id`` 0)."""
    count = sum(1 for p in shop.products if p.category_id == c.id)
    return {
        "id": c.id, "parent_id": c.parent_id or 0, "priority": 1, "product_count": count,
        "pkwiu": "", "shop_mask": 1, "shops": [shop.shop_id],
        "lang_data": [
            {"lang_id": "pol", "singular_name": c.name, "plural_name": c.name, "description": ""},
            {"lang_id": "eng", "singular_name": c.name_eng, "plural_name": c.name_eng,
             "description": ""},
        ],
    }  # fmt: skip
