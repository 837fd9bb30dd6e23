"""clockodo's two documented error bodies, raised as exceptions by the handlers.

- `SimpleErrorResponses` `{"error": {"code", "message", "fields"}}`: the spec's
  400 body for every `/v2/entries*` operation; the simulator uses it for every
  malformed or missing parameter on the v2 endpoints (entries, entrygroups,
  clock), for retired paths (410) and for injected 429/5xx answers.
- `GeneralErrors` `{"errors": [{"type", "message", "details", "path"}]}`: the
  spec's body for 401/403/404/409 (and 400 on v3/v4). The simulator also uses
  it, with the spec's error types (HasToBeActive, InvalidCombination,
  EndBeforeStart, ProjectIsCompleted), for semantic validation errors with
  status 422: the spec documents no 422 for the v2 endpoints, but its status
  table names 422 for "validation or semantic errors" [assumption].
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An HTTP error answer; handlers raise it, the simulator renders it."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status)


def simple_body(status: int, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": status, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def bad_request(message: str, *fields: str) -> ApiError:
    """400 in the v2 shape, naming the offending parameters (as the live API does)."""
    return ApiError(400, simple_body(400, message, list(fields)))


def general_error(
    status: int,
    error_type: str,
    message: str,
    *,
    path: str | None = None,
    details: dict[str, Any] | None = None,
) -> ApiError:
    item = {"type": error_type, "message": message, "details": details, "path": path}
    return ApiError(status, {"errors": [item]})


def unauthorized(message: str) -> ApiError:
    # The spec gives 401 a GeneralErrors body but no type for it; "Unauthorized"
    # is our choice (ApiErrors.type is a free string).
    return general_error(401, "Unauthorized", message)


def forbidden(message: str, path: str | None = None) -> ApiError:
    return general_error(403, "Forbidden", message, path=path)


def not_found(path: str | None = None, what: str = "resource") -> ApiError:
    return general_error(
        404, "ResourceNotFound", f"The requested {what} could not be found.", path=path
    )


def has_to_be_active(path: str, resource: str) -> ApiError:
    return general_error(
        422,
        "HasToBeActive",
        "The resource must be active.",
        path=path,
        details={"resources": [resource]},
    )


def invalid_combination(*fields: str) -> ApiError:
    return general_error(
        422,
        "InvalidCombination",
        "The combination of the provided data is invalid.",
        path=fields[0],
        details={"fields": list(fields)},
    )


def end_before_start() -> ApiError:
    return general_error(
        422, "EndBeforeStart", "The end must not lie before the start.", path="time_until"
    )


def project_is_completed() -> ApiError:
    return general_error(422, "ProjectIsCompleted", "The project is completed.", path="projects_id")
