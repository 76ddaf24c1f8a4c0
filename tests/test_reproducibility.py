"""Same scenario + seed → identical results, whatever the executor or the number of replicates;
different seeds → different results."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

from conftest import small
from zonesim.engine import model as model_module
from zonesim.engine.model import ZoneModel, new_generator
from zonesim.run import map_ordered, map_unordered, replicate_seed, run_replicate, run_replicates

FAST = dict(initial_enterprises=300, initial_rd_institutions_municipal_plus=10)


def test_same_seed_identical_tables_and_state(make_model):
    a, b = make_model(seed=42, **FAST), make_model(seed=42, **FAST)
    ta, tb = a.run(), b.run()
    assert_frame_equal(ta, tb)
    assert_frame_equal(a.enterprises_frame(include_exited=True),
                       b.enterprises_frame(include_exited=True))
    assert [z.tier for z in a.zones] == [z.tier for z in b.zones]


def test_int_seed_equals_its_seed_sequence(base_scenario):
    ta = ZoneModel(base_scenario, seed=7, parameters=small(**FAST)).run()
    tb = ZoneModel(base_scenario, seed=np.random.SeedSequence(7), parameters=small(**FAST)).run()
    assert_frame_equal(ta, tb)


def test_different_seeds_differ(make_model):
    ta, tb = make_model(seed=1, **FAST).run(), make_model(seed=2, **FAST).run()
    city = lambda t: t[t["scope"] == "city"].set_index("year")  # noqa: E731
    a, b = city(ta), city(tb)
    last = a.index.max()
    assert a.loc[last, "industrial_output_yuan"] != b.loc[last, "industrial_output_yuan"]
    assert not a["patent_applications"].iloc[1:].equals(b["patent_applications"].iloc[1:])


@pytest.fixture(scope="module")
def serial_three(base_scenario):
    return run_replicates(base_scenario, 3, seed=5, parameters=small(**FAST), workers=1,
                          progress=False)


def test_pool_equals_serial(base_scenario, serial_three):
    pooled = run_replicates(base_scenario, 3, seed=5, parameters=small(**FAST), workers=2,
                            progress=False)
    assert_frame_equal(serial_three, pooled)
    assert serial_three["replicate"].tolist() == sorted(serial_three["replicate"].tolist())
    assert set(serial_three["replicate"]) == {0, 1, 2}


def test_replicates_are_distinct(serial_three):
    out = serial_three[serial_three["scope"] == "city"].groupby("replicate")[
        "industrial_output_yuan"].last()
    assert out.nunique() == 3


def test_replicate_independent_of_number_run(base_scenario):
    two = run_replicates(base_scenario, 2, seed=9, parameters=small(**FAST), workers=1,
                         progress=False)
    four = run_replicates(base_scenario, 4, seed=9, parameters=small(**FAST), workers=1,
                          progress=False)
    for r in (0, 1):
        assert_frame_equal(two[two["replicate"] == r].reset_index(drop=True),
                           four[four["replicate"] == r].reset_index(drop=True))
    # and each is the stand-alone replicate r
    alone = run_replicate(base_scenario, seed=9, replicate=1, parameters=small(**FAST))
    assert_frame_equal(alone.reset_index(drop=True),
                       four[four["replicate"] == 1].reset_index(drop=True))


def test_replicate_seeds_are_children_of_the_seed():
    a, b = replicate_seed(3, 0), replicate_seed(3, 1)
    assert a.generate_state(4).tolist() != b.generate_state(4).tolist()
    assert replicate_seed(3, 1).generate_state(4).tolist() == b.generate_state(4).tolist()
    assert replicate_seed(4, 1).generate_state(4).tolist() != b.generate_state(4).tolist()


def _square(x):
    return x * x


def test_map_gives_every_result_once_serially_and_on_a_pool():
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(k,) for k in range(7)]
    serial = list(map_unordered(_square, jobs))
    assert serial == [(k, k * k) for k in range(7)]          # serially: in job order
    with ProcessPoolExecutor(max_workers=2) as pool:
        assert sorted(map_unordered(_square, jobs, pool)) == serial
        assert map_ordered(_square, jobs, pool) == [k * k for k in range(7)]


def test_each_step_draws_from_its_own_generator(make_model, monkeypatch):
    """Two runs that differ in a lever draw the same numbers in every later step (common random
    numbers): a step's generator depends only on the seed and the step, not on how many numbers
    the steps before drew."""
    few = make_model(seed=9, firm_birth_rate=0.02)
    many = make_model(seed=9, firm_birth_rate=0.3)
    for m in (few, many):
        for _ in range(3):
            m.step()
    assert few.firms.n != many.firms.n, "the lever changed nothing: the test shows nothing"
    made = []

    def recording(seed):
        g = new_generator(seed)
        made.append(copy.deepcopy(g).random(5))
        return g

    monkeypatch.setattr(model_module, "new_generator", recording)
    for m in (few, many):
        m.step()
    assert len(made) == 2, "one generator a step"
    np.testing.assert_array_equal(made[0], made[1])
