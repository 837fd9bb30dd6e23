"""Check simulator responses against the vendors' OpenAPI documents.

    validator = SpecValidator.load(spec_path("moco-openapi.json"))
    validator.check("GET", "/activities", 200, body)      # raises AssertionError
    validator.check_response(httpx_response)             # infers the path template

Works for OpenAPI 3.0 (MOCO: dereferenced, `nullable`) and 3.1 (clockodo:
`$ref`s into `components`, JSON Schema 2020-12 types). Both documents use
`oneOf` where alternatives overlap (MOCO's project `customer` is `oneOf` the
`{id, name}` reference and the full company, and `{id, name}` matches both),
so by default `oneOf` is validated as `anyOf` (moco.md §11); pass
`one_of_as_any_of=False` for strict `oneOf`. Formats `date` and `date-time`
are checked.

The specs live outside the repository: `$SYNCD_SPECS_DIR`, else
`<workspace>/shared/specs`. `spec_path()` skips the calling test when a spec
is absent, except with `CI=true`, where absence fails the test.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

SPEC_URI = "urn:syncd:spec"
# Only the formats both vendors rely on; others (email, uri, csv-string) pass.
FORMATS = jsonschema.FormatChecker(formats=("date", "date-time"))


# Where the vendors' documents live beside a checkout: `../shared/specs` of the
# repository (or of any folder above it, for clones nested deeper), and the
# fixed place this project's machines keep them.
MACHINE_SPECS = Path("/work/shared/specs")


def specs_dir() -> Path:
    configured = os.environ.get("SYNCD_SPECS_DIR")
    if configured:
        return Path(configured)
    repository = Path(__file__).resolve().parents[2]
    candidates = [folder / "shared/specs" for folder in repository.parents] + [MACHINE_SPECS]
    found = next((path for path in candidates if path.is_dir()), None)
    return found or repository.parent / "shared/specs"


def spec_path(name: str) -> Path:
    """The spec file `name`; skips the test when absent (fails it when CI=true)."""
    path = specs_dir() / name
    if not path.is_file():
        reason = f"vendor OpenAPI document {path} is absent (set SYNCD_SPECS_DIR)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)


def _relax(node: Any, *, nullable: bool, one_of_as_any_of: bool) -> Any:
    """Rewrite OpenAPI schema dialect into plain JSON Schema."""
    if isinstance(node, list):
        return [_relax(item, nullable=nullable, one_of_as_any_of=one_of_as_any_of) for item in node]
    if not isinstance(node, dict):
        return node
    # YAML reads status codes as ints; JSON pointers need string keys.
    out = {
        str(k): _relax(v, nullable=nullable, one_of_as_any_of=one_of_as_any_of)
        for k, v in node.items()
    }
    if one_of_as_any_of and "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if nullable and out.pop("nullable", False) is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


@dataclass(frozen=True)
class _Template:
    path: str
    pattern: re.Pattern[str]
    params: int


class SpecValidator:
    def __init__(self, document: dict[str, Any], *, one_of_as_any_of: bool = True) -> None:
        version = str(document.get("openapi", ""))
        is_30 = version.startswith("3.0")
        self.document = _relax(
            copy.deepcopy(document), nullable=is_30, one_of_as_any_of=one_of_as_any_of
        )
        spec = DRAFT4 if is_30 else DRAFT202012
        self._validator_class = (
            jsonschema.Draft4Validator if is_30 else jsonschema.Draft202012Validator
        )
        self._registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, Resource.from_contents(self.document, default_specification=spec)
        )
        self._templates = sorted(
            (self._template(p) for p in self.document.get("paths", {})),
            key=lambda t: t.params,
        )
        prefix = (self.document.get("servers") or [{}])[0].get("url", "")
        self.base_path = httpx.URL(prefix).path.rstrip("/") if prefix else ""

    @classmethod
    def load(cls, path: str | Path, *, one_of_as_any_of: bool = True) -> SpecValidator:
        return _load(str(path), one_of_as_any_of)

    @staticmethod
    def _template(path: str) -> _Template:
        regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
        return _Template(path, re.compile(f"^{regex}$"), path.count("{"))

    def template_for(self, path: str) -> str:
        """The spec's path template for a concrete path (literal segments win)."""
        relative = path.removeprefix(self.base_path) or "/"
        for template in self._templates:
            if template.pattern.match(relative):
                return template.path
        raise AssertionError(f"no path in the OpenAPI document matches {path!r}")

    def response_pointer(self, method: str, path_template: str, status: int) -> list[str] | None:
        """Where the response's JSON schema sits, or None when none is declared."""
        operation = self.document.get("paths", {}).get(path_template, {}).get(method.lower())
        if operation is None:
            raise AssertionError(f"{method.upper()} {path_template} is not in the OpenAPI document")
        responses = operation.get("responses", {})
        for code in (str(status), f"{str(status)[0]}XX", "default"):
            if code in responses:
                content = responses[code].get("content") or {}
                for media_type in content:
                    if "json" in media_type and "schema" in content[media_type]:
                        return ["paths", path_template, method.lower(), "responses", code]
                return None
        return None

    def check(self, method: str, path_template: str, status: int, body: Any) -> bool:
        """Validate `body`; True when a schema was checked, False when none is declared."""
        where = self.response_pointer(method, path_template, status)
        if where is None:
            return False
        content = self.document
        for part in where:
            content = content[part]
        media_type = next(m for m in content["content"] if "json" in m)
        pointer = _pointer(*where, "content", media_type, "schema")
        validator = self._validator_class(
            {"$ref": SPEC_URI + pointer},
            registry=self._registry,
            format_checker=FORMATS,
        )
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            raise AssertionError(_describe(method, path_template, status, errors))
        return True

    def check_response(self, response: httpx.Response, path_template: str | None = None) -> bool:
        """`check` for an httpx response; the template is inferred from the URL if not given."""
        method, status = response.request.method, response.status_code
        template = path_template or self.template_for(response.request.url.path)
        if self.response_pointer(method, template, status) is None:
            return False
        try:
            body = response.json()
        except ValueError as exc:
            raise AssertionError(f"{method} {template} → {status}: body is not JSON") from exc
        return self.check(method, template, status, body)


@cache
def _load(path: str, one_of_as_any_of: bool) -> SpecValidator:
    text = Path(path).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = json.loads(text) if path.endswith(".json") else yaml.load(text, Loader=loader)
    return SpecValidator(document, one_of_as_any_of=one_of_as_any_of)


def _describe(
    method: str, path_template: str, status: int, errors: list[jsonschema.ValidationError]
) -> str:
    lines = [f"{method.upper()} {path_template} → {status}: body does not match the OpenAPI schema"]
    for error in errors[:5]:
        cause = _deepest(error)
        where = "/".join(str(p) for p in cause.absolute_path) or "(body)"
        instance = json.dumps(cause.instance, ensure_ascii=False, default=str)
        lines.append(f"  at {where}: {cause.message[:300]} (value: {instance[:200]})")
    if len(errors) > 5:
        lines.append(f"  … and {len(errors) - 5} more")
    return "\n".join(lines)


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For anyOf/oneOf failures, the alternative that got deepest says most."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


# -- documented fields a response leaves out ---------------------------------------
def missing_fields(
    validator: SpecValidator,
    operation: tuple[str, str, int],
    body: Any,
    ignore: frozenset[str] = frozenset(),
) -> list[str]:
    """Documented properties absent from `body` (paths like `data/0/wage_type`).

    `operation` is (method, path template, status). Walks body and response
    schema together; for `anyOf`/`oneOf` the alternative with the fewest gaps
    counts. Names in `ignore` are skipped
    wherever they occur (fields a simulator leaves out on purpose).
    """
    where = validator.response_pointer(*operation)
    assert where is not None, f"{operation}: no schema"
    node: Any = validator.document
    for part in where:
        node = node[part]
    media_type = next(m for m in node["content"] if "json" in m)
    return _gaps(validator, node["content"][media_type]["schema"], body, "", ignore)


def _resolve(validator: SpecValidator, schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = validator.document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _gaps(
    validator: SpecValidator, schema: Any, body: Any, at: str, ignore: frozenset[str]
) -> list[str]:
    schema = _resolve(validator, schema)
    if not isinstance(schema, dict) or body is None:
        return []
    alternatives = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if alternatives:
        options = [_gaps(validator, alt, body, at, ignore) for alt in alternatives]
        fitting = [o for o, alt in zip(options, alternatives, strict=True) if _fits(alt, body)]
        return min(fitting or options, key=len)
    if isinstance(body, list):
        items = schema.get("items", {})
        return [
            gap
            for i, item in enumerate(body)
            for gap in _gaps(validator, items, item, f"{at}{i}/", ignore)
        ]
    if not isinstance(body, dict):
        return []
    gaps = []
    for name, sub in (schema.get("properties") or {}).items():
        if name in ignore:
            continue
        if name not in body:
            gaps.append(f"{at}{name}")
        else:
            gaps += _gaps(validator, sub, body[name], f"{at}{name}/", ignore)
    return gaps


def _fits(schema: Any, body: Any) -> bool:
    """A cheap type test to pick the alternative a value is meant to match."""
    kinds = schema.get("type") if isinstance(schema, dict) else None
    if kinds is None:
        return True
    kinds = kinds if isinstance(kinds, list) else [kinds]
    python = {"object": dict, "array": list, "null": type(None), "string": str, "boolean": bool}
    return any(isinstance(body, python.get(k, (int, float))) for k in kinds)
