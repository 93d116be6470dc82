"""Demo data for purchasing: suppliers, their offers for the demo materials and traded goods, open POs."""

from datetime import timedelta
from decimal import Decimal

from core.db import utcnow
from procurement import service

SUPPLIERS = [
    ("SUP-SZ", "Shenzhen Boards"),
    ("SUP-TW", "Hsinchu Silicon"),
    ("SUP-KS", "Kunshan Panels"),
    ("SUP-DG", "Dongguan Parts"),
    ("SUP-NB", "Ningbo Packaging"),
    ("SUP-XM", "Xiamen Peripherals"),
]
# supplier, skus, lead time (hours), unit cost, order cost, min qty, multiple, capacity per day
MATERIAL_OFFERS = [
    ("SUP-SZ", ["BOARD-14", "BOARD-16"], 168, 42, 200, 100, 50, 2000),
    ("SUP-TW", ["CPU-I5", "CPU-I7"], 336, 180, 500, 50, 10, 1000),
    ("SUP-TW", ["RAM-16", "SSD-512", "SSD-1T"], 240, 38, 300, 100, 25, 3000),
    ("SUP-KS", ["PANEL-14", "PANEL-16", "PANEL-24", "PANEL-27"], 192, 55, 250, 50, 10, 1500),
    (
        "SUP-DG",
        ["BAT-56", "BAT-72", "CASE-NB", "CASE-DT", "PSU-500", "FAN-S", "KB-MOD", "PSU-65"],
        96,
        12,
        120,
        100,
        None,
        None,
    ),
    ("SUP-DG", ["CABLE-C", "SCREW-K", "STAND-M"], 72, 2, 60, 200, 100, None),
    ("SUP-NB", ["CARTON-M", "CARTON-L"], 48, 1, 40, 500, 250, 10000),
]
TRADED = ["MN-32C", "KB-W", "MS-W", "HS-PRO", "PR-LZ", "RT-AX", "CAM-4K", "SP-BT"]
WAREHOUSES = ["WH-BJ", "WH-SH", "WH-GZ", "WH-CD"]


def load_procurement_demo(*, user_id: int) -> None:
    """Six suppliers, offers to both plants and the distribution centres, and three open POs."""
    for code, name in SUPPLIERS:
        service.save_supplier(code, {"name": name})
    rows = [
        _offer(supplier, sku, plant, lead, cost, order_cost, min_qty, multiple, capacity)
        for supplier, skus, lead, cost, order_cost, min_qty, multiple, capacity in MATERIAL_OFFERS
        for sku in skus
        for plant in ("PL-HF", "PL-WH")
    ]
    rows += [_offer("SUP-XM", sku, wh, 120, 25, 150, 20, 10, 800) for sku in TRADED for wh in WAREHOUSES]
    service.upsert_offers(rows)
    _open_orders(user_id)


def _offer(supplier, sku, location, lead, cost, order_cost, min_qty, multiple, capacity) -> dict:
    return {
        "supplier": supplier,
        "sku": sku,
        "location": location,
        "lead_time_hours": Decimal(lead),
        "unit_cost": Decimal(cost),
        "order_cost": Decimal(order_cost),
        "min_qty": Decimal(min_qty),
        "multiple": Decimal(multiple) if multiple else None,
        "capacity_per_day": Decimal(capacity) if capacity else None,
    }


def _open_orders(user_id: int) -> None:
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    boards = service.create_purchase_order(
        supplier="SUP-SZ",
        location="PL-HF",
        lines=[{"sku": "BOARD-14", "qty": Decimal(500)}, {"sku": "BOARD-16", "qty": Decimal(300)}],
        receive_at=now + timedelta(days=3),
        user_id=user_id,
    )
    service.receive_purchase_order_line(number=boards.number, line_no=1, qty=Decimal(200), user_id=user_id)
    service.create_purchase_order(
        supplier="SUP-KS",
        location="PL-WH",
        lines=[{"sku": "PANEL-24", "qty": Decimal(400)}, {"sku": "PANEL-27", "qty": Decimal(250)}],
        receive_at=now + timedelta(days=5),
        user_id=user_id,
    )
    service.create_purchase_order(
        supplier="SUP-XM",
        location="WH-SH",
        lines=[{"sku": "HS-PRO", "qty": Decimal(100)}],
        receive_at=now + timedelta(days=6),
        user_id=user_id,
        status="proposed",
    )
