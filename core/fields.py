"""Marshmallow field types shared by every domain's schemas."""

from datetime import UTC
from decimal import Decimal, InvalidOperation

from marshmallow import fields

MAX_QUANTITY = Decimal("1e12")


class Quantity(fields.Field):
    """A JSON number loaded as an exact `Decimal` (at most 6 decimals, |x| < 1e12), dumped as a number."""

    default_error_messages = {
        "invalid": "must be a number",
        "precision": "must have at most 6 decimals",
        "range": "must be less than 1e12 in magnitude",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        try:
            number = Decimal(str(value))
        except InvalidOperation as e:
            raise self.make_error("invalid") from e
        if not number.is_finite():
            raise self.make_error("invalid")
        if abs(number) >= MAX_QUANTITY:
            raise self.make_error("range")
        if number != number.quantize(Decimal("0.000001")):
            raise self.make_error("precision")
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        number = float(value)
        return int(number) if number.is_integer() else number


class Instant(fields.AwareDateTime):
    """An aware datetime that is also an instant in UTC (0001-01-01T00:00:00+00:01 is not: it lies before
    the first representable UTC time)."""

    default_error_messages = {"range": "must lie between the years 1 and 9999 in UTC"}

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        try:
            result.astimezone(UTC)
        except OverflowError as e:
            raise self.make_error("range") from e
        return result


def Time(**kwargs) -> Instant:
    """An ISO 8601 instant; input without an offset is taken as UTC."""
    return Instant(default_timezone=UTC, **kwargs)
