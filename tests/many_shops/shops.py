"""Sandbox shops described in a registry file, and the checks of what SALESmanago holds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from salesmanago_idosell.demo import expected_contacts, expected_purchases
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.testing import Sandbox


def shop_table(box: Sandbox, **extra: Any) -> dict[str, Any]:
    """A registry table for a sandbox: URLs in the settings, secrets by variable name."""
    sm = box.salesmanago
    return {
        "idosell_shop_url": box.idosell.url,
        "idosell_api_key_env": "SANDBOX_IDOSELL_KEY",
        "salesmanago_client_id": sm.client_id,
        "salesmanago_api_secret_env": "SANDBOX_SM_SECRET",
        "salesmanago_owner": sm.owner,
        "salesmanago_endpoint": sm.url,
        "consent_mode": ConsentMode.ALL.value,
        "location": "sandbox_shop",
        "idosell_rate_limit": 500,
        **extra,
    }


def write_registry(path: Path, shops: dict[str, dict[str, Any]]) -> None:
    """Write a TOML registry (strings and numbers only; JSON strings are TOML strings)."""
    lines = []
    for key, table in shops.items():
        lines.append(f'[shops."{key}"]')
        lines += [f"{name} = {json.dumps(value)}" for name, value in table.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def purchases(box: Sandbox) -> Counter[str]:
    """PURCHASE events per order serial number."""
    with box.salesmanago.lock:
        return Counter(
            str(e.fields.get("externalId"))
            for e in box.salesmanago.events.values()
            if e.type == "PURCHASE"
        )


def mismatches(box: Sandbox) -> list[str]:
    """How SALESmanago differs from what the shop should give it (empty when exact)."""
    problems = []
    want = expected_contacts(box.shop, ConsentMode.ALL)
    with box.salesmanago.lock:
        stored = dict(box.salesmanago.contacts)
    if set(stored) != set(want):
        problems.append(
            f"contacts: {len(set(want) - set(stored))} missing, "
            f"{len(set(stored) - set(want))} unexpected"
        )
    untagged = [e for e, tag in want.items() if e in stored and tag not in stored[e].tags]
    if untagged:
        problems.append(f"{len(untagged)} contacts without their tag")
    events = purchases(box)
    wanted = expected_purchases(box.shop, ConsentMode.ALL)
    if set(events) != wanted:
        problems.append(
            f"PURCHASE events: {len(wanted - set(events))} missing, "
            f"{len(set(events) - wanted)} unexpected"
        )
    return problems


def duplicated(box: Sandbox) -> set[str]:
    """Orders sent more than once."""
    return {k for k, n in purchases(box).items() if n > 1}
