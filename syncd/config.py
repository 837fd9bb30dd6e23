"""Configuration: one TOML file, overridable key by key from the environment.

Sources, later ones winning: the TOML file, then `SYNCD_<SECTION>__<KEY>`
variables. A secret may instead be read from a file: `api_key_file = "..."` in
the TOML or `SYNCD_<SECTION>__API_KEY_FILE` in the environment.

The overlay is hand-written on purpose (pydantic validates the result): an
error must say which source a bad value came from, and an unknown
`SYNCD_X__Y` variable (a typo in a deployment) must fail instead of being
silently ignored, which pydantic-settings does not offer.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from syncd.core.model import ConflictPolicy, Direction

ENV_PREFIX = "SYNCD_"
DEFAULT_PATH = Path("syncd.toml")
SECRET_KEYS = frozenset(
    {"api_key", "url", "moco_secret", "clockodo_token"}
)  # url: may hold a password
_URL_PASSWORD = re.compile(r"(?P<head>://[^/@:]*:)(?P<password>[^/@]*)(?P<at>@)")


class ConfigError(Exception):
    """A configuration problem, worded as one line for the operator."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_duration(value: str | int | float) -> timedelta:
    """`90`, `"90s"`, `"5m"`, `"1h"`, `"1h30m"` → timedelta (bare numbers are seconds)."""
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    match = re.fullmatch(r"\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s?)?\s*", value)
    if not value.strip() or match is None:
        raise ValueError(f"not a duration: {value!r} (use e.g. 90s, 5m, 1h30m)")
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def positive_duration(value: Any) -> timedelta:
    """A duration setting as given in TOML or the environment; zero or less is an error."""
    if isinstance(value, timedelta):
        return value
    duration = parse_duration(value)
    if duration <= timedelta(0):
        raise ValueError("must be longer than zero")
    return duration


def format_duration(value: timedelta) -> str:
    """The inverse of parse_duration: 300 s → "5m", 5400 s → "1h30m"."""
    rest = int(value.total_seconds())
    parts = []
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts) or "0s"


class MocoSettings(_Section):
    base_url: str | None = Field(None, description="https://<account>.mocoapp.com/api/v1")
    domain: str | None = Field(None, description="account subdomain, instead of base_url")
    api_key: SecretStr
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    rate_limit: int = Field(120, gt=0, description="requests per 2 minutes (1200 when unlimited)")
    retries: int = Field(4, ge=0, le=10, description="retries of a failed request")
    retry_wait: float = Field(1.0, gt=0, description="first back-off in seconds, then doubling")

    @model_validator(mode="after")
    def _one_address(self) -> Self:
        if (self.base_url is None) == (self.domain is None):
            raise ValueError("give exactly one of base_url and domain")
        return self

    @property
    def url(self) -> str:
        if self.base_url is not None:
            return self.base_url.rstrip("/")
        return f"https://{self.domain}.mocoapp.com/api/v1"


class ClockodoSettings(_Section):
    base_url: str = "https://my.clockodo.com/api"
    api_user: str = Field(min_length=3, description="login e-mail of the API user")
    api_key: SecretStr
    external_application: str
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(30.0, gt=0)
    rate_limit: int = Field(900, gt=0, description="requests per minute per user")
    retries: int = Field(4, ge=0, le=10, description="retries of a failed request")
    retry_wait: float = Field(1.0, gt=0, description="first back-off in seconds, then doubling")

    @field_validator("external_application")
    @classmethod
    def _name_and_email(cls, value: str) -> str:
        # clockodo wants "<application>;<contact e-mail>"; its SDK caps it at 50.
        if len(value) > 50:
            raise ValueError(f"must be at most 50 characters, got {len(value)}")
        name, sep, email = value.partition(";")
        if not sep or not name.strip() or "@" not in email:
            raise ValueError('must look like "name;email", e.g. "syncd;ops@example.com"')
        return value


class DatabaseSettings(_Section):
    url: str = "sqlite:///syncd.db"

    @field_validator("url")
    @classmethod
    def _known_dialect(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB")
        return value


Duration = Annotated[timedelta, Field()]


class SyncSettings(_Section):
    direction: Direction = "both"
    conflict: ConflictPolicy = "park"
    propagate_deletes: bool = True
    window_days: int = Field(30, ge=1, le=366)
    timezone: str = "Europe/Berlin"
    day_start: time = time(9, 0)
    interval: Duration = timedelta(minutes=5)
    full_scan_interval: Duration = timedelta(hours=1)
    mass_delete_min: int = Field(10, ge=0)
    mass_delete_share: float = Field(0.10, ge=0, le=1)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    @field_validator("day_start", mode="before")
    @classmethod
    def _clock_time(cls, value: Any) -> Any:
        if isinstance(value, str) and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"not a time of day: {value!r} (use HH:MM)")
        return value

    @field_serializer("day_start")
    def _show_clock_time(self, value: time) -> str:
        return value.strftime("%H:%M")

    @field_serializer("interval", "full_scan_interval")
    def _show_duration(self, value: timedelta) -> str:
        return format_duration(value)

    @field_validator("interval", "full_scan_interval", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return positive_duration(value)


class HttpSettings(_Section):
    listen: str | None = Field(None, description='"127.0.0.1:9464"; unset = no HTTP server')
    ready_max_age: Duration | None = Field(
        None, description="/readyz fails when the last good run is older; unset = 3 intervals"
    )

    @field_validator("ready_max_age", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta | None:
        return None if value is None else positive_duration(value)

    @field_serializer("ready_max_age")
    def _show_duration(self, value: timedelta | None) -> str | None:
        return None if value is None else format_duration(value)

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\[?[\w.:-]*\]?:\d{1,5}", value):
            raise ValueError('use "HOST:PORT", e.g. "127.0.0.1:9464"')
        return value


class WebhookSettings(_Section):
    """Receivers for the vendors' web hooks (syncd.service.webhooks); each one is on
    while its secret is set."""

    moco_secret: SecretStr | None = None
    clockodo_token: SecretStr | None = None
    batch_window: float = Field(1.0, ge=0, le=30, description="seconds to gather a burst")
    max_targets: int = Field(500, ge=1, description="more bookings in a batch: one poll instead")
    max_body_bytes: int = Field(65536, ge=1024)
    healthy_interval: Duration | None = Field(
        None, description="poll this rarely while every receiver gets events; unset = interval"
    )

    @field_validator("healthy_interval", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta | None:
        return None if value is None else positive_duration(value)

    @field_serializer("healthy_interval")
    def _show_duration(self, value: timedelta | None) -> str | None:
        return None if value is None else format_duration(value)

    @property
    def enabled(self) -> bool:
        return self.moco_secret is not None or self.clockodo_token is not None


class LogSettings(_Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["auto", "console", "json"] = "auto"


class UserMappingSettings(_Section):
    moco: int
    clockodo: int


class ProjectMappingSettings(_Section):
    moco: int
    clockodo_customer: int
    clockodo_project: int


class TaskMappingSettings(_Section):
    moco: int
    clockodo_service: int


class MappingSettings(_Section):
    users: list[UserMappingSettings] = []
    projects: list[ProjectMappingSettings] = []
    tasks: list[TaskMappingSettings] = []


class Settings(_Section):
    moco: MocoSettings
    clockodo: ClockodoSettings
    database: DatabaseSettings = DatabaseSettings()
    sync: SyncSettings = SyncSettings()
    http: HttpSettings = HttpSettings()
    log: LogSettings = LogSettings()
    webhooks: WebhookSettings = WebhookSettings()
    mappings: MappingSettings = MappingSettings()

    def secrets(self) -> list[str]:
        """Every secret value, for the log redactor."""
        hooks = (self.webhooks.moco_secret, self.webhooks.clockodo_token)
        keys = [self.moco.api_key.get_secret_value(), self.clockodo.api_key.get_secret_value()]
        keys += [secret.get_secret_value() for secret in hooks if secret is not None]
        return keys + url_passwords(self.database.url)


SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in Settings.model_fields.items()
}


def resolve_path(cli_path: str | os.PathLike[str] | None) -> Path:
    """`--config`, else `$SYNCD_CONFIG`, else `./syncd.toml`."""
    if cli_path is not None:
        return Path(cli_path)
    return Path(os.environ.get("SYNCD_CONFIG") or DEFAULT_PATH)


def load(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read, overlay and validate; raise ConfigError with a one-line message."""
    source = resolve_path(path)
    env = os.environ if environ is None else environ
    data = _read_toml(source)
    origins: dict[tuple[str, str], str] = {}
    _overlay_environment(data, env, origins)
    _read_secret_files(data, source, origins)
    _anchor_sqlite_path(data, source)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, origins)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found (pass --config or set SYNCD_CONFIG)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None


def _overlay_environment(
    data: dict[str, Any], env: Mapping[str, str], origins: dict[tuple[str, str], str]
) -> None:
    for name, raw in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue  # SYNCD_CONFIG and friends are not config keys
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        model = SECTIONS.get(section)
        base_key = key.removesuffix("_file") if key.removesuffix("_file") in SECRET_KEYS else key
        if model is None or base_key not in model.model_fields:
            raise ConfigError(f"{name}: unknown setting [{section}] {key}")
        target = data.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"{name}: [{section}] is not a table in the config file")
        if key != base_key:  # a secret from the environment overrides one in the file
            target.pop(base_key, None)
        elif base_key in SECRET_KEYS:
            target.pop(f"{base_key}_file", None)
        target[key] = _env_value(raw)
        origins[(section, key)] = name
        origins.setdefault((section, base_key), name)


def _env_value(raw: str) -> Any:
    """Lists and tables (e.g. mappings) come as JSON; everything else as text."""
    if raw.lstrip().startswith(("[", "{")):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _read_secret_files(
    data: dict[str, Any], source: Path, origins: dict[tuple[str, str], str]
) -> None:
    for section, values in data.items():
        if not isinstance(values, dict):
            continue
        for key in SECRET_KEYS:
            file_key = f"{key}_file"
            if file_key not in values:
                continue
            where = origins.get((section, file_key), str(source))
            if key in values:
                raise ConfigError(f"{where}: [{section}] give either {key} or {file_key}, not both")
            secret_path = Path(str(values.pop(file_key)))
            try:
                values[key] = secret_path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                raise ConfigError(
                    f"{where}: [{section}] {file_key}: cannot read {secret_path}: {reason}"
                ) from None
            if not values[key]:
                raise ConfigError(f"{where}: [{section}] {file_key}: {secret_path} is empty")


def _anchor_sqlite_path(data: dict[str, Any], source: Path) -> None:
    """A relative SQLite path is relative to the config file's directory, not to
    wherever a command happens to run."""
    database = data.get("database")
    url = database.get("url") if isinstance(database, dict) else None
    if not isinstance(url, str) or not url.startswith("sqlite:///"):
        return
    path = url.removeprefix("sqlite:///")
    if not path or path.startswith((":memory:", "file:", "/")) or Path(path).is_absolute():
        return
    assert isinstance(database, dict)
    database["url"] = f"sqlite:///{(source.parent / path).absolute()}"


def _describe(exc: ValidationError, source: Path, origins: Mapping[tuple[str, str], str]) -> str:
    """The first error as `<where>: [section] key: problem` (never the value of a secret)."""
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    section = loc[0] if loc else ""
    key = ".".join(loc[1:])
    where = origins.get((section, loc[1] if len(loc) > 1 else ""), str(source))
    if error["type"] == "missing":
        problem = "missing"
        if loc[-1] in SECRET_KEYS:
            env_name = f"{ENV_PREFIX}{section.upper()}__{loc[-1].upper()}"
            problem += f" (set it, {loc[-1]}_file, {env_name} or {env_name}_FILE)"
    elif error["type"] == "extra_forbidden":
        problem = "unknown key"
    else:
        problem = error["msg"].removeprefix("Value error, ")
    if not key:
        return f"{where}: [{section}]: {problem}"
    more = f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""
    return f"{where}: [{section}] {key}: {problem}{more}"


def url_passwords(url: str) -> list[str]:
    """The password in a database URL (`scheme://user:PASSWORD@host/db`), if any."""
    return [match["password"] for match in _URL_PASSWORD.finditer(url) if match["password"]]


def mask_url(url: str) -> str:
    """A database URL fit to print: its password replaced by asterisks."""
    return _URL_PASSWORD.sub(r"\g<head>********\g<at>", url)


def masked(settings: Settings) -> dict[str, Any]:
    """The effective configuration as plain data, secrets replaced by asterisks."""
    data = settings.model_dump(mode="json")
    for section in data.values():
        if isinstance(section, dict):
            for key in SECRET_KEYS & section.keys():
                if section[key] is not None:
                    section[key] = mask_url(section[key]) if key == "url" else "********"
    return data
