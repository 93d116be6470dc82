"""Demo data for inventory: a small company's regions, sites, items and opening stock."""

import random
from decimal import Decimal

from inventory import service
from inventory.movements import MovementSpec

REGIONS = [("north", "North"), ("east", "East"), ("south", "South"), ("west", "West")]
# code, name, kind, region, latitude, longitude
LOCATIONS = [
    ("WH-BJ", "Beijing DC", "warehouse", "north", 39.90, 116.40),
    ("WH-SH", "Shanghai DC", "warehouse", "east", 31.23, 121.47),
    ("WH-GZ", "Guangzhou DC", "warehouse", "south", 23.13, 113.26),
    ("WH-CD", "Chengdu DC", "warehouse", "west", 30.57, 104.07),
    ("WH-TJ", "Tianjin overflow", "warehouse", "north", 39.34, 117.36),
    ("PL-HF", "Hefei plant", "plant", "east", 31.82, 117.23),
    ("PL-WH", "Wuhan plant", "plant", "west", 30.59, 114.31),
]
FINISHED = [
    ("NB-14", "14-inch notebook"),
    ("NB-16", "16-inch notebook"),
    ("NB-13X", "13-inch ultralight"),
    ("DT-TW", "tower desktop"),
    ("DT-MINI", "mini desktop"),
    ("MN-24", "24-inch monitor"),
    ("MN-27", "27-inch monitor"),
    ("MN-32C", "32-inch curved monitor"),
    ("TB-10", "10-inch tablet"),
    ("TB-12", "12-inch tablet"),
    ("DOCK-U", "USB-C dock"),
    ("KB-W", "wireless keyboard"),
    ("MS-W", "wireless mouse"),
    ("HS-PRO", "pro headset"),
    ("PR-LZ", "laser printer"),
    ("RT-AX", "Wi-Fi router"),
    ("CAM-4K", "4K webcam"),
    ("SP-BT", "bluetooth speaker"),
]
MATERIALS = [
    ("BOARD-14", "14-inch mainboard"),
    ("BOARD-16", "16-inch mainboard"),
    ("CPU-I5", "CPU i5"),
    ("CPU-I7", "CPU i7"),
    ("RAM-16", "16 GB memory"),
    ("SSD-512", "512 GB SSD"),
    ("SSD-1T", "1 TB SSD"),
    ("PANEL-14", "14-inch panel"),
    ("PANEL-16", "16-inch panel"),
    ("PANEL-24", "24-inch panel"),
    ("PANEL-27", "27-inch panel"),
    ("BAT-56", "56 Wh battery"),
    ("BAT-72", "72 Wh battery"),
    ("CASE-NB", "notebook housing"),
    ("CASE-DT", "desktop case"),
    ("PSU-500", "500 W power supply"),
    ("FAN-S", "small fan"),
    ("KB-MOD", "keyboard module"),
    ("CABLE-C", "USB-C cable"),
    ("CARTON-M", "medium carton"),
    ("CARTON-L", "large carton"),
    ("SCREW-K", "screw kit"),
]
BOTH = [("PSU-65", "65 W charger"), ("STAND-M", "monitor stand")]
# holding cost per unit and day, by kind: finished goods are worth far more than most materials
HOLDING = {"finished": (0.02, 0.25), "material": (0.001, 0.02), "both": (0.005, 0.05)}


def load_inventory_demo(*, user_id: int, seed: int = 7) -> None:
    """Regions, 7 locations, 42 items and opening stock (posted as ledger receipts)."""
    rng = random.Random(seed)
    for code, name in REGIONS:
        service.save_region(code, {"name": name})
    for code, name, kind, region, lat, lon in LOCATIONS:
        service.save_location(
            code, {"name": name, "kind": kind, "region_code": region, "latitude": lat, "longitude": lon}
        )
    for kind, rows in (("finished", FINISHED), ("material", MATERIALS), ("both", BOTH)):
        for sku, name in rows:
            low, high = HOLDING[kind]
            cost = Decimal(str(round(low + (high - low) * rng.random(), 3)))
            whole = kind == "finished"  # notebooks and monitors come in pieces
            service.save_item(
                sku, {"name": name, "kind": kind, "holding_cost_per_day": cost, "whole_units": whole}
            )
    receipts = []
    # finished goods cover about a third of the demo orders: the rest is made, bought or moved
    for sku, _ in FINISHED + BOTH:
        for code in ("WH-BJ", "WH-SH", "WH-GZ", "WH-CD", "WH-TJ"):
            if rng.random() < 0.55:
                receipts.append(_receipt(sku, code, rng.randrange(5, 200) // 4 + 2))
    for sku, _ in MATERIALS + BOTH:
        for code in ("PL-HF", "PL-WH"):
            if rng.random() < 0.7:
                receipts.append(_receipt(sku, code, rng.randrange(50, 2000)))
    service.post_movements(receipts, user_id=user_id)


def _receipt(sku: str, location: str, qty: int) -> MovementSpec:
    return MovementSpec(
        kind="receipt",
        sku=sku,
        location=location,
        quantity=Decimal(qty),
        reason="opening stock",
        reference_type="free",
        reference="DEMO-OPENING",
    )
