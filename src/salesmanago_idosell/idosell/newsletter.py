"""E-mail newsletter subscribers: ``POST /clients/newsletter/email/search`` (snake_case gate)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from ..errors import ValidationError
from ._wire import parse_bool, parse_date, snake_case
from .models import Subscriber, SubscriberShop
from .pagination import Gate, PageIterator

if TYPE_CHECKING:
    from .client import IdosellClient

__all__ = ["EMAIL_SEARCH_GATE", "NewsletterAPI"]

EMAIL_SEARCH_GATE = Gate(
    method="POST", path="/clients/newsletter/email/search", items_key="clients", snake=True
)


@snake_case
@frozen(kw_only=True)
class _ShopRecord:
    shop_id: int
    approval: str | None = None
    date_modification: datetime | None = None


@snake_case
@frozen(kw_only=True)
class _SubscriberRecord:
    """A row of ``clients[]``; ``shops`` may come as a list or an object keyed by shop id."""

    email: str
    registered: bool = False
    client_number: int | None = None
    login: str | None = None
    language: str | None = None
    shops: list[_ShopRecord] = field(factory=list)


def _approved(value: str | None) -> bool:
    """``y``/``n``; some gates put the date of consent instead of ``y`` (a date = agreed)."""
    if value is None:
        return False
    try:
        return parse_bool(value)
    except ValueError:
        return parse_date(value) is not None


def subscriber_from_record(record: _SubscriberRecord) -> Subscriber:
    """Build a :class:`Subscriber` from a newsletter search row."""
    shops = tuple(
        SubscriberShop(
            shop_id=s.shop_id, approved=_approved(s.approval), modified_at=s.date_modification
        )
        for s in record.shops
    )
    return Subscriber(
        email=record.email,
        registered=record.registered,
        language=record.language or None,
        client_id=record.client_number or None,
        login=record.login or None,
        shops=shops,
    )


class NewsletterAPI:
    """Newsletter subscribers, with or without a customer account (``client.newsletter``)."""

    def __init__(self, client: IdosellClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"NewsletterAPI({self._client!r})"

    def iter_email_subscribers(
        self,
        *,
        registered: bool | None = None,
        since: datetime | date | None = None,
        shop_ids: Iterable[int] | None = None,
        language: str | None = None,
        limit: int | None = None,
    ) -> PageIterator[Subscriber]:
        """Every e-mail newsletter subscriber matching the filters, lazily.

        Args:
            registered: ``False`` for subscribers without an account, ``True`` for account
                holders, ``None`` for both. The filter is per shop: without ``shop_ids`` it
                applies to shop 1.
            since: only subscriptions added or changed at or after this moment.
            shop_ids: only subscribers of these shops.
            language: ISO 639-2 language id, e.g. ``"pol"``.
            limit: stop after this many subscribers.

        Example:
            >>> guests = shop.newsletter.iter_email_subscribers(registered=False)
            >>> emails = [sub.email for sub in guests]  # doctest: +SKIP
        """
        params: dict[str, Any] = {}
        shops = sorted(set(shop_ids)) if shop_ids is not None else None
        if shops == []:
            raise ValidationError("shop_ids must not be empty", field="shop_ids")
        if registered is not None and shops is None:
            shops = [1]
        if shops is not None:
            params["shops"] = [_shop_filter(s, registered) for s in shops]
        if since is not None:
            params["date"] = {"from": self._client.wire_datetime(since)}
        if language:
            params["language"] = language
        return PageIterator(self._client, EMAIL_SEARCH_GATE, params, self._parse, limit)

    def _parse(self, row: Any) -> Subscriber:
        record = self._client.structure(row, _SubscriberRecord, endpoint=EMAIL_SEARCH_GATE.path)
        return subscriber_from_record(record)


def _shop_filter(shop_id: int, registered: bool | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"shop_id": shop_id}
    if registered is not None:
        entry["registered"] = "y" if registered else "n"
    return entry
