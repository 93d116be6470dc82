"""Marshmallow field types shared by every domain's schemas, and `QuantityNames`: one name per quantity."""

import copy
from datetime import UTC
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, pre_load
from marshmallow.schema import SchemaMeta

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


# A quantity is `quantity` everywhere in takt's API (and `shipped_quantity`, `received_quantity`,
# `previous_quantity`, `min_quantity`, `quantity_per`); the names on the right are what some bodies said
# before. They are still read in requests and still written in responses beside the new name (deprecated,
# so marked in the OpenAPI schema). The planner contract (`supply-plan/1`) keeps `qty`: none of its schemas
# use this. New name -> its older name.
OLDER_NAMES = {
    "quantity": "qty",
    "shipped_quantity": "shipped_qty",
    "received_quantity": "qty_received",
    "previous_quantity": "previous_qty",
    "min_quantity": "min_qty",
    "quantity_per": "qty_per",
}
CURRENT_NAMES = {older: new for new, older in OLDER_NAMES.items()}


def api_name(key: str) -> str:
    """The API's name for a column a table keeps under an older or the contract's name (`qty`: `quantity`),
    for what takt writes out of its tables (a CSV download's header)."""
    return CURRENT_NAMES.get(key, key)


def _older_name_field(field: fields.Field, name: str, key: str, older: str) -> fields.Field:
    """The deprecated twin of a renamed field: written in responses under the older name, never loaded
    (the schema's pre_load hands an older name in a request to the new field)."""
    alias = copy.deepcopy(field)
    alias.attribute = field.attribute or name
    alias.data_key = older
    alias.dump_only, alias.load_only, alias.required = True, False, False
    alias.metadata = {
        **field.metadata,
        "deprecated": True,
        "description": f"deprecated: the older name of `{key}`, still read in requests and sent beside it",
    }
    return alias


class QuantityNamesMeta(SchemaMeta):
    """Adds, for each declared field named in `OLDER_NAMES`, its deprecated twin under the older name."""

    @classmethod
    def get_declared_fields(mcs, klass, cls_fields, inherited_fields, dict_cls=dict):
        declared = super().get_declared_fields(klass, cls_fields, inherited_fields, dict_cls)
        keys = {field.data_key or name for name, field in declared.items()}
        for name, field in list(declared.items()):
            key = field.data_key or name
            older = OLDER_NAMES.get(key)
            if older is not None and older not in keys and older not in declared:
                declared[older] = _older_name_field(field, name, key, older)
        return declared


class QuantityNames(Schema, metaclass=QuantityNamesMeta):
    """A schema base: its quantities are called by the names `OLDER_NAMES` lists; a request may still give
    the older name (deprecated) and a response carries both. The new and the older name at once with
    different values is a 422 naming the field."""

    @pre_load(pass_collection=True)
    def _older_names(self, data, many, **kwargs):
        if not many:
            return self._renamed(data)
        if not isinstance(data, list):
            return data  # the schema refuses it
        items, errors = [], {}
        for index, item in enumerate(data):
            try:
                items.append(self._renamed(item))
            except ValidationError as e:
                errors[index] = e.normalized_messages()
        if errors:
            raise ValidationError(errors)
        return items

    def _renamed(self, data):
        """`data` with each older name (`qty`) given as the field's name (`quantity`)."""
        if not isinstance(data, dict):
            return data
        for name, field in self.load_fields.items():
            key = field.data_key or name
            older = OLDER_NAMES.get(key)
            if older is None or older not in data:
                continue
            data = dict(data)
            value = data.pop(older)
            if key in data and data[key] != value:
                raise ValidationError(
                    f"`{older}` is the older name of `{key}` (deprecated): give one, or both alike",
                    field_name=key,
                )
            data[key] = value
        return data
