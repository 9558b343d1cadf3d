"""The learning report's charts, drawn by matplotlib: SVG for the HTML page, PNG for Slack.

Figures are built with `matplotlib.figure.Figure` directly (no pyplot): no
global state, no GUI backend, safe from the bot's worker threads.  Weeks with
too few answers are left out of a line, never drawn as a share.
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.figure import Figure

from bot.domain.learning import Report

TERMS_CHARTED = 8  # the most answered terms; the tables list every one


def accuracy_figure(report: Report) -> Figure:
    """First-try accuracy per term, week by week, with Wilson 95% intervals as error bars."""
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.add_subplot()
    labels = [w.dates for w in report.weeks]
    for row in report.terms[:TERMS_CHARTED]:
        shown = [(i, c) for i, c in enumerate(row.cells) if c.value is not None]
        if not shown:
            continue
        xs = [i for i, _ in shown]
        ys = [100 * (c.value or 0) for _, c in shown]
        low = [100 * ((c.value or 0) - c.interval[0]) for _, c in shown]
        high = [100 * (c.interval[1] - (c.value or 0)) for _, c in shown]
        ax.errorbar(xs, ys, yerr=[low, high], marker="o", capsize=3, label=row.term)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.set_ylim(0, 100)
    ax.set_ylabel("right at first try (%)")
    ax.set_title("Accuracy by week (weeks with fewer than 10 answers left out)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize="small")
    return fig


def recall_figure(report: Report) -> Figure:
    """Delayed recall of practised vs not-practised terms, with Wilson 95% intervals."""
    fig = Figure(figsize=(5, 3.5), layout="constrained")
    ax = fig.add_subplot()
    groups = [("practised", report.recall.practised), ("not practised", report.recall.unpractised)]
    for x, (_, share) in enumerate(groups):
        if share.value is None:
            ax.text(x, 5, f"{share.answered} answers:\ntoo few", ha="center")
            continue
        low, high = share.interval
        value = 100 * share.value
        ax.bar(x, value, color="#2b7bba" if x == 0 else "#b0b0b0")
        ax.errorbar(x, value, yerr=[[value - 100 * low], [100 * high - value]], color="black", capsize=6)
    ax.set_xticks(range(len(groups)), [name for name, _ in groups])
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.set_ylim(0, 100)
    ax.set_ylabel("right a week or more later (%)")
    ax.set_title("Delayed recall")
    return fig


def to_svg(fig: Figure, name: str) -> str:
    """An `<svg>` element to inline in a page (ids salted by `name`, so two charts never share one)."""
    out = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name, "svg.fonttype": "none"}):
        fig.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]


def to_png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110)
    return out.getvalue()
