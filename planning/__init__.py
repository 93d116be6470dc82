"""Planning: the planning snapshot, planning runs and their release, webhooks, the planner's pages and
the solver (`planning.solver`). The orders it plans live in `orders/`."""
