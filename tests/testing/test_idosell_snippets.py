"""The fake IdoSell's snippets gates over plain HTTP: per-item validation, 207, soft deletes."""

from __future__ import annotations

from typing import Any

import requests

from salesmanago_idosell.testing import FakeIdoSell

from .support import API, TIMEOUT, ido_get, ido_post


def _delete(fake: FakeIdoSell, gate: str, query: str, body: Any = None) -> requests.Response:
    return requests.delete(
        f"{fake.url}{API}{gate}{query}",
        json=body,
        headers={"X-API-KEY": fake.api_key},
        timeout=TIMEOUT,
    )


def _campaign(fake: FakeIdoSell, **extra: Any) -> int:
    answer = ido_post(
        fake, "/snippets/campaign", {"campaigns": [{"name": "C", "shop": [1], **extra}]}
    )
    assert answer.status_code == 200, answer.text
    campaign_id: int = answer.json()["results"][0]["id"]
    return campaign_id


def test_new_campaign_without_shop_fails_alone_with_207(idosell: FakeIdoSell) -> None:
    answer = ido_post(
        idosell, "/snippets/campaign", {"campaigns": [{"name": "ok", "shop": [1]}, {"name": "no"}]}
    )
    assert answer.status_code == 207
    ok, failed = answer.json()["results"]
    assert ok["errors"] == []
    assert isinstance(ok["id"], int)
    assert failed == {
        "id": None,
        "errors": [{"faultCode": 1, "faultString": "Field shop is required"}],
    }
    assert [c["name"] for c in idosell.snippets.campaigns.values()] == ["ok"]


def test_unknown_and_read_only_fields_are_refused(idosell: FakeIdoSell) -> None:
    for field in ({"colour": "red"}, {"deleted": "n"}, {"snippetCount": 1}):
        answer = ido_post(
            idosell, "/snippets/campaign", {"campaigns": [{"name": "C", "shop": [1], **field}]}
        )
        assert answer.status_code == 207
        assert (
            "Unknown or read-only field" in answer.json()["results"][0]["errors"][0]["faultString"]
        )


def test_a_snippet_without_display_is_shown_on_no_device(idosell: FakeIdoSell) -> None:
    campaign = _campaign(idosell)
    answer = ido_post(
        idosell, "/snippets/snippets", {"snippets": [{"name": "S", "campaign": campaign}]}
    )
    assert answer.status_code == 200
    row = ido_get(idosell, "/snippets/snippets").json()["results"][0]
    assert {row["display"][d] for d in ("screen", "tablet", "phone")} == {"n"}
    assert idosell.snippets.shown_on("home") == []


def test_a_snippet_needs_an_existing_campaign(idosell: FakeIdoSell) -> None:
    answer = ido_post(idosell, "/snippets/snippets", {"snippets": [{"name": "S", "campaign": 99}]})
    assert answer.status_code == 207
    assert answer.json()["results"][0]["errors"][0]["faultString"] == "Campaign not found"


def test_a_cookie_needs_an_existing_snippet_and_a_deliverer(idosell: FakeIdoSell) -> None:
    answer = ido_post(
        idosell, "/snippets/cookies", {"cookies": [{"snippetId": 5, "deliverer": "SM"}]}
    )
    assert answer.json()["results"][0]["errors"][0]["faultString"] == "Snippet not found"
    campaign = _campaign(idosell)
    snippet = ido_post(
        idosell, "/snippets/snippets", {"snippets": [{"name": "S", "campaign": campaign}]}
    )
    snippet_id = snippet.json()["results"][0]["id"]
    answer = ido_post(idosell, "/snippets/cookies", {"cookies": [{"snippetId": snippet_id}]})
    assert answer.json()["results"][0]["errors"][0]["faultString"] == "Field deliverer is required"


def test_delete_takes_ids_in_the_query_string_only(idosell: FakeIdoSell) -> None:
    campaign = _campaign(idosell)
    in_body = _delete(idosell, "/snippets/campaign", "", {"params": {"id": [campaign]}})
    assert in_body.status_code == 207
    assert in_body.json()["errors"]["faultCode"] == 3
    assert idosell.snippets.campaigns[campaign]["deleted"] == "n"
    answer = _delete(idosell, "/snippets/campaign", f"?id={campaign},999")
    assert answer.status_code == 207
    deleted, unknown = answer.json()["results"]
    assert deleted == {"id": campaign, "errors": []}
    assert unknown["errors"][0]["faultString"] == "Item not found"


def test_deleted_items_are_hidden_kept_and_frozen(idosell: FakeIdoSell) -> None:
    campaign = _campaign(idosell)
    _delete(idosell, "/snippets/campaign", f"?id={campaign}")
    assert ido_get(idosell, "/snippets/campaign").json()["results"] == []
    [row] = ido_get(idosell, "/snippets/campaign", {"omitDeleted": "n"}).json()["results"]
    assert row["deleted"] == "y"
    update = ido_post(
        idosell, "/snippets/campaign", {"campaigns": [{"id": campaign, "name": "x"}]}, method="PUT"
    )
    assert update.status_code == 207
    assert update.json()["results"][0]["errors"][0]["faultString"] == "Item not found"


def test_listing_filters_and_pages(idosell: FakeIdoSell) -> None:
    ids = [_campaign(idosell) for _ in range(3)]
    page = ido_get(idosell, "/snippets/campaign", {"resultsLimit": 2, "resultsPage": 1}).json()
    assert [r["id"] for r in page["results"]] == ids[2:]
    assert page["pagination"]["totalPages"] == 2
    only = ido_get(idosell, "/snippets/campaign", {"id": f"{ids[0]},{ids[2]}"}).json()
    assert [r["id"] for r in only["results"]] == [ids[0], ids[2]]
    assert ido_get(idosell, "/snippets/campaign", {"shopId": "2"}).json()["results"] == []


def test_update_merges_fields_and_checks_values(idosell: FakeIdoSell) -> None:
    campaign = _campaign(idosell, description="keep me")
    bad = ido_post(
        idosell,
        "/snippets/campaign",
        {"campaigns": [{"id": campaign, "active": "maybe"}]},
        method="PUT",
    )
    assert bad.json()["results"][0]["errors"][0]["faultString"] == "Invalid value of active"
    ok = ido_post(
        idosell,
        "/snippets/campaign",
        {"campaigns": [{"id": campaign, "active": "n"}]},
        method="PUT",
    )
    assert ok.status_code == 200
    stored = idosell.snippets.campaigns[campaign]
    assert stored["active"] == "n"
    assert stored["description"] == "keep me"
