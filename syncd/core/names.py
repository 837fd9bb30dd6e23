"""Names for the ids a person would otherwise read (MOCO ids: the projection's keys)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# How the core names an item in prose, e.g. a skip's detail: "clockodo project 15".
NAMED_ID = re.compile(r"\b(MOCO|clockodo) (user|project|task|service) (\d+)\b")


@dataclass(frozen=True)
class Names:
    """People, projects and tasks by MOCO id; an id without a name shows as the id."""

    users: Mapping[int, str] = field(default_factory=dict)
    projects: Mapping[int, str] = field(default_factory=dict)
    tasks: Mapping[int, str] = field(default_factory=dict)
    # clockodo's users, projects and services by ("user" | "project" | "service", id)
    clockodo: Mapping[tuple[str, int], str] = field(default_factory=dict)

    def user(self, user_id: int) -> str:
        return self.users.get(user_id, f"user {user_id}")

    def project(self, project_id: int) -> str:
        return self.projects.get(project_id, f"project {project_id}")

    def task(self, task_id: int) -> str:
        return self.tasks.get(task_id, f"task {task_id}")

    def clockodo_item(self, kind: str, item_id: int) -> str:
        return self.clockodo.get((kind, item_id), str(item_id))

    def in_text(self, text: str) -> str:
        """``text`` with every "MOCO user 5" / "clockodo project 15" that has a name
        shown by it ("clockodo project Pitch")."""

        def named(match: re.Match[str]) -> str:
            vendor, kind, item_id = match[1], match[2], int(match[3])
            if vendor == "clockodo":
                found = self.clockodo.get((kind, item_id))
            else:
                found = {"user": self.users, "project": self.projects, "task": self.tasks}.get(
                    kind, {}
                ).get(item_id)
            return f"{vendor} {kind} {found}" if found else match[0]

        return NAMED_ID.sub(named, text)
