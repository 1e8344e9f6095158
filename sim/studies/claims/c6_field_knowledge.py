"""C6 (seed 001): field knowledge from sales experience and from reporting to sales.

Role swaps (remedy 3) raise field knowledge exactly as rotation does in F4 (the same lever): that comparison is
a row of ``f4_rotation`` and is not repeated here."""

from sim.studies.declarations import EMERGENT, MECHANISM, Arm, Check, Study

BASE, EXPERIENCED, REPORTING = "hundred_years_war", "remedy_1_sales_experience", "remedy_5_report_to_sales"
STUDY = Study(
    key="c6_field_knowledge",
    title="C6: field knowledge from sales experience and reporting to sales",
    claims=("C6",),
    question="Seed 001's remedies 1 and 5 against the baseline.",
    arms=(Arm(BASE), Arm(EXPERIENCED, EXPERIENCED), Arm(REPORTING, REPORTING)),
    checks=(
        Check("C6", "Marketers with sales experience know the field better", MECHANISM,
              "their field knowledge starts higher by configuration (0.6 vs 0.15)", BASE, EXPERIENCED,
              "field_knowledge_mean", +1),
        Check("C6", "... which raises lead-to-customer conversion", EMERGENT,
              "conversion moves through targeting, qualification and sales' acceptance of the leads", BASE,
              EXPERIENCED, "lead_to_customer", +1),
        Check("C6", "... and revenue over the run", EMERGENT,
              "revenue integrates conversion, capacity and churn over the run", BASE, EXPERIENCED,
              "revenue_total", +1),
        Check("C6", "Marketing reporting to sales raises revenue over the run", EMERGENT,
              "the enablement gain is coded, but revenue passes through lead quality, acceptance and trust", BASE,
              REPORTING, "revenue_total", +1),
    ),
    panels=("revenue", "field_knowledge", "lead_to_customer", "brand_level"),
    main_pair=(BASE, EXPERIENCED),
    mechanism=("field_knowledge_mean", "enablement_mean", "lead_to_customer", "blame_per_year"),
    mechanism_text="Field knowledge lowers marketing's qualification noise, sharpens targeting and makes sales "
                   "material useful (a higher win hazard).",
)
