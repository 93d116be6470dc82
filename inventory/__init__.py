"""Inventory: items, regions and locations, stock balances and the append-only stock ledger.

`service` holds master data, posting movements (the one way stock changes), reservations and the stock
queries; `movements` the movement kinds as one table (places, quantity rule, balance change, may use
reserved stock) and the typed `MovementSpec` a movement is posted from; `ledger` the set-wise writes
(balances locked, movements and entries inserted, a few statements per document); `checkpoints` every
balance's on hand at instants, from which stock as of an instant is read; `count_jobs` large counts
applied in chunks."""
