"""Field types both vendors' models share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

# Durations beyond what a signed 32-bit column holds are corrupt data, not bookings.
MAX_SECONDS = 2**31 - 1


def _to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# An instant the vendor wrote with an offset (both write UTC with `Z`); naive
# timestamps are rejected rather than guessed.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
Seconds = Annotated[int, Field(ge=0, le=MAX_SECONDS)]


def utc_z(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ`, whole seconds, as both vendors expect in requests."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got naive {moment.isoformat()}")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
