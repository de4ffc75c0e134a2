"""A fake SALESmanago (API v2 contacts/events + API v3 product catalogs) over real HTTP.

v2 calls must carry ``clientId``, ``apiKey``, ``sha`` = SHA-1(apiKey + clientId + apiSecret)
and a known ``owner`` in the JSON body; failures come back as HTTP 200 with
``success: false`` and a ``message`` list, like the real API. v3 calls must send the
``API-KEY`` header. Everything received is kept for assertions::

    with FakeSalesmanago() as sm:
        ...  # run the code under test against sm.url
        assert sm.contacts["jan@example.pl"].tags == ["rejestracja"]
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from . import _sm_contacts, _sm_events, _sm_exports, _sm_v3
from ._http import Request, Response
from ._server import FakeServer
from ._sm_contacts import v2_error
from ._sm_records import Catalog, Contact, ExtEvent, Job
from .faults import FaultSpec

__all__ = ["FakeSalesmanago", "sha_of"]

V2Handler = Callable[["FakeSalesmanago", dict[str, Any]], Response]


def sha_of(api_key: str, client_id: str, api_secret: str) -> str:
    """The v2 ``sha``: lowercase hex SHA-1 of ``apiKey + clientId + apiSecret``."""
    return hashlib.sha1((api_key + client_id + api_secret).encode("utf-8")).hexdigest()  # noqa: S324


class FakeSalesmanago(FakeServer):
    """The SALESmanago methods the SDK uses, v2 under ``{url}/api`` and v3 under ``{url}/v3``.

    Args:
        client_id: the account's client id.
        api_secret: the account's API secret.
        owner: the account's owner e-mail; more owners can be added to :attr:`owners`.
        api_v3_key: the key v3 calls must send in the ``API-KEY`` header.
        seed: seeds generated ids (contactId, eventId, ...) and the fault injection.
        faults: fault injection for all methods or per method
            (``"POST /api/contact/upsert"``).
        catalog_limit: how many v3 catalogs the account may have.

    State (read it, under :attr:`lock` if the server is busy): :attr:`contacts` (e-mail in
    lower case -> :class:`Contact`), :attr:`events` (eventId -> :class:`ExtEvent`),
    :attr:`catalogs` (catalogId -> :class:`Catalog`), :attr:`jobs`.
    """

    def __init__(
        self,
        *,
        client_id: str = "sandboxclient001",
        api_secret: str = "sandbox-api-secret",  # noqa: S107 - a public sandbox value
        owner: str = "owner@sandbox.example.pl",
        api_v3_key: str = "sandbox-v3-key",
        seed: int = 0,
        faults: FaultSpec = None,
        catalog_limit: int = 5,
    ) -> None:
        super().__init__(seed=seed, faults=faults)
        self.client_id, self.api_secret, self.api_v3_key = client_id, api_secret, api_v3_key
        self.owner = owner
        self.owners = {owner}
        self.catalog_limit = catalog_limit
        self.job_polls = 1
        self.contacts: dict[str, Contact] = {}
        self.events: dict[str, ExtEvent] = {}
        self.catalogs: dict[str, Catalog] = {}
        self.jobs: dict[int, Job] = {}
        self.lock = threading.RLock()
        self._rng = random.Random(seed)
        self._request_ids = 0
        for path, handler in {
            **_sm_contacts.ROUTES,
            **_sm_events.ROUTES,
            **_sm_exports.ROUTES,
        }.items():
            self.route("POST", path, self._v2(handler))
        for (method, path), v3_handler in _sm_v3.ROUTES.items():
            self.route(method, path, self._v3(v3_handler))

    # -- auth and dispatch -----------------------------------------------------------------
    def auth_fields(self, api_key: str = "sandbox-caller-key") -> dict[str, Any]:
        """Valid v2 auth fields (``clientId``, ``apiKey``, ``sha``, ``requestTime``, ``owner``)."""
        return {
            "clientId": self.client_id,
            "apiKey": api_key,
            "sha": sha_of(api_key, self.client_id, self.api_secret),
            "requestTime": int(time.time() * 1000),
            "owner": self.owner,
        }

    def _auth_problem(self, body: dict[str, Any]) -> str | None:
        api_key, client_id = body.get("apiKey"), body.get("clientId")
        if not isinstance(api_key, str) or not api_key or client_id != self.client_id:
            return "Not authenticated"
        if body.get("sha") != sha_of(api_key, self.client_id, self.api_secret):
            return "Not authenticated"
        if body.get("owner") not in self.owners:
            return f"Owner {body.get('owner')!s} does not exist"
        return None

    def _v2(self, handler: V2Handler) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            try:
                body = request.json()
            except ValueError:
                return v2_error(["Specified json is not valid"], status=400)
            if not isinstance(body, dict):
                return v2_error(["Specified json is not valid"], status=400)
            problem = self._auth_problem(body)
            if problem:
                return v2_error([problem])
            with self.lock:
                return handler(self, body)

        return run

    def _v3(self, handler: V2Handler) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            if request.headers.get("api-key") != self.api_v3_key:
                return _sm_v3.V3Error(10, "API-KEY|Authentication failed").response()
            try:
                body = request.json() if request.method == "POST" else {}
            except ValueError:
                return _sm_v3.V3Error(14, "body|json|Specified json is not valid").response()
            if not isinstance(body, dict):
                return _sm_v3.V3Error(14, "body|object|Wrong type").response()
            try:
                with self.lock:
                    return handler(self, body)
            except _sm_v3.V3Error as error:
                return error.response()

        return run

    def _handle(self, request: Request, endpoint: str) -> Response:
        if request.method == "GET" and request.path.startswith("/files/"):
            return self._job_file(request.path)
        return super()._handle(request, endpoint)

    def _job_file(self, path: str) -> Response:
        number = path.removeprefix("/files/").removesuffix(".json")
        job = self.jobs.get(int(number)) if number.isdigit() else None
        if job is None or job.polls > 0:
            return self.not_found(Request("GET", path, {}, {}, b""))
        return Response(200, job.result)

    # -- state helpers (used by the handlers; handy in tests) ------------------------------
    def new_id(self) -> str:
        """A UUID from the seeded generator (repeatable ids for a seed)."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def next_request_id(self) -> int:
        """The next integer ``requestId`` of an asynchronous job."""
        self._request_ids += 1
        return self._request_ids

    @staticmethod
    def now_ms() -> int:
        """The current time in epoch milliseconds."""
        return int(time.time() * 1000)

    def find_contact(self, email: Any) -> Contact | None:
        """The contact with this e-mail (case-insensitive), or ``None``."""
        return self.contacts.get(email.lower()) if isinstance(email, str) else None

    def contact_by_id(self, contact_id: Any) -> Contact | None:
        """The contact with this ``contactId``, or ``None``."""
        return next((c for c in self.contacts.values() if c.contact_id == contact_id), None)

    def new_contact(self, email: str, owner: str) -> Contact:
        """Create and store an empty contact."""
        now = self.now_ms()
        contact = Contact(self.new_id(), email, owner, now, now)
        self.contacts[email.lower()] = contact
        return contact

    def rename_contact(self, contact: Contact, new_email: str) -> None:
        """Change a contact's e-mail (the ``newEmail`` upsert field)."""
        self.contacts.pop(contact.email.lower(), None)
        contact.email = new_email
        self.contacts[new_email.lower()] = contact

    def remove_contact(self, contact: Contact) -> None:
        """Delete a contact."""
        self.contacts.pop(contact.email.lower(), None)

    def events_of(self, email: str) -> list[ExtEvent]:
        """The stored events of one contact, in the order they were added."""
        with self.lock:
            return [e for e in self.events.values() if e.email.lower() == email.lower()]
