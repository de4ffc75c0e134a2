"""The SALESmanago monitoring code installed in the shop through IdoSell's snippets gates.

What :meth:`Monitoring.install` puts in the shop (the panel's *HTML and JavaScript add-ons*):

* one campaign named :data:`CAMPAIGN_NAME`, active in the configured shop, its description
  saying the SDK manages it;
* one snippet named :data:`SNIPPET_NAME` in that campaign holding this account's monitoring
  code (:func:`~salesmanago_idosell.tracking.monitoring_code`): HTML, before ``</body>``,
  every page, every visitor, every device, active;
* two cookie definitions for the shop's cookie-consent banner: ``smclient`` (the contact id,
  ten years) and ``smevent`` (the open cart event, 12 hours), deliverer ``SALESmanago``,
  category ``marketing``.

The installation is found again by those names, so it is idempotent from any machine: a
second :meth:`~Monitoring.install` only reads (zero writes); a changed code (new endpoint or
client id) or a setting changed by hand in the panel is updated in place. ``dry_run=True``
returns the calls it would make without making any.
:meth:`~Monitoring.uninstall` removes exactly those items (the campaign only when nothing else
was added to it by hand).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

from attrs import evolve, field, frozen

from .idosell import IdosellClient
from .idosell.snippet_models import (
    CookieCategory,
    CookieLifetime,
    CookieType,
    Snippet,
    SnippetCampaign,
    SnippetCookie,
    SnippetDisplay,
    SnippetPages,
    SnippetType,
    SnippetZone,
)
from .idosell.snippets import (
    CAMPAIGN_PATH,
    COOKIES_PATH,
    SNIPPETS_PATH,
    campaign_to_wire,
    cookie_to_wire,
    snippet_to_wire,
)
from .tracking import SMCLIENT_COOKIE, SMCLIENT_TTL, SMEVENT_COOKIE, SMEVENT_TTL

__all__ = [
    "CAMPAIGN_NAME",
    "COOKIE_DELIVERER",
    "MANAGED_NOTE",
    "SNIPPET_NAME",
    "Monitoring",
    "MonitoringResult",
    "MonitoringStatus",
    "PlannedCall",
]

logger = logging.getLogger("salesmanago_idosell")

#: The campaign's name: how an installation is recognised.
CAMPAIGN_NAME = "SALESmanago monitoring (salesmanago-idosell)"
#: The snippet's name within the campaign.
SNIPPET_NAME = "SALESmanago monitoring code"
#: The campaign's description.
MANAGED_NOTE = (
    "Managed by salesmanago-idosell (`salesmanago-idosell monitoring install`); "
    "changes made here are overwritten."
)
COOKIE_DELIVERER = "SALESmanago"
_PURPOSES = {
    SMCLIENT_COOKIE: {
        "pol": "Identyfikator kontaktu SALESmanago: łączy wizyty z kontaktem (marketing).",
        "eng": "SALESmanago contact id: links visits to the contact (marketing automation).",
    },
    SMEVENT_COOKIE: {
        "pol": "Identyfikator otwartego koszyka w SALESmanago (porzucone koszyki).",
        "eng": "Id of the open SALESmanago cart event (abandoned-cart messages).",
    },
}
_LIFETIMES = {
    SMCLIENT_COOKIE: (CookieLifetime.DAYS, SMCLIENT_TTL // 86_400),
    SMEVENT_COOKIE: (CookieLifetime.MINUTES, SMEVENT_TTL // 60),
}
_NEW = 0  # the id shown in a dry run's body for an item not created yet


@frozen
class PlannedCall:
    """One call to the snippets gates, made or (in a dry run) to be made.

    Attributes:
        method: ``POST``, ``PUT`` or ``DELETE``.
        path: the gate path.
        summary: what it does, in words.
        body: the JSON body (``None`` for ``DELETE``).
        query: the query string (the ids of a ``DELETE``).
    """

    method: str
    path: str
    summary: str
    body: dict[str, Any] | None = field(default=None, repr=False)
    query: dict[str, str] | None = None

    def __str__(self) -> str:
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        return f"{self.method} {self.path}{query}  # {self.summary}"


@frozen
class MonitoringStatus:
    """What is installed in the shop and whether it matches what would be installed now.

    Attributes:
        campaign: the campaign found, or ``None``.
        snippet: the snippet found, or ``None``.
        cookies: the cookie definitions found for the snippet.
        differences: what differs from the wanted installation (empty when it matches).
    """

    campaign: SnippetCampaign | None
    snippet: Snippet | None
    cookies: tuple[SnippetCookie, ...]
    differences: tuple[str, ...]

    @property
    def installed(self) -> bool:
        """True when the campaign and the snippet exist."""
        return self.campaign is not None and self.snippet is not None

    @property
    def matches(self) -> bool:
        """True when everything is installed exactly as wanted."""
        return self.installed and not self.differences

    def __str__(self) -> str:
        if self.campaign is None:
            return "monitoring code: not installed"
        state = "up to date" if self.matches else "differs: " + "; ".join(self.differences)
        snippet = f"snippet #{self.snippet.id}" if self.snippet else "no snippet"
        return (
            f"monitoring code: campaign #{self.campaign.id} {self.campaign.name!r}, {snippet}, "
            f"{len(self.cookies)} cookie definitions; {state}"
        )


@frozen
class MonitoringResult:
    """The calls an install or uninstall made (or, with ``dry_run``, would make)."""

    calls: tuple[PlannedCall, ...]
    dry_run: bool
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """True when the shop was (or would be) changed."""
        return bool(self.calls)

    def __str__(self) -> str:
        verb = "would make" if self.dry_run else "made"
        lines = [f"{verb} {len(self.calls)} changes" if self.calls else "nothing to change"]
        lines += [f"  {call}" for call in self.calls]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def _differences(label: str, have: dict[str, Any], want: dict[str, Any]) -> list[str]:
    return [f"{label} {key}" for key in sorted(want) if have.get(key) != want[key]]


def _differ(have: dict[str, Any], want: dict[str, Any]) -> bool:
    """Whether a wanted field differs (fields the SDK does not set, e.g. ``order``, are free)."""
    return bool(_differences("", have, want))


class Monitoring:
    """Install, check and remove the monitoring code of one shop (see the module docstring).

    Args:
        idosell: the shop's client.
        code: the monitoring code to install (``Integration.monitoring_code()``).
        shop_id: the shop the campaign is active in.
        languages: IdoSell language ids the snippet body and cookie purposes are given for
            (the shop's languages; default ``("pol",)``).
    """

    def __init__(
        self,
        idosell: IdosellClient,
        *,
        code: str,
        shop_id: int = 1,
        languages: Sequence[str] = ("pol",),
    ) -> None:
        self._idosell = idosell
        self._snippets = idosell.snippets
        self.code = code
        self.shop_id = shop_id
        self.languages = tuple(languages)

    def __repr__(self) -> str:
        return f"Monitoring(shop={self._idosell.base_url!r}, shop_id={self.shop_id})"

    # -- what is wanted ------------------------------------------------------------------------

    def wanted_campaign(self) -> SnippetCampaign:
        """The campaign as it should be."""
        return SnippetCampaign(
            name=CAMPAIGN_NAME, shop_ids=(self.shop_id,), active=True, description=MANAGED_NOTE
        )

    def wanted_snippet(self, campaign_id: int) -> Snippet:
        """The snippet as it should be: the code before ``</body>``, for everyone, everywhere."""
        return Snippet(
            name=SNIPPET_NAME,
            campaign_id=campaign_id,
            active=True,
            type=SnippetType.HTML,
            zone=SnippetZone.BODY_END,
            body=dict.fromkeys(self.languages, self.code),
            display=SnippetDisplay(),
            pages=SnippetPages(all=True),
        )

    def wanted_cookies(self, snippet_id: int) -> tuple[SnippetCookie, ...]:
        """The ``smclient`` and ``smevent`` cookie definitions as they should be."""
        return tuple(
            SnippetCookie(
                snippet_id=snippet_id,
                deliverer=COOKIE_DELIVERER,
                name=name,
                category=CookieCategory.MARKETING,
                type=CookieType.COOKIE,
                lifetime_type=_LIFETIMES[name][0],
                lifetime=_LIFETIMES[name][1],
                description={
                    lang: _PURPOSES[name].get(lang, _PURPOSES[name]["eng"])
                    for lang in self.languages
                },
            )
            for name in (SMCLIENT_COOKIE, SMEVENT_COOKIE)
        )

    # -- status ----------------------------------------------------------------------------------

    def status(self) -> MonitoringStatus:
        """Read what is installed (read-only calls) and compare it with what is wanted."""
        campaigns = self._snippets.campaigns.list(shop_ids=[self.shop_id])
        campaign = next((c for c in campaigns if c.name == CAMPAIGN_NAME), None)
        if campaign is None or campaign.id is None:
            return MonitoringStatus(None, None, (), ("campaign missing",))
        differences = _differences(
            "campaign",
            campaign_to_wire(campaign, create=True),
            campaign_to_wire(self.wanted_campaign(), create=True),
        )
        snippets = self._snippets.snippets.list(campaign_ids=[campaign.id])
        snippet = next((s for s in snippets if s.name == SNIPPET_NAME), None)
        if snippet is None or snippet.id is None:
            return MonitoringStatus(campaign, None, (), (*differences, "snippet missing"))
        differences += _differences(
            "snippet",
            snippet_to_wire(snippet, create=True),
            snippet_to_wire(self.wanted_snippet(campaign.id), create=True),
        )
        cookies = tuple(c for c in self._snippets.cookies.list() if c.snippet_id == snippet.id)
        for want in self.wanted_cookies(snippet.id):
            have = next((c for c in cookies if c.name == want.name), None)
            if have is None:
                differences.append(f"cookie {want.name} missing")
                continue
            differences += _differences(
                f"cookie {want.name}", _wire(have, create=True), _wire(want, create=True)
            )
        return MonitoringStatus(campaign, snippet, cookies, tuple(differences))

    # -- install -------------------------------------------------------------------------------

    def install(self, *, dry_run: bool = False) -> MonitoringResult:
        """Create what is missing and update what differs; nothing when all matches.

        Raises:
            IdosellItemsError: IdoSell refused an item (its fault code and message).
            IdosellAPIError, TransportError: the call failed.
        """
        status = self.status()
        run = _Runner(self._idosell, dry_run)
        campaign = self.wanted_campaign()
        campaign_id = run.put(status.campaign, campaign, f"campaign {CAMPAIGN_NAME!r}")
        snippet = self.wanted_snippet(campaign_id)
        snippet_id = run.put(status.snippet, snippet, f"snippet {SNIPPET_NAME!r}")
        for want in self.wanted_cookies(snippet_id):
            have = next((c for c in status.cookies if c.name == want.name), None)
            run.put(have, want, f"cookie {want.name}")
        return MonitoringResult(tuple(run.calls), dry_run)

    # -- uninstall -----------------------------------------------------------------------------

    def uninstall(self, *, dry_run: bool = False) -> MonitoringResult:
        """Delete the cookie definitions, the snippet and the campaign this SDK installed.

        The campaign stays when it holds other snippets (added by hand); a note says so.
        """
        status = self.status()
        notes: list[str] = []
        run = _Runner(self._idosell, dry_run)
        ours = [c.id for c in status.cookies if c.name in _LIFETIMES and c.id is not None]
        if ours:
            run.delete(SnippetCookie, ours, "remove cookie definitions")
        if status.snippet is not None and status.snippet.id is not None:
            run.delete(Snippet, [status.snippet.id], f"remove snippet {SNIPPET_NAME!r}")
        campaign = status.campaign
        if campaign is not None and campaign.id is not None:
            others = [
                s for s in self._snippets.snippets.list(campaign_ids=[campaign.id])
                if status.snippet is None or s.id != status.snippet.id
            ]  # fmt: skip
            if others:
                notes.append(f"campaign #{campaign.id} kept: it holds {len(others)} other snippets")
            else:
                run.delete(SnippetCampaign, [campaign.id], f"remove campaign {CAMPAIGN_NAME!r}")
        return MonitoringResult(tuple(run.calls), dry_run, tuple(notes))


Item = TypeVar("Item", SnippetCampaign, Snippet, SnippetCookie)


def _wire(item: SnippetCampaign | Snippet | SnippetCookie, *, create: bool) -> dict[str, Any]:
    if isinstance(item, SnippetCampaign):
        return campaign_to_wire(item, create=create)
    if isinstance(item, Snippet):
        return snippet_to_wire(item, create=create)
    return cookie_to_wire(item, create=create)


_GATES: dict[type[Any], tuple[str, str]] = {
    SnippetCampaign: (CAMPAIGN_PATH, "campaigns"),
    Snippet: (SNIPPETS_PATH, "snippets"),
    SnippetCookie: (COOKIES_PATH, "cookies"),
}


class _Runner:
    """Creates or updates items, recording each write; a dry run only records."""

    def __init__(self, idosell: IdosellClient, dry_run: bool) -> None:
        self._api = idosell.snippets
        self.calls: list[PlannedCall] = []
        self.dry_run = dry_run

    def _resource(self, kind: type[Any]) -> Any:
        return getattr(self._api, _GATES[kind][1])

    def put(self, have: Item | None, want: Item, label: str) -> int:
        """Make ``have`` into ``want``: create, update in place, or nothing; returns the id."""
        path, key = _GATES[type(want)]
        if have is not None and have.id is not None:
            if not _differ(_wire(have, create=True), _wire(want, create=True)):
                return have.id
            want = evolve(want, id=have.id)
            method, summary = "PUT", f"update {label} #{have.id}"
        else:
            method, summary = "POST", f"create {label}"
        body = {"params": {key: [_wire(want, create=method == "POST")]}}
        self.calls.append(PlannedCall(method, path, summary, body))
        if self.dry_run:
            return want.id if want.id is not None else _NEW
        resource = self._resource(type(want))
        [result] = (resource.create if method == "POST" else resource.update)([want])
        logger.info("snippets: %s", summary)
        new_id: int = result.id if result.id is not None else (want.id or _NEW)
        return new_id

    def delete(self, kind: type[Any], ids: list[int], summary: str) -> None:
        """Delete items by id (ids in the query string)."""
        query = {"id": ",".join(str(i) for i in ids)}
        self.calls.append(PlannedCall("DELETE", _GATES[kind][0], summary, None, query))
        if not self.dry_run:
            self._resource(kind).delete(ids)
            logger.info("snippets: %s", summary)
