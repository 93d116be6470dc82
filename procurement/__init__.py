"""Purchasing: suppliers, their supply offers and purchase orders (production lives in `production/`)."""
