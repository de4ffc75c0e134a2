"""Customer accounts.

Endpoints: ``GET /clients/clients`` (list), ``POST /clients/crm/search`` (find by e-mail or
login) and ``PUT /clients/clients`` (newsletter consent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from ..errors import IdosellAPIError, ResponseValidationError, ValidationError
from ._fast_rows import customer_from_row
from ._wire import ignores
from .models import Address, Customer, NewsletterConsent, ShopRef
from .pagination import Gate, PageIterator

if TYPE_CHECKING:
    from .client import IdosellClient

__all__ = ["CLIENTS_GATE", "CRM_SEARCH_GATE", "CustomersAPI"]

CLIENTS_PATH = "/clients/clients"
CLIENTS_GATE = Gate(method="GET", path=CLIENTS_PATH, items_key="results", id_keys=("clientId",))
CRM_SEARCH_GATE = Gate(
    method="POST", path="/clients/crm/search", items_key="clientsResults", id_keys=("clientId",)
)


@frozen(kw_only=True)
class _BillingAddress:
    client_first_name: str | None = None
    client_last_name: str | None = None
    client_nip: str | None = None
    client_firm: str | None = None
    client_street: str | None = None
    client_zip_code: str | None = None
    client_city: str | None = None
    client_country_id: str | None = None
    client_region_id: str | None = None
    client_province_id: str | None = None
    client_phone1: str | None = None
    client_phone2: str | None = None


@frozen(kw_only=True)
class _PersonalData:
    client_birth_date: date | None = None


@ignores(
    "clientGroupDiscountName",
    "clientGroupDiscountNumber",
    "clientIsWholesaler",
    "clientVatPreferences",
)
@frozen(kw_only=True)
class _Preferences:
    lang_id: str | None = None
    currency_id: str | None = None


@frozen(kw_only=True)
class _EmailApproval:
    shop_id: int
    newsletter_email_approval_date: date | None = None
    in_newsletter_email_approval: bool | None = None


@frozen(kw_only=True)
class _ActiveShop:
    shop_id: int
    shop_name: str | None = None


@ignores(
    "affiliateId",
    "affiliateLogin",
    "blockAutomaticallyAssigningGroupDiscount",
    "clientBalances",
    "clientTradeCredit",
    "newsletterSmsApprovalsData",
    "operator",
    "showClientAsPartner",
)
@frozen(kw_only=True)
class _ClientRecord:
    """A row of ``GET /clients/clients`` (``results[]``), the fields the SDK reads."""

    client_id: int
    client_login: str | None = None
    client_email: str | None = None
    client_code_external: str | None = None
    clients_last_modification_date: datetime | None = None
    client_registration_date: date | None = None
    client_type: str | None = None
    is_unregistered: bool = False
    client_billing_address: _BillingAddress = field(factory=_BillingAddress)
    client_personal_data: _PersonalData = field(factory=_PersonalData)
    client_preferences: _Preferences = field(factory=_Preferences)
    newsletter_email_approvals_data: list[_EmailApproval] = field(factory=list)
    client_active_in_shops: list[_ActiveShop] = field(factory=list)


@ignores(
    "clientAffiliateProgram",
    "clientBalances",
    "clientCodeExternal",
    "clientDiscount",
    "clientIsWholesaler",
    "clientLastLoginDate",
    "clientLastPurchaseDate",
    "clientLoyaltyCards",
    "clientLoyaltyPoints",
    "clientNip",
    "clientNote",
    "clientObservedProductsCount",
    "clientObservedProductsData",
    "clientOpinionsCount",
    "clientOrdersAllCount",
    "clientOrdersCompletedCount",
    "clientOrdersCompletedData",
    "clientOrdersData",
    "clientOrdersStatistic",
    "clientPurchasedProductsCount",
    "clientPurchasedProductsData",
    "clientReturnsOrdersStatistic",
    "clientRmaCount",
    "clientTotalOrdersValue",
    "newsletterSmsApprovalsData",
)
@frozen(kw_only=True)
class _CrmRecord:
    """A row of ``POST /clients/crm/search`` (``clientsResults[]``)."""

    client_id: int
    client_login: str | None = None
    client_email: str | None = None
    client_type: str | None = None
    client_country_id: str | None = None
    lang_id: str | None = None
    client_first_name: str | None = None
    client_last_name: str | None = None
    client_firm: str | None = None
    client_phone1: str | None = None
    client_phone2: str | None = None
    newsletter_email_approvals_data: list[_EmailApproval] = field(factory=list)
    client_active_in_shops: list[_ActiveShop] = field(factory=list)


def _consents(rows: Iterable[_EmailApproval]) -> tuple[NewsletterConsent, ...]:
    out = []
    for row in rows:
        approved = row.in_newsletter_email_approval
        if approved is None:  # GET /clients/clients: a date means "agreed since"
            approved = row.newsletter_email_approval_date is not None
        out.append(
            NewsletterConsent(
                shop_id=row.shop_id, approved=approved, since=row.newsletter_email_approval_date
            )
        )
    return tuple(out)


def _shops(rows: Iterable[_ActiveShop]) -> tuple[ShopRef, ...]:
    return tuple(ShopRef(shop_id=r.shop_id, name=r.shop_name) for r in rows)


def _empty(value: str | None) -> str | None:
    return value or None


def _billing_address(bill: _BillingAddress) -> Address:
    return Address(
        first_name=_empty(bill.client_first_name),
        last_name=_empty(bill.client_last_name),
        company=_empty(bill.client_firm),
        street=_empty(bill.client_street),
        zip_code=_empty(bill.client_zip_code),
        city=_empty(bill.client_city),
        country_code=_empty(bill.client_country_id),
        province=_empty(bill.client_province_id),
        phone=_empty(bill.client_phone1),
    )


def customer_from_record(record: _ClientRecord) -> Customer:
    """Build a :class:`Customer` from a ``GET /clients/clients`` row."""
    address = _billing_address(record.client_billing_address)
    return Customer(
        id=record.client_id,
        login=_empty(record.client_login),
        email=_empty(record.client_email),
        first_name=address.first_name,
        last_name=address.last_name,
        company=address.company,
        birth_date=record.client_personal_data.client_birth_date,
        phone=address.phone,
        landline_phone=_empty(record.client_billing_address.client_phone2),
        billing_address=address,
        language=_empty(record.client_preferences.lang_id),
        registered_on=record.client_registration_date,
        modified_at=record.clients_last_modification_date,
        newsletter_consents=_consents(record.newsletter_email_approvals_data),
        active_in_shops=_shops(record.client_active_in_shops),
        is_unregistered=record.is_unregistered,
    )


def customer_from_crm(record: _CrmRecord) -> Customer:
    """Build a :class:`Customer` from a CRM search row (no address or dates there)."""
    return Customer(
        id=record.client_id,
        login=_empty(record.client_login),
        email=_empty(record.client_email),
        first_name=_empty(record.client_first_name),
        last_name=_empty(record.client_last_name),
        company=_empty(record.client_firm),
        phone=_empty(record.client_phone1),
        landline_phone=_empty(record.client_phone2),
        billing_address=Address(country_code=_empty(record.client_country_id)),
        language=_empty(record.lang_id),
        newsletter_consents=_consents(record.newsletter_email_approvals_data),
        active_in_shops=_shops(record.client_active_in_shops),
    )


class CustomersAPI:
    """Customer accounts (``client.customers``)."""

    def __init__(self, client: IdosellClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"CustomersAPI({self._client!r})"

    def iter(
        self,
        *,
        modified_since: datetime | date | None = None,
        modified_until: datetime | date | None = None,
        registered_since: datetime | date | None = None,
        ids: Iterable[int] | None = None,
        shop_id: int | None = None,
        limit: int | None = None,
    ) -> PageIterator[Customer]:
        """Every customer account matching the filters, lazily, page by page.

        Args:
            modified_since: only accounts changed at or after this moment (shop time).
            modified_until: only accounts last changed at or before this moment.
            registered_since: only accounts registered on or after this day.
            ids: only these customer numbers.
            shop_id: only customers assigned to this shop.
            limit: stop after this many customers.
        """
        query: dict[str, str] = {}
        if modified_since is not None:
            key = "clientsLastModificationDate[clientsLastModificationDateBegin]"
            query[key] = self._client.wire_datetime(modified_since)
        if modified_until is not None:
            key = "clientsLastModificationDate[clientsLastModificationDateEnd]"
            query[key] = self._client.wire_datetime(modified_until)
        if registered_since is not None:
            key = "clientRegistrationDate[clientRegistrationDateBegin]"
            query[key] = self._client.wire_date(registered_since)
        if ids is not None:
            query["clientsIds"] = _csv(ids, "ids")
        if shop_id is not None:
            query["shopId"] = str(shop_id)
        return PageIterator(self._client, CLIENTS_GATE, query, self._parse_record, limit)

    def search(
        self,
        *,
        email: str | None = None,
        login: str | None = None,
        exact: bool = True,
        limit: int | None = None,
    ) -> PageIterator[Customer]:
        """Find accounts by e-mail and/or login (CRM search; no address data in results).

        Example:
            >>> shop.customers.search(email="jan.kowalski@example.pl").first()  # doctest: +SKIP
        """
        params: dict[str, Any] = {"settingsExactSearch": exact}
        if email:
            params["clientEmail"] = email
        if login:
            params["clientLogin"] = login
        if len(params) == 1:
            raise ValidationError("give an email or a login to search for", field="email")
        return PageIterator(self._client, CRM_SEARCH_GATE, params, self._parse_crm, limit)

    def set_newsletter_approval(
        self, *, login: str, approved: bool, shop_ids: Iterable[int] = (1,)
    ) -> int | None:
        """Record a customer's e-mail newsletter consent in the given shops.

        The account is identified by its login (the gate has no customer-number key).

        Returns:
            the customer number IdoSell reports for the account, if any.

        Raises:
            IdosellAPIError: IdoSell refused the change (its fault code and text).
        """
        shops = sorted(set(shop_ids))
        if not login or not shops:
            raise ValidationError("login and at least one shop id are required", field="login")
        flag = "y" if approved else "n"
        approvals = [{"inNewsletterEmailApproval": flag, "shopId": s} for s in shops]
        client = {"clientLogin": login, "newsletterEmailApprovalsData": approvals}
        answer = self._client.call("PUT", CLIENTS_PATH, body={"params": {"clients": [client]}})
        return _put_result(answer or {})

    def _parse_record(self, row: Any) -> Customer:
        if not self._client.strict:  # strict clients (tests) check every key the slow way
            customer = customer_from_row(row, self._client.timezone)
            if customer is not None:
                return customer
        record = self._client.structure(row, _ClientRecord, endpoint=CLIENTS_PATH)
        return customer_from_record(record)

    def _parse_crm(self, row: Any) -> Customer:
        record = self._client.structure(row, _CrmRecord, endpoint=CRM_SEARCH_GATE.path)
        return customer_from_crm(record)


def _put_result(answer: Mapping[str, Any]) -> int | None:
    results = answer.get("results")
    if not isinstance(results, list) or not results or not isinstance(results[0], Mapping):
        raise ResponseValidationError("no result for the client", endpoint=CLIENTS_PATH)
    result = results[0]
    for error in result.get("errors") or []:
        code = int(error.get("faultCode") or 0)
        if code:
            raise IdosellAPIError(
                fault_code=code,
                fault_string=str(error.get("faultString") or ""),
                status_code=200,
                endpoint=CLIENTS_PATH,
            )
    client_id = (result.get("clientsResult") or {}).get("clientId")
    return int(client_id) if client_id else None


def _csv(values: Iterable[int], name: str) -> str:
    items = [str(int(v)) for v in values]
    if not items:
        raise ValidationError(f"{name} must not be empty", field=name)
    return ",".join(items)
