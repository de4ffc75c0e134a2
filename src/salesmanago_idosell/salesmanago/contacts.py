"""SALESmanago API v2 contacts: upsert (single, batch, async batch), read, delete, opt, tags."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .._chunks import chunked
from .._validation import email_problem, normalize_email
from ..errors import JobTimeoutError, ResponseValidationError, ValidationError
from ._calls import TimeoutArg, V2Caller
from .models import BatchUpsertResult, ContactBasic, ContactUpsert, JobStatus, UpsertResult

__all__ = ["BASIC_MAX", "BATCH_MAX", "ContactsAPI", "checked_email"]

#: The most contacts sent in one batch upsert request (configurable downwards).
BATCH_MAX = 1000
#: The most e-mails asked for in one ``contact/basic`` request.
BASIC_MAX = 50


def checked_email(email: str, *, field: str = "email") -> str:
    """The trimmed e-mail, or a :class:`ValidationError` saying why it is refused."""
    email = normalize_email(email)
    problem = email_problem(email)
    if problem is not None:
        raise ValidationError(f"{field}: {problem}: {email!r}", field=field)
    return email


def _checked_contacts(contacts: Iterable[ContactUpsert]) -> Iterable[ContactUpsert]:
    for index, contact in enumerate(contacts):
        checked_email(contact.email, field=f"contacts[{index}].email")
        yield contact


def _contact_id(answer: dict[str, Any], endpoint: str) -> str:
    contact_id = answer.get("contactId")
    if not contact_id:
        raise ResponseValidationError(f"{endpoint} answered without contactId", endpoint=endpoint)
    return str(contact_id)


class ContactsAPI:
    """Contacts of one SALESmanago account (``client.contacts``)."""

    def __init__(
        self,
        call: V2Caller,
        *,
        batch_size: int,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        if not 1 <= batch_size <= BATCH_MAX:
            raise ValidationError(f"batch_size must be 1..{BATCH_MAX}", field="batch_size")
        self._call = call
        self._batch_size = batch_size
        self._sleep = sleep
        self._clock = clock

    def _wire(self, contact: ContactUpsert) -> dict[str, Any]:
        body: dict[str, Any] = self._call.converter.unstructure(contact)
        return body

    def upsert(self, contact: ContactUpsert, *, timeout: TimeoutArg = None) -> UpsertResult:
        """Create or update one contact (``/api/contact/upsert``; retried safely).

        Example:
            >>> sm.contacts.upsert(ContactUpsert(email="jan@example.pl")).contact_id
        """
        checked_email(contact.email)
        answer = self._call(
            "/contact/upsert", self._wire(contact), idempotent=True, timeout=timeout
        )
        external = answer.get("externalId")
        return UpsertResult(
            contact_id=_contact_id(answer, "/contact/upsert"),
            external_id=str(external) if external else None,
        )

    def batch_upsert(
        self,
        contacts: Iterable[ContactUpsert],
        *,
        chunk_size: int | None = None,
        timeout: TimeoutArg = None,
    ) -> BatchUpsertResult:
        """Upsert many contacts synchronously (``/api/contact/batchupsert``).

        Contacts are sent in chunks of ``chunk_size`` (default: the client's ``batch_size``,
        at most 1000). Returns the e-mail -> contact id map merged across chunks. Every
        e-mail is validated before the first request is sent.
        """
        items = list(_checked_contacts(contacts))
        merged: dict[str, str] = {}
        messages: list[str] = []
        requests = 0
        for chunk in chunked(items, self._chunk_size(chunk_size)):
            answer = self._call(
                "/contact/batchupsert", self._batch_body(chunk), idempotent=True, timeout=timeout
            )
            requests += 1
            merged.update({str(k): str(v) for k, v in (answer.get("contactIds") or {}).items()})
            messages.extend(str(m) for m in answer.get("message") or ())
        return BatchUpsertResult(contact_ids=merged, requests=requests, messages=tuple(messages))

    def batch_upsert_async(
        self,
        contacts: Iterable[ContactUpsert],
        *,
        chunk_size: int | None = None,
        wait: bool = True,
        poll_interval: float = 2.0,
        wait_timeout: float = 300.0,
    ) -> list[JobStatus]:
        """Upsert many contacts as asynchronous jobs (``/api/contact/batchupsertv2``).

        With ``wait=True`` every job is polled (``/api/job/status``) until done or until
        ``wait_timeout`` seconds pass (then :class:`JobTimeoutError`). Returns one status per
        chunk, in order.
        """
        items = list(_checked_contacts(contacts))
        statuses = []
        for chunk in chunked(items, self._chunk_size(chunk_size)):
            body = {**self._batch_body(chunk), "useApiDoubleOptIn": False}
            answer = self._call("/contact/batchupsertv2", body, idempotent=True)
            request_id = answer.get("requestId")
            if request_id is None:
                raise ResponseValidationError(
                    "batchupsertv2 answered without requestId", endpoint="/contact/batchupsertv2"
                )
            status = JobStatus(request_id=str(request_id), done=False)
            if wait:
                status = self.wait_for_job(
                    status.request_id, poll_interval=poll_interval, timeout=wait_timeout
                )
            statuses.append(status)
        return statuses

    def job_status(self, request_id: str) -> JobStatus:
        """The state of an asynchronous job (``/api/job/status``)."""
        answer = self._call("/job/status", {"requestId": request_id}, idempotent=True)
        messages = tuple(str(m) for m in answer.get("message") or ())
        file_url = answer.get("fileUrl")
        return JobStatus(
            request_id=request_id,
            done=not messages and bool(file_url),
            file_url=str(file_url) if file_url else None,
            messages=messages,
        )

    def wait_for_job(
        self, request_id: str, *, poll_interval: float = 2.0, timeout: float = 300.0
    ) -> JobStatus:
        """Poll a job until it is done; :class:`JobTimeoutError` after ``timeout`` seconds."""
        deadline = self._clock() + timeout
        while True:
            status = self.job_status(request_id)
            if status.done:
                return status
            if self._clock() + poll_interval > deadline:
                raise JobTimeoutError(
                    f"job {request_id} not done after {timeout:g} s", request_id=request_id
                )
            self._sleep(poll_interval)

    def delete(self, email: str) -> None:
        """Delete a contact (``/api/contact/delete``)."""
        self._call("/contact/delete", {"email": checked_email(email)}, idempotent=True)

    def exists(self, email: str) -> bool:
        """Whether the account has a contact with this e-mail (``/api/contact/hasContact``)."""
        answer = self._call("/contact/hasContact", {"email": checked_email(email)}, idempotent=True)
        return bool(answer.get("result"))

    def get_basic(self, emails: Sequence[str]) -> list[ContactBasic]:
        """Basic data of contacts by e-mail (``/api/contact/basic``, 50 e-mails per call)."""
        checked = [checked_email(e, field=f"emails[{i}]") for i, e in enumerate(emails)]
        found: list[ContactBasic] = []
        for chunk in chunked(checked, BASIC_MAX):
            answer = self._call("/contact/basic", {"email": chunk}, idempotent=True)
            for item in answer.get("contacts") or ():
                found.append(self._call.converter.structure(item, ContactBasic))
        return found

    def opt_in(self, email: str) -> str:
        """Opt a contact in to e-mail marketing; returns its contact id."""
        return self._opt("/contact/optin", email)

    def opt_out(self, email: str) -> str:
        """Opt a contact out of e-mail marketing; returns its contact id."""
        return self._opt("/contact/optout", email)

    def phone_opt_in(self, email: str) -> str:
        """Opt a contact in to mobile (SMS) marketing; returns its contact id."""
        return self._opt("/contact/phoneoptin", email)

    def phone_opt_out(self, email: str) -> str:
        """Opt a contact out of mobile (SMS) marketing; returns its contact id."""
        return self._opt("/contact/phoneoptout", email)

    def add_tags(self, email: str, tags: Iterable[str]) -> None:
        """Add tags to a contact (``/api/contact/managetags``)."""
        self._tags(email, {"tags": self._tag_list(tags)})

    def remove_tags(self, email: str, tags: Iterable[str]) -> None:
        """Remove tags from a contact (``/api/contact/managetags``)."""
        self._tags(email, {"removeTags": self._tag_list(tags)})

    def _opt(self, path: str, email: str) -> str:
        answer = self._call(path, {"email": checked_email(email)}, idempotent=True)
        return _contact_id(answer, path)

    def _tags(self, email: str, change: dict[str, list[str]]) -> None:
        body = {"email": checked_email(email), **change}
        self._call("/contact/managetags", body, idempotent=True)

    @staticmethod
    def _tag_list(tags: Iterable[str]) -> list[str]:
        cleaned = [t.strip() for t in ([tags] if isinstance(tags, str) else tags) if t.strip()]
        if not cleaned:
            raise ValidationError("at least one non-empty tag is needed", field="tags")
        return cleaned

    def _chunk_size(self, chunk_size: int | None) -> int:
        size = self._batch_size if chunk_size is None else chunk_size
        if not 1 <= size <= BATCH_MAX:
            raise ValidationError(f"chunk_size must be 1..{BATCH_MAX}", field="chunk_size")
        return size

    def _batch_body(self, chunk: Sequence[ContactUpsert]) -> dict[str, Any]:
        owner = self._call.owner
        details = [self._wire(c) for c in chunk]  # fresh dicts: no copy needed
        for detail in details:
            detail["owner"] = owner
        return {"upsertDetails": details}
