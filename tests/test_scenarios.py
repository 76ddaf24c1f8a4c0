"""Every scenario in scenarios/ validates and runs; the default scenario exists; the CLI lists
every target machine-readably."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from zonesim.engine.model import ZoneModel
from zonesim.scenario import DEFAULT_SCENARIO, SCENARIO_DIR, load_scenario, resolve_path

SCENARIOS = sorted(SCENARIO_DIR.glob("*.toml"))
MAX_FIRMS = 1500
#: city indicators that every simulated year must have (no NaN)
CORE = ["enterprises", "above_scale_enterprises", "high_tech_enterprises",
        "new_high_tech_enterprises", "industrial_output_yuan", "above_scale_output_yuan",
        "high_tech_output_share", "gdp_yuan", "rd_expenditure_yuan", "rd_to_gdp",
        "enterprise_rd_intensity", "patent_applications", "invention_patent_stock",
        "invention_patents_per_10k_people", "land_used_mu", "rd_institutions_municipal_plus",
        "zones_municipal_plus", "tech_loan_balance_yuan", "government_spending_yuan"]


def test_scenario_folder_not_empty():
    assert SCENARIOS, f"no scenario files in {SCENARIO_DIR}"


def test_default_scenario_exists():
    path = resolve_path(DEFAULT_SCENARIO)
    assert path.exists(), f"default scenario {DEFAULT_SCENARIO!r} not found at {path}"
    assert load_scenario(None).name == load_scenario(DEFAULT_SCENARIO).name


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_validates_and_runs_one_year(path):
    sc = load_scenario(path)
    assert sc.targets, "a scenario carries its document's targets"
    n = min(int(sc.value("initial_enterprises")), MAX_FIRMS)
    m = ZoneModel(sc, seed=0, parameters={"initial_enterprises": n}, steps_per_year=2)
    m.step()
    m.step()
    assert m.year == sc.meta.start_year + 1
    table = m.indicator_table()
    year = sc.meta.start_year
    city = table[(table["scope"] == "city") & (table["year"] == year)]
    assert len(city) == 1
    missing = [c for c in CORE if c not in city.columns]
    assert not missing, f"core indicators missing from the table: {missing}"
    nan = [c for c in CORE if np.isnan(float(city[c].iloc[0]))]
    assert not nan, f"NaN city indicators in {year}: {nan}"
    assert int(city["enterprises"].iloc[0]) == m.firms.n_alive > 0
    # every modelled target's indicator and scope can be read off the table
    zone_scopes = {f"zone:{z.id}" for z in sc.zones}
    for t in sc.modelled_targets:
        assert t.indicator in table.columns, t.id
        if t.scope.startswith("zone:"):
            assert t.scope in zone_scopes
        elif not t.scope.startswith("each_zone"):
            assert t.scope in set(table["scope"]), f"{t.id}: scope {t.scope} not in the table"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_targets_cli_json(path):
    proc = subprocess.run([sys.executable, "-m", "zonesim", "targets", str(path), "--format",
                           "json"], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    sc = load_scenario(path)
    targets = out["targets"]
    assert [t["id"] for t in targets] == [t.id for t in sc.targets]
    for t in targets:
        for key in ("id", "indicator", "clause"):
            assert isinstance(t.get(key), str) and t[key], (t.get("id"), key)
