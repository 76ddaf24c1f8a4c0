"""The starting state: the initial population and its calibration to the place simulated."""

from zonesim.registry.parameter import SHARE, param

_SET_UP = "A choice of the set-up; no published figure"

INITIAL = [
    param("initial_enterprises", 3000, "firms",
       "Firms in the city (zones and elsewhere) at the start: above-scale firms and the small "
       "firms that could grow into them.", "initial", "assumption", "Set by the scenario",
       500, 200_000, integer=True),
    param("initial_high_tech_enterprises", 150, "firms",
       "Certified high-tech enterprises at the start.", "initial", "assumption",
       "Set by the scenario", 0, 50_000, integer=True),
    param("initial_rd_institutions_municipal_plus", 100, "institutions",
       "Enterprise R&D institutions accredited at municipal level or above at the start.",
       "initial", "assumption", "Set by the scenario", 0, 20_000, integer=True),
    param("initial_university_coop_share", 0.3, "share of above-scale firms",
       "Share of above-scale firms cooperating with universities at the start.", "initial",
       "assumption", "Set by the scenario", 0.1, 0.6, **SHARE),
    param("firm_revenue_median_yuan", 15_000_000.0, "yuan per year",
       "Median firm revenue at the start (lognormal body).", "initial", "assumption",
       "Set by the scenario", 5_000_000.0, 40_000_000.0),
    param("firm_revenue_dispersion", 1.3, "log-sd",
       "Dispersion of log revenue at the start (lognormal body).", "initial", "assumption",
       "Size distributions: lognormal body (arXiv cond-mat/0310061)", 1.0, 1.6),
    param("revenue_pareto_exponent", 1.05, "tail exponent",
       "Pareto exponent of the upper tail of the firm-size distribution (Zipf ≈ 1).",
       "initial", "assumption", "Pareto-Zipf upper tail (arXiv cond-mat/0310061)", 0.9, 1.3),
    param("revenue_pareto_quantile", 0.9, "quantile",
       "Quantile of the size distribution above which the Pareto tail replaces the lognormal.",
       "initial", "assumption", "Upper decile", 0.8, 0.97, **SHARE),
    param("population_persons", 5_000_000, "persons",
       "Resident population (for invention patents per 10 000 people).", "initial",
       "assumption", "Set by the scenario", 10_000, 200_000_000, integer=True),
    param("invention_patents_per_10k_people_start", 15.0, "patents per 10 000 people",
       "Invention-patent stock per 10 000 people at the start (distributed over firms by their "
       "knowledge stock).", "initial", "assumption", "Set by the scenario", 0.0, 100.0),
    param("initial_strategic_share", 0.3, "share of a zone's firms",
          "Share of a zone's initial firms in its strategic industries (the rest follow the "
          "city's sector mix).", "initial", "assumption", "The state before the policy", 0.1,
          0.5, **SHARE),
    param("initial_mean_firm_age_years", 8.0, "years",
          "Mean age of the initial firms (one year plus an exponential draw).", "initial",
          "assumption", "SAIC (2013): most firms are under 10 years old", 5.0, 12.0,
          minimum=1.0),
    param("initial_certificate_score_noise", 0.3, "log-sd",
          "Noise on the score that picks the initially certified firms among the likely "
          "qualifiers.", "initial", "assumption", _SET_UP, 0.1, 0.6),
    param("initial_certificate_patent_weight", 0.5, "score points",
          "Weight of holding an invention patent in that score (the others: R&D intensity over "
          "its threshold and high-tech share).", "initial", "assumption", _SET_UP, 0.0, 1.0),
    param("initial_certified_propensity_share", 0.8, "share of the R&D threshold",
          "Lowest R&D propensity of an initially certified firm, as a share of its threshold.",
          "initial", "assumption", _SET_UP, 0.6, 1.0, **SHARE),
    param("initial_certified_high_tech_share", 0.62, "share of revenue",
          "Lowest high-tech product share of an initially certified firm (just above the "
          "60 % rule).", "initial", "assumption", _SET_UP, 0.6, 0.8, minimum=0.6, maximum=1.0),
    param("initial_certified_st_offset", 0.02, "share of employees",
          "Lowest firm-specific S&T staff offset of an initially certified firm.", "initial",
          "assumption", _SET_UP, 0.0, 0.05),
    param("initial_institution_score_noise", 0.3, "log-sd",
          "Noise on the R&D ranking that picks the firms holding the initial municipal-or-"
          "higher R&D institutions.", "initial", "assumption", _SET_UP, 0.1, 0.6),
    param("initial_provincial_institution_share", 0.2, "share of initial institutions",
          "Share of the initial municipal-or-higher R&D institutions at provincial level.",
          "initial", "assumption", _SET_UP, 0.1, 0.3, **SHARE),
    param("initial_enterprise_institution_share", 0.5, "share of qualifying firms",
          "Share of the other firms with enough R&D that hold an enterprise-level "
          "institution at the start.", "initial", "assumption", _SET_UP, 0.3, 0.7, **SHARE),
]
