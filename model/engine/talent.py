"""Talent and industry–university programmes, as counts a year rather than an intensity index.

- **Founder teams** (创业人才, seed 002 §二(二) “500精英”专项, 004 §三(二)7 “江海英才”): the city
  awards ``talent_founder_teams_per_year`` teams a year, each ``talent_founder_award_yuan`` from
  the science budget; each team's project enters a local carrier in operation as a tenant, and
  is incubated like any other (graduation or failure).
- **Hires** (创新人才, the same clauses; 003 §三(三)2 专家挂职企业): ``talent_hires_per_year``
  awards a year, each ``talent_hire_award_yuan``, bring one researcher into a zone firm with an
  R&D institution (院士工作站、博士创新站 sit in such firms): one more S&T employee for good, and
  patent productivity raised by ``talent_hire_patent_effect`` for ``talent_hire_years``.
- **University matching** (003 §三(三) 博士工作团, 技术专家巡诊, 企业挂靠院校; 002 §二(二) 产教融合;
  004 §三(二)7): the programme pairs ``university_matches_per_year`` firms a year that do R&D
  and do not cooperate yet with a university; each pairing lasts as a cooperation with
  probability ``university_match_success``.

The programmes' draws come from the model's own programme stream (``ZoneModel.programme_rng``),
so that their sizes (levers) leave the other rules' draws as they were.
"""

from __future__ import annotations

import numpy as np

from zonesim.engine.firms import employees


def awarded(model, lever: str, per_year: float) -> int:
    """How many awards of ``lever`` (yuan each) the programme makes this year: the applicants it
    would award (Poisson, mean ``per_year``), as far as the budget pays them (the payout share
    and what is left of the year's budget)."""
    wanted = int(model.programme_rng.poisson(per_year)) if per_year > 0 else 0
    award = model.p[lever]
    if wanted == 0 or award <= 0:
        return wanted
    paid = model.budget.pay(lever, wanted * award)
    return min(int(paid / award + 1e-9), wanted)


def award_founder_teams(model) -> int:
    """The year's founder teams enter local carriers in operation (one drawn uniformly for each
    team) as tenants; without such a carrier the programme awards none. Returns the teams."""
    c = model.carriers
    hosts = np.flatnonzero(c.in_operation(model.time) & ~c.offshore[:c.n])
    if len(hosts) == 0:
        return 0
    n = awarded(model, "talent_founder_award_yuan", model.p["talent_founder_teams_per_year"])
    slots = hosts[model.programme_rng.integers(len(hosts), size=n)]
    np.add.at(c.tenants, slots, 1)
    np.add.at(c.admitted_this_year, slots, 1)
    return n


def award_hires(model) -> int:
    """The year's hires go to zone firms with an R&D institution (one drawn uniformly for each
    hire): each adds one S&T employee to its firm's staff for good (the firm's S&T offset rises
    by one over its staff) and raises its patent productivity until ``talent_hire_years`` from
    now. Returns the hires."""
    e, p = model.firms, model.p
    pool = np.flatnonzero(e.alive & (e.zone >= 0) & (e.rd_level >= 1))
    if len(pool) == 0:
        return 0
    n = awarded(model, "talent_hire_award_yuan", p["talent_hires_per_year"])
    firms = pool[model.programme_rng.integers(len(pool), size=n)]
    np.add.at(e.st_offset, firms, 1.0 / np.maximum(employees(e, p)[firms], 1.0))
    e.talent_hire_until[firms] = model.time + p["talent_hire_years"]
    return n


def award_talent(model) -> None:
    """The year's talent awards, at its start: founder teams, then hires."""
    award_founder_teams(model)
    award_hires(model)


def hire_patent_multiplier(model) -> np.ndarray:
    """Per firm: 1 + ``talent_hire_patent_effect`` while it holds an awarded hire, else 1."""
    e = model.firms
    return np.where(e.talent_hire_until > model.time,
                    1.0 + model.p["talent_hire_patent_effect"], 1.0)


def match_with_universities(model, could_start: np.ndarray) -> np.ndarray:
    """Which firms of ``could_start`` (rows that do R&D and do not cooperate) the programme
    pairs with a university this year and keep the cooperation (a mask over them):
    ``university_matches_per_year`` of them drawn without replacement (all when fewer), each
    lasting with probability ``university_match_success``. The draws do not depend on the
    number of matches."""
    rng, p = model.programme_rng, model.p
    order = rng.permutation(len(could_start))
    lasting = rng.random(len(could_start)) < p["university_match_success"]
    m = min(int(p["university_matches_per_year"]), len(could_start))
    kept = np.zeros(len(could_start), dtype=bool)
    kept[order[:m][lasting[:m]]] = True
    return kept
