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


def plot_roc_pr(y_true: Sequence[int], scores: Mapping[str, Sequence[float]], *, title: str = ""):
    """ROC and precision-recall curves side by side, with the chance line of each (PR: the positive rate)."""
    import numpy as np
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    y = np.asarray(y_true)
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for label, s in scores.items():
        fpr, tpr, _ = roc_curve(y, s)
        roc_ax.plot(fpr, tpr, linewidth=2, label=f"{label} (ROC AUC {roc_auc_score(y, s):.3f})")
        precision, recall, _ = precision_recall_curve(y, s)
        pr_ax.step(recall, precision, where="post", linewidth=2, label=f"{label} (PR AUC {average_precision_score(y, s):.3f})")
    roc_ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="chance (0.5)")
    pr_ax.axhline(y.mean(), color="grey", linestyle="--", linewidth=1, label=f"chance (positive rate {y.mean():.3f})")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate (recall)", title="ROC curve", xlim=(0, 1), ylim=(0, 1.02))
    pr_ax.set(xlabel="recall", ylabel="precision", title="Precision-recall curve", xlim=(0, 1), ylim=(0, 1.02))
    for ax in (roc_ax, pr_ax):
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8, loc="lower right" if ax is roc_ax else "upper right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_reliability(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], *, zoom: float | None = None, title: str = ""):
    """Reliability diagram: observed frequency against mean predicted probability per bin, one line per model.

    ``curves`` maps a label to ``(prob_true, prob_pred)`` as returned by sklearn.calibration.calibration_curve;
    ``zoom`` adds a second panel showing [0, zoom] on both axes (useful for rare events).
    """
    panels = 2 if zoom else 1
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 4), squeeze=False)
    for ax, limit in zip(axes[0], [1.0, zoom][:panels]):
        ax.plot([0, limit], [0, limit], color="grey", linestyle="--", linewidth=1, label="perfectly calibrated")
        for label, (prob_true, prob_pred) in curves.items():
            ax.plot(prob_pred, prob_true, marker="o", linewidth=2, label=label)
        ax.set(xlim=(0, limit), ylim=(0, limit), xlabel="mean predicted probability", ylabel="observed fraction of positives")
        ax.set_title("all bins" if limit == 1.0 else f"zoom on [0, {limit:g}]")
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_cost_curve(thresholds: Sequence[float], costs: Mapping[str, Sequence[float]], *, mark: float | None = None,
                    ylabel: str = "cost", title: str = ""):
    """Total cost against the decision threshold, one line per data set, with an optional chosen threshold."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for label, values in costs.items():
        ax.plot(thresholds, values, linewidth=2, label=label)
    if mark is not None:
        ax.axvline(mark, color="grey", linestyle="--", linewidth=1, label=f"chosen: {mark:g}")
    ax.set_xlabel("decision threshold on the predicted probability")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_learning_curves(curves: Mapping[str, pd.DataFrame], *, target: float | None = None, ylabel: str = "RMSE",
                         title: str = ""):
    """Learning curves side by side, one panel per model: training and validation error against training-set size.

    ``curves`` maps a model's label to a frame with columns ``n_train``, ``train_rmse`` and ``val_rmse``;
    ``target`` draws the error the business needs as a horizontal line.
    """
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 3.8), sharey=True, squeeze=False)
    for ax, (label, frame) in zip(axes[0], curves.items()):
        ax.plot(frame["n_train"], frame["train_rmse"], marker="o", linewidth=2, label="training")
        ax.plot(frame["n_train"], frame["val_rmse"], marker="o", linewidth=2, label="validation")
        ax.fill_between(frame["n_train"], frame["train_rmse"], frame["val_rmse"], alpha=0.12, color="grey", label="gap")
        if target is not None:
            ax.axhline(target, color="black", linestyle=":", linewidth=1, label=f"target {target:g}")
        ax.set(xlabel="training rows", title=label)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(ylabel)
    axes[0][0].set_ylim(bottom=0)
    axes[0][-1].legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_train_val(x: Sequence[float], train: Sequence[float], val: Sequence[float], *, xlabel: str,
                   ylabel: str = "RMSE", mark: float | None = None, logx: bool = False, title: str = ""):
    """A validation curve: training and validation error over a complexity parameter, optional chosen value."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(x, train, marker="o", linewidth=2, label="training")
    ax.plot(x, val, marker="o", linewidth=2, label="validation (CV)")
    if mark is not None:
        ax.axvline(mark, color="grey", linestyle="--", linewidth=1, label=f"chosen: {mark:g}")
    if logx:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def plot_coef_paths(alphas: Sequence[float], paths: Mapping[str, Sequence[Sequence[float]]], names: Sequence[str], *,
                    highlight: Sequence[str] = (), title: str = ""):
    """Coefficient paths side by side (one panel per penalty): each feature's coefficient against alpha (log scale).

    ``paths`` maps a panel label to an array of shape (len(alphas), len(names)), or a pair
    ``(alphas, array)`` when that panel has its own grid; ``highlight`` features get a coloured labelled line,
    the others are drawn in grey.
    """
    import numpy as np

    fig, axes = plt.subplots(1, len(paths), figsize=(5.5 * len(paths), 4), squeeze=False)
    for ax, (label, path) in zip(axes[0], paths.items()):
        grid, values = (path if isinstance(path, tuple) else (alphas, path))
        values = np.asarray(values, dtype=float)
        for j, name in enumerate(names):
            if name in highlight:
                ax.plot(grid, values[:, j], linewidth=2, label=name)
            else:
                ax.plot(grid, values[:, j], linewidth=1, color="grey", alpha=0.6)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xscale("log")
        ax.set(xlabel="alpha (penalty strength, log scale)", ylabel="coefficient (per 1 sd)", title=label)
        ax.grid(alpha=0.3)
    if highlight:
        axes[0][-1].legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_cv_splits(splits: Mapping[str, Sequence[tuple[Sequence[int], Sequence[int]]]], n_samples: int, *,
                   groups: Sequence | None = None, group_label: str = "group", title: str = ""):
    """Rows used for training (blue) and testing (orange) by every fold, one panel per splitter; optional group strip.

    ``splits`` maps a splitter's name to its list of (train indices, test indices); rows in neither are left grey.
    """
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    n_panels = len(splits) + (groups is not None)
    heights = [max(len(folds), 1) for folds in splits.values()] + ([0.6] if groups is not None else [])
    fig, axes = plt.subplots(n_panels, 1, figsize=(8, 0.35 * sum(heights) + 0.9 * n_panels),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    fold_colors = ListedColormap(["#eeeeee", "#4c72b0", "#dd8452"])
    for ax, (name, folds) in zip(axes[:, 0], splits.items()):
        grid = np.zeros((len(folds), n_samples))
        for k, (train, test) in enumerate(folds):
            grid[k, np.asarray(train, dtype=int)] = 1
            grid[k, np.asarray(test, dtype=int)] = 2
        ax.imshow(grid, aspect="auto", cmap=fold_colors, vmin=0, vmax=2, interpolation="nearest")
        ax.set_yticks(range(len(folds)), [f"fold {k + 1}" for k in range(len(folds))], fontsize=8)
        ax.set_xticks([])
        ax.set_title(name, fontsize=10, loc="left")
    if groups is not None:
        codes = pd.factorize(pd.Series(list(groups)))[0]
        ax = axes[-1, 0]
        ax.imshow(codes[None, :], aspect="auto", cmap="tab20", interpolation="nearest")
        ax.set_yticks([0], [group_label], fontsize=8)
        ax.set_xticks([])
    axes[-1, 0].set_xlabel("rows")
    axes[0, 0].legend(handles=[Patch(color="#4c72b0", label="train"), Patch(color="#dd8452", label="test"),
                               Patch(color="#eeeeee", label="unused")],
                      frameon=False, ncols=3, fontsize=8, loc="lower right", bbox_to_anchor=(1, 1))
    fig.suptitle(title)
    fig.tight_layout()
    return fig
