"""The values takt writes JSON and the planning contract in: numbers, UTC times, the contract version."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from core.formats import as_number, iso, parse_time
from planning.contract import CONTRACT
from planning.solver.contract import CONTRACT as SOLVER_CONTRACT


def test_whole_decimals_become_ints_and_others_floats():
    assert [as_number(Decimal("16.000000")), as_number(Decimal("0.25")), as_number(None)] == [16, 0.25, None]
    assert isinstance(as_number(Decimal("16.000000")), int)


def test_times_are_written_in_utc_with_a_z():
    hefei = timezone(timedelta(hours=8))
    assert iso(datetime(2026, 11, 22, 16, 0, tzinfo=hefei)) == "2026-11-22T08:00:00Z"


def test_times_are_written_to_the_second_and_read_back_in_utc():
    moment = datetime(2026, 11, 22, 8, 0, 5, 900_000, tzinfo=UTC)
    assert iso(moment) == "2026-11-22T08:00:05Z"
    assert parse_time("2026-11-22T16:00:05+08:00") == moment.replace(microsecond=0)
    assert iso(None) is None and parse_time("") is None


def test_takt_and_the_solver_name_the_same_contract_version():
    assert CONTRACT == SOLVER_CONTRACT == "supply-plan/1"
