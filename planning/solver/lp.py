"""A linear (mixed-integer) model built as plain arrays and handed to HiGHS through MathOpt in one piece.

MathOpt's Python `Model` stores every variable, bound and coefficient through a call into its C++ model as it
is added; the batch model of generate.py's medium network (668,000 variables, 1.7 million coefficients) took
49 s to build that way, most of it in those calls. Here the model is Python lists and dicts while it is built
and becomes one `ModelProto` (repeated fields filled from lists) when it is solved, which MathOpt's solver
takes as it is: the same HiGHS, the same parameters, the same result.

Variables are indices (ints), so a model's tables (`Model.buy`, ...) and a solution's values (a list by
index) need nothing from OR-Tools.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from ortools.math_opt import (
    model_parameters_pb2,
    model_pb2,
    result_pb2,
    solution_pb2,
    sparse_containers_pb2,
)
from ortools.math_opt.core.python import solver as core_solver
from ortools.math_opt.python import mathopt

INF = math.inf


class Row(dict):
    """A constraint's coefficients by variable (its bounds are the model's)."""

    __slots__ = ()
    set_coefficient = dict.__setitem__

    def get_coefficient(self, var: int) -> float:
        return self.get(var, 0.0)


class LinearModel:
    """Variables with bounds and integrality, rows with bounds and coefficients, a linear objective to
    minimise."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[Row] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.objective: dict[int, float] = {}

    def add_variable(self, lb: float = 0.0, ub: float = INF, integer: bool = False) -> int:
        self.lower.append(lb)
        self.upper.append(ub)
        self.integer.append(integer)
        return len(self.lower) - 1

    def add_binary_variable(self) -> int:
        return self.add_variable(0.0, 1.0, True)

    def add_integer_variable(self, lb: float = 0.0, ub: float = INF) -> int:
        return self.add_variable(lb, ub, True)

    def add_linear_constraint(self, lb: float = -INF, ub: float = INF, terms: dict | None = None) -> Row:
        """A row `lb <= sum(coef * var) <= ub` (coefficients from `terms`, or set on the row afterwards)."""
        row = Row(terms or ())
        self.rows.append(row)
        self.row_lower.append(lb)
        self.row_upper.append(ub)
        return row

    @property
    def num_variables(self) -> int:
        return len(self.lower)

    def relax(self) -> None:
        """Drop integrality (the LP relaxation)."""
        self.integer = [False] * len(self.integer)

    def to_proto(self) -> model_pb2.ModelProto:
        proto = model_pb2.ModelProto(name="takt")
        variables = proto.variables
        variables.ids.extend(range(len(self.lower)))
        variables.lower_bounds.extend(self.lower)
        variables.upper_bounds.extend(self.upper)
        variables.integers.extend(self.integer)
        ids = sorted(v for v, c in self.objective.items() if c)
        proto.objective.linear_coefficients.ids.extend(ids)
        proto.objective.linear_coefficients.values.extend(self.objective[v] for v in ids)
        rows = proto.linear_constraints
        rows.ids.extend(range(len(self.rows)))
        rows.lower_bounds.extend(self.row_lower)
        rows.upper_bounds.extend(self.row_upper)
        row_ids: list[int] = []
        column_ids: list[int] = []
        coefficients: list[float] = []
        for r, row in enumerate(self.rows):
            columns = sorted(v for v, c in row.items() if c)
            row_ids.extend([r] * len(columns))
            column_ids.extend(columns)
            coefficients.extend(row[v] for v in columns)
        matrix = proto.linear_constraint_matrix
        matrix.row_ids.extend(row_ids)
        matrix.column_ids.extend(column_ids)
        matrix.coefficients.extend(coefficients)
        return proto


@dataclass
class Result:
    """What a solve found: whether it is proven optimal, the best solution's values by variable (None when
    it found none), its objective and the proven dual bound."""

    optimal: bool
    values: list[float] | None
    objective: float
    bound: float


def solve(
    model: LinearModel,
    time_limit_s: float,
    *,
    relative_gap: float | None = None,
    start: list[float] | None = None,
) -> Result | None:
    """Solve with HiGHS within the time limit (None when the solve failed: MathOpt's HiGHS wrapper fails
    now and then at a time limit, and its own error translation then raises AttributeError).

    `start`, a value for every variable, is handed to HiGHS as its first incumbent (MathOpt's solution hint,
    HiGHS's `setSolution`): HiGHS takes it only if it is a solution of the model (an infeasible one is dropped
    without a word), then improves on it. Measured on a generated small network's plan model: the model's
    own 20 s solution as the start, a 2 s solve returned it; without, none."""
    params = mathopt.SolveParameters(time_limit=timedelta(seconds=max(0.05, time_limit_s)))
    if relative_gap is not None:
        params.relative_gap_tolerance = relative_gap
    model_params = model_parameters_pb2.ModelSolveParametersProto()
    if start is not None:
        model_params.solution_hints.append(
            model_parameters_pb2.SolutionHintProto(
                variable_values=sparse_containers_pb2.SparseDoubleVectorProto(
                    ids=range(len(start)), values=start
                )
            )
        )
    try:
        result = core_solver.solve(
            model.to_proto(),
            mathopt.SolverType.HIGHS.value,
            mathopt.StreamableSolverInitArguments().to_proto(),
            params.to_proto(),
            model_params,
            None,
            mathopt.CallbackRegistration().to_proto(),
            None,
            None,
        )
    except Exception:
        return None
    termination = result.termination
    optimal = termination.reason == result_pb2.TERMINATION_REASON_OPTIMAL
    bound = termination.objective_bounds.dual_bound
    for solution in result.solutions:
        primal = solution.primal_solution
        if primal.feasibility_status == solution_pb2.SOLUTION_STATUS_FEASIBLE:
            values = [0.0] * len(model.lower)
            for v, x in zip(primal.variable_values.ids, primal.variable_values.values, strict=True):
                values[v] = x
            return Result(optimal, values, primal.objective_value, bound)
    return Result(optimal, None, INF, bound)
