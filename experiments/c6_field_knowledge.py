"""C6 (seed 001 #1, #2, #3, #5): marketers with sales experience, marketers who sell, marketing under sales."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.common import Arm, Check, Study, main  # noqa: E402

STUDY = Study(
    key="c6_field_knowledge",
    title="C6: field knowledge from sales experience, selling stints and reporting to sales",
    claims=("C6",),
    question="Seed 001's remedies 1, 3 and 5 against the baseline.",
    arms=[Arm("hundred_years_war"), Arm("remedy_1_sales_experience", "remedy_1_sales_experience"),
          Arm("remedy_3_marketers_sell", "remedy_3_marketers_sell"),
          Arm("remedy_5_report_to_sales", "remedy_5_report_to_sales")],
    checks=[
        Check("C6", "Marketers with sales experience know the field better", "hundred_years_war",
              "remedy_1_sales_experience", "field_knowledge_mean", +1),
        Check("C6", "... which raises lead-to-customer conversion", "hundred_years_war", "remedy_1_sales_experience",
              "lead_to_customer", +1),
        Check("C6", "... and 3-year revenue", "hundred_years_war", "remedy_1_sales_experience", "revenue_total", +1),
        Check("C6", "Marketing reporting to sales raises 3-year revenue", "hundred_years_war",
              "remedy_5_report_to_sales", "revenue_total", +1),
        Check("C6", "Marketers who sell (role swaps) raise field knowledge", "hundred_years_war",
              "remedy_3_marketers_sell", "field_knowledge_mean", +1),
    ],
    panels=("revenue", "field_knowledge", "lead_to_customer", "brand_level"),
    main_pair=("hundred_years_war", "remedy_1_sales_experience"),
    mechanism=("field_knowledge_mean", "enablement_mean", "lead_to_customer", "blame_per_year"),
    mechanism_text="Field knowledge lowers marketing's qualification noise, sharpens targeting and makes sales "
                   "material useful (a higher win hazard).",
)

if __name__ == "__main__":
    main(STUDY)
