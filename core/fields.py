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


def Time(**kwargs) -> fields.AwareDateTime:
    """An ISO 8601 instant; input without an offset is taken as UTC."""
    return fields.AwareDateTime(default_timezone=UTC, **kwargs)
