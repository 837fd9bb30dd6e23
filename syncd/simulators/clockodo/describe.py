"""What `syncd sim clockodo` prints under its URL: how to sign in, and who and what is there."""

from __future__ import annotations

from syncd.simulators.clockodo.account import Account


def describe(account: Account, base_url: str) -> list[str]:
    lines = [
        "auth: X-ClockodoApiUser: <e-mail>, X-ClockodoApiKey: <key> (or HTTP Basic"
        " <e-mail>:<key>), and X-Clockodo-External-Application: <name>;<e-mail>",
        f'syncd config: [clockodo] base_url = "{base_url}", api_user = <e-mail>,'
        " api_key = <key> of an owner below",
        "logins (e-mail / key):",
    ]
    for login in account.api_users.values():
        user = account.users[login.users_id]
        lines.append(f"  {login.email} / {login.key}  {user.name} ({user.id}, {user.role})")
    lines.append("co-workers:")
    for user in account.users.values():
        flags = "" if user.active else " [inactive]"
        lines.append(f"  {user.id}  {user.name} ({user.role}, {user.timezone}){flags}")
    lines.append("customers / projects:")
    for customer in account.customers.values():
        lines.append(
            f"  {customer.id}  {customer.name}" + ("" if customer.active else " [inactive]")
        )
        for project in account.projects.values():
            if project.customers_id == customer.id:
                flags = "" if project.active else " [inactive]"
                lines.append(f"      {project.id}  {project.name}{flags}")
    services = ", ".join(f"{s.id} {s.name}" for s in account.services.values() if s.active)
    lines.append(f"services: {services}")
    return lines
