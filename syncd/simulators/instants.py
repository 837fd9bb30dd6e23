"""The simulators' clock and their way of writing instants."""

from __future__ import annotations

from datetime import UTC, datetime

# Formatting instants is most of the cost of a 1000-entry page; the same
# instants come back page after page, so their text is remembered (a pure
# function's memo, emptied when it grows large).
_ISO_TEXTS: dict[datetime, str] = {}
_ISO_TEXTS_MAX = 1_000_000


def utc_iso(moment: datetime) -> str:
    """Both vendors write UTC instants as whole seconds with a `Z` suffix."""
    text = _ISO_TEXTS.get(moment)
    if text is None:
        text = moment.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z"
        if len(_ISO_TEXTS) >= _ISO_TEXTS_MAX:
            _ISO_TEXTS.clear()
        _ISO_TEXTS[moment] = text
    return text


class SimClock:
    """The simulator's idea of "now": the real clock, or a frozen instant."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def freeze(self, moment: datetime | None) -> None:
        self._frozen = moment.astimezone(UTC) if moment is not None else None

    @property
    def frozen(self) -> datetime | None:
        return self._frozen
