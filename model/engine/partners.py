"""Partner parks across the river (跨江合作、品牌联动, seed 004 §三(一)2).

A park of the city paired with a mature brand park in Shanghai or south Jiangsu (基地+拓展区: the
brand park is the base, the city's park its extension) receives projects the brand park has
incubated and wants to move into production (上海苏南孵化、南通转移转化). A partnered park is
offered ``partner_offers_per_year`` such projects a year, in its own strategic industries (the
parks pair by industry: 优势互补). The brand park sends a project on when what it keeps — its
share of the project's proceeds (利益共享, ``partner_benefit_share``) — reaches its reservation,
drawn as a finder's is in joint attraction
(:func:`~zonesim.engine.joint_attraction.agreement_probability`). A project sent lands as an
attracted one does (:func:`~zonesim.engine.zones.admissible`,
:func:`~zonesim.engine.zones.land_projects`) or is lost: the brand park
places it elsewhere.

Which parks are partnered: ``partner_parks`` of them, special parks first (the clause is about
the 科技创新型特色园区), each group in order of its initial firm share.

The city pays nothing from its science budget for a partnership; the benefit share is paid out
of the project's proceeds, which this model does not account (its firms' output counts in full
where they produce).
"""

from __future__ import annotations

import numpy as np

from zonesim.engine.entry import Candidates
from zonesim.engine.firms import ORIGINS
from zonesim.engine.joint_attraction import agreement_probability
from zonesim.engine.zones import admissible, draw_project_revenue, land_projects


class Partnerships:
    """The partnered parks (fixed at set-up: :func:`partnered_zones`) and the projects landed
    in each zone from its brand park this year."""

    def __init__(self, model):
        self.zones = partnered_zones(model)
        self.landed = np.zeros(model.n_zones)

    def reset_year(self) -> None:
        self.landed[:] = 0.0


def partnered_zones(model) -> np.ndarray:
    """Indices of the ``partner_parks`` zones paired with a brand park: special parks first,
    then the others, each in order of initial firm share."""
    specs = model.scenario.zones
    order = sorted(range(model.n_zones),
                   key=lambda i: (not model.zones[i].is_special_park, -specs[i].firm_share))
    return np.array(order[:int(model.p["partner_parks"])], dtype=np.int32)


def partner_candidates(model, dt: float) -> Candidates | None:
    """This step's projects the partnered parks' brand parks send on, as candidates: Poisson
    offers per partnered park at ``partner_offers_per_year``, each sent with the brand park's
    :func:`~zonesim.engine.joint_attraction.agreement_probability` for
    ``partner_benefit_share``, in the park's strategic industries, of an attracted project's
    size. None (and no draw) without a partnered park or a share the brand parks accept."""
    p = model.p
    parks = model.partners.zones
    chance = agreement_probability(p["partner_benefit_share"], p)
    if len(parks) == 0 or chance <= 0.0:
        return None
    rng = model.rng
    offers = rng.poisson(p["partner_offers_per_year"] * dt, len(parks))
    zone = np.repeat(parks, offers)
    zone = zone[rng.random(len(zone)) < chance]
    if len(zone) == 0:
        return None
    n = len(zone)
    sector = model.draw_strategic_sectors(zone, model.draw_sectors(n))
    revenue = draw_project_revenue(model, n)
    high_tech = model.sector_high_tech[sector]

    def admit(cols: dict, free_mu: np.ndarray) -> np.ndarray:
        landed = land_projects(model, zone, cols, admissible(p, revenue, cols), high_tech,
                               free_mu)
        model.partners.landed += np.bincount(zone[landed], minlength=model.n_zones)
        return landed

    return Candidates(zone, sector, revenue, np.full(n, ORIGINS.index("partner"), np.int8),
                      admit)
