"""Times and numbers as takt writes them in JSON and in the planning contract: one set for every domain.

Times are ISO 8601 in UTC with a `Z`, to the second (`2026-11-22T08:00:00Z`); quantities and costs are
JSON numbers, integers when whole. Database quantities are `Decimal`s, read back from JSON through `str`.
"""

from datetime import UTC, datetime
from decimal import Decimal


def iso(moment: datetime | None) -> str | None:
    """`2026-11-22T08:00:00Z`: the instant in UTC, to the second (None stays None)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 instant (`Z` or an offset) as an aware UTC datetime (None or "" give None)."""
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def as_number(value: Decimal | float | int | None) -> int | float | None:
    """A JSON number: an integer when whole, else a float (None stays None)."""
    if value is None:
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def as_decimal(value: float | int | str) -> Decimal:
    """A JSON number as the exact Decimal it reads as (`0.1` is 0.1, not the float's binary value)."""
    return Decimal(str(value))


# -- as the pages print them ------------------------------------------------------------------------------

MAX_DECIMALS = 6


def quantity_text(value: Decimal | float | int | None, decimals: int | None = None) -> str:
    """`1,250` or `12.5`: thousands separated, at most `decimals` places (the item's), no trailing zeros."""
    if value is None:
        return "—"
    places = MAX_DECIMALS if decimals is None else max(0, min(MAX_DECIMALS, decimals))
    text = f"{Decimal(str(value)):,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def moment_text(moment: datetime | None) -> str:
    """`2026-11-22 08:00`: every page's way of writing an instant (UTC, to the minute)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "—"


def hours_text(hours: float | None) -> str:
    """A span given in hours, as `3 h` or `2 d 4 h`."""
    if hours is None:
        return ""
    whole = round(abs(hours))
    days, rest = divmod(whole, 24)
    text = f"{days} d {rest} h" if days else f"{rest} h"
    return ("-" if hours < 0 else "") + text
