"""Inventory: items, regions and locations, stock balances and the append-only stock ledger."""
