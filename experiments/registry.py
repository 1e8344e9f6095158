"""The study registry: every claim study, in README order (C1-C10 of DESIGN section 1, F1-F12 of EVIDENCE)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MODULES = (
    "f1_full_alignment", "c1_purchasing_and_tools", "c2_blame_and_meetings", "f2_blame_chain",
    "f3_rewards_vs_meetings", "c3_marketing_pay", "c4_f5_spend_veto", "c5_f7_lead_sla", "c6_field_knowledge",
    "f6_shared_data", "c7_f8_discounts", "c8_shared_goals_process", "f4_rotation", "f9_overpromising",
    "c9_f10_first_vs_last_sale", "f11_quota_attainment", "f12_blame_feedback", "c10_goldman_stages",
)
"""Module names of the study scripts in this folder; each defines ``STUDY``."""


def studies():
    """The Study objects of every script, in registry order."""
    return [importlib.import_module(f"experiments.{name}").STUDY for name in MODULES]
