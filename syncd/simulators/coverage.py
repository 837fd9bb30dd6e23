"""What a simulator deliberately leaves out of its vendor's API.

Each simulator keeps one table `NOT_SIMULATED` of documented operations it
does not serve, each with the reason. A key is either one operation,
`"PUT /v4/projects/{id}/complete"`, or a path prefix without a method,
`"/v2/absences"`, which covers that path and every path below it with every
method. Requests for them (and for undocumented paths) get the vendor's 404
shape; the conformance tests check that every documented operation is
either served or named here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def template_regex(template: str) -> str:
    """`/v3/users/{id}` → a regex matching concrete paths (and the template itself)."""
    return re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))


@dataclass(frozen=True)
class _Rule:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    reason: str


class NotSimulated:
    def __init__(self, table: Mapping[str, str]) -> None:
        self.table = dict(table)
        self._rules = [self._rule(key, reason) for key, reason in table.items()]

    @staticmethod
    def _rule(key: str, reason: str) -> _Rule:
        method, _, path = key.partition(" ")
        if not path:  # a prefix: the path itself and everything below it
            regex = template_regex(method) + "(/.*)?"
            return _Rule(frozenset(METHODS), re.compile(f"^{regex}$"), reason)
        if method not in METHODS:
            raise ValueError(f"not-simulated key {key!r}: unknown method")
        return _Rule(frozenset({method}), re.compile(f"^{template_regex(path)}$"), reason)

    def reason(self, method: str, path: str) -> str | None:
        """Why `method path` (concrete or a template) is not simulated; None if it is not listed."""
        for rule in self._rules:
            if method in rule.methods and rule.pattern.match(path):
                return rule.reason
        return None
