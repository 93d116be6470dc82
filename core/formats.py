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
