"""The version of the planning contract (docs/contract.md) that takt writes and reads outside the solver.

The solver (`planning.solver`) imports nothing of takt, so it names the version itself; this is the one
name for everything else, and a test keeps the two equal.
"""

CONTRACT = "supply-plan/1"
