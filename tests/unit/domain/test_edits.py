"""bot/domain/edits.py: checking a suggested term, and the approved overlay on the file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.domain.edits import Change, TermText, apply_changes, changed_fields, problems_for, to_yaml
from bot.domain.glossary import Glossary, load_glossary, parse_glossary
from bot.domain.text import normalise

GLOSSARY = load_glossary(Path(__file__).resolve().parents[3] / "data" / "glossary.yml")
DRAIN = TermText.of(GLOSSARY.get("Drain"))  # type: ignore[arg-type]
CANARY = TermText("Canary release", "Deploy", "A small first share of traffic.", "Thinking it proves safety.")


def edit(change_id: int, base: TermText, **fields: object) -> Change:
    return Change(change_id, normalise(DRAIN.term), replace(base, **fields), base)  # type: ignore[arg-type]


# -- checking a suggestion ------------------------------------------------------------------


def test_a_new_term_that_fits_has_no_problems() -> None:
    assert problems_for(GLOSSARY, CANARY, None) == {}


def test_problems_are_found_together_and_by_field() -> None:
    # Drain and Allocation (alloc) are Runtime terms: the same names in that category clash.
    bad = replace(CANARY, term="drain", category="Runtime", trap="", aliases=("alloc",), see_also=("Nope",))
    problems = problems_for(GLOSSARY, bad, None)
    assert set(problems) == {"term", "trap", "aliases", "see_also"}
    assert "duplicates 'Drain'" in problems["term"] and "(line" not in problems["term"]


def test_an_edit_may_keep_its_own_names() -> None:
    assert problems_for(GLOSSARY, replace(DRAIN, trap="New trap."), "Drain") == {}
    assert "duplicates" in problems_for(GLOSSARY, replace(DRAIN, trap="New trap."), None)["term"]


def test_a_name_may_return_in_another_category_as_another_meaning() -> None:
    other = replace(CANARY, term="drain", category="Plumbing", aliases=("CAS",))
    assert problems_for(GLOSSARY, other, None) == {}


def test_slack_limits_on_each_field() -> None:
    long = replace(CANARY, definition="x" * 1501, aliases=tuple(f"alias {n}" for n in range(11)))
    problems = problems_for(GLOSSARY, long, None)
    assert problems["definition"].startswith("At most 1500") and problems["aliases"] == "At most 10 names."


def test_changed_fields_lists_old_and_new_text_of_what_changed_only() -> None:
    assert changed_fields(DRAIN, replace(DRAIN, trap="T")) == [("trap", DRAIN.trap, "T")]
    assert [f for f, _, _ in changed_fields(None, CANARY)] == [
        "term",
        "category",
        "definition",
        "trap",
        "aliases",
        "see_also",
    ]


# -- the overlay --------------------------------------------------------------------------------


def test_an_edit_and_an_add_apply() -> None:
    applied = apply_changes(GLOSSARY, [edit(1, DRAIN, trap="T1"), Change(2, "canary release", CANARY, None)])
    assert applied.glossary.get("Drain").trap == "T1"  # type: ignore[union-attr]
    assert applied.glossary.get("canary") is None and applied.glossary.get("Canary release") is not None
    assert (applied.caught_up, applied.conflicts, applied.problems()) == ([], [], [])
    assert len(applied.glossary.terms) == len(GLOSSARY.terms) + 1


def test_a_chain_of_edits_applies_in_order() -> None:
    first = edit(1, DRAIN, definition="D1")
    second = edit(2, first.fields, trap="T2")
    drain = apply_changes(GLOSSARY, [second, first]).glossary.get("Drain")
    assert (drain.definition, drain.trap) == ("D1", "T2")  # type: ignore[union-attr]


def test_two_edits_made_against_the_same_text_do_not_silently_drop_one() -> None:
    """Both made against the file's text: the second is a conflict, not a silent revert of the first."""
    applied = apply_changes(GLOSSARY, [edit(1, DRAIN, definition="D1"), edit(2, DRAIN, trap="T2")])
    assert applied.glossary.get("Drain").definition == "D1"  # type: ignore[union-attr]
    assert applied.conflicts == [2]


def test_an_edit_of_a_renamed_term_follows_its_chain() -> None:
    renamed = edit(1, DRAIN, term="Draining state", aliases=())
    again = Change(2, renamed.term_key, replace(renamed.fields, trap="T2"), renamed.fields)
    applied = apply_changes(GLOSSARY, [renamed, again])
    assert applied.conflicts == [] and applied.glossary.get("Drain") is None
    assert applied.glossary.get("Draining state").trap == "T2"  # type: ignore[union-attr]


def test_the_file_holding_a_change_retires_it_and_nothing_doubles() -> None:
    change = Change(1, "canary release", CANARY, None)
    exported = parse_glossary(to_yaml(apply_changes(GLOSSARY, [change]).glossary))
    applied = apply_changes(exported, [change])
    assert applied.caught_up == [1] and len(applied.glossary.terms) == len(exported.terms)


def test_a_file_edit_of_the_same_term_wins_and_is_a_conflict() -> None:
    changed_file = Glossary(
        GLOSSARY.title,
        tuple(t if t.term != "Drain" else replace(t, trap="File's trap") for t in GLOSSARY.terms),
    )
    applied = apply_changes(changed_file, [edit(1, DRAIN, trap="Overlay's trap")])
    assert applied.conflicts == [1] and applied.glossary.get("Drain").trap == "File's trap"  # type: ignore[union-attr]


def test_the_overlay_reports_broken_rules() -> None:
    clash = Change(
        2,
        normalise("Cell"),
        replace(TermText.of(GLOSSARY.get("Cell")), aliases=("Canary release",)),
        TermText.of(GLOSSARY.get("Cell")),
    )  # type: ignore[arg-type]
    canary = replace(CANARY, category="Topology")  # Cell's category: the same name there clashes
    applied = apply_changes(GLOSSARY, [Change(1, "canary release", canary, None), clash])
    assert any("duplicates" in p for p in applied.problems())


@pytest.mark.parametrize("term", [t.term for t in GLOSSARY.terms])
def test_every_shipped_term_survives_the_yaml_round_trip(term: str) -> None:
    back = parse_glossary(to_yaml(GLOSSARY))
    assert TermText.of(back.get(term)) == TermText.of(GLOSSARY.get(term))  # type: ignore[arg-type]


def test_an_edit_of_one_meaning_is_checked_against_the_names_other_meanings() -> None:
    root = Path(__file__).resolve().parents[3]
    shared = parse_glossary(
        (root / "data/glossary.yml").read_text() + "\n" + (root / "tests/data/meanings.yml").read_text()
    )
    people = TermText.of(shared.get("IC|People"))  # type: ignore[arg-type]
    assert problems_for(shared, replace(people, trap="Thinking it means junior."), "IC|People") == {}
    moved = replace(people, category="Incidents")  # now the same name in the same category as the other IC
    assert "duplicates 'IC'" in problems_for(shared, moved, "IC|People")["term"]
