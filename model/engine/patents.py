"""Patents: the year's applications and grants from real R&D (constant returns)."""

from __future__ import annotations

import numpy as np

from zonesim.engine.talent import hire_patent_multiplier


def sparse_poisson(rng, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts of means ``lam`` where most are 0: returns (indices, counts ≥ 1) of the
    non-zero ones.

    One uniform u per firm decides zero (u ≤ e^−λ); for the others, u' = (u − e^−λ) / (1 − e^−λ)
    is uniform and independent of that, and gives the first event's time in the unit interval,
    T = −ln(1 − u'(1 − e^−λ)) / λ; the events after it are Poisson(λ(1 − T)). Exact, and
    cheaper than ``rng.poisson`` over all firms when most counts are 0 (why it is written out:
    0.45 against 0.59 ms for 22 000 firms of which a third file; less the fewer file).
    """
    u = rng.random(lam.shape[0])
    p0 = np.exp(-lam)
    idx = np.flatnonzero(u > p0)
    lam_i, p0_i = lam[idx], p0[idx]
    first = -np.log1p(-(u[idx] - p0_i)) / lam_i     # 1 − u'(1 − e^−λ) = 1 − (u − e^−λ)
    return idx, 1 + rng.poisson(lam_i * np.maximum(1.0 - first, 0.0))


#: Year ends ahead the firm store holds pending invention grants (``invention_grants_due_k``).
EXAMINATION_YEARS_MAX = 3
DUE = tuple(f"invention_grants_due_{k}" for k in range(1, EXAMINATION_YEARS_MAX + 1))


def application_rate(model, rd_yuan: np.ndarray) -> np.ndarray:
    """Expected patent applications a year of every firm from its reported R&D ``rd_yuan``
    (constant returns): ``patents_per_million_rd_yuan`` × real R&D in M yuan, raised for
    university cooperation by ``coop_institution_multiplier`` ^ ``coop_patent_elasticity`` and
    for an awarded hire (:func:`~zonesim.engine.talent.hire_patent_multiplier`); 0 for firms
    not alive."""
    e, p = model.firms, model.p
    lam = rd_yuan * e.real_rd_share
    lam *= p["patents_per_million_rd_yuan"] / 1e6
    np.multiply(lam, p["coop_institution_multiplier"] ** p["coop_patent_elasticity"], out=lam,
                where=e.university_coop)
    lam *= hire_patent_multiplier(model)
    lam *= e.alive
    return lam


def lapse_invention_patents(model) -> None:
    """Each valid invention patent lapses with ``invention_patent_lapse_rate`` a year (its
    annual fee not paid, or its term over)."""
    e = model.firms
    held = np.flatnonzero(e.alive & (e.invention_patents > 0))
    lost = model.rng.binomial(e.invention_patents[held], model.p["invention_patent_lapse_rate"])
    e.invention_patents[held] -= lost.astype(np.int32)


def grant_examined_inventions(model) -> None:
    """The year end's invention grants: the applications whose examination ends this year
    enter the stock and the year's grants; the rest move a year closer to their grant."""
    e = model.firms
    due = e.invention_grants_due_1
    e.invention_grants_year += due
    e.invention_patents += due
    for nearer, later in zip(DUE, DUE[1:]):
        e.set(nearer, slice(None), getattr(e, later))
    e.set(DUE[-1], slice(None), 0)


def record_filings(e, firms: np.ndarray, counts: np.ndarray, year: int) -> None:
    """Book ``counts`` patent applications of each of ``firms`` (distinct rows of the firm
    store ``e``) filed in ``year``: the year's applications, and ``year`` as the first
    application of those that had never filed."""
    e.patent_applications_year[firms] += counts.astype(np.int32)
    new = firms[e.first_application_year[firms] < 0]
    e.first_application_year[new] = year


def file_inventions(model, firms: np.ndarray, counts: np.ndarray, year: int) -> None:
    """Invention applications, ``counts`` of them by each of ``firms`` (distinct rows), filed in
    ``year``: each is granted with ``invention_grant_rate`` after ``invention_examination_years``
    year ends (at this year end if 0), held meanwhile in ``invention_grants_due_k``."""
    e, p = model.firms, model.p
    record_filings(e, firms, counts, year)
    e.invention_applications_year[firms] += counts.astype(np.int32)
    granted = model.rng.binomial(counts, p["invention_grant_rate"]).astype(np.int32)
    lag = int(p["invention_examination_years"])
    if lag == 0:
        e.invention_grants_year[firms] += granted
        e.invention_patents[firms] += granted
    else:
        getattr(e, DUE[lag - 1])[firms] += granted


def produce_patents(model, year: int) -> None:
    """The year's patents, at the year end: the stock's lapses (:func:`lapse_invention_patents`),
    the grants of earlier years' applications (:func:`grant_examined_inventions`), then this
    year's applications from its real R&D. Yearly counts are Poisson of the year's R&D whatever
    the step length (a sum of independent Poissons is Poisson), and nothing reads patents within
    the year.

    Applications ~ Poisson(λ, :func:`application_rate` of the year's R&D), a share s =
    ``invention_share_of_applications`` of them inventions (:func:`file_inventions`: examined,
    a share ``invention_grant_rate`` granted after the examination lag); other IP (utility
    models, software) from the rest, a share r = ``other_ip_grant_rate`` of it granted at once
    (utility models are not examined in substance). Drawn as three independent Poissons of λ ×
    the kinds' shares (inventions s, granted other IP (1 − s)·r, refused (1 − s)(1 − r)): the
    same joint law as thinning one Poisson count.
    """
    e, p = model.firms, model.p
    lapse_invention_patents(model)
    grant_examined_inventions(model)
    lam = application_rate(model, e.rd_year)
    s = p["invention_share_of_applications"]
    other_granted = (1 - s) * p["other_ip_grant_rate"]
    inventions, granted_other, refused = (
        sparse_poisson(model.rng, lam * share)
        for share in (s, other_granted, 1 - s - other_granted))
    for firms, count in (granted_other, refused):
        record_filings(e, firms, count, year)
    file_inventions(model, *inventions, year)
    e.other_grants_year[granted_other[0]] += granted_other[1].astype(np.int32)
    e.other_ip[granted_other[0]] += granted_other[1].astype(np.int32)


def initial_patent_pipeline(model) -> None:
    """At set-up, after the firms' history: the inventions under examination at the start —
    each of the ``invention_examination_years`` year ends ahead holds Poisson(the firm's
    yearly granted inventions at its starting R&D) grants, as a settled flow of filings
    leaves — and the firms that have filed before: those holding IP or a pending grant, dated
    to their founding year unless the history's pool support dated their first filing (the
    history does not simulate filing from R&D, and a founding year keeps them out of the
    first-time applicants of the start's years)."""
    e, p = model.firms, model.p
    lam = application_rate(model, e.rd_intensity * e.revenue)
    s, g = p["invention_share_of_applications"], p["invention_grant_rate"]
    for col in DUE[:int(p["invention_examination_years"])]:
        # added to the pool firms' subsidised filings of the history (status.support_ip)
        getattr(e, col)[:] += model.rng.poisson(lam * s * g).astype(np.int32)
    last_year_patent_flows(model, lam, s, g)
    filed = e.alive & (e.first_application_year < 0) & (
        (e.invention_patents > 0) | (e.other_ip > 0) | (sum(getattr(e, c) for c in DUE) > 0))
    e.set("first_application_year", filed, np.floor(e.birth_year[filed]).astype(np.int32))


def last_year_patent_flows(model, lam: np.ndarray, s: float, g: float) -> None:
    """The year before the start's patent flows, for the initial state's record (base years
    of growth targets): a settled year at the starting R&D (``lam`` applications a year,
    :func:`application_rate`), drawn as :func:`produce_patents` draws a year — inventions
    Poisson(λ s), their grants Poisson(λ s g) (filed earlier, examined since), other IP filed
    Poisson(λ (1 − s)) of which a share ``other_ip_grant_rate`` granted. Flows only: the stocks
    at the start are drawn by ``population.initial_patents``."""
    e, p, rng = model.firms, model.p, model.rng
    inventions = rng.poisson(lam * s)
    other = rng.poisson(lam * (1 - s))
    e.set("invention_applications_year", slice(None), inventions)
    e.set("patent_applications_year", slice(None), inventions + other)
    e.set("invention_grants_year", slice(None), rng.poisson(lam * s * g))
    e.set("other_grants_year", slice(None), rng.binomial(other, p["other_ip_grant_rate"]))