"""The monitoring code installed through the snippets gates, on the sandbox."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from salesmanago_idosell.errors import IdosellItemsError
from salesmanago_idosell.idosell.snippet_models import SnippetCampaign
from salesmanago_idosell.monitoring import CAMPAIGN_NAME, SNIPPET_NAME
from salesmanago_idosell.testing import Sandbox

from .support import make_integration, sandbox


def _shop_snippets(box: Sandbox) -> dict[str, Any]:
    """Everything the shop shows through the snippets gates (deleted items hidden)."""
    store = box.idosell.snippets
    live = {
        kind: {k: v for k, v in getattr(store, kind).items() if v.get("deleted") != "y"}
        for kind in ("campaigns", "snippets", "cookies")
    }
    return copy.deepcopy(live)


def _writes(box: Sandbox, since: int) -> list[str]:
    return [f"{r.method} {r.path}" for r in box.idosell.requests[since:] if r.method != "GET"]


def test_install_status_change_endpoint_install_uninstall_leaves_the_shop_as_it_was() -> None:
    with sandbox(customers=3, orders=2, subscribers=1, products=2) as box:
        integration = make_integration(box)
        # a snippet the shop already had, by hand: must survive untouched
        shop = integration.idosell.snippets
        [mine] = shop.campaigns.create([SnippetCampaign(name="Chat widget")])
        before = _shop_snippets(box)

        assert not integration.monitoring_status().installed
        first = integration.install_monitoring_code()
        assert [c.method for c in first.calls] == ["POST", "POST", "POST", "POST"]
        status = integration.monitoring_status()
        assert status.installed
        assert status.matches, status.differences
        [shown] = box.idosell.snippets.shown_on("product_details", device="phone")
        assert shown["name"] == SNIPPET_NAME
        assert shown["zone"] == "bodyEnd"
        assert shown["body"] == [{"lang": "pol", "body": integration.monitoring_code()}]
        cookies = {c["name"]: c for c in box.idosell.snippets.cookies.values()}
        assert cookies["smclient"]["lifeTimeType"] == "days"
        assert cookies["smclient"]["lifeTime"] == 3652
        assert cookies["smevent"]["lifeTimeType"] == "minutes"
        assert cookies["smevent"]["lifeTime"] == 720

        moved = make_integration(box, salesmanago_endpoint="app3.salesmanago.pl")
        stale = moved.monitoring_status()
        assert stale.installed
        assert not stale.matches
        assert stale.differences == ("snippet body",)
        snippet_id = status.snippet.id if status.snippet else None
        mark = len(box.idosell.requests)
        update = moved.install_monitoring_code()
        assert _writes(box, mark) == ["PUT /api/admin/v6/snippets/snippets"]
        assert [c.summary for c in update.calls] == [
            f"update snippet {SNIPPET_NAME!r} #{snippet_id}"
        ]
        [shown] = box.idosell.snippets.shown_on("home")
        assert "app3.salesmanago.pl" in shown["body"][0]["body"]
        assert shown["id"] == snippet_id  # updated in place

        removed = moved.uninstall_monitoring_code()
        assert [c.method for c in removed.calls] == ["DELETE"] * 3
        assert _shop_snippets(box) == before
        assert mine.id in box.idosell.snippets.campaigns
        assert not moved.monitoring_status().installed


def test_a_second_install_makes_zero_write_calls() -> None:
    with sandbox(customers=3, orders=2, subscribers=1, products=2) as box:
        integration = make_integration(box)
        integration.install_monitoring_code()
        mark = len(box.idosell.requests)
        again = integration.install_monitoring_code()
        assert not again.changed
        assert str(again) == "nothing to change"
        assert _writes(box, mark) == []
        assert len(box.idosell.requests) - mark == 3  # campaigns, snippets, cookies read


def test_dry_run_shows_the_calls_and_makes_none() -> None:
    with sandbox(customers=3, orders=2, subscribers=1, products=2) as box:
        integration = make_integration(box)
        mark = len(box.idosell.requests)
        plan = integration.install_monitoring_code(dry_run=True)
        assert _writes(box, mark) == []
        assert plan.dry_run
        assert len(plan.calls) == 4
        text = str(plan)
        assert text.startswith("would make 4 changes")
        assert f"POST /snippets/campaign  # create campaign {CAMPAIGN_NAME!r}" in text
        campaign_body = plan.calls[0].body
        assert campaign_body is not None
        assert campaign_body["params"]["campaigns"][0]["shop"] == [1]
        integration.install_monitoring_code()
        plan = integration.uninstall_monitoring_code(dry_run=True)
        assert [str(c).split("  #")[0] for c in plan.calls] == [
            "DELETE /snippets/cookies?id=3,4",
            "DELETE /snippets/snippets?id=2",
            "DELETE /snippets/campaign?id=1",
        ]
        assert integration.monitoring_status().matches


def test_settings_changed_by_hand_are_repaired_in_place() -> None:
    with sandbox(customers=3, orders=2, subscribers=1, products=2) as box:
        integration = make_integration(box)
        integration.install_monitoring_code()
        snippet = next(iter(box.idosell.snippets.snippets.values()))
        snippet["display"]["phone"] = "n"
        campaign = next(iter(box.idosell.snippets.campaigns.values()))
        campaign["active"] = "n"
        cookie = next(c for c in box.idosell.snippets.cookies.values() if c["name"] == "smevent")
        cookie["lifeTime"] = 5
        status = integration.monitoring_status()
        assert set(status.differences) == {
            "campaign active",
            "snippet display",
            "cookie smevent lifeTime",
        }
        result = integration.install_monitoring_code()
        assert sorted(c.method + " " + c.path for c in result.calls) == [
            "PUT /snippets/campaign",
            "PUT /snippets/cookies",
            "PUT /snippets/snippets",
        ]
        assert integration.monitoring_status().matches


def test_uninstall_keeps_a_campaign_holding_snippets_added_by_hand() -> None:
    with sandbox(customers=3, orders=2, subscribers=1, products=2) as box:
        integration = make_integration(box)
        integration.install_monitoring_code()
        status = integration.monitoring_status()
        assert status.campaign is not None
        assert status.campaign.id is not None
        from salesmanago_idosell.idosell.snippet_models import Snippet

        integration.idosell.snippets.snippets.create(
            [Snippet(name="hand-made", campaign_id=status.campaign.id, body={"pol": "<i>"})]
        )
        result = integration.uninstall_monitoring_code()
        assert [c.path for c in result.calls] == ["/snippets/cookies", "/snippets/snippets"]
        assert "kept" in result.notes[0]
        assert [s["name"] for s in box.idosell.snippets.shown_on("home")] == ["hand-made"]


def test_an_item_refused_by_the_shop_is_a_typed_error() -> None:
    with sandbox(customers=3, orders=2, subscribers=1, products=2) as box:
        integration = make_integration(box, shop_id=2)  # not this shop's id
        with pytest.raises(IdosellItemsError, match="Unknown shop id") as caught:
            integration.install_monitoring_code()
        assert caught.value.endpoint == "/snippets/campaign"
        assert box.idosell.snippets.campaigns == {}


def test_code_options_reach_the_installed_snippet() -> None:
    with sandbox(customers=3, orders=2, subscribers=1, products=2) as box:
        integration = make_integration(box)
        integration.install_monitoring_code()
        assert not integration.monitoring_status(popups=True).matches
        result = integration.install_monitoring_code(popups=True)
        assert [c.method for c in result.calls] == ["PUT"]
        [shown] = box.idosell.snippets.shown_on("home")
        assert "popups.js" in shown["body"][0]["body"]
        assert integration.monitoring_status(popups=True).matches
