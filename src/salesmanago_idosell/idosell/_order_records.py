"""Wire records of ``POST /orders/orders/search`` rows and their mapping to :class:`Order`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from attrs import field, frozen

from ._wire import ignores
from .models import (
    Address,
    Order,
    OrderClient,
    OrderProduct,
    OrderSource,
    OrderStatus,
    PickupPoint,
)

__all__ = ["OrderRecord", "StatusRecord", "order_from_record", "order_total"]


@frozen(kw_only=True)
class _Account:
    client_id: int | None = None
    client_login: str | None = None
    client_email: str | None = None
    client_phone1: str | None = None
    client_phone2: str | None = None
    client_code_external: str | None = None


@ignores(
    "clientAdditional",
    "clientCountryName",
    "clientNip",
    "clientPhone2",
    "clientProvinceId",
)
@frozen(kw_only=True)
class _Billing:
    client_first_name: str | None = None
    client_last_name: str | None = None
    client_firm: str | None = None
    client_street: str | None = None
    client_zip_code: str | None = None
    client_city: str | None = None
    client_country_id: str | None = None
    client_province: str | None = None
    client_phone1: str | None = None


@ignores(
    "clientDeliveryAddressCountry",
    "clientDeliveryAddressId",
    "clientDeliveryAddressPhone2",
    "clientDeliveryAddressPickupPointInternalId",
    "clientDeliveryAddressProvinceId",
)
@frozen(kw_only=True)
class _Delivery:
    client_delivery_address_first_name: str | None = None
    client_delivery_address_last_name: str | None = None
    client_delivery_address_firm: str | None = None
    client_delivery_address_street: str | None = None
    client_delivery_address_zip_code: str | None = None
    client_delivery_address_city: str | None = None
    client_delivery_address_country_id: str | None = None
    client_delivery_address_province: str | None = None
    client_delivery_address_phone1: str | None = None
    client_delivery_address_type: str | None = None


@ignores(
    "description",
    "latitude",
    "longitude",
)
@frozen(kw_only=True)
class _PickupPoint:
    pickup_point_id: str | None = None
    name: str | None = None
    city: str | None = None
    street: str | None = None
    zip_code: str | None = None


@ignores(
    "endClientAccount",
    "payerAddress",
)
@frozen(kw_only=True)
class _ClientResult:
    client_account: _Account = field(factory=_Account)
    client_billing_address: _Billing = field(factory=_Billing)
    client_delivery_address: _Delivery = field(factory=_Delivery)
    client_pickup_point_address: _PickupPoint | None = None


@ignores(
    "billingCurrencyRate",
    "orderCurrencyScale",
    "orderCurrencyValue",
)
@frozen(kw_only=True)
class _Costs:
    currency_id: str | None = None
    order_products_cost: Decimal = Decimal(0)
    order_delivery_cost: Decimal = Decimal(0)
    order_payform_cost: Decimal = Decimal(0)
    order_insurance_cost: Decimal = Decimal(0)


@ignores(
    "orderBaseCurrency",
    "orderPaymentDays",
    "orderRebatePercent",
    "orderVatExists",
    "orderWorthCalculateType",
)
@frozen(kw_only=True)
class _Payments:
    order_currency: _Costs = field(factory=_Costs)
    order_payment_type: str | None = None


@ignores(
    "courierId",
    "courierWebserviceOnly",
    "deliveryPackageId",
    "deliveryDate",
    "deliveryDateAdditional",
    "estimatedDeliveryDate",
    "deliveryWeight",
)
@frozen(kw_only=True)
class _Dispatch:
    courier_name: str | None = None


@ignores(
    "auctionsServiceName",
    "orderSourceDetails",
    "preorderSourcesDetails",
)
@frozen(kw_only=True)
class _Source:
    order_source_type: str | None = None
    shop_id: int | None = None


@ignores(
    "basketPosition",
    "bundleId",
    "label",
    "orderAdditionalList",
    "orderSalesMode",
    "priceFormulaParameters",
    "productOrderAdditional",
    "productOrderPriceBaseCurrency",
    "productOrderPriceNet",
    "productOrderPriceNetBaseCurrency",
    "productPanelPrice",
    "productPanelPriceNet",
    "productPriceLog",
    "productSerialNumber",
    "productSerialNumbers",
    "productSizeCodeExternal",
    "productVat",
    "productVatFree",
    "productWeight",
    "remarksToProduct",
    "sizePanelName",
    "stockId",
    "versionName",
)
@frozen(kw_only=True)
class _Line:
    product_id: int
    size_id: str | None = None
    product_name: str | None = None
    product_code: str | None = None
    product_quantity: Decimal = Decimal(1)
    product_order_price: Decimal = Decimal(0)


@ignores(
    "apiFlag",
    "auctionInfo",
    "clientDeliveryAddressId",
    "clientNoteToCourier",
    "clientNoteToOrder",
    "clientRequestInvoice",
    "discountCard",
    "discountCode",
    "dropshippingOrderStatus",
    "orderConfirmation",
    "orderNote",
    "orderOperatorLogin",
    "orderPackingPersonLogin",
    "orderPrepareTime",
    "prepaids",
    "productRemovedInStock",
    "purchaseDate",
    "receivedDate",
    "orderStatusId",  # not in the v6 spec; documented for later versions (reference §4.1)
)
@frozen(kw_only=True)
class _Details:
    order_status: str | None = None
    order_add_date: datetime | None = None
    order_change_date: datetime | None = None
    order_dispatch_date: datetime | None = None
    payments: _Payments = field(factory=_Payments)
    dispatch: _Dispatch = field(factory=_Dispatch)
    stock_id: int | None = None
    order_source_results: _Source = field(factory=_Source)
    products_results: list[_Line] = field(factory=list)


@frozen(kw_only=True)
class _RowError:
    fault_code: int = 0
    fault_string: str | None = None


@ignores(
    "orderBridgeNote",
)
@frozen(kw_only=True)
class OrderRecord:
    """A row of ``Results[]`` (the fields the SDK reads)."""

    order_id: str
    order_serial_number: int
    order_type: str | None = None
    client_result: _ClientResult = field(factory=_ClientResult)
    order_details: _Details = field(factory=_Details)
    errors: list[_RowError] = field(factory=list)


@frozen(kw_only=True)
class StatusRecord:
    """A row of ``GET /orders/statuses`` (``statuses[]``)."""

    id: int
    panel_name: str
    parent_id: int | None = None


def _s(value: str | None) -> str | None:
    return value or None


def _billing(b: _Billing) -> Address:
    return Address(
        first_name=_s(b.client_first_name),
        last_name=_s(b.client_last_name),
        company=_s(b.client_firm),
        street=_s(b.client_street),
        zip_code=_s(b.client_zip_code),
        city=_s(b.client_city),
        country_code=_s(b.client_country_id),
        province=_s(b.client_province),
        phone=_s(b.client_phone1),
    )


def _delivery(d: _Delivery) -> Address:
    return Address(
        first_name=_s(d.client_delivery_address_first_name),
        last_name=_s(d.client_delivery_address_last_name),
        company=_s(d.client_delivery_address_firm),
        street=_s(d.client_delivery_address_street),
        zip_code=_s(d.client_delivery_address_zip_code),
        city=_s(d.client_delivery_address_city),
        country_code=_s(d.client_delivery_address_country_id),
        province=_s(d.client_delivery_address_province),
        phone=_s(d.client_delivery_address_phone1),
    )


def _client(a: _Account) -> OrderClient:
    return OrderClient(
        id=a.client_id or None,
        login=_s(a.client_login),
        email=_s(a.client_email),
        phone=_s(a.client_phone1),
        landline_phone=_s(a.client_phone2),
    )


def _pickup(p: _PickupPoint | None) -> PickupPoint | None:
    if p is None or not (p.pickup_point_id or p.name):
        return None
    return PickupPoint(
        id=_s(p.pickup_point_id), name=_s(p.name), city=_s(p.city), street=_s(p.street)
    )


def _line(line: _Line) -> OrderProduct:
    return OrderProduct(
        product_id=line.product_id,
        size_id=_s(line.size_id),
        name=_s(line.product_name),
        code=_s(line.product_code),
        quantity=line.product_quantity,
        unit_price_gross=line.product_order_price,
    )


def order_total(costs: _Costs) -> Decimal:
    """Products + delivery + payment + insurance costs (IdoSell has no total field)."""
    return (
        costs.order_products_cost
        + costs.order_delivery_cost
        + costs.order_payform_cost
        + costs.order_insurance_cost
    )


def order_from_record(record: OrderRecord) -> Order:
    """Build an :class:`Order` from an orders search row."""
    details = record.order_details
    result = record.client_result
    costs = details.payments.order_currency
    return Order(
        id=record.order_id,
        serial_number=record.order_serial_number,
        added_at=details.order_add_date,
        changed_at=details.order_change_date,
        status=OrderStatus(details.order_status) if details.order_status else None,
        client=_client(result.client_account),
        billing_address=_billing(result.client_billing_address),
        delivery_address=_delivery(result.client_delivery_address),
        delivery_address_type=_s(result.client_delivery_address.client_delivery_address_type),
        pickup_point=_pickup(result.client_pickup_point_address),
        source=OrderSource(
            type=_s(details.order_source_results.order_source_type),
            shop_id=details.order_source_results.shop_id or None,
        ),
        currency=_s(costs.currency_id),
        total=order_total(costs),
        payment_method=_s(details.payments.order_payment_type),
        delivery_method=_s(details.dispatch.courier_name),
        stock_id=details.stock_id or None,
        products=tuple(_line(p) for p in details.products_results),
    )
