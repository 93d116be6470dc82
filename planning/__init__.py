"""takt planning: the batch planner (`planning.solver`) and, beside it, the planning service."""
