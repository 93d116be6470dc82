"""Planning: the planning snapshot (`snapshot`), the contract version (`contract`), planning runs with
their plans and release (`planning.runs`), webhooks, the planner's pages and the solver (`planning.solver`,
which imports nothing of takt outside itself). The orders it plans live in `orders/`."""
