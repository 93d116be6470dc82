"""Movement kinds as one table, and the typed spec a movement is posted from.

A kind is one row of `KINDS`: where it takes stock from (`source`) and puts it (`target`), as which
fields of the spec; what quantity it accepts; how it changes the target's on hand; and whether it may
take stock into what is reserved. The schema, the service and the ledger read only this table, so a
new kind is one row here (and its tests).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.errors import Conflict, Invalid
from core.fields import MAX_QUANTITY
from inventory.ledger import PostedMovement
from inventory.models import Item, Location
from inventory.units import check_quantity


@dataclass(frozen=True)
class MovementKind:
    """How one kind of movement places and changes stock."""

    name: str
    source: str | None  # the spec's field naming the location stock leaves (issued: on hand - quantity)
    target: str | None  # the spec's field naming the location stock enters
    quantity_problem: Callable[[Decimal], str | None]  # why a quantity is not accepted (None: it is)
    target_delta: Callable[[Decimal, Decimal], Decimal] = lambda quantity, _on_hand: quantity
    may_use_reserved: bool = False  # a decrease may go into reserved stock (a count is physical truth)

    @property
    def places(self) -> tuple[str, ...]:
        """The spec's location fields this kind names, source first."""
        return tuple(place for place in (self.source, self.target) if place)


def _positive(quantity: Decimal) -> str | None:
    return None if quantity > 0 else "must be > 0"


def _not_zero(quantity: Decimal) -> str | None:
    return None if quantity != 0 else "must not be 0"


def _counted(quantity: Decimal) -> str | None:
    return None if quantity >= 0 else "a counted balance must be >= 0"


KINDS: dict[str, MovementKind] = {
    kind.name: kind
    for kind in (
        MovementKind("receipt", source=None, target="location", quantity_problem=_positive),
        MovementKind("issue", source="location", target=None, quantity_problem=_positive),
        MovementKind("transfer", source="from_location", target="to_location", quantity_problem=_positive),
        MovementKind("adjustment", source=None, target="location", quantity_problem=_not_zero),
        MovementKind(
            "count",
            source=None,
            target="location",
            quantity_problem=_counted,
            target_delta=lambda counted, on_hand: counted - on_hand,
            may_use_reserved=True,
        ),
    )
}
PLACES = ("location", "from_location", "to_location")


@dataclass(frozen=True)
class MovementSpec:
    """One movement to post, as the movement schema parses it (locations by code, the sku by sku)."""

    kind: str
    sku: str
    quantity: Decimal
    location: str | None = None
    from_location: str | None = None
    to_location: str | None = None
    reason: str = ""
    reference_type: str = "free"
    reference: str | None = None

    @classmethod
    def of(cls, spec: "MovementSpec | Mapping") -> "MovementSpec":
        """A spec from itself or from a mapping of its fields (a parsed payload)."""
        return spec if isinstance(spec, MovementSpec) else cls(**spec)

    @property
    def rule(self) -> MovementKind:
        return KINDS[self.kind]

    def place(self, name: str | None) -> str | None:
        """The location code the spec gives for one of its kind's places."""
        return getattr(self, name) if name else None


class InsufficientStock(Conflict):
    code = "insufficient_stock"


def show(quantity: Decimal) -> str:
    """A quantity for a message: `-1`, `2.5`, never `-1.000000` or `1E+2`."""
    text = f"{quantity:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- the rules every movement passes, on rows already looked up ---------------------------------------


def _known(found: dict, key: str, *, what: str, field: str):
    if key not in found:
        raise Invalid(field, f"unknown {what} {key!r}")
    return found[key]


def resolve(
    spec: MovementSpec, index: int, items: dict[str, Item], locations: dict[str, Location]
) -> PostedMovement:
    """A movement to post (not yet written) from one spec, given its items and locations by code."""
    field = f"movements[{index}]." if index >= 0 else ""
    item = _known(items, spec.sku, what="sku", field=f"{field}sku")
    if not item.active:
        raise Conflict(
            f"item {item.sku} is inactive: its stock does not move (reactivate it first)",
            code="item_inactive",
            sku=item.sku,
        )
    check_quantity(item, spec.quantity, f"{field}quantity")
    rule = spec.rule
    source, target = (
        _known(locations, spec.place(place), what="location", field=f"{field}{place}") if place else None
        for place in (rule.source, rule.target)
    )
    if source is not None and target is not None and source.id == target.id:
        raise Invalid(f"{field}{rule.target}", f"a {rule.name} needs two different locations")
    return PostedMovement(
        kind=spec.kind,
        item=item,
        quantity=spec.quantity,
        from_location=source,
        to_location=target,
        reason=spec.reason or "",
        reference_type=spec.reference_type or "free",
        reference=spec.reference,
    )


def deltas(movement: PostedMovement, on_hand: dict) -> list[tuple[Location, Decimal]]:
    """The (location, change of on hand) pairs a movement makes, given on hand per (item, location)."""
    rule, qty = KINDS[movement.kind], movement.quantity
    changes = [(movement.from_location, -qty)] if movement.from_location else []
    if movement.to_location:
        before = on_hand[(movement.item.id, movement.to_location.id)]
        changes.append((movement.to_location, rule.target_delta(qty, before)))
    return changes


def check_stock(
    after: Decimal, reserved: Decimal, location: Location, movement: PostedMovement, delta: Decimal
) -> None:
    """Refuse a decrease that takes on hand below zero or, unless the kind may, into reserved stock."""
    if delta >= 0 or location.allow_negative_stock:
        return
    sku, where, before = movement.item.sku, location.code, after - delta
    what = f"{movement.kind} of {show(movement.quantity)} {sku} at {where}"
    if after < 0:
        raise InsufficientStock(
            f"{what} would take stock to {show(after)}", sku=sku, location=where, on_hand=float(before)
        )
    if after < reserved and not KINDS[movement.kind].may_use_reserved:
        free = before - reserved
        raise InsufficientStock(
            f"{what} would use reserved stock (free {show(free)})", sku=sku, location=where, free=float(free)
        )


def check_range(after: Decimal, delta: Decimal, location: Location, movement: PostedMovement, index: int):
    """Refuse a change or balance the ledger's columns cannot hold (|x| < 1e12, as every quantity)."""
    if abs(after) < MAX_QUANTITY and abs(delta) < MAX_QUANTITY:
        return
    field = f"movements[{index}].quantity" if index >= 0 else "quantity"
    raise Invalid(
        field,
        f"would take {movement.item.sku} at {location.code} to {show(after)}: "
        f"beyond the ledger's range (less than {show(MAX_QUANTITY)} in magnitude)",
    )
