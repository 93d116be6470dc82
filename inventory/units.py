"""Units of measure: an item is counted in whole units (`whole_units`: pieces, boxes) or to so many decimals
(`decimals`: kilograms to 3, metres to 2); a quantity of it with more places is refused, wherever it is
given (a movement, a document line, an order line, a count row), naming the field."""

from decimal import Decimal

from core.errors import Invalid
from inventory.models import Item

MAX_DECIMALS = 6


def places(item: Item) -> int:
    """The decimals a quantity of `item` may have (0 for an item counted in whole units)."""
    return 0 if item.whole_units else min(MAX_DECIMALS, max(0, item.decimals))


def quantity_problem(item: Item, quantity: Decimal) -> str | None:
    """Why `quantity` is not a quantity of `item` (None: it is)."""
    allowed = places(item)
    value = Decimal(quantity)
    if value == value.quantize(Decimal(1).scaleb(-allowed)):
        return None
    text = f"{value:f}".rstrip("0").rstrip(".")
    if allowed == 0:
        return f"{item.sku} is counted in whole {item.unit}: {text} is not a whole number"
    return f"{item.sku} is counted to {allowed} decimal(s): {text} has more"


def check_quantity(item: Item, quantity: Decimal, field: str) -> None:
    """Refuse (422 on `field`) a quantity `item`'s unit does not allow."""
    problem = quantity_problem(item, quantity)
    if problem:
        raise Invalid(field, problem, sku=item.sku, decimals=places(item))
