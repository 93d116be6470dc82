"""Demo data for production: lines at both plants, routes with bills of materials (the 65 W charger is
made in-house too, so notebooks, mini desktops and docks have a two-level bill), and a few orders."""

from datetime import timedelta
from decimal import Decimal

from core.db import utcnow
from procurement.production import service

# code, name, plant, hours per day
RESOURCES = [
    ("PL-HF-NB", "Hefei notebook line", "PL-HF", 16),
    ("PL-HF-MN", "Hefei monitor line", "PL-HF", 8),
    ("PL-HF-SUB", "Hefei subassembly cell", "PL-HF", 16),
    ("PL-WH-DT", "Wuhan desktop line", "PL-WH", 16),
    ("PL-WH-MN", "Wuhan monitor line", "PL-WH", 16),
    ("PL-WH-TB", "Wuhan tablet line", "PL-WH", 8),
]
NOTEBOOK = ["RAM-16", "CASE-NB", "KB-MOD", "PSU-65", "CARTON-M"]
MONITOR = ["STAND-M", "CABLE-C", "CARTON-L"]
# sku, resource, hours per unit, lead time hours, unit cost, setup hours, setup cost, components
ROUTES = [
    ("PSU-65", "PL-HF-SUB", 0.01, 8, 3, 0.5, 20, ["CABLE-C", "SCREW-K"]),
    ("DOCK-U", "PL-HF-SUB", 0.02, 12, 6, 0.5, 30, ["CABLE-C", "CABLE-C", "PSU-65", "CARTON-M"]),
    (
        "NB-14",
        "PL-HF-NB",
        0.02,
        24,
        15,
        1,
        80,
        ["BOARD-14", "CPU-I5", "SSD-512", "PANEL-14", "BAT-56", *NOTEBOOK],
    ),
    (
        "NB-16",
        "PL-HF-NB",
        0.025,
        24,
        18,
        1,
        80,
        ["BOARD-16", "CPU-I7", "SSD-1T", "PANEL-16", "BAT-72", *NOTEBOOK],
    ),
    (
        "NB-13X",
        "PL-HF-NB",
        0.03,
        30,
        22,
        1.5,
        120,
        ["BOARD-14", "CPU-I7", "SSD-1T", "PANEL-14", "BAT-56", *NOTEBOOK],
    ),
    (
        "DT-TW",
        "PL-WH-DT",
        0.03,
        16,
        12,
        1,
        60,
        [
            "BOARD-16",
            "CPU-I7",
            "RAM-16",
            "RAM-16",
            "SSD-1T",
            "CASE-DT",
            "PSU-500",
            "FAN-S",
            "FAN-S",
            "CARTON-L",
        ],
    ),
    (
        "DT-MINI",
        "PL-WH-DT",
        0.02,
        16,
        10,
        1,
        60,
        ["BOARD-14", "CPU-I5", "RAM-16", "SSD-512", "CASE-DT", "PSU-65", "FAN-S", "CARTON-M"],
    ),
    ("MN-24", "PL-HF-MN", 0.015, 12, 8, 0.5, 40, ["PANEL-24", *MONITOR]),
    ("MN-24", "PL-WH-MN", 0.015, 12, 7, 0.5, 40, ["PANEL-24", *MONITOR]),
    ("MN-27", "PL-WH-MN", 0.02, 12, 9, 0.5, 40, ["PANEL-27", *MONITOR]),
    (
        "TB-10",
        "PL-WH-TB",
        0.02,
        20,
        11,
        1,
        50,
        ["BOARD-14", "RAM-16", "SSD-512", "PANEL-14", "BAT-56", "CARTON-M"],
    ),
    (
        "TB-12",
        "PL-WH-TB",
        0.025,
        20,
        13,
        1,
        50,
        ["BOARD-14", "RAM-16", "SSD-1T", "PANEL-14", "BAT-72", "CARTON-M"],
    ),
]


def load_production_demo(*, user_id: int) -> None:
    """Six lines with a week of calendar exceptions, twelve routes, and three production orders."""
    for code, name, plant, hours in RESOURCES:
        service.save_resource(code, {"name": name, "location_code": plant, "hours_per_day": Decimal(hours)})
    today = utcnow().date()
    service.replace_calendar(code="PL-WH-DT", days=[{"day": today + timedelta(days=3), "hours": Decimal(0)}])
    service.replace_calendar(code="PL-HF-NB", days=[{"day": today + timedelta(days=1), "hours": Decimal(20)}])
    service.upsert_routes([_route(*row) for row in ROUTES])
    _orders(user_id)


def _route(sku, resource, hours_per_unit, lead, cost, setup_hours, setup_cost, components) -> dict:
    return {
        "sku": sku,
        "resource": resource,
        "hours_per_unit": Decimal(str(hours_per_unit)),
        "lead_time_hours": Decimal(lead),
        "unit_cost": Decimal(cost),
        "setup_hours": Decimal(str(setup_hours)),
        "setup_cost": Decimal(setup_cost),
        "components": [
            {"sku": sku, "qty_per": Decimal(components.count(sku))} for sku in dict.fromkeys(components)
        ],
    }


def _orders(user_id: int) -> None:
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    running = service.create_production_order(
        sku="PSU-65",
        resource="PL-HF-SUB",
        qty=Decimal(50),
        start_at=now - timedelta(hours=2),
        user_id=user_id,
    )
    service.start_production_order(number=running.number, user_id=user_id)
    service.create_production_order(
        sku="MN-24", resource="PL-WH-MN", qty=Decimal(100), start_at=now + timedelta(days=6), user_id=user_id
    )
    service.create_production_order(
        sku="NB-14",
        resource="PL-HF-NB",
        qty=Decimal(50),
        start_at=now + timedelta(days=4),
        user_id=user_id,
        status="proposed",
    )
