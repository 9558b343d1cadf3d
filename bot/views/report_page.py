"""The learning report as one self-contained HTML page: inline SVG charts, tables, no scripts, no network.

Every figure a chart shows is also in a table, so the page reads without the
charts; a cell with too few answers says so instead of a percentage.  All text
from people or the glossary is HTML-escaped.
"""

from __future__ import annotations

import re
from html import escape

from bot.domain.leaderboard import Week
from bot.domain.learning import MIN_ANSWERS, RECALL_GAP, Report
from bot.views.charts import accuracy_figure, recall_figure, to_svg

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #1d1c1d; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; }
td.few { color: #777; font-style: italic; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
"""


def _table(head: list[str], rows: list[list[tuple[str, str]]]) -> str:
    """A table; each cell is (text, css class)."""
    out = ["<table><thead><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        cells = (
            f'<td class="{cls}">{escape(text)}</td>' if cls else f"<td>{escape(text)}</td>"
            for text, cls in row
        )
        out += ["<tr>", *cells, "</tr>"]
    return "".join([*out, "</tbody></table>"])


def _counts(title: str, rows: tuple[tuple[str, int], ...], what: str) -> str:
    if not rows:
        return f"<h2>{escape(title)}</h2><p>None.</p>"
    return f"<h2>{escape(title)}</h2>" + _table(
        [what, "times"], [[(name, ""), (str(n), "")] for name, n in rows]
    )


def report_page(report: Report, workspace: str) -> str:
    """The whole page."""
    weeks = [with_year(w) for w in report.weeks]
    accuracy_rows = [
        [(row.term, ""), *((cell.text(), "few" if cell.too_few else "") for cell in row.cells)]
        for row in report.terms
    ]
    recall = report.recall
    recall_rows = [
        [("practised", ""), (str(recall.practised.answered), ""), (recall.practised.text(), "")],
        [("not practised", ""), (str(recall.unpractised.answered), ""), (recall.unpractised.text(), "")],
    ]
    title = f"Study Lab learning report, {weeks[0]} to {weeks[-1]}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Workspace {escape(workspace)}; weeks are ISO weeks in {escape(report.zone)}; "
        f"made {escape(report.made_at.strftime('%Y-%m-%d %H:%M UTC'))}. Percentages carry a Wilson 95% "
        f"interval; a cell of fewer than {MIN_ANSWERS} answers shows “too few answers”.</p>",
        "<h2>First-try accuracy by week</h2>",
        f"<figure>{to_svg(accuracy_figure(report), 'accuracy')}</figure>",
        _table(["term", *weeks], accuracy_rows)
        if accuracy_rows
        else "<p>No quiz answers in these weeks.</p>",
        "<h2>Delayed recall: practised vs not practised</h2>",
        f"<p>Quiz answers given {RECALL_GAP.days} days or more after the person last met the term, "
        "for terms they had practised before and terms they had not.</p>",
        f"<figure>{to_svg(recall_figure(report), 'recall')}</figure>",
        _table(["terms", "answers", "right"], recall_rows),
        f'<p id="recall-effect">Effect of practice: {escape(recall.effect_text())}</p>',
        _counts("Most missed terms", report.most_missed, "term"),
        _counts("Searched for, not in the glossary", report.missing, "search"),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def with_year(week: Week) -> str:
    """The week's dates with its year, unless they name one already (a week across New Year)."""
    return week.dates if re.search(r"\b\d{4}\b", week.dates) else f"{week.dates} {week.label[:4]}"
