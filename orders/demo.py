"""Demo data for customer orders: customers across channels and regions, and orders for the next
three weeks, mostly accepted (waiting to be planned), a few still pending."""

import random
from datetime import timedelta
from decimal import Decimal

from core.db import utcnow
from inventory.demo import FINISHED
from orders import service

# code, name, channel, default ship-to region
CUSTOMERS = [
    ("C-JD", "JD Retail", "retail", "north"),
    ("C-SUNING", "Suning Stores", "retail", "east"),
    ("C-TMALL", "Tmall Flagship", "marketplace", "east"),
    ("C-WEB", "takt web shop", "b2c", "south"),
    ("C-BANK", "Pearl River Bank IT", "b2b", "south"),
    ("C-UNI", "Sichuan University", "b2b", "west"),
    ("C-GOV", "Beijing Municipal Office", "b2b", "north"),
    ("C-STAFF", "Employee purchase", "internal", "west"),
]
ORDER_COUNT = 60
PENDING_EVERY = 8  # one order in eight is still pending review
REGIONS = ("north", "east", "south", "west")


def load_orders_demo(*, user_id: int, seed: int = 11) -> None:
    """8 customers and 60 orders of 1-4 lines over the next 3 weeks (most accepted, some pending)."""
    rng = random.Random(seed)
    for code, name, channel, region in CUSTOMERS:
        service.save_customer(code, {"name": name, "channel": channel, "region_code": region})
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    skus = [sku for sku, _ in FINISHED]
    for n in range(1, ORDER_COUNT + 1):
        customer = rng.choice(CUSTOMERS)
        order = service.create_order(
            number=f"SO-{1000 + n}",
            customer_code=customer[0],
            region_code=customer[3] if rng.random() < 0.8 else rng.choice(REGIONS),
            created_at=now - timedelta(hours=rng.randrange(1, 72)),
            requested_at=now + timedelta(hours=rng.randrange(6, 21 * 24)),
            priority=rng.choices((1, 2, 3), weights=(2, 5, 3))[0],
            ship_complete=rng.random() < 0.75,
            lines=[
                {"sku": sku, "quantity": Decimal(rng.randrange(1, 40))}
                for sku in rng.sample(skus, rng.randrange(1, 5))
            ],
        )
        if n % PENDING_EVERY:
            service.accept_order(number=order.number)
