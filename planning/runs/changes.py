"""What changed between two plans, and the supply behind an order's promise (pure functions on plan JSON).

Proposal ids are the solver's own and are not stable from run to run, so proposals are compared by
what they are: (supplier, sku, location, qty, receive day) for purchases and (resource, sku, qty,
start day) for production.
"""

from datetime import datetime

from core.formats import parse_time

BROKEN_AFTER_HOURS = 1 / 3600  # a promise kept to the second is kept (the contract's tolerance)


def promise_move(was_status: str, now: object, hours: float | None) -> tuple[str, bool]:
    """How an order's promise moved from one plan to the next: `later`, `earlier` or `status` (confirmed
    one time, not the other), and whether the earlier promise is broken (the order was confirmed and now is
    not, or is promised later than a second after it). `now`: the new promise (None if unconfirmed)."""
    direction = "later" if hours and hours > 0 else "earlier" if hours else "status"
    broken = was_status == "confirmed" and (now is None or (hours or 0) > BROKEN_AFTER_HOURS)
    return direction, broken


def _purchase_key(p: dict) -> tuple:
    return (p["supplier"], p["sku"], p["location"], float(p["qty"]), p["receive_at"][:10])


def _production_key(p: dict) -> tuple:
    return (p["resource"], p["sku"], float(p["qty"]), p["start_at"][:10])


def plan_changes(
    previous: dict, current: dict, *, previous_snapshot: dict | None = None, snapshot: dict | None = None
) -> dict:
    """Orders whose promise moved (hours, + later) or whose status changed; new and removed proposals.

    An order the previous plan did not have but that came with a promise given since (a held quote: its
    `confirmed_promise_at` in the current run's `snapshot`) is compared with that promise; `broken` marks a
    promise the current plan does not keep. Given both runs' snapshots, also the receipts that now arrive
    later (a supplier moved its purchase order), and for each order whose promise moved, those of them its
    previous promise relied on."""
    before = {c["order_id"]: c for c in previous.get("confirmations") or []}
    for order in (snapshot or {}).get("orders") or []:
        if order["id"] not in before and order.get("confirmed_promise_at"):
            before[order["id"]] = {"status": "confirmed", "promised_at": order["confirmed_promise_at"]}
    moved = []
    for conf in current.get("confirmations") or []:
        old = before.get(conf["order_id"])
        if old is None or (old["status"], old.get("promised_at")) == (
            conf["status"],
            conf.get("promised_at"),
        ):
            continue
        was, now = parse_time(old.get("promised_at")), parse_time(conf.get("promised_at"))
        hours = (now - was).total_seconds() / 3600 if was and now else None
        direction, broken = promise_move(old["status"], now, hours)
        moved.append(
            {
                "order": conf["order_id"],
                "was": old.get("promised_at") or old["status"],
                "now": conf.get("promised_at") or conf["status"],
                "hours": hours,
                "direction": direction,
                "broken": broken,
            }
        )
    receipts = moved_receipts(previous_snapshot or {}, snapshot or {})
    if receipts:
        for change in moved:
            change["because"] = _relied_on(previous, previous_snapshot, change["order"], receipts)
    return {
        "orders": moved,
        "receipts": receipts,
        "purchases": _diff(previous.get("procurement"), current.get("procurement"), _purchase_key),
        "production": _diff(previous.get("production"), current.get("production"), _production_key),
    }


def _document_ref(ref: str) -> str:
    """The document line a receipt ref stands for: `PO-55/1#2` and `PO-55/1@ASN-7` are `PO-55/1`."""
    return ref.split("#")[0].split("@")[0]


def moved_receipts(previous_snapshot: dict, snapshot: dict) -> list[dict]:
    """Document lines whose goods (their last part) now arrive later than in the previous snapshot."""

    def last_arrivals(snap: dict) -> dict[str, str]:
        latest: dict[str, str] = {}
        for r in snap.get("receipts") or []:
            ref = _document_ref(r["ref"])
            latest[ref] = max(latest.get(ref, r["arrive_at"]), r["arrive_at"])
        return latest

    before, now = last_arrivals(previous_snapshot), last_arrivals(snapshot)
    moved = []
    for ref, was in sorted(before.items()):
        if ref in now and now[ref] > was:
            hours = (parse_time(now[ref]) - parse_time(was)).total_seconds() / 3600
            moved.append({"ref": ref, "was": was, "now": now[ref], "hours": hours})
    return moved


def relied_on(plan: dict, snapshot: dict, orders: list[str], receipts: list[dict]) -> dict[str, list[str]]:
    """For each of `orders` whose promise in `plan` relied on moved receipts, those receipts."""
    return {o: found for o in orders if (found := _relied_on(plan, snapshot, o, receipts))}


def _relied_on(plan: dict, snapshot: dict, order_id: str, receipts: list[dict]) -> list[str]:
    """The moved receipts found in the supply chain of the order's promise in `plan`."""
    refs = {r["ref"] for r in receipts}
    found: list[str] = []

    def walk(steps: list[dict]) -> None:
        for step in steps:
            text = step["step"]
            if text.startswith("receipt "):
                ref = _document_ref(text.removeprefix("receipt ").split(":")[0])
                if ref in refs and ref not in found:
                    found.append(ref)
            walk(step["feeds"])

    walk(supply_chain(plan, snapshot, order_id))
    return found


def _diff(old_rows, new_rows, key) -> dict:
    old = {key(r): r for r in old_rows or []}
    new = {key(r): r for r in new_rows or []}
    return {
        "new": [r for k, r in new.items() if k not in old],
        "removed": [r for k, r in old.items() if k not in new],
    }


def supply_chain(plan: dict, snapshot: dict, order_id: str, *, depth: int = 3) -> list[dict]:
    """The planned supply that can feed each delivery of an order: what arrives at the delivery's
    location, of its sku, before it departs (transfers, production, purchases), followed upstream."""
    conf = next((c for c in plan.get("confirmations") or [] if c["order_id"] == order_id), None)
    if conf is None:
        return []
    chain = []
    for line in conf.get("lines") or []:
        for d in line["deliveries"]:
            chain.append(
                {
                    "step": f"deliver {d['qty']:g} {line['sku']} from {d['from']} by {d['mode']}",
                    "at": d["depart_at"],
                    "feeds": _feeding(
                        plan, snapshot, line["sku"], d["from"], parse_time(d["depart_at"]), depth
                    ),
                }
            )
    return chain


def _feeding(plan: dict, snapshot: dict, sku: str, location: str, by: datetime, depth: int) -> list[dict]:
    if depth == 0:
        return []
    plants = {r["code"]: r["location"] for r in snapshot.get("resources") or []}
    routes = {(r["sku"], r["resource"]): r for r in snapshot.get("routes") or []}
    steps = []
    for s in snapshot.get("stock") or []:
        if (s["sku"], s["location"]) == (sku, location) and s["on_hand"] > 0:
            steps.append({"step": f"{s['on_hand']:g} {sku} on hand at {location}", "at": None, "feeds": []})
    for r in snapshot.get("receipts") or []:
        if (r["sku"], r["location"]) == (sku, location) and parse_time(r["arrive_at"]) <= by:
            steps.append(
                {"step": f"receipt {r['ref']}: {r['qty']:g} {sku}", "at": r["arrive_at"], "feeds": []}
            )
    for p in plan.get("procurement") or []:
        if (p["sku"], p["location"]) == (sku, location) and parse_time(p["receive_at"]) <= by:
            text = f"purchase {p['id']}: {p['qty']:g} {sku} from {p['supplier']}"
            steps.append({"step": text, "at": p["receive_at"], "feeds": []})
    for p in plan.get("production") or []:
        if p["sku"] == sku and plants.get(p["resource"]) == location and parse_time(p["end_at"]) <= by:
            components = routes.get((sku, p["resource"]), {}).get("components") or []
            feeds = [
                f
                for c in components
                for f in _feeding(plan, snapshot, c["sku"], location, parse_time(p["start_at"]), depth - 1)
            ]
            text = f"production {p['id']}: {p['qty']:g} {sku} on {p['resource']}"
            steps.append({"step": text, "at": p["end_at"], "feeds": feeds})
    for t in plan.get("transfers") or []:
        if (t["sku"], t["to"]) == (sku, location) and parse_time(t["arrive_at"]) <= by:
            feeds = _feeding(plan, snapshot, sku, t["from"], parse_time(t["depart_at"]), depth - 1)
            text = f"transfer {t['id']}: {t['qty']:g} {sku} from {t['from']} by {t['mode']}"
            steps.append({"step": text, "at": t["arrive_at"], "feeds": feeds})
    return steps
