"""Is a snapshot well formed for contract `supply-plan/1`? One row per list says what its records carry; each
problem found names where it is (`lanes[2]: transit_hours ...`) and why."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from planning.contract import CONTRACT


class SnapshotError(ValueError):
    """A snapshot the contract does not accept; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        shown = "; ".join(self.errors[:5]) + ("; ..." if len(self.errors) > 5 else "")
        super().__init__(f"the snapshot breaks the contract in {len(self.errors)} places: {shown}")


def instant(value) -> float | None:
    """An ISO 8601 time with an offset -> POSIX seconds; None when `value` is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _calendar_date(value) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


# A value's kind -> (test, what the error says when the test fails).
KINDS = {
    "code": (lambda v: isinstance(v, str) and v != "", "must be a non-empty string"),
    "qty": (lambda v: _number(v) and v > 0, "must be a number > 0"),
    "amount": (lambda v: _number(v) and v >= 0, "must be a number >= 0"),
    "time": (lambda v: instant(v) is not None, "must be an ISO 8601 time with a UTC offset"),
    "bool": (lambda v: isinstance(v, bool), "must be a boolean"),
    "kind": (lambda v: v in ("warehouse", "plant"), "must be 'warehouse' or 'plant'"),
    "date": (_calendar_date, "must be a YYYY-MM-DD date"),
}

# Each list: its fields (kind, or "@list" for a code that must name a row of that list; "?" = may be absent or
# null), the fields whose values must be unique across the list, and whether the snapshot must have the list.
SECTIONS: dict[str, tuple[dict[str, str], tuple[str, ...], bool]] = {
    "items": ({"sku": "code", "holding_cost_per_day": "amount?"}, ("sku",), True),
    "regions": ({"code": "code"}, ("code",), True),
    "locations": ({"code": "code", "kind": "kind", "region": "@regions"}, ("code",), True),
    "stock": ({"sku": "@items", "location": "@locations", "on_hand": "amount"}, (), False),
    "receipts": (
        {"ref": "code", "sku": "@items", "location": "@locations", "qty": "qty", "arrive_at": "time"},
        ("ref",),
        False,
    ),
    "suppliers": ({"code": "code"}, ("code",), False),
    "supply_offers": (
        {
            "supplier": "@suppliers",
            "sku": "@items",
            "location": "@locations",
            "lead_time_hours": "amount",
            "unit_cost": "amount",
            "order_cost": "amount?",
            "min_qty": "amount?",
            "multiple": "qty?",
            "capacity_per_day": "amount?",
        },
        ("supplier", "sku", "location"),
        False,
    ),
    "resources": (
        {"code": "code", "location": "@locations", "hours_per_day": "amount", "calendar": "calendar?"},
        ("code",),
        False,
    ),
    "routes": (
        {
            "sku": "@items",
            "resource": "@resources",
            "hours_per_unit": "amount",
            "lead_time_hours": "amount",
            "unit_cost": "amount",
            "setup_hours": "amount?",
            "setup_cost": "amount?",
            "components": "components?",
        },
        ("sku", "resource"),
        False,
    ),
    "lanes": (
        {
            "from": "@locations",
            "to": "@destinations",
            "mode": "code",
            "transit_hours": "amount",
            "unit_cost": "amount",
            "capacity_per_day": "amount?",
        },
        ("from", "to", "mode"),
        False,
    ),
    "orders": (
        {
            "id": "code",
            "region": "@regions",
            "created_at": "time?",
            "requested_at": "time",
            "priority": "priority",
            "ship_complete": "bool?",
            "confirmed_promise_at": "time?",
            "lines": "lines",
        },
        ("id",),
        True,
    ),
}
CALENDAR_ENTRY = {"date": "date", "hours": "amount"}
COMPONENT = {"sku": "@items", "qty_per": "qty"}
ORDER_LINE = {"line": "code", "sku": "@items", "qty": "qty"}
POLICY = {
    "lateness_cost_per_day": "amount",
    "unserved_penalty": "amount",
    "broken_promise_penalty": "amount",
}


def check_snapshot(snapshot) -> list[str]:
    """Every way `snapshot` breaks the contract's form, as `where: what is wrong`; [] when well formed."""
    if not isinstance(snapshot, dict):
        return ["snapshot: not a JSON object"]
    checker = _SnapshotChecker(snapshot)
    checker.check_header()
    for section, (fields, unique, required) in SECTIONS.items():
        checker.check_section(section, fields, unique, required)
    return checker.errors


class _SnapshotChecker:
    def __init__(self, snapshot: dict):
        self.snapshot = snapshot
        self.errors: list[str] = []
        self.codes = {name: self.codes_of(name, key) for name, key in _CODE_KEYS.items()}
        self.codes["destinations"] = self.codes["locations"] | self.codes["regions"]
        policy = snapshot.get("policy")
        weights = policy.get("priority_weights") if isinstance(policy, dict) else None
        self.priorities = {str(k) for k in weights} if isinstance(weights, dict) else set()

    def codes_of(self, section: str, key: str) -> set[str]:
        rows = self.snapshot.get(section)
        rows = rows if isinstance(rows, list) else []
        return {row[key] for row in rows if isinstance(row, dict) and isinstance(row.get(key), str)}

    def check_header(self) -> None:
        if self.snapshot.get("contract") != CONTRACT:
            self.errors.append(f"contract: must be {CONTRACT!r} (got {self.snapshot.get('contract')!r})")
        self.check_fields("", self.snapshot, {"plan_start": "time", "horizon_days": "qty"})
        policy = self.snapshot.get("policy")
        if not isinstance(policy, dict):
            self.errors.append("policy: must be an object")
            return
        self.check_fields("policy", policy, POLICY)
        weights = policy.get("priority_weights")
        if not isinstance(weights, dict) or not weights:
            self.errors.append("policy.priority_weights: must be a non-empty object")
            return
        for priority, weight in weights.items():
            self.check_value("", f"policy.priority_weights[{priority!r}]", weight, "amount")

    def check_section(self, section: str, fields: dict, unique: tuple, required: bool) -> None:
        rows = self.snapshot.get(section)
        if rows is None and not required:
            return
        if not isinstance(rows, list):
            self.errors.append(f"{section}: must be a list")
            return
        first_seen: dict[tuple, int] = {}
        for index, row in enumerate(rows):
            where = f"{section}[{index}]"
            if not isinstance(row, dict):
                self.errors.append(f"{where}: must be an object")
                continue
            self.check_fields(where, row, fields, _about(row))
            if unique:
                key = tuple(row.get(field) for field in unique)
                if key in first_seen:
                    names = ", ".join(unique)
                    self.errors.append(
                        f"{where}: same ({names}) as {section}[{first_seen[key]}]{_about(row)}"
                    )
                first_seen.setdefault(key, index)

    def check_fields(self, where: str, row: dict, fields: dict[str, str], about: str = "") -> None:
        for field, kind in fields.items():
            optional = kind.endswith("?")
            value = row.get(field)
            if value is None:
                if not optional:
                    self.errors.append(f"{_path(where, field)}: required, absent{about}")
                continue
            self.check_value(where, field, value, kind.rstrip("?"), about)

    def check_value(self, where: str, field: str, value, kind: str, about: str = "") -> None:
        path, got = _path(where, field), f" (got {value!r}{about})"
        if kind in KINDS:
            test, problem = KINDS[kind]
            if not test(value):
                self.errors.append(f"{path}: {problem}{got}")
        elif kind.startswith("@"):
            if value not in self.codes[kind[1:]]:
                self.errors.append(f"{path}: must be a code of {kind[1:]}{got}")
        elif kind == "priority":
            if str(value) not in self.priorities:
                self.errors.append(f"{path}: must be a priority of policy.priority_weights{got}")
        else:
            self.check_nested(path, value, kind)

    def check_nested(self, path: str, value, kind: str) -> None:
        """Lists inside a record: a resource's calendar, a route's components, an order's lines."""
        fields, unique = {"calendar": (CALENDAR_ENTRY, "date"), "components": (COMPONENT, None)}.get(
            kind, (ORDER_LINE, "line")
        )
        if not isinstance(value, list) or (kind == "lines" and not value):
            self.errors.append(f"{path}: must be a {'non-empty ' if kind == 'lines' else ''}list")
            return
        seen = set()
        for index, entry in enumerate(value):
            inner = f"{path}[{index}]"
            if not isinstance(entry, dict):
                self.errors.append(f"{inner}: must be an object")
                continue
            self.check_fields(inner, entry, fields)
            if unique and entry.get(unique) in seen:
                self.errors.append(
                    f"{inner}.{unique}: already used earlier in {path} (got {entry.get(unique)!r})"
                )
            seen.add(entry.get(unique) if unique else index)


_CODE_KEYS = {
    "items": "sku",
    "regions": "code",
    "locations": "code",
    "suppliers": "code",
    "resources": "code",
}


def _path(where: str, field: str) -> str:
    return f"{where}.{field}" if where else field


def _about(row: dict) -> str:
    """`; order 'SO-1'` for a record with an id, so that an error about an order names it."""
    return f"; order {row['id']!r}" if isinstance(row.get("id"), str) else ""
