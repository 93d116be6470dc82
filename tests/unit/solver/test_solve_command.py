"""`python -m planning solve SNAPSHOT -o PLAN` writes the plan and prints a one-line summary."""

from __future__ import annotations

import json

from planning.__main__ import main
from tests.unit.solver.conftest import order, snapshot


def test_solve_command_writes_a_plan_and_a_summary(tmp_path, capsys, verify):
    snap = snapshot(stock=[{"sku": "NB-14", "location": "WH-N", "on_hand": 20}], orders=[order("SO-1")])
    source, target = tmp_path / "snapshot.json", tmp_path / "plan.json"
    source.write_text(json.dumps(snap))
    assert main(["solve", str(source), "-o", str(target), "--time-limit", "5"]) == 0
    summary = capsys.readouterr().out.strip()
    assert summary.startswith("orders=1 confirmed=1 on_time=0 cost=") and "status=" in summary
    assert "\n" not in summary
    assert verify(snap, json.loads(target.read_text()))["valid"]
