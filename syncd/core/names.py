"""Names for the ids a person would otherwise read (MOCO ids: the projection's keys)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Names:
    """People, projects and tasks by MOCO id; an id without a name shows as the id."""

    users: Mapping[int, str] = field(default_factory=dict)
    projects: Mapping[int, str] = field(default_factory=dict)
    tasks: Mapping[int, str] = field(default_factory=dict)

    def user(self, user_id: int) -> str:
        return self.users.get(user_id, f"user {user_id}")

    def project(self, project_id: int) -> str:
        return self.projects.get(project_id, f"project {project_id}")

    def task(self, task_id: int) -> str:
        return self.tasks.get(task_id, f"task {task_id}")
