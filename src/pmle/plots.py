"""Small plotting helpers the labs share (matplotlib, one figure each)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd


def plot_sweep(x: Sequence[float], curves: Mapping[str, Sequence[float]], *, xlabel: str, mark: float | None = None, title: str = ""):
    """Metric curves over a swept parameter, with an optional vertical line at the chosen value."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for label, values in curves.items():
        ax.plot(x, values, label=label, linewidth=2)
    if mark is not None:
        ax.axvline(mark, color="grey", linestyle="--", linewidth=1, label=f"chosen: {mark:g}")
    ax.set_xlabel(xlabel)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_metric_bars(table: pd.DataFrame, *, title: str = ""):
    """Grouped bars: one group per row (a model), one bar per column (a metric)."""
    ax = table.plot.bar(rot=0, figsize=(7, 3.8), width=0.75)
    ax.set_ylim(0, 1)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(frameon=False, ncols=len(table.columns))
    ax.set_title(title)
    for container in ax.containers:
        ax.bar_label(container, fmt="%.2f", fontsize=8)
    ax.figure.tight_layout()
    return ax.figure
