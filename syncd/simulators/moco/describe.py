"""What `syncd sim moco` prints under its URL: how to sign in, and who and what is there."""

from __future__ import annotations

from syncd.simulators.moco.state import MocoAccount


def describe(account: MocoAccount, base_url: str) -> list[str]:
    lines = [
        "auth: Authorization: Token token=<key> (or Bearer <key>);"
        " X-IMPERSONATE-USER-ID: <user id> with a Staff key",
        f'syncd config: [moco] base_url = "{base_url}", api_key = <a Staff key below>',
        "api keys:",
    ]
    for key in account.api_keys.values():
        user = account.users[key.user_id]
        staff = ", Staff (may impersonate)" if user.staff else ""
        lines.append(f"  {key.key}  {user.firstname} {user.lastname} ({user.id}){staff}")
    lines.append("users:")
    for user in sorted(account.users.values(), key=lambda u: u.id):
        flags = "" if user.active else " [deactivated]"
        lines.append(f"  {user.id}  {user.firstname} {user.lastname}{flags}")
    lines.append("projects (tasks):")
    for project in sorted(account.projects.values(), key=lambda p: p.id):
        customer = account.companies[project.customer_id].name
        tasks = ", ".join(f"{t.id} {t.name}" for t in project.tasks)
        flags = " [archived]" if project.archived_on else ""
        lines.append(
            f"  {project.id}  {project.identifier or '-'} {project.name}"
            f" ({customer}){flags}: {tasks}"
        )
    return lines
