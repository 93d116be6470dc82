"""A snapshot splits into independent parts, planned alone and merged: a batch of N independent networks costs
exactly the sum of each planned alone, with the same promises."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time

import pytest

from planning.solver import solve
from planning.solver.baseline import priority_sequence, promise_in_sequence
from planning.solver.contract import parse_snapshot
from planning.solver.decompose import combined, prefixed, split
from planning.solver.part import PASSES
from tests.unit.solver.conftest import by_order, order, plant_snapshot, snapshot


def combined_copies(snap: dict, copies: int) -> dict:
    return combined([prefixed(snap, f"N{i}-") for i in range(copies)])


def plant_network() -> dict:
    """A plant making NB-14 on a line with setups, orders over a week, PART bought as an alternative."""
    orders = [
        order(f"SO-{i}", 4 + i, region="east", priority=1 + i % 3, requested=f"2026-11-2{4 + i}T06:00:00Z")
        for i in range(5)
    ]
    snap = plant_snapshot(orders, hours_per_unit=0.5, setup_hours=1, setup_cost=60)
    snap["supply_offers"] = [
        {"supplier": "SUP-A", "sku": "PART", "location": "PL-E", "lead_time_hours": 48, "unit_cost": 3}
    ]
    snap["stock"] = [{"sku": "PART", "location": "PL-E", "on_hand": 12}]
    return snap


@pytest.mark.parametrize("workers", [1, 2])
def test_n_renamed_copies_cost_n_times_one_with_the_same_promises(verify, workers):
    one = plant_network()
    alone = solve(one, time_limit_s=10)
    batch = combined_copies(one, 4)
    assert len(split(batch)) == 4
    planned = solve(batch, time_limit_s=20, workers=workers)
    report = verify(batch, planned)
    assert report["valid"], report["violations"][:3]
    assert report["cost"]["total"] == pytest.approx(4 * verify(one, alone)["cost"]["total"], rel=1e-9)
    assert planned["solver"]["objective"] == pytest.approx(report["cost"]["total"], rel=1e-9)
    promises = by_order(planned)
    for c in alone["confirmations"]:
        for i in range(4):
            assert promises[f"N{i}-{c['order_id']}"]["promised_at"] == c["promised_at"]
    assert planned["solver"]["parts"] == 4
    assert planned["solver"]["optimal_parts"] == (4 if alone["solver"]["status"] == "optimal" else 0)


def test_a_generated_batch_of_copies_is_planned_validly_and_no_worse_than_its_networks_greedy(
    generate, verify
):
    one = generate(orders=15, skus=12, locations=3, suppliers=2, plants=1, seed=11)
    parsed = parse_snapshot(one)
    greedy = promise_in_sequence(parsed, priority_sequence(parsed), PASSES["cost-aware greedy"], name="g")
    batch = combined_copies(one, 3)
    planned = verify(batch, solve(batch, time_limit_s=30))
    assert planned["valid"], planned["violations"][:3]
    # each network keeps at least its greedy plan (how far the MIP gets beyond it varies with the load)
    assert planned["cost"]["total"] <= 3 * greedy.cost * (1 + 1e-9)


def two_skus(**lane) -> dict:
    """NB-14 and PART both stocked at WH-N and ordered in north, on one truck lane."""
    lanes = [{"from": "WH-N", "to": "north", "mode": "truck", "transit_hours": 6, "unit_cost": 1.0, **lane}]
    return snapshot(
        stock=[
            {"sku": "NB-14", "location": "WH-N", "on_hand": 5},
            {"sku": "PART", "location": "WH-N", "on_hand": 5},
        ],
        lanes=lanes,
        orders=[order("SO-1", 3, sku="NB-14"), order("SO-2", 3, sku="PART")],
    )


def test_goods_that_share_nothing_are_separate_parts():
    parts = split(two_skus())
    assert sorted(len(p["orders"]) for p in parts) == [1, 1]
    assert all(len(p["lanes"]) == 1 for p in parts)  # an uncapped lane serves both


def test_a_capped_lane_an_order_or_a_resource_joins_what_uses_it():
    assert len(split(two_skus(capacity_per_day=4))) == 1
    both = two_skus()
    both["orders"] = [
        order("SO-1", lines=[{"line": "1", "sku": "NB-14", "qty": 1}, {"line": "2", "sku": "PART", "qty": 1}])
    ]
    assert len(split(both)) == 1
    plant = plant_snapshot([order("SO-1", 3, region="east")], hours_per_unit=0.1)
    plant["routes"].append({**plant["routes"][0], "sku": "PART", "components": []})
    plant["orders"].append(order("SO-2", 3, region="east", sku="PART"))
    assert len(split(plant)) == 1  # one line makes both


def test_every_row_lands_in_exactly_one_part(generate):
    batch = combined_copies(generate(orders=12, skus=10, locations=3, suppliers=2, plants=1, seed=4), 3)
    parts = split(batch)
    for section in ("stock", "receipts", "supply_offers", "routes", "resources", "orders"):
        rows = sorted(str(r) for p in parts for r in p[section])
        assert rows == sorted(str(r) for r in batch[section]), section


def _children() -> list[int]:
    """This process's child processes (Linux)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds worker processes through /proc")
def test_a_worker_killed_mid_run_costs_time_not_the_plan(generate, verify):
    networks = [generate(orders=40, skus=10, locations=3, suppliers=2, plants=1, seed=s) for s in range(10)]
    batch = combined([prefixed(network, f"K{i}-") for i, network in enumerate(networks)])
    killed = []

    def kill_one(workers: list[int]) -> None:
        time.sleep(1.0)
        os.kill(workers[0], signal.SIGKILL)
        killed.append(workers[0])

    watcher = _when_workers(lambda: True, kill_one, every_s=0.2)
    plan = solve(batch, time_limit_s=40, workers=2)
    watcher.join()
    assert killed, "no worker process was seen"
    report = verify(batch, plan)
    assert report["valid"], report["violations"][:3]
    assert not [c for c in plan["confirmations"] if c["explanation"].startswith("not planned")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds worker processes through /proc")
def test_a_worker_that_never_returns_leaves_its_best_plan_so_far(generate, verify, tmp_path, monkeypatch):
    import planning.solver.parallel as parallel

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where this run's workers write first plans
    monkeypatch.setattr(parallel, "INLINE_WORK", 0)  # small parts too go to workers
    networks = [generate(orders=40, skus=10, locations=3, suppliers=2, plants=1, seed=s) for s in (3, 4)]
    batch = combined([prefixed(network, f"F{i}-") for i, network in enumerate(networks)])
    frozen, parts = [], len(split(batch))

    def freeze(workers: list[int]) -> None:
        """Every part has a first plan: the workers stop dead (as if hung)."""
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        frozen.extend(workers)

    watcher = _when_workers(lambda: len(list(tmp_path.glob("takt-parts-*/part-*.json"))) >= parts, freeze)
    plan = solve(batch, time_limit_s=25, workers=2)
    watcher.join()
    assert frozen, "the workers were not seen writing their first plans"
    report = verify(batch, plan)
    assert report["valid"], report["violations"][:3]
    assert not [c for c in plan["confirmations"] if c["explanation"].startswith("not planned")]
    assert plan["solver"]["status"] != "optimal"  # the frozen parts' plans are not proven
    assert not [pid for pid in _children() if _is_worker(pid)], "a frozen worker was left behind"


def _when_workers(ready, act, *, within_s: float = 20.0, every_s: float = 0.05) -> threading.Thread:
    """A started thread that, as soon as this process has pool workers and `ready()` holds, calls
    `act(workers)` once (and gives up after `within_s`)."""

    def watch() -> None:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            workers = [pid for pid in _children() if _is_worker(pid)]
            if workers and ready():
                act(workers)
                return
            time.sleep(every_s)

    thread = threading.Thread(target=watch)
    thread.start()
    return thread


def _is_worker(pid: int) -> bool:
    """A worker of a process pool (not multiprocessing's resource tracker)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"spawn_main" in f.read()
    except OSError:
        return False


def test_the_second_round_gives_the_time_left_to_the_parts_with_most_at_stake(generate, verify):
    """After a first round of 1 s a part, the second round plans the parts whose cost is furthest above their
    bound again, from their first plans: no part dearer, no bound lower, the merged plan valid."""
    import time as clock

    from planning.solver.decompose import merge
    from planning.solver.parallel import run_parts
    from planning.solver.solve import second_round

    networks = [
        generate(orders=15, skus=8, locations=3, suppliers=2, plants=1, seed=s, tight=True) for s in (3, 4)
    ]
    snap = combined([prefixed(n, f"N{i}-") for i, n in enumerate(networks)])
    parts = split(snap)
    assert len(parts) == 2
    first = run_parts(parts, sizes=[1, 1], deadline=clock.monotonic() + 2, workers=1)
    reports = [dict(plan["solver"]) for plan in first]
    phases = []
    again = second_round(parts, first, clock.monotonic() + 8, 1, lambda phase, *_, **__: phases.append(phase))
    assert any(phase.startswith("second round:") for phase in phases)
    for before, after in zip(reports, again, strict=True):
        assert after["solver"]["objective"] <= before["objective"] + 1e-6
        assert after["solver"]["bound"] >= before["bound"] - 1e-6
    assert verify(snap, merge(snap, again))["valid"]


def test_a_part_that_is_more_than_half_the_batch_starts_first_then_the_others_small_first():
    from planning.solver.parallel import start_order

    assert start_order([3, 1, 1000, 2]) == [2, 1, 3, 0]
    assert start_order([1000, 900, 500]) == [2, 1, 0]  # none over half: small first


def test_parts_planned_one_after_another_go_small_first_so_a_big_one_cannot_starve_them(monkeypatch):
    # in one process a big part first used its share to the end (HiGHS a little past it) and a one-order
    # part after it got no time: its order was left unplanned, the plan dearer than the baseline's
    from planning.scenarios import generate
    from planning.solver import parallel
    from planning.solver.part import unplanned

    planned = []

    def plan_part(part, *, time_limit_s, warm_start=None):
        planned.append((len(part["orders"]), time_limit_s))
        return unplanned(part, "stand-in")

    monkeypatch.setattr(parallel, "plan_part", plan_part)
    snap = combined(
        [
            prefixed(generate(orders=n, skus=4, locations=2, suppliers=1, plants=0, seed=n), f"S{n}-")
            for n in (6, 1)
        ]
    )
    parts = [p for p in split(snap) if p["orders"]]
    sizes = [len(p["orders"]) for p in parts]
    assert max(sizes) > sum(sizes) / 2  # (on workers, this part would start first)
    parallel.run_parts(parts, sizes=sizes, deadline=time.monotonic() + 10, workers=1)
    assert [orders for orders, _ in planned] == sorted(sizes)
    assert planned[-1][1] > planned[0][1]  # the big part gets the bigger share, after the small ones
