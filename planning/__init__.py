"""Planning: customer orders, the planning snapshot, planning runs and the solver (`planning.solver`)."""
