"""What changed between two plans, and the supply behind an order's promise (pure functions on plan JSON).

Proposal ids are the solver's own and are not stable from run to run, so proposals are compared by
what they are: (supplier, sku, location, qty, receive day) for purchases and (resource, sku, qty,
start day) for production.
"""

from datetime import datetime

from core.formats import parse_time


def _purchase_key(p: dict) -> tuple:
    return (p["supplier"], p["sku"], p["location"], float(p["qty"]), p["receive_at"][:10])


def _production_key(p: dict) -> tuple:
    return (p["resource"], p["sku"], float(p["qty"]), p["start_at"][:10])


def plan_changes(previous: dict, current: dict) -> dict:
    """Orders whose promise moved (hours, + later) or whose status changed; new and removed proposals."""
    before = {c["order_id"]: c for c in previous.get("confirmations") or []}
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
        moved.append(
            {
                "order": conf["order_id"],
                "was": old.get("promised_at") or old["status"],
                "now": conf.get("promised_at") or conf["status"],
                "hours": hours,
                "direction": "later" if hours and hours > 0 else "earlier" if hours else "status",
            }
        )
    return {
        "orders": moved,
        "purchases": _diff(previous.get("procurement"), current.get("procurement"), _purchase_key),
        "production": _diff(previous.get("production"), current.get("production"), _production_key),
    }


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
