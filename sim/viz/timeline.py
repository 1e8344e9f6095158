"""What happened and why: the run's events as plain sentences a room can read.

Each row of ``model.events()`` (columns ``sim.relations.EVENT_COLUMNS``: week, kind, source, target,
reason, value) becomes one sentence; a missed target that was then blamed or fixed is told once, by the
blame or the fix.  Trust before and after a blame is read from the weekly table where it records that
direction of trust, and moves in the alignment stage and the trainer's own lever changes join the story.
"""

from __future__ import annotations

import pandas as pd

from sim.viz.levers import lever
from sim.viz.monitors import stage_name

KIND_ORDER = {"lever": 0, "miss": 1, "blame": 2, "fix": 3, "veto": 4, "hire": 5, "meeting": 6, "rotation": 7,
              "stage": 8}
"""Order of sentences within one week."""


def _name(department: str) -> str:
    return department.capitalize()


def _possessive(department: str) -> str:
    return department + ("'" if department.endswith("s") else "'s")


def _trust_change(row, weekly: pd.DataFrame) -> str:
    column = f"trust_{row.source}_in_{row.target}"
    at = weekly.loc[weekly["week"] == row.week]
    if column in weekly and not at.empty:
        before = float(at[column].iloc[0])
        return f"{_possessive(row.source)} trust in {row.target} {before:.2f} \u2192 {max(0.0, before - row.value):.2f}"
    return f"trust fell by {row.value:.2f} both ways"


def _delay(week: int, weekly: pd.DataFrame) -> str:
    at = weekly.loc[weekly["week"] == week, "delivery_delay"]
    return f" after delivery ran {float(at.iloc[0]):.0f} weeks late" if not at.empty else " as delivery ran late"


def sentence(row, weekly: pd.DataFrame) -> str:
    """One event as a sentence (without the week)."""
    src, tgt = _name(row.source), _name(row.target)
    if row.kind == "blame":
        return f"{src} blamed {tgt} for {row.reason} ({_trust_change(row, weekly)})"
    if row.kind == "fix":
        return f"{src} and {tgt} fixed the cause of '{row.reason}' together after a joint meeting"
    if row.kind == "miss":
        return f"{src} missed its target and suspected {tgt} ({row.reason}); nobody acted on it"
    if row.kind == "veto":
        return (f"{src} vetoed {tgt}'s {row.reason} (short-run return {row.value:.2f} x the average): "
                "no more spend on them")
    if row.kind == "hire":
        people = int(round(row.value))
        return f"{src} hired {people} {'person' if people == 1 else 'people'}{_delay(row.week, weekly)}"
    if row.kind == "meeting":
        return "Marketing, sales and operations met calmly and shared their constraints"
    if row.kind == "rotation":
        return f"Someone from {src} spent the week in {tgt} (role swap)"
    return f"{src} \u2192 {tgt}: {row.kind} ({row.reason})"


def _resolved_misses(events: pd.DataFrame) -> pd.Series:
    """True for a miss that a blame or a fix of the same week, source, target and reason tells."""
    acted = events[events["kind"].isin(["blame", "fix"])]
    keys = set(zip(acted["week"], acted["source"], acted["target"], acted["reason"]))
    return events.apply(lambda r: r["kind"] == "miss" and (r["week"], r["source"], r["target"], r["reason"]) in keys,
                        axis=1) if not events.empty else pd.Series(dtype=bool)


def stage_moves(weekly: pd.DataFrame) -> pd.DataFrame:
    """Weeks where the Goldman stage changed, as (week, kind="stage", sentence)."""
    if weekly.empty:
        return pd.DataFrame(columns=["week", "kind", "sentence"])
    stage = weekly["alignment_stage"].astype(int)
    moved = weekly.loc[stage.ne(stage.shift()) & stage.shift().notna()]
    rows = []
    for week, old, new in zip(moved["week"], stage.shift()[moved.index], stage[moved.index]):
        direction = "up" if new > old else "down"
        rows.append({"week": int(week), "kind": "stage",
                     "sentence": f"The alignment stage moved {direction} from {int(old)} ({stage_name(old)}) "
                                 f"to {int(new)} ({stage_name(new)})"})
    return pd.DataFrame(rows, columns=["week", "kind", "sentence"])


def timeline(events: pd.DataFrame, weekly: pd.DataFrame, lever_changes=()) -> pd.DataFrame:
    """Every event of the run as a sentence: columns week, kind, sentence, text ("week 14: ..."), in week order.

    Args:
        events: ``model.events()``.
        weekly: ``model.weekly()`` (for trust before a blame, delivery delay at a hire, stage moves).
        lever_changes: the trainer's :class:`~sim.viz.session.LeverChange` records, told as "the trainer set ...".
    """
    kept = events.loc[~_resolved_misses(events)] if not events.empty else events
    rows = [{"week": int(r.week), "kind": r.kind, "sentence": sentence(r, weekly)} for r in kept.itertuples()]
    rows += [{"week": c.week, "kind": "lever",
              "sentence": f"The trainer set {lever(c.path).label.lower()} from {c.old} to {c.new}"}
             for c in lever_changes]
    frame = pd.concat([pd.DataFrame(rows, columns=["week", "kind", "sentence"]), stage_moves(weekly)],
                      ignore_index=True)
    frame["order"] = frame["kind"].map(KIND_ORDER).fillna(len(KIND_ORDER))
    frame = frame.sort_values(["week", "order"], kind="stable").drop(columns="order").reset_index(drop=True)
    frame["text"] = "week " + frame["week"].astype(str) + ": " + frame["sentence"]
    return frame
