"""The model's results equal the stored regression baseline bit for bit (see tests/regression.py;
rewrite it only with ``python3 tests/update_baseline.py``)."""

from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal

from regression import SCENARIOS, compute, stored


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_indicator_tables_equal_the_stored_baseline(scenario):
    assert_frame_equal(compute(scenario), stored(scenario), check_exact=True)
