"""The firm store: enterprises held column-wise, one numpy array per attribute.

Firms are agents with individual state, but stored as one numpy array per attribute (one row
per enterprise), the approach of Mesa's mesa-frames: a firm's id is its row, rows are appended
on entry and masked (``alive = False``) on exit, with the time of exit in ``exit_year``, so ids
are stable and never reused. ``ZoneModel.enterprise(id)`` and ``ZoneModel.enterprises_frame()``
show them as individuals. Besides the store: the state derived from a firm's columns that
several rules read."""

from __future__ import annotations

import numpy as np

from zonesim import rules
from zonesim.engine import memory

#: column name → dtype. Monetary flows are in yuan per year; land in mu; years are calendar
#: years (fractional for entry times).
COLUMNS: dict[str, type] = {
    "alive": bool,
    "zone": np.int32,            # index of the zone, -1 for the rest of the city
    "sector": np.int32,
    "origin": np.int8,           # index of ORIGINS: how the firm entered
    "birth_year": float,         # calendar time of registration (age counts from it)
    "entry_year": float,         # calendar time the firm entered the city's population:
                                 # founding, landing or graduation (graduates were registered
                                 # when their incubator admitted them)
    "exit_year": float,          # calendar time the firm left (NaN while alive)
    "revenue": float,            # yuan per year (current rate)
    "va_factor": float,          # firm's value-added rate relative to the average
    "energy_intensity": float,   # energy use per unit of value added, relative to the city's
                                 # manufacturing average (its sector's times its own factor)
    "land_productivity": float,  # firm's revenue per mu relative to the zone average
    "land_mu": float,
    "on_m0": bool,               # holds M0 new-type industrial land (Land.take_m0)
    "rd_propensity": float,      # the firm's long-run R&D / revenue with no policy
    "base_rd_intensity": float,  # this year's R&D / revenue the firm would choose with no policy
    "rd_intensity": float,       # reported R&D / revenue chosen for this year
    "real_rd_share": float,      # share of reported R&D that is real (rest relabelled)
    "knowledge": float,          # R&D capital stock, yuan
    "high_tech_share": float,    # high-tech products' share of revenue
    "st_offset": float,          # firm-specific part of its S&T staff share
    "st_share": float,           # S&T staff / employees
    "invention_patents": np.int32,
    "other_ip": np.int32,
    "patent_applications_year": np.int32,
    "invention_applications_year": np.int32,
    "invention_grants_year": np.int32,
    # inventions under examination that will be granted 1, 2, 3 year ends from now
    "invention_grants_due_1": np.int32, "invention_grants_due_2": np.int32,
    "invention_grants_due_3": np.int32,
    "other_grants_year": np.int32,   # utility models, designs, software copyrights granted
    "first_application_year": np.int32,  # year of the firm's first patent application, or -1
    "rd_year": float,            # reported R&D spent so far this year, yuan
    "revenue_year": float,       # revenue earned so far this year, yuan
    "rd_hist_0": float, "rd_hist_1": float, "rd_hist_2": float,     # last three years' R&D
    "rev_hist_0": float, "rev_hist_1": float, "rev_hist_2": float,  # and revenue, yuan
    "growth_variance": float,    # this year's variance multiplier of the growth shock
    "exit_size_factor": float,   # this year's exit hazard multiplier for the firm's size
    "tech_sme": bool,            # registered tech SME (入库), as statistics count them
    "meets_tech_sme_rules": bool,  # meets the tech-SME evaluation rules (registered or not)
    "in_pool": bool,
    "certified": bool,
    "cert_expiry": np.int32,     # last calendar year the certificate is valid
    "first_cert_year": np.int32,  # -1 if never certified
    "score_offset": float,       # firm's lasting part of the experts' innovation score, points
    "innovation_score": float,   # its whole-point score at its last application (NaN: none)
    "leader": bool,
    "specialised": bool,
    "rd_level": np.int8,         # R&D institution: 0 none, 1 enterprise, 2 municipal,
                                 # 3 provincial
    "rd_municipal_year": np.int32,  # year first accredited at municipal level or above
    "rd_setup_year": np.int32,   # year the firm set up its R&D institution, or -1
    "rd_joint_year": np.int32,   # year it set one up with a university (co-built), or -1
    "university_coop": bool,
    "coop_start_year": np.int32,  # year the current university cooperation started, or -1
    "loan_until": float,         # calendar time until which the firm holds a tech loan
    "loan_yuan": float,
    "talent_hire_until": float,  # calendar time until which an awarded hire raises its patents
}
#: Bytes of one firm's row across every column.
ROW_BYTES = sum(np.dtype(t).itemsize for t in COLUMNS.values())
RD_LEVELS = ("none", "enterprise", "municipal", "provincial")
#: How a firm entered (its ``origin``): in the starting population, graduated from a local
#: carrier, landed from an offshore base, attracted (found by a zone, fund-backed or passed on),
#: founded in the rest of the city, or sent by a partner brand park.
ORIGINS = ("initial", "incubator", "offshore", "attracted", "new_firm", "partner")


class Enterprises:
    """Column store of firms. ``self.<column>`` is a numpy view of the rows in use; in-place
    operations on it (``e.revenue *= g``) write into the store."""

    def __init__(self, capacity: int = 1024):
        self._capacity = max(int(capacity), 16)
        self._data = _allocate(self._capacity)
        self.n = 0
        self._refresh_views()

    def _refresh_views(self) -> None:
        # views held as plain attributes: a column access is a dict lookup, not a slice
        for name, arr in self._data.items():
            self.__dict__[name] = arr[: self.n]

    def __len__(self) -> int:
        return self.n

    @property
    def n_alive(self) -> int:
        return int(np.count_nonzero(self.alive))

    def add(self, count: int, **values) -> np.ndarray:
        """Append ``count`` firms; ``values`` maps columns to scalars or arrays. Returns ids."""
        if count <= 0:
            return np.empty(0, dtype=np.int64)
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown enterprise columns: {sorted(unknown)}")
        need = self.n + count
        if need > self._capacity:
            new_cap = max(need, int(self._capacity * 1.5))
            # entry outgrowing the machine stops with the estimate, not a MemoryError traceback
            memory.require(memory.peak_store_bytes(new_cap, ROW_BYTES), 1,
                           f"the firm population growing to {need:,} firms",
                           "parameters that let fewer firms enter or more exit")
            grown = _allocate(new_cap)
            for name, arr in self._data.items():
                grown[name][: self.n] = arr[: self.n]
            self._data = grown
            self._capacity = new_cap
        ids = np.arange(self.n, need)
        for name, arr in self._data.items():
            value = values.get(name)
            if value is not None:
                arr[self.n:need] = value
            elif name in _DEFAULTS:
                arr[self.n:need] = _DEFAULTS[name]
            # other columns are 0 already: the store is zero-filled and rows are never reused
        self.n = need
        self._refresh_views()
        return ids

    def set(self, name: str, ids, value) -> None:
        """Write ``value`` into column ``name`` at rows ``ids`` (ids or a boolean mask)."""
        self._data[name][: self.n][ids] = value

    def row(self, firm_id: int) -> dict:
        if not 0 <= firm_id < self.n:
            raise KeyError(f"no enterprise with id {firm_id}")
        return {name: arr[firm_id].item() for name, arr in self._data.items()}


def initial_capacity(initial_enterprises: int) -> int:
    """Rows the store of a run starts with: room for its entrants (zero pages cost no memory
    until rows are written)."""
    return 2 * int(initial_enterprises) + 1024


def peak_run_bytes(initial_enterprises: int) -> int:
    """An upper estimate of one run's peak memory, bytes (the process itself aside)."""
    return memory.peak_store_bytes(initial_capacity(initial_enterprises), ROW_BYTES)


def check_run_memory(initial_enterprises: int, at_once: int = 1) -> int:
    """The bytes ``at_once`` runs starting with ``initial_enterprises`` firms need side by side;
    refused (:class:`~zonesim.engine.memory.MemoryLimitError`) if the machine has not that much
    available."""
    return memory.require(memory.PROCESS_BYTES + peak_run_bytes(initial_enterprises), at_once,
                          f"initial_enterprises = {int(initial_enterprises):,}",
                          "a smaller initial_enterprises")


def _allocate(capacity: int) -> dict[str, np.ndarray]:
    """Zeroed columns of ``capacity`` rows."""
    return {name: np.zeros(capacity, dtype=dt) for name, dt in COLUMNS.items()}


_DEFAULTS = {"alive": True, "cert_expiry": -1, "first_cert_year": -1, "rd_municipal_year": -1,
             "rd_setup_year": -1, "rd_joint_year": -1, "coop_start_year": -1,
             "first_application_year": -1,
             "va_factor": 1.0, "energy_intensity": 1.0, "land_productivity": 1.0,
             "real_rd_share": 1.0, "growth_variance": 1.0, "exit_size_factor": 1.0,
             "loan_until": -1.0, "talent_hire_until": -1.0,
             "exit_year": np.nan, "innovation_score": np.nan}


def employees(e: Enterprises, p) -> np.ndarray:
    """Staff, from revenue and revenue per employee."""
    return e.revenue / p["revenue_per_employee_yuan"]


def three_year_rd_intensity(e: Enterprises, rows=slice(None)) -> np.ndarray:
    """R&D / sales over the last three completed years (fewer for younger firms), of all firms
    or of ``rows``."""
    rd = e.rd_hist_0[rows] + e.rd_hist_1[rows] + e.rd_hist_2[rows]
    rev = e.rev_hist_0[rows] + e.rev_hist_1[rows] + e.rev_hist_2[rows]
    return np.divide(rd, rev, out=np.zeros_like(rd), where=rev > 0)


def last_year_revenue(e: Enterprises) -> np.ndarray:
    return np.where(e.rev_hist_0 > 0, e.rev_hist_0, e.revenue)


def own_ip(e: Enterprises, p) -> np.ndarray:
    """Whether each firm holds own core IP (:func:`rules.own_core_ip`)."""
    return rules.own_core_ip(e.invention_patents, e.other_ip, p["min_other_ip_rights"])


def certificate_value_per_year(model, rows: np.ndarray, year: int) -> np.ndarray:
    """What a certificate is worth to firms ``rows`` a year (yuan): the income tax it saves at
    the firm's own rate (:func:`rules.certificate_tax_saving_yuan`: nothing for a small
    low-profit firm), its other benefits (``certificate_other_value_share`` of revenue) and, for
    a firm never certified, the first-certification reward spread over the certificate's
    years."""
    e, p = model.firms, model.p
    revenue = last_year_revenue(e)[rows]
    tax = rules.certificate_tax_saving_yuan(p["profit_margin"] * revenue,
                                            employees(e, p)[rows], year)
    reward = np.where(e.first_cert_year[rows] < 0,
                      model.budget.paid("certification_reward_yuan"), 0.0)
    return (tax + p["certificate_other_value_share"] * revenue
            + reward / rules.CERTIFICATE_VALIDITY_YEARS)
