"""The government's yearly science-and-technology budget (财政科技投入, seed 003 §四(二)): every
subsidy, reward, voucher and operating grant the model pays comes out of it, and it binds.

The budget of a year is ``science_budget_share_of_gdp`` of the city's GDP the year before. The
programmes claim at their levers' full values (:data:`PROGRAMMES`); when last year's claims
exceeded this year's budget, every programme pays the same share of its lever this year (rates
scale down: :attr:`Budget.payout`), and firms and carriers decide on what is paid
(:meth:`Budget.paid`). A claim that arrives after the year's budget is spent is not paid (the
budget binds within the year too: :meth:`Budget.pay`). The books (:attr:`Budget.ledger`) are
the spending indicator's.
"""

from __future__ import annotations

import math
from collections import defaultdict

#: the programme levers the budget pays → their entry in the books
PROGRAMMES = {
    "rd_subsidy_rate": "rd_subsidies",
    "strategic_industry_rd_subsidy_rate": "strategic_industry_fund",
    "certification_reward_yuan": "certification_rewards",
    "innovation_voucher_yuan": "vouchers",
    "incubator_operating_subsidy_yuan": "incubator_subsidies",
    "offshore_landing_reward_yuan": "landing_rewards",
    "offshore_base_setup_cost_yuan": "offshore_base_set_up",
    "carrier_founding_subsidy_yuan": "carrier_founding",
    "talent_founder_award_yuan": "talent_founder_awards",
    "talent_hire_award_yuan": "talent_hire_awards",
    "climber_award_yuan": "climber_awards",
    "special_park_award_yuan": "special_park_awards",
    "tech_loan_yuan_per_year": "loan_risk_compensation",
}


class Budget:
    """The year's budget, what the programmes claimed and what was paid (yuan)."""

    def __init__(self, model):
        self.model = model
        #: share of every programme's lever paid this year (1: in full)
        self.payout = 1.0
        #: this year's budget (yuan); unbounded before the first plan year opens
        self.limit_yuan = math.inf
        #: this year's claims at the levers' full values (yuan)
        self.claims_yuan = 0.0
        #: yuan paid this year by programme (books entry → yuan)
        self.ledger: dict[str, float] = defaultdict(float)

    @property
    def spent_yuan(self) -> float:
        return float(sum(self.ledger.values()))

    def open_year(self, gdp_yuan: float) -> None:
        """Set this year's budget from last year's GDP, and its payout share from last year's
        claims: 1 when they fit into the budget (or there were none: the plan's first year),
        else budget / claims."""
        self.limit_yuan = self.model.p["science_budget_share_of_gdp"] * gdp_yuan
        last = self.claims_yuan
        self.payout = 1.0 if last <= self.limit_yuan else self.limit_yuan / last
        self.clear()

    def clear(self) -> None:
        """Empty the books and the claims (a new year; the end of the history)."""
        self.claims_yuan = 0.0
        self.ledger.clear()

    def paid(self, lever: str) -> float:
        """What programme ``lever`` is worth this year: its value × the payout share."""
        return self.model.p[lever] * self.payout

    def pay(self, lever: str, claim_yuan: float) -> float:
        """Pay ``claim_yuan`` (claimed at ``lever``'s full value) at the payout share, at most
        what is left of the year's budget; book it; return the yuan paid."""
        self.claims_yuan += claim_yuan
        left = max(self.limit_yuan - self.spent_yuan, 0.0)
        amount = min(claim_yuan * self.payout, left)
        self.ledger[PROGRAMMES[lever]] += amount
        return amount
