"""Suppliers on takt: the supplier portal and what the suppliers tell the plan.

A supplier's users and tokens are bound to it (`access`); they acknowledge the purchase orders sent to
them (`acknowledge`), announce dispatches (`shipments`), propose new offer terms (`offers`) and read the
purchases the plan foresees (`forecast`). What they confirm rewrites the purchase receipts of the next
planning snapshot (`receipts`); a planner decides on their proposals and sees which orders a moved
purchase order puts at risk (`impact`).
"""
