"""Local incubation carriers founded and accredited (seed 003 §三(五), seed 002 §三(一)).

Zones found the carriers the plans want in every park, and towns and streets (镇街) the maker
spaces the plans want in every town: a zone without an incubator (or maker space), or a town
without a maker space, founds one at a yearly hazard that the founding subsidy raises
(:func:`found_carriers`; 引导园区、镇街…建设孵化楼, seed 003 §三(五)4). Leading firms found maker
spaces of their own under the same subsidy (:func:`firms_found_maker_spaces`; seed 002
§三(一)). Carriers climb the accreditation levels municipal → provincial → national one a
year, each time they meet the next level's criteria on the year's mean tenants, graduates and
years in operation, and lose a level after two yearly reviews below its criteria
(:func:`accredit_carriers`; :func:`~zonesim.rules.carrier_criteria`).
"""

from __future__ import annotations

import math

import numpy as np

from zonesim import rules
from zonesim.engine.incubators import FOUNDED, FOUNDED_IN_TOWNS, Incubator
from zonesim.registry.indicators import CARRIER_LEVELS


def founding_probability(model, rate: str = "carrier_founding_rate_per_year") -> float:
    """Yearly probability 1 − exp(−h) that a founder (a zone or town lacking a carrier kind; a
    leading firm) founds a carrier, at the hazard h = the founder's ``rate`` × S / (S +
    ``incubator_subsidy_scale_yuan``), S the founding subsidy the budget pays
    (``carrier_founding_subsidy_yuan``): no subsidy, no founding."""
    p = model.p
    s = model.budget.paid("carrier_founding_subsidy_yuan")
    return -math.expm1(-p[rate] * s / (s + p["incubator_subsidy_scale_yuan"]))


def open_carrier(model, kind: str, zone: int, town: int = -1, sponsor: int = -1) -> Incubator:
    """A carrier founded now: the budget pays its founding subsidy, and it opens at once,
    unaccredited and empty."""
    model.budget.pay("carrier_founding_subsidy_yuan", model.p["carrier_founding_subsidy_yuan"])
    inc = Incubator(model, kind, zone, opens_at=model.time, town=town, sponsor=sponsor)
    model.incubators.append(inc)
    return inc


def found_carriers(model) -> list:
    """At the year's start each zone without a carrier of a kind in :data:`FOUNDED`, and each
    town without one of :data:`FOUNDED_IN_TOWNS`, founds one (:func:`open_carrier`; a town's
    outside the zones) with :func:`founding_probability`. Returns the carriers founded."""
    chance = founding_probability(model)
    if chance <= 0.0:
        return []
    c = model.carriers
    local = [i for i in range(c.n) if not c.offshore[i]]
    have = {(int(c.zone_index[i]), c.kind[i]) for i in local}
    in_town = {(int(c.town[i]), c.kind[i]) for i in local if c.town[i] >= 0}
    lacking = ([(z.index, -1, kind) for z in model.zones for kind in FOUNDED
                if (z.index, kind) not in have]
               + [(-1, w, kind) for w in range(len(model.scenario.towns))
                  for kind in FOUNDED_IN_TOWNS if (w, kind) not in in_town])
    if not lacking:
        return []
    draws = model.rng.random(len(lacking))
    return [open_carrier(model, kind, zone, town=town)
            for (zone, town, kind), u in zip(lacking, draws) if u < chance]


def firms_found_maker_spaces(model) -> list:
    """骨干企业 build maker spaces (支持骨干企业…建设科技企业孵化器和众创空间, seed 002 §三(一)):
    at the year's start each innovative leader enterprise (the firms' ``leader`` flag) that
    has founded none founds a maker space in its zone (the rest of the city outside the
    zones; :func:`open_carrier`) with :func:`founding_probability` at
    ``firm_carrier_founding_rate_per_year``. Returns the carriers founded."""
    chance = founding_probability(model, "firm_carrier_founding_rate_per_year")
    e, c = model.firms, model.carriers
    leaders = np.flatnonzero(e.alive & e.leader)
    leaders = leaders[~np.isin(leaders, c.sponsor[:c.n])]
    if chance <= 0.0 or len(leaders) == 0:
        return []
    founding = leaders[model.rng.random(len(leaders)) < chance]
    return [open_carrier(model, "maker_space", int(e.zone[firm]), sponsor=int(firm))
            for firm in founding]


def accredit_carriers(model) -> tuple[list, list]:
    """At the year's end every accredited local carrier is reviewed against its level's
    criteria: one below them :data:`~zonesim.rules.CARRIER_FAILED_REVIEWS_TO_LOSE_LEVEL`
    years running loses the level (动态管理). A carrier not demoted that meets the next level's
    criteria is accredited at it if the review approves it
    (:meth:`~zonesim.engine.incubators.Carriers.approved`; one level a year). Returns the
    slots promoted and demoted."""
    c, p, t = model.carriers, model.p, model.time
    rows = np.flatnonzero(~c.offshore[:c.n])
    level = c.level[rows].astype(np.intp)
    top = len(CARRIER_LEVELS) - 1
    held = level > 0
    failed = held & ~c.meets_criteria(rows, level, p, t)
    c.reviews_failed[rows[held & ~failed]] = 0
    c.reviews_failed[rows[failed]] += 1
    down = failed & (c.reviews_failed[rows] >= rules.CARRIER_FAILED_REVIEWS_TO_LOSE_LEVEL)
    up = (~down & (level < top) & c.meets_criteria(rows, np.minimum(level + 1, top), p, t)
          & c.approved(np.minimum(level + 1, top), p, model.rng))
    c.level[rows[down]] -= 1
    c.level[rows[up]] += 1
    c.reviews_failed[rows[down | up]] = 0
    return rows[up].tolist(), rows[down].tolist()
