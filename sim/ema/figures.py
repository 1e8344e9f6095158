"""Figures of scenario discovery and robust optimisation, drawn by EMA's own plotting where it has one.

- :func:`tradeoff`: PRIM's coverage-density trade-off along the peeling trajectory (EMA's ``show_tradeoff``),
  the reported box circled;
- :func:`box_limits`: the reported box's limits on each restricted input against its whole range, with
  quasi-p values (EMA's ``inspect(style="graph")``);
- :func:`cart_tree`: the CART tree (scikit-learn's ``plot_tree``: EMA's ``show_tree`` needs Graphviz);
- :func:`pareto_parallel`: the Pareto set on parallel axes, levers then robust objectives, in their units (EMA's
  ``parcoords.ParallelAxes``).

Each returns a matplotlib figure with a title; the caller saves and closes it.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg", force=False)


def tradeoff(box, title: str):
    """The peeling trajectory of one PRIM box (a :class:`sim.ema.discovery.Box`), the reported step circled."""
    fig = box.prim_box.show_tradeoff()
    ax = fig.axes[0]
    ax.scatter([box.coverage], [box.density], s=160, facecolors="none", edgecolors="red",
               label=f"reported box (step {box.step})")
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel("density (share of the box's experiments of interest)")
    ax.legend(loc="lower left")
    ax.set_title(title)
    return fig


def box_limits(box, title: str):
    """The reported PRIM box's limits on its restricted inputs (EMA's box-limits graph)."""
    import matplotlib.pyplot as plt

    figures = box.prim_box.inspect(box.step, style="graph")
    fig = figures[0][0] if isinstance(figures[0], tuple) else plt.gcf()
    fig.suptitle(title, y=1.02)
    return fig


def cart_tree(discovery, title: str):
    """The fitted CART tree: each node's split, its experiments and its share meeting the condition."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.tree import plot_tree

    clf = discovery.tree.clf
    fig = Figure(figsize=(max(8, 2.2 * clf.get_n_leaves()), 2.2 * clf.get_depth() + 2))
    FigureCanvasAgg(fig)  # plot_tree measures its text boxes with the canvas' renderer
    ax = fig.subplots()
    plot_tree(clf, feature_names=[n.replace(discovery.tree.sep, " = ") for n in discovery.tree.feature_names],
              class_names=["condition not met", "condition met"], filled=True, proportion=True, impurity=False,
              fontsize=8, ax=ax)
    ax.set_title(title)
    return fig


def pareto_parallel(table, levers: list[str], objectives: list[str], title: str):
    """The Pareto set on parallel axes: one line per solution over its levers and its robust objectives, each
    axis in its unit (on/off and choice levers by the position of their value); the lines coloured by the first
    objective (yellow: best)."""
    import matplotlib.pyplot as plt
    import pandas as pd
    from ema_workbench.analysis import parcoords

    data = table[levers + objectives].copy()
    data.columns = [c.removeprefix("policy.") for c in data.columns]  # the axes name the policy levers' fields
    levers = [c.removeprefix("policy.") for c in levers]
    for column in data.columns:  # EMA's get_limits takes an object column as categorical (not pandas 3's str)
        if not pd.api.types.is_numeric_dtype(data[column]) or pd.api.types.is_bool_dtype(data[column]):
            data[column] = data[column].astype(str).astype(object)
    limits = parcoords.get_limits(data)
    axes = parcoords.ParallelAxes(limits, formatter={c: ".3g" for c in data.select_dtypes("number")},
                                  fontsize=8, rot=60)
    colours = plt.cm.viridis((data[objectives[0]] - data[objectives[0]].min())
                             / max(data[objectives[0]].max() - data[objectives[0]].min(), 1e-12))
    for (_, row), colour in zip(data.iterrows(), colours):
        axes.plot(row.to_frame().T, color=colour, lw=1.2)
    axes.fig.suptitle(f"{title}\ncolour: {objectives[0]} (yellow = highest)", y=1.1)
    axes.fig.set_size_inches(max(10, 1.1 * len(data.columns)), 6)
    return axes.fig
