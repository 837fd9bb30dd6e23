"""Error texts and the parsing of every documented error body shape."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from syncd.adapters.errors import (
    LockedOrBilled,
    OutcomeUnknown,
    TransportError,
    ValidationFailed,
    error_messages,
    error_types,
    text_summary,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # MOCO
        ({"message": "Unauthorized"}, ["Unauthorized"]),
        ({"error": "Deal not found"}, ["Deal not found"]),
        ({"errors": ["Name can't be blank"]}, ["Name can't be blank"]),
        (
            {"errors": {"date": ["can't be blank"], "seconds": ["is not a number", "too big"]}},
            ["date can't be blank", "seconds is not a number", "seconds too big"],
        ),
        ({"message": "Invalid payload"}, ["Invalid payload"]),
        # clockodo
        (
            {
                "errors": [
                    {"type": "EndBeforeStart", "message": "End before start", "path": "time_until"}
                ]
            },
            ["EndBeforeStart: End before start (time_until)"],
        ),
        (
            {
                "errors": [
                    {"error": {"type": "Empty", "message": "must not be empty", "path": None}}
                ]
            },
            ["Empty: must not be empty"],
        ),
        (
            {"error": {"code": 400, "message": "Missing parameter", "fields": ["time_since"]}},
            ["Missing parameter (time_since)"],
        ),
        ({"error": "something broke"}, ["something broke"]),
        ({"errors": []}, []),
        ({"errors": [{"type": "ResourceNotFound", "details": None}]}, ["ResourceNotFound"]),
        # neither vendor's shape
        (None, []),
        ([1, 2], []),
        ({}, []),
    ],
)
def test_error_messages_from_every_documented_shape(body: Any, expected: list[str]) -> None:
    assert error_messages(body) == expected


def test_error_types_reads_both_clockodo_list_forms() -> None:
    body = {"errors": [{"type": "A", "message": "x"}, {"error": {"type": "B"}}, "text"]}
    assert error_types(body) == {"A", "B"}
    assert error_types({"error": "x"}) == set()


def test_html_page_is_summarised_by_its_title() -> None:
    page = "<html><head><title>502 Bad\n Gateway</title></head><body>nginx</body></html>"
    assert text_summary(page) == "HTML page: 502 Bad Gateway"
    assert text_summary("<html><body>oops</body></html>") == "HTML page"
    assert text_summary("   ") == ""
    assert text_summary("plain\ntext") == "plain text"


def test_message_names_api_method_route_status_and_vendor_text() -> None:
    error = ValidationFailed("moco", "PUT", "/activities/7", 422, ["seconds is not a number"])
    assert str(error) == "MOCO PUT /activities/7: 422 seconds is not a number"
    clockodo = ValidationFailed("clockodo", "POST", "/v2/entries", 400, [], detail="empty body")
    assert str(clockodo) == "clockodo POST /v2/entries: 400 empty body"


def test_transport_error_without_status_reads_well() -> None:
    error = TransportError("clockodo", "GET", "/v2/entries", None, detail="ReadTimeout: timed out")
    assert str(error) == "clockodo GET /v2/entries: ReadTimeout: timed out"


def test_long_vendor_messages_are_cut() -> None:
    error = ValidationFailed("moco", "POST", "/activities", 422, ["x" * 1000])
    assert len(str(error)) < 400
    assert str(error).endswith("…")


def test_outcome_unknown_says_so_and_keeps_its_cause() -> None:
    cause = TransportError("moco", "POST", "/activities", None, detail="ReadTimeout")
    error = OutcomeUnknown("moco", "POST", "/activities", None, detail="ReadTimeout", cause=cause)
    assert "outcome unknown" in str(error)
    assert error.cause is cause


def test_errors_survive_pickling_with_all_fields() -> None:
    error = LockedOrBilled("moco", "DELETE", "/activities/3", 422, ["billed"], detail="d")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is LockedOrBilled
    assert (copy.api, copy.method, copy.route, copy.status, copy.messages, copy.detail) == (
        "moco",
        "DELETE",
        "/activities/3",
        422,
        ["billed"],
        "d",
    )
    assert str(copy) == str(error)
