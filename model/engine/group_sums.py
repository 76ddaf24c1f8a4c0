"""Group sums: one pass over the firms gives, for every group of firms (the rest of the city
and each zone), the sums and counts from which every firm-level indicator of any union of
groups follows (:mod:`zonesim.engine.observe` turns them into indicators)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from zonesim import rules
from zonesim.engine.firms import ORIGINS, employees, last_year_revenue
from zonesim.engine.status import gazelles

#: Firm flags packed into bytes (up to 8 flags a byte): one bincount of group × byte gives each
#: group's joint distribution of the byte's flags, and every count of a combination of them is
#: a sum over the byte values where it holds — three bincounts instead of one per count.
FLAG_BYTES = (
    ("above", "certified", "rd_institution", "university_coop", "applied", "inventor",
     "large_or_hte", "specialised"),
    ("leader", "pool", "tech_sme", "rd_municipal", "rd_provincial", "new_hte",
     "new_rd_municipal", "gazelle"),
    ("new_coop", "new_joint_institution", "first_application", "over_20_applications"),
)
#: Counts of firms: key → (byte, condition on that byte's flags).
COUNTS = {
    "n": (0, lambda f: np.ones_like(f["above"])),
    "n_above": (0, lambda f: f["above"]),
    "n_hte": (0, lambda f: f["certified"]),
    "n_hte_above": (0, lambda f: f["above"] & f["certified"]),
    "n_spec": (0, lambda f: f["specialised"]),
    "n_hte_or_spec": (0, lambda f: f["certified"] | f["specialised"]),
    "n_above_inst": (0, lambda f: f["above"] & f["rd_institution"]),
    "n_lm_hte": (0, lambda f: f["large_or_hte"]),
    "n_lm_hte_inst": (0, lambda f: f["large_or_hte"] & f["rd_institution"]),
    "n_lm_hte_inv": (0, lambda f: f["large_or_hte"] & f["inventor"]),
    "n_above_coop": (0, lambda f: f["above"] & f["university_coop"]),
    "n_above_app": (0, lambda f: f["above"] & f["applied"]),
    "n_hte_inv": (0, lambda f: f["certified"] & f["inventor"]),
    "n_leader": (1, lambda f: f["leader"]),
    "n_pool": (1, lambda f: f["pool"]),
    "n_tech_sme": (1, lambda f: f["tech_sme"]),
    "n_rd_muni": (1, lambda f: f["rd_municipal"]),
    "n_rd_prov": (1, lambda f: f["rd_provincial"]),
    "n_new_hte": (1, lambda f: f["new_hte"]),
    "n_new_rd_muni": (1, lambda f: f["new_rd_municipal"]),
    "n_gazelle": (1, lambda f: f["gazelle"]),
    "n_new_coop": (2, lambda f: f["new_coop"]),
    "n_new_joint_inst": (2, lambda f: f["new_joint_institution"]),
    "n_first_app": (2, lambda f: f["first_application"]),
    "n_over20": (2, lambda f: f["over_20_applications"]),
}


def _count_selectors() -> list[tuple[list[str], np.ndarray]]:
    """Per byte: the count keys it serves and a (byte values × keys) 0/1 matrix of where
    each holds."""
    out = []
    values = np.arange(256)
    for b, names in enumerate(FLAG_BYTES):
        flags = {name: (values >> bit) & 1 == 1 for bit, name in enumerate(names)}
        keys = [k for k, (byte, _) in COUNTS.items() if byte == b]
        out.append((keys, np.column_stack([COUNTS[k][1](flags) for k in keys]).astype(float)))
    return out


_COUNT_SELECTORS = _count_selectors()


def group_sums(model, year: int, group: np.ndarray) -> dict[str, np.ndarray]:
    """Sums and counts over alive firms by group ``group + 1`` (so a zone index gives 0 for
    the rest of the city and z + 1 for zone z), from which every firm-level indicator of any
    union of groups follows."""
    e, p = model.firms, model.p
    alive = e.alive
    ng = max(int(group.max(initial=0)) + 2, model.n_zones + 1)
    g = np.where(alive, group + 1, ng).astype(np.intp)    # exited firms: one extra group
    rev = last_year_revenue(e)
    above = rules.above_scale(rev)
    apps = e.patent_applications_year
    flags = {
        "above": above, "certified": e.certified, "rd_institution": e.rd_level >= 1,
        "university_coop": e.university_coop, "applied": apps > 0,
        "inventor": e.invention_patents > 0,
        "large_or_hte": rules.large_or_medium(employees(e, p)) | e.certified,
        "specialised": e.specialised,
        "leader": e.leader, "pool": e.in_pool, "tech_sme": e.tech_sme,
        "rd_municipal": e.rd_level >= 2, "rd_provincial": e.rd_level >= 3,
        "new_hte": e.first_cert_year == year, "new_rd_municipal": e.rd_municipal_year == year,
        "gazelle": gazelles(model),
        "new_coop": e.coop_start_year == year,
        "new_joint_institution": e.rd_joint_year == year,
        "first_application": e.first_application_year == year,
        "over_20_applications": apps > 20,
    }
    sums = {}
    for names, (keys, selector) in zip(FLAG_BYTES, _COUNT_SELECTORS):
        byte = np.zeros(len(g), dtype=np.uint8)      # bytes: 8 times less to move than ints
        for bit, name in enumerate(names):
            np.add(byte, flags[name].view(np.uint8) * np.uint8(1 << bit), out=byte)
        code = g * 256
        code += byte
        joint = np.bincount(code, minlength=(ng + 1) * 256).reshape(ng + 1, 256)[:ng]
        sums.update(zip(keys, (joint @ selector).T))
    sums.update(_value_sums(model, g, ng, rev, above))
    return sums


def _value_sums(model, g: np.ndarray, ng: int, rev: np.ndarray,
                above: np.ndarray) -> dict[str, np.ndarray]:
    """Sums of values (revenue, value added, R&D, patents, land) by group ``g`` (``ng``
    groups), split by four flags at once: column c of a group's row of 16 holds the firms
    with project landed during the plan = c & 8, above-scale = c & 4, land = c & 2,
    strategic = c & 1."""
    e, p = model.firms, model.p
    code = g * 16
    new_project = (e.origin == ORIGINS.index("attracted")) & (e.entry_year >= model.start_year)
    code += new_project.astype(np.intp) << 3
    code += above.astype(np.intp) << 2
    code += (e.land_mu > 0).astype(np.intp) << 1
    code += model.zone_strategic[e.zone, e.sector]

    def split(values):
        return np.bincount(code, weights=values, minlength=(ng + 1) * 16).reshape(ng + 1, 16)[:ng]

    def total(values):
        return np.bincount(g, weights=values, minlength=ng + 1)[:ng]

    cols = np.arange(16)
    above_cols, land_cols = cols[cols & 4 > 0], cols[cols & 2 > 0]
    strategic_cols = cols[cols & 1 > 0]
    project_land_cols = cols[(cols & 8 > 0) & (cols & 2 > 0)]
    va = rev * p["value_added_ratio"] * e.va_factor
    by_rev = split(rev)
    by_va = split(va)
    by_rd, by_rev_year = split(e.rd_hist_0), split(e.rev_hist_0)
    inv_grants = total(e.invention_grants_year.astype(float))
    return {
        "out": by_rev.sum(1), "above_out": by_rev[:, above_cols].sum(1),
        "ht_out_above": split(rev * e.high_tech_share)[:, above_cols].sum(1),
        "above_va": by_va[:, above_cols].sum(1),
        "ht_va_above": split(va * e.high_tech_share)[:, above_cols].sum(1),
        "energy_above": split(va * e.energy_intensity)[:, above_cols].sum(1),
        "rd": by_rd.sum(1), "rev_year": by_rev_year.sum(1),
        "rd_above": by_rd[:, above_cols].sum(1),
        "rev_year_above": by_rev_year[:, above_cols].sum(1),
        "apps": total(e.patent_applications_year.astype(float)),
        "inv_apps": total(e.invention_applications_year.astype(float)),
        "inv_grants": inv_grants,
        "grants": inv_grants + total(e.other_grants_year.astype(float)),
        "inv_stock": total(e.invention_patents.astype(float)),
        "strategic_out": by_rev[:, strategic_cols].sum(1),
        "land": total(e.land_mu), "rev_land": by_rev[:, land_cols].sum(1),
        "va_land": by_va[:, land_cols].sum(1),
        "va_land_project": by_va[:, project_land_cols].sum(1),
        "land_project": split(e.land_mu)[:, project_land_cols].sum(1),
    }


def pick_many(sums: dict, selections: list) -> dict[str, np.ndarray]:
    """The sums of several unions of groups (index lists or slices) at once, one matrix
    product: key → array over the selections."""
    keys = list(sums)
    table = np.vstack([sums[k] for k in keys])              # keys × groups
    member = np.zeros((len(selections), table.shape[1]))    # unions × groups
    for i, sel in enumerate(selections):
        member[i, sel] = 1.0
    return dict(zip(keys, table @ member.T))                # key → unions


class Row(Mapping):
    """Entry ``i`` of every column, read on access (a zone's indicators, of which a rule reads
    a few)."""

    def __init__(self, columns: dict, i: int):
        self._columns, self._i = columns, i

    def __getitem__(self, key):
        return self._columns[key][self._i].item()

    def __iter__(self):
        return iter(self._columns)

    def __len__(self):
        return len(self._columns)


def row(columns: dict, i: int) -> dict:
    """Entry ``i`` of every column, as a dict of Python numbers."""
    return dict(Row(columns, i))
