"""Preset names in words: what the dashboard's menus, titles and tables show instead of file names.

One map (:data:`TITLES`) for every scenario and market preset of ``configs/``; ``tests/test_dashboard.py`` fails
when a preset has no title here.  A preset added without one is shown by the first clause of its config's
``description`` (the words before its colon), never as a snake_case identifier.
"""

from __future__ import annotations

from functools import cache

TITLES = {
    "hundred_years_war": "Hundred years' war",
    "price_war": "Price war",
    "first_sale_only": "First sale only",
    "customer_centric": "Customer-centric",
    "full_alignment": "Full alignment",
    "goldman_1_us_vs_them": "Goldman stage 1: us vs them",
    "goldman_2_friendly_role_play": "Goldman stage 2: friendly role-play",
    "goldman_3_cooperative_efforts": "Goldman stage 3: cooperative efforts",
    "goldman_4_collaboration": "Goldman stage 4: collaboration",
    "goldman_5_full_alignment": "Goldman stage 5: full alignment",
    "remedy_1_sales_experience": "Remedy 1: marketers with sales experience",
    "remedy_2_marketing_supports_sales": "Remedy 2: marketing supports sales",
    "remedy_3_marketers_sell": "Remedy 3: marketers sell",
    "remedy_4_pay_on_sales": "Remedy 4: marketing paid on sales",
    "remedy_5_report_to_sales": "Remedy 5: marketing reports to sales",
    "remedy_6_reward_measurable_results": "Remedy 6: reward measurable results",
    "remedy_7_spend_veto": "Remedy 7: sales may veto marketing spend",
    "remedy_8_leave_design_to_engineers": "Remedy 8: leave offer design to engineers",
    "remedy_9_lead_quality": "Remedy 9: lead SLA on lead quality",
    "smb": "Small businesses (SMB)",
    "midmarket": "Mid-market",
    "enterprise": "Enterprise",
}
"""Preset file name -> the name a trainer reads."""


@cache
def _description(name: str) -> str:
    from sim.loading import CONFIG_DIR

    for folder in ("scenario", "market"):
        path = CONFIG_DIR / folder / f"{name}.yaml"
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("description:"):
                    return line.partition(":")[2].strip().strip('"').partition(":")[0].strip()
    return ""


SUFFIXES = {"_as_set": ", as set", "_b": ", second arm"}
"""Arm names the dashboard and ``sim.compare`` make from a preset's: the Run tab's settings as an arm, and the
second of two arms of the same preset."""


def title(name: str) -> str:
    """The preset's name in words (:data:`TITLES`, else its description's first clause, else the name with
    spaces); an arm named after a preset (:data:`SUFFIXES`) gets the preset's words and the suffix's."""
    for suffix, words in SUFFIXES.items():
        if name.endswith(suffix) and name != suffix:
            return title(name[: -len(suffix)]) + words
    return TITLES.get(name) or _description(name) or name.replace("_", " ")


def from_title(text: str, names: list[str]) -> str:
    """The preset of ``names`` whose :func:`title` is ``text`` (``text`` itself when it is already a name)."""
    return next((n for n in names if title(n) == text), text)
