"""Values the planning snapshot is written in: contract numbers and UTC times."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from core.formats import as_number, iso


def test_whole_decimals_become_ints_and_others_floats():
    assert [as_number(Decimal("16.000000")), as_number(Decimal("0.25")), as_number(None)] == [16, 0.25, None]
    assert isinstance(as_number(Decimal("16.000000")), int)


def test_times_are_written_in_utc_with_a_z():
    hefei = timezone(timedelta(hours=8))
    assert iso(datetime(2026, 11, 22, 16, 0, tzinfo=hefei)) == "2026-11-22T08:00:00Z"
