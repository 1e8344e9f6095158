"""How aligned the organisation is: Goldman's stage (1-5) and the Kotler-Rackham-Krishnaswamy score (20-100)."""

from __future__ import annotations

from sim.numeric import clip01, mean_of
from sim.relations import MARKETING, OPERATIONS, SALES


def alignment_stage(model) -> int:
    """Goldman's stage (1-5), derived from the organisation's state, never set directly.

    1 Us vs Them: the default.  2 Friendly role-play: marketing-sales trust at least 0.45 and at most
    two blame events in the last year.  3 Cooperative efforts: 2 plus agreed KPIs (a lead SLA in force).
    4 Collaboration: 3 plus shared pipeline data (shared_data >= 0.5) and trust at least 0.6.
    5 Full alignment: 4 plus near-complete shared data (>= 0.8), shared goals (weight >= 0.5), joint
    meetings and trust at least 0.75.
    """
    rel, policy = model.relations, model.config.policy
    trust = rel.pair_trust(MARKETING, SALES)
    if trust < 0.45 or rel.blames_last_year() > 2:
        return 1
    if not policy.lead_sla:
        return 2
    if policy.shared_data < 0.5 or trust < 0.6:
        return 3
    if policy.shared_data < 0.8 or policy.shared_goal_weight < 0.5 or policy.joint_meetings == 0 or trust < 0.75:
        return 4
    return 5


def krk_items(model) -> dict[str, float]:
    """The Kotler-Rackham-Krishnaswamy (2006) diagnostic: 20 statements, each scored 1-5 from state.

    The statements paraphrase the themes of the published questionnaire; each is operationalised by
    the model variable named in its line (1 = strongly disagree, 5 = strongly agree).
    """
    rel, p = model.relations, model.config.policy
    k_m = mean_of([m.field_knowledge for m in model.marketers])
    k_s = mean_of([r.ops_knowledge for r in model.reps])
    blame_free = 1 - min(1.0, rel.blames_last_year() / 8)
    forecast = max(0.0, 1 - abs(model.last_attainment - 1))
    meetings = min(1.0, 4 / p.joint_meetings) if p.joint_meetings else 0.0
    rotation = min(1.0, p.cross_training_rate)
    items = {
        "sales close to forecast": forecast,
        "nobody blames the other side": blame_free,
        "marketers go on customer calls": k_m,
        "marketing asks sales for input": rel.trust[MARKETING, SALES],
        "reps find marketing material useful": model.enablement,
        "common definition of a lead": 1.0 if p.lead_sla else 0.0,
        "jointly designed funnel": 0.5 * (p.lead_sla + meetings),
        "common metrics": p.shared_goal_weight,
        "rise or fall together": 0.5 * (p.shared_goal_weight + (p.marketing_pay == "revenue")),
        "one executive over both": 1.0 if p.marketing_reports_to_sales else 0.5 * p.shared_goal_weight,
        "people move between functions": rotation,
        "joint training": 0.5 * (rotation + meetings),
        "sales reports lead quality back": rel.flow(SALES, MARKETING),
        "shared customer data": p.shared_data,
        "joint planning meetings": meetings,
        "marketing spend reviewed with sales": max(float(p.spend_veto), meetings),
        "sales follows up marketing leads": model.last_acceptance,
        "operations consulted before promising": k_s,
        "sales and operations trust each other": rel.pair_trust(SALES, OPERATIONS),
        "marketing balances brand and leads": 1 - model.marketing_waste_share,
    }
    return {k: 1 + 4 * clip01(float(v)) for k, v in items.items()}
