"""The snippets gates: golden request bodies checked against the v6 operations, answers, errors."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import responses

from salesmanago_idosell.errors import IdosellAPIError, IdosellItemsError, ValidationError
from salesmanago_idosell.idosell import IdosellClient
from salesmanago_idosell.idosell.snippet_models import (
    CookieCategory,
    CookieLifetime,
    ItemResult,
    Snippet,
    SnippetCampaign,
    SnippetCookie,
    SnippetDisplay,
    SnippetPages,
    SnippetZone,
)

from .conftest import BASE, load, sent_body, sent_query

CAMPAIGN = BASE + "/snippets/campaign"
SNIPPETS = BASE + "/snippets/snippets"
COOKIES = BASE + "/snippets/cookies"


@lru_cache(maxsize=1)
def _doc() -> dict[str, Any]:
    data: dict[str, Any] = load("idosell-admin-v6-snippets.json")
    return data


def _inline(value: Any) -> Any:
    """The schema with ``#/components/schemas/X`` refs inlined and ``nullable`` translated."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _inline(_doc()["components"]["schemas"][ref.rsplit("/", 1)[1]])
        inlined = {k: _inline(v) for k, v in value.items()}
        if inlined.get("nullable") is True and isinstance(inlined.get("type"), str):
            inlined["type"] = [inlined["type"], "null"]  # OpenAPI 3.0 nullable
        return inlined
    if isinstance(value, list):
        return [_inline(v) for v in value]
    return value


def _operation(path: str, method: str) -> dict[str, Any]:
    op: dict[str, Any] = _doc()["paths"][path][method.lower()]
    return op


def check_body(path: str, method: str, body: Any) -> None:
    """The body against the operation's schema (components inlined, no unknown keys)."""
    schema = _operation(path, method)["requestBody"]["content"]["application/json"]["schema"]
    jsonschema.validate(body, _inline(schema))
    assert set(body) == {"params"}


def check_query(path: str, method: str, query: dict[str, list[str]]) -> None:
    """Every query parameter is in the operation, integers where the spec says so."""
    params = {p["name"]: p["schema"] for p in _operation(path, method).get("parameters", [])}
    for name, values in query.items():
        assert name in params, f"{name} is not a parameter of {method} {path}"
        schema = params[name]
        items = values[0].split(",") if schema.get("type") == "array" else values
        if (schema.get("items") or schema).get("type") == "integer":
            assert all(v.isdigit() for v in items), values
        if "enum" in schema:
            assert values[0] in schema["enum"]


def check_response(path: str, method: str, payload: Any, status: str = "200") -> None:
    schema = _operation(path, method)["responses"][status]["content"]["application/json"]
    jsonschema.validate(payload, _inline(schema["schema"]))


def _ok(path: str, method: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    payload = {"results": results}
    check_response(path, method, payload)
    return payload


CODE = '<script type="text/javascript">var _smid = "abc";</script>\n'


# -- campaigns -----------------------------------------------------------------------------------


def test_create_campaign_golden_body(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(CAMPAIGN, json=_ok("/snippets/campaign", "post", [{"id": 7, "name": "T"}]))
    results = client.snippets.campaigns.create(
        [SnippetCampaign(name="Tracking", shop_ids=(1, 2), description="by SDK")]
    )
    assert results == [ItemResult(id=7)]
    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "campaigns": [
                {"name": "Tracking", "description": "by SDK", "shop": [1, 2], "active": "y"}
            ]
        }
    }
    check_body("/snippets/campaign", "post", body)


def test_new_campaign_always_carries_its_shops(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(CAMPAIGN, json={"results": [{"id": 1}]})
    client.snippets.campaigns.create([SnippetCampaign(name="x")])
    assert sent_body(mocked.calls[0])["params"]["campaigns"][0]["shop"] == [1]


def test_update_campaign_golden_body(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.put(CAMPAIGN, json=_ok("/snippets/campaign", "put", [{"id": 7, "errors": []}]))
    client.snippets.campaigns.update(
        [SnippetCampaign(id=7, name="Tracking", active=False, order=3)]
    )
    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "campaigns": [
                {
                    "id": 7,
                    "name": "Tracking",
                    "description": "",
                    "shop": [1],
                    "active": "n",
                    "order": 3,
                }
            ]
        }
    }
    check_body("/snippets/campaign", "put", body)


def test_update_without_an_id_is_refused_before_sending(client: IdosellClient) -> None:
    with pytest.raises(ValidationError, match="needs its id"):
        client.snippets.campaigns.update([SnippetCampaign(name="x")])


def test_delete_campaign_puts_the_ids_in_the_query(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.delete(CAMPAIGN, json=_ok("/snippets/campaign", "delete", [{"id": 3}, {"id": 9}]))
    assert client.snippets.campaigns.delete([3, 9]) == [ItemResult(id=3), ItemResult(id=9)]
    call = mocked.calls[0]
    assert call.request.body is None
    assert sent_query(call) == {"id": ["3,9"]}
    check_query("/snippets/campaign", "delete", sent_query(call))


def test_list_campaigns_query_and_rows(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    row = {
        "id": 4,
        "name": "Tracking",
        "description": "d",
        "shop": [1],
        "active": "y",
        "deleted": "n",
        "order": 2,
        "snippetCount": 1,
    }
    payload = {"results": [row], "pagination": {}}
    check_response("/snippets/campaign", "get", payload)
    mocked.get(CAMPAIGN, json=payload)
    [campaign] = list(client.snippets.campaigns.list(shop_ids=[1]))
    assert campaign == SnippetCampaign(
        id=4, name="Tracking", shop_ids=(1,), description="d", order=2, snippet_count=1
    )
    query = sent_query(mocked.calls[0])
    assert query == {
        "shopId": ["1"],
        "omitDeleted": ["y"],
        "resultsPage": ["0"],
        "resultsLimit": ["100"],
    }
    check_query("/snippets/campaign", "get", query)


# -- snippets ------------------------------------------------------------------------------------


def test_create_snippet_golden_body_sends_display_and_pages(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(SNIPPETS, json=_ok("/snippets/snippets", "post", [{"id": 11, "errors": []}]))
    client.snippets.snippets.create([Snippet(name="SM", campaign_id=7, body={"pol": CODE})])
    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "snippets": [
                {
                    "name": "SM",
                    "campaign": 7,
                    "active": "y",
                    "type": "html",
                    "zone": "bodyEnd",
                    "body": [{"lang": "pol", "body": CODE}],
                    "display": {
                        "clientType": "all",
                        "newsletter": "all",
                        "hasOrders": "all",
                        "useRebateCode": "all",
                        "screen": "y",
                        "tablet": "y",
                        "phone": "y",
                    },
                    "pages": {"all": "y"},
                }
            ]
        }
    }
    check_body("/snippets/snippets", "post", body)


def test_update_snippet_golden_body_with_some_pages(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(SNIPPETS, json=_ok("/snippets/snippets", "put", [{"id": 11, "errors": []}]))
    snippet = Snippet(
        id=11,
        name="SM",
        campaign_id=7,
        zone=SnippetZone.HEAD,
        order=5,
        body={"pol": "a", "eng": "b"},
        display=SnippetDisplay(client_type="registered", phone=False),
        pages=SnippetPages(all=False, pages=("home", "basket")),
    )
    client.snippets.snippets.update([snippet])
    body = sent_body(mocked.calls[0])
    item = body["params"]["snippets"][0]
    assert item["id"] == 11
    assert item["order"] == 5
    assert item["zone"] == "head"
    assert item["body"] == [{"lang": "pol", "body": "a"}, {"lang": "eng", "body": "b"}]
    assert item["display"]["clientType"] == "registered"
    assert item["display"]["phone"] == "n"
    assert item["pages"] == {"all": "n", "pages": ["home", "basket"]}
    check_body("/snippets/snippets", "put", body)


def test_pages_by_type_and_url_together_are_refused(client: IdosellClient) -> None:
    pages = SnippetPages(all=False, pages=("home",), urls=("/x",))
    with pytest.raises(ValidationError, match="not both"):
        client.snippets.snippets.create([Snippet(name="x", campaign_id=1, pages=pages)])


def test_delete_snippets_query_only(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.delete(SNIPPETS, json=_ok("/snippets/snippets", "delete", [{"id": 11}]))
    client.snippets.snippets.delete([11])
    assert mocked.calls[0].request.body is None
    assert sent_query(mocked.calls[0]) == {"id": ["11"]}
    check_query("/snippets/snippets", "delete", sent_query(mocked.calls[0]))


def test_list_snippets_reads_rows(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    row = {
        "id": 11,
        "name": "SM",
        "campaign": 7,
        "active": "y",
        "type": "html",
        "zone": "bodyEnd",
        "order": 0,
        "body": [{"lang": "pol", "body": CODE}],
        "display": {"clientType": "all", "screen": "y", "tablet": "n", "phone": "y"},
        "pages": {"all": "n", "url": ["/promo"]},
        "deleted": "n",
    }
    payload = {"results": [row]}
    check_response("/snippets/snippets", "get", payload)
    mocked.get(SNIPPETS, json=payload)
    [snippet] = list(client.snippets.snippets.list(campaign_ids=[7], include_deleted=True))
    assert snippet.body == {"pol": CODE}
    assert snippet.display == SnippetDisplay(tablet=False)
    assert snippet.pages == SnippetPages(all=False, urls=("/promo",))
    query = sent_query(mocked.calls[0])
    assert query["campaign"] == ["7"]
    assert query["omitDeleted"] == ["n"]
    check_query("/snippets/snippets", "get", query)


# -- cookies -------------------------------------------------------------------------------------


def test_create_cookie_golden_body(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(COOKIES, json=_ok("/snippets/cookies", "post", [{"id": 21, "errors": []}]))
    cookie = SnippetCookie(
        snippet_id=11,
        deliverer="SALESmanago",
        name="smclient",
        category=CookieCategory.MARKETING,
        lifetime_type=CookieLifetime.DAYS,
        lifetime=3652,
        description={"pol": "id kontaktu"},
    )
    client.snippets.cookies.create([cookie])
    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "cookies": [
                {
                    "snippetId": 11,
                    "deliverer": "SALESmanago",
                    "category": "marketing",
                    "description": [{"lang": "pol", "body": "id kontaktu"}],
                    "name": "smclient",
                    "type": "cookie",
                    "lifeTimeType": "days",
                    "lifeTime": 3652,
                }
            ]
        }
    }
    check_body("/snippets/cookies", "post", body)


def test_update_and_delete_cookie(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.put(COOKIES, json=_ok("/snippets/cookies", "put", [{"id": 21, "errors": []}]))
    mocked.delete(COOKIES, json=_ok("/snippets/cookies", "delete", [{"id": 21}]))
    client.snippets.cookies.update([SnippetCookie(id=21, snippet_id=11, deliverer="SM")])
    body = sent_body(mocked.calls[0])
    assert body["params"]["cookies"][0] == {
        "id": 21,
        "snippetId": 11,
        "deliverer": "SM",
        "category": "marketing",
        "description": [],
        "name": None,
        "type": "cookie",
        "lifeTimeType": None,
        "lifeTime": None,
    }
    check_body("/snippets/cookies", "put", body)
    client.snippets.cookies.delete([21])
    assert sent_query(mocked.calls[1]) == {"id": ["21"]}
    check_query("/snippets/cookies", "delete", sent_query(mocked.calls[1]))


def test_list_cookies(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    row = {"id": 21, "snippetId": 11, "deliverer": "SM", "category": "analytics",
           "name": "smevent", "type": "cookie", "lifeTimeType": "minutes", "lifeTime": 720,
           "description": [{"lang": "pol", "body": "koszyk"}]}  # fmt: skip
    payload = {"results": [row]}
    check_response("/snippets/cookies", "get", payload)
    mocked.get(COOKIES, json=payload)
    [cookie] = list(client.snippets.cookies.list(ids=[21]))
    assert cookie.lifetime == 720
    assert cookie.category is CookieCategory.ANALYTICS
    assert cookie.description == {"pol": "koszyk"}
    check_query("/snippets/cookies", "get", sent_query(mocked.calls[0]))


# -- errors --------------------------------------------------------------------------------------


def test_207_item_errors_raise_with_every_result(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    payload = {
        "results": [
            {"id": 5, "errors": []},
            {"id": None, "errors": [{"faultCode": 1, "faultString": "Field shop is required"}]},
        ]
    }
    check_response("/snippets/campaign", "post", payload, "207")
    mocked.post(CAMPAIGN, status=207, json=payload)
    with pytest.raises(IdosellItemsError) as caught:
        client.snippets.campaigns.create([SnippetCampaign(name="a"), SnippetCampaign(name="b")])
    error = caught.value
    assert error.fault_code == 1
    assert "Field shop is required" in error.fault_string
    assert error.failed == (1,)
    assert error.results[0] == ItemResult(id=5)
    assert isinstance(error, IdosellAPIError)


def test_top_level_fault_raises_the_api_error(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(SNIPPETS, status=207, json={"errors": {"faultCode": 3, "faultString": "Bad"}})
    with pytest.raises(IdosellAPIError, match="faultCode 3: Bad"):
        list(client.snippets.snippets.list())


def test_create_is_never_retried_but_update_is(
    client: IdosellClient, mocked: responses.RequestsMock, sleeps: list[float]
) -> None:
    mocked.post(CAMPAIGN, status=503)
    with pytest.raises(IdosellAPIError.__mro__[2]):  # APIError's base: the SDK's root
        client.snippets.campaigns.create([SnippetCampaign(name="x")])
    assert len(mocked.calls) == 1
    mocked.put(CAMPAIGN, status=503)
    mocked.put(CAMPAIGN, json={"results": [{"id": 1}]})
    client.snippets.campaigns.update([SnippetCampaign(id=1, name="x")])
    assert len(mocked.calls) == 3
    assert len(sleeps) == 1


def test_wrong_number_of_results_is_a_validation_error(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.delete(COOKIES, json={"results": [{"id": 1}]})
    with pytest.raises(Exception, match="1 results for 2 items"):
        client.snippets.cookies.delete([1, 2])


@pytest.mark.parametrize("count", [0, 101])
def test_item_count_limits(client: IdosellClient, count: int) -> None:
    with pytest.raises(ValidationError):
        client.snippets.cookies.delete(range(1, count + 1))
    with pytest.raises(ValidationError):
        client.snippets.campaigns.create([SnippetCampaign(name="x")] * count)


def test_item_errors_in_the_snippets_error_shape_are_read(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    payload = {"results": [{"id": 4, "errors": [{"code": 17, "message": "Snippet is locked"}]}]}
    check_response("/snippets/snippets", "put", payload, "207")
    mocked.put(SNIPPETS, status=207, json=payload)
    with pytest.raises(IdosellItemsError, match="faultCode 17: item 0 of 1: Snippet is locked"):
        client.snippets.snippets.update([Snippet(id=4, name="x", campaign_id=1)])
