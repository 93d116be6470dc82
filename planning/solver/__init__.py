"""takt's batch planner: `solve(snapshot) -> plan`, both plain data in the `supply-plan/1` shape."""

from planning.solver.solve import solve, solve_baseline

__all__ = ["solve", "solve_baseline"]
