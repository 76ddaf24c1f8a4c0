"""The incubation chain 众创空间 → 孵化器 → 加速器 → 产业园 (seed 000 §(四), seed 002 §三(一)).

A graduate of a maker space (a team registered as a firm) may go on to an incubator, and an
incubator's graduate to an accelerator, instead of entering the park at once. It goes on with
probability ``carrier_chain_share`` where its carrier's zone (or the rest of the city, for the
carriers outside the zones) has a carrier of the next kind in operation, and takes one of the
step's admissions there in place of a project from outside (priority entry, 优先入驻): a
carrier's intake is its own rate, which Torch's volumes anchor, whoever fills it. A graduate
who finds no admission left enters the park. It counts as its first carrier's graduate and as
a chain admission of its next carrier, and graduates from there at that carrier's rate and
size. The rest, and every accelerator's graduate, enter as firms
(:func:`~zonesim.engine.graduates.graduate_candidates`).
"""

from __future__ import annotations

import numpy as np

#: the kind a local carrier's graduates may go on to
NEXT_KIND = {"maker_space": "incubator", "incubator": "accelerator"}


def pass_along_chain(model, graduates: np.ndarray) -> np.ndarray:
    """Move the step's ``graduates`` (a count per carrier row) who go on along the chain
    (:data:`NEXT_KIND`) into the step's admissions of their zone's next carriers, as far as
    those go (the graduates who get them chosen at random among those going on, the
    admissions they take among the zone's carriers); returns the graduates who leave the chain
    to become firms, per row."""
    share = model.p["carrier_chain_share"]
    c, rng = model.carriers, model.rng
    leaving = graduates.copy()
    if share <= 0.0 or graduates.sum() == 0:
        return leaving
    group = c.zone_index[:c.n] + 1          # 0: the rest of the city
    n_groups = model.n_zones + 1
    live = c.in_operation(model.time)
    for kind, next_kind in NEXT_KIND.items():
        hosts = np.flatnonzero((c.kind[:c.n] == next_kind) & live & (c.admitted_step[:c.n] > 0))
        slots = np.bincount(group[hosts], weights=c.admitted_step[hosts],
                            minlength=n_groups).astype(np.int64)
        senders = np.flatnonzero((c.kind[:c.n] == kind) & (graduates > 0)
                                 & (slots[group] > 0))
        if len(senders) == 0:
            continue
        going = rng.binomial(graduates[senders], share)
        wanted = np.bincount(group[senders], weights=going, minlength=n_groups).astype(np.int64)
        for g in np.flatnonzero(wanted > slots):        # too few admissions: who gets them
            of_g = group[senders] == g
            going[of_g] = rng.multivariate_hypergeometric(going[of_g], int(slots[g]))
        leaving[senders] -= going
        taken = np.minimum(wanted, slots)
        # which of a group's carriers admit them: its only one, or a draw among several
        alone = np.bincount(group[hosts], minlength=n_groups)[group[hosts]] == 1
        c.chain_admitted_this_year[hosts[alone]] += taken[group[hosts[alone]]]
        for g in np.unique(group[hosts[~alone]]):
            there = hosts[group[hosts] == g]
            if taken[g] > 0:
                c.chain_admitted_this_year[there] += rng.multivariate_hypergeometric(
                    c.admitted_step[there], int(taken[g]))
    return leaving
