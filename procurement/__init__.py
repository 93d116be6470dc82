"""Purchasing: suppliers, their supply offers and purchase orders (production lives in `production/`).

Purchase and production orders follow `core.lifecycle`: each service keeps its transitions table."""
