"""Logistics: lanes, shipments (transfer, delivery, inbound) and their tracking events."""
