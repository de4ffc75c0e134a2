"""The WSGI application: both paths by GET and POST, JSON answers, 404/405/413."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
import responses

from salesmanago_idosell.callbacks import (
    MAX_BODY,
    CallbackKind,
    CallbackResult,
    Callbacks,
    Params,
    WSGIApplication,
    make_wsgi_app,
)
from salesmanago_idosell.callbacks.models import result

from .conftest import CLIENTS_URL, EMAIL, PUT_OK, SEARCH_URL, TOKEN, crm_page, crm_row

FORM = "application/x-www-form-urlencoded"


class Recorder:
    """A handler that records its calls and answers 200."""

    def __init__(self) -> None:
        self.calls: list[tuple[CallbackKind, dict[str, Any]]] = []

    def __call__(self, kind: CallbackKind, params: Params) -> CallbackResult:
        self.calls.append((kind, dict(params)))
        return result(200, "ok")


def request(
    app: WSGIApplication,
    method: str,
    path: str,
    *,
    query: str = "",
    body: bytes = b"",
    content_type: str = FORM,
    **environ: Any,
) -> tuple[str, dict[str, str], Any]:
    """Call ``app`` once; return the status line, the headers and the decoded JSON body."""
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        **environ,
    }
    setup_testing_defaults(env)
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
        started.append((status, headers))
        return lambda _data: None

    chunks = app(env, start_response)
    raw = b"".join(chunks)
    ((status, headers),) = started
    header_map = dict(headers)
    assert header_map["Content-Type"] == "application/json; charset=utf-8"
    assert header_map["Content-Length"] == str(len(raw))
    return status, header_map, json.loads(raw)


@pytest.mark.parametrize("kind", list(CallbackKind))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_both_paths_by_get_and_post(kind: CallbackKind, method: str) -> None:
    handler = Recorder()
    app = make_wsgi_app(handler)
    query = urlencode({"email": EMAIL, "token": TOKEN})

    status, headers, body = request(app, method, kind.path, query=query)

    assert status == "200 OK"
    assert headers["Cache-Control"] == "no-store"
    assert body == {"success": True, "message": "ok"}
    assert handler.calls == [(kind, {"email": [EMAIL], "token": [TOKEN]})]


def test_form_body_and_query_are_merged() -> None:
    handler = Recorder()
    app = make_wsgi_app(handler)
    body = urlencode({"email": "ala+news@example.pl", "x": ""}).encode()

    request(app, "POST", "/salesmanago/opt-in/", query="token=abc", body=body)

    assert handler.calls == [
        (CallbackKind.OPT_IN, {"token": ["abc"], "email": ["ala+news@example.pl"], "x": [""]})
    ]


def test_body_of_other_content_type_is_ignored() -> None:
    handler = Recorder()
    app = make_wsgi_app(handler)
    request(app, "POST", "/salesmanago/opt-out", query="token=abc",
            body=b'{"email": "a@b.pl"}', content_type="application/json")  # fmt: skip
    assert handler.calls == [(CallbackKind.OPT_OUT, {"token": ["abc"]})]


def test_raw_utf8_query_is_decoded() -> None:
    handler = Recorder()
    app = make_wsgi_app(handler)
    latin1 = "email=żaneta@example.pl".encode().decode("latin-1")  # PEP 3333 "bytes as str"
    request(app, "GET", "/salesmanago/opt-in", query=latin1)
    assert handler.calls[0][1] == {"email": ["żaneta@example.pl"]}


@pytest.mark.parametrize(
    "path", ["/", "/salesmanago", "/salesmanago/opt-in/x", "/SALESMANAGO/OPT-IN", "/opt-in"]
)
def test_other_paths_answer_404(path: str) -> None:
    handler = Recorder()
    status, _, body = request(make_wsgi_app(handler), "GET", path)
    assert status == "404 Not Found"
    assert body == {"success": False, "message": "Not found"}
    assert handler.calls == []


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"])
def test_other_methods_answer_405(method: str) -> None:
    handler = Recorder()
    status, headers, body = request(make_wsgi_app(handler), method, "/salesmanago/opt-out")
    assert status == "405 Method Not Allowed"
    assert headers["Allow"] == "GET, POST"
    assert body == {"success": False, "message": "Method not allowed"}
    assert handler.calls == []


def test_hostile_requests_are_refused_before_the_handler() -> None:
    handler = Recorder()
    app = make_wsgi_app(handler)
    path = "/salesmanago/opt-in"

    big = request(app, "POST", path, body=b"", CONTENT_LENGTH=str(MAX_BODY + 1))
    bad_length = request(app, "POST", path, CONTENT_LENGTH="12abc")
    many = request(app, "GET", path, query="&".join(f"k{i}=v" for i in range(50)))

    assert big[0].startswith("413 ")  # the phrase changed in Python 3.13
    assert bad_length[0] == "400 Bad Request"
    assert many[2] == {"success": False, "message": "Validation failed: too many parameters"}
    assert handler.calls == []


def test_a_handler_bug_answers_500_without_details(caplog: pytest.LogCaptureFixture) -> None:
    def broken(kind: CallbackKind, params: Params) -> CallbackResult:
        raise RuntimeError("secret internals")

    status, _, body = request(make_wsgi_app(broken), "GET", "/salesmanago/opt-out")

    assert status == "500 Internal Server Error"
    assert body == {"success": False, "message": "General error"}
    assert "callback handling failed" in caplog.text


def test_callbacks_app_end_to_end_on_mocked_idosell(
    callbacks: Callbacks, mocked: responses.RequestsMock
) -> None:
    app = callbacks.wsgi_app()
    mocked.post(SEARCH_URL, json=crm_page(crm_row(approved=False)))
    mocked.put(CLIENTS_URL, json=PUT_OK)
    form = urlencode({"email": EMAIL, "token": TOKEN}).encode()

    ok = request(app, "POST", "/salesmanago/opt-in", body=form)
    forged = request(app, "GET", "/salesmanago/opt-in", query=f"email={EMAIL}&token=nope")
    bad = request(app, "GET", "/salesmanago/opt-in", query=f"email=nope&token={TOKEN}")

    assert ok[:3:2] == ("200 OK", {"success": True, "message": "Email successfully subscribed"})
    assert forged[0] == "403 Forbidden"
    assert bad[0] == "400 Bad Request"
    assert len(mocked.calls) == 2


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/salesmanago/opt-in", "200 OK"), ("POST", "/salesmanago/opt-out", "200 OK"),
     ("PUT", "/salesmanago/opt-out", "405 Method Not Allowed"), ("GET", "/x", "404 Not Found")],
)  # fmt: skip
def test_app_conforms_to_pep_3333(method: str, path: str, status: str) -> None:
    app = validator(make_wsgi_app(Recorder()))
    env: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path}
    env.update(QUERY_STRING="t=1", SCRIPT_NAME="")
    setup_testing_defaults(env)
    if method == "POST":
        body = b"email=a%40b.pl"
        env.update(
            CONTENT_TYPE=FORM, CONTENT_LENGTH=str(len(body)), **{"wsgi.input": io.BytesIO(body)}
        )
    started: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], *_: Any) -> Any:
        started.append(line)
        return lambda _data: None

    chunks = app(env, start_response)
    try:
        assert json.loads(b"".join(chunks))["success"] is (status == "200 OK")
    finally:
        chunks.close()  # type: ignore[attr-defined]
    assert started == [status]
