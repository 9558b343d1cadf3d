"""bot/domain/glossary.py: the real glossary loads, and every kind of fault in a glossary
file is reported at once with its file, line and term; `python -m bot check`;
the shipped glossary still carries the seed's definitions and traps word for word."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.domain.glossary import Glossary, GlossaryError, Problem, load_glossary, parse_glossary
from tests.support.cli import run_bot

REPO_ROOT = Path(__file__).resolve().parents[3]
GLOSSARY_FILE = REPO_ROOT / "data" / "glossary.yml"
# CI copies shared/ beside the clone, so it is ../shared from the repository root.
SEED_FILE = REPO_ROOT.parent / "shared" / "seed" / "glossary-seed.txt"

VALID = """\
title: Test glossary
terms:
  - term: Drain
    category: Runtime
    definition: A no-new-work   posture
      that lets work finish.
    trap: Claiming sessions moved.
    aliases: [draining]
    see_also: [Allocation]

  - term: Allocation
    category: Runtime
    definition: A running instance.
    trap: Treating it as the deployment.
    aliases: [alloc]
"""

# One file with every kind of fault; line numbers are noted beside the lines.
BROKEN = """\
title: Broken glossary
terms:
  - term: Route epoch
    category: Routing
    defintion: A monotonic route ownership version.
    trap: Routing by latest healthy backend.
    see_also: [Route owner]

  - term: Route-Epoch
    category: Routing
    definition: A second copy.
    trap: ""
    aliases: [route ownership version]

  - term: Cell
    category: [Topology, Runtime]
    definition: The unit of isolation.
    definition: The unit of regional isolation.
    trap: Hardcoding one cell.
    aliases: cell unit
    see_also: [Nowhere]

  - category: Deploy
    definition: An immutable build output.
    trap: Rebuilding during promotion.

  - term: Drain
    category: Routing
    definition: A no-new-work posture.
    trap: Claiming sessions moved.
    aliases: [route epoch]
"""
# line  3: Route epoch; 5: defintion (unknown key, and so definition missing)
# line  9: Route-Epoch (duplicates Route epoch); 12: empty trap
# line 15: Cell; 16: category is a list; 18: second definition; 20: aliases is text; 21: see_also Nowhere
# line 23: an entry with no term
# line 27: Drain, whose alias "route epoch" duplicates Route epoch in the same category


def problems_of(text: str, path: str = "g.yml") -> list[Problem]:
    with pytest.raises(GlossaryError) as caught:
        parse_glossary(text, path)
    assert caught.value.problems, "a GlossaryError must carry at least one problem"
    return caught.value.problems


def only(problems: list[Problem], *fragments: str) -> Problem:
    """The one problem whose message contains every fragment."""
    hits = [p for p in problems if all(f in p.message for f in fragments)]
    assert len(hits) == 1, f"expected one problem with {fragments}, got {hits} among {problems}"
    return hits[0]


def term_entry(name: str, **fields: str) -> str:
    """One entry of `terms`, starting `  - term: NAME`; `fields` add or replace fields."""
    values = {
        "term": name,
        "category": "Runtime",
        "definition": f"What {name} is.",
        "trap": f"Misreading {name}.",
    }
    values.update(fields)
    lines = [f"    {k}: {v}" for k, v in values.items()]
    return "  - " + "\n".join(lines)[4:] + "\n"


def glossary_text(*entries: str) -> str:
    return "title: T\nterms:\n" + "".join(entries)


# --- the real file ---------------------------------------------------------------


def test_the_real_glossary_loads_with_its_sixteen_terms() -> None:
    glossary = load_glossary(GLOSSARY_FILE)
    assert glossary.title == "Study Lab glossary"
    assert len(glossary.terms) == 16
    assert len({t.term for t in glossary.terms}) == 16
    for term in glossary.terms:
        assert term.term and term.category and term.definition and term.trap
        assert term.line > 0
        for ref in term.see_also:
            target = glossary.get(ref)
            assert target is not None and target is not term
    assert glossary.get("rto") is not None and glossary.get("rto") is not glossary.get("rpo")
    assert glossary.get("CAS") == glossary.get("Compare-and-swap")


def test_term_lines_point_at_each_term_in_the_real_file() -> None:
    glossary = load_glossary(GLOSSARY_FILE)
    lines = GLOSSARY_FILE.read_text(encoding="utf-8").splitlines()
    for term in glossary.terms:
        assert lines[term.line - 1].strip() == f"- term: {term.term}"


# --- a valid glossary --------------------------------------------------------------


def test_a_valid_glossary_becomes_frozen_terms_with_folded_whitespace() -> None:
    glossary = parse_glossary(VALID)
    assert isinstance(glossary, Glossary)
    assert glossary.title == "Test glossary"
    drain, allocation = glossary.terms
    assert drain.term == "Drain"
    assert drain.definition == "A no-new-work posture that lets work finish."
    assert drain.aliases == ("draining",)
    assert drain.see_also == ("Allocation",)
    assert drain.line == 3 and allocation.line == 11
    assert allocation.see_also == ()
    with pytest.raises(AttributeError):
        drain.term = "Other"  # type: ignore[misc]


def test_names_are_found_ignoring_case_punctuation_and_plural() -> None:
    glossary = parse_glossary(VALID)
    drain = glossary.terms[0]
    for name in ("drain", "DRAIN", "Draining", " drain? ", "drains"):
        assert glossary.get(name) is drain, name
    assert glossary.get("ALLOC") is glossary.terms[1]
    assert glossary.get("nothing") is None
    assert glossary.related(drain) == [glossary.terms[1]]
    assert glossary.categories() == {"Runtime": list(glossary.terms)}


def test_optional_lists_may_be_left_empty() -> None:
    glossary = parse_glossary(glossary_text(term_entry("Drain", aliases="", see_also="[]")))
    assert glossary.terms[0].aliases == ()
    assert glossary.terms[0].see_also == ()


# --- every problem at once ----------------------------------------------------------


def test_every_kind_of_problem_is_reported_in_one_error() -> None:
    problems = problems_of(BROKEN, "data/broken.yml")
    assert all(p.path == "data/broken.yml" for p in problems)

    unknown = only(problems, "unknown key 'defintion'")
    assert "did you mean 'definition'" in unknown.message
    assert (unknown.line, unknown.term) == (5, "Route epoch")

    missing = only(problems, "missing 'definition'")
    assert (missing.line, missing.term) == (3, "Route epoch")

    empty = only(problems, "'trap' is empty")
    assert (empty.line, empty.term) == (12, "Route-Epoch")

    list_for_text = only(problems, "'category' must be text, not a list")
    assert (list_for_text.line, list_for_text.term) == (16, "Cell")

    duplicate_key = only(problems, "duplicate key 'definition'")
    assert (duplicate_key.line, duplicate_key.term) == (18, "Cell")
    assert "silently" in duplicate_key.message

    text_for_list = only(problems, "'aliases' must be a list")
    assert (text_for_list.line, text_for_list.term) == (20, "Cell")

    dangling = only(problems, "see_also 'Nowhere' names no term")
    assert dangling.term == "Cell" and dangling.line == 15

    no_term = only(problems, "missing 'term'")
    assert (no_term.line, no_term.term) == (23, None)

    # Route-Epoch and Drain's alias clash with Route epoch, although Route epoch
    # has faults of its own: the author sees every clash in this one pass.
    clash = only(problems, "'Route-Epoch' duplicates 'Route epoch' (line 3)")
    assert (clash.line, clash.term) == (9, "Route-Epoch")
    alias_clash = only(problems, "'route epoch' duplicates 'Route epoch' (line 3)")
    assert (alias_clash.line, alias_clash.term) == (27, "Drain")

    assert len(problems) == 11, "\n".join(map(str, problems))


def test_a_see_also_naming_a_faulty_term_is_not_called_dangling() -> None:
    text = glossary_text(
        term_entry("Drain", see_also="[Allocation]"),
        term_entry("Allocation", trap='""'),
    )
    problems = problems_of(text)
    assert [p.message for p in problems] == ["'trap' is empty"]


def test_the_report_lists_every_problem_with_file_line_and_term() -> None:
    with pytest.raises(GlossaryError) as caught:
        parse_glossary(BROKEN, "data/broken.yml")
    report = caught.value.report()
    lines = report.splitlines()
    assert lines[0] == "11 problems in the glossary:"
    assert "  data/broken.yml:5: term 'Route epoch': unknown key 'defintion'" in report
    assert "  data/broken.yml:23: missing 'term'" in report
    assert len(lines) == 12
    assert str(caught.value) == report


def test_a_single_problem_reads_as_singular() -> None:
    error = GlossaryError([Problem("g.yml", 0, None, "file not found")])
    assert error.report() == "1 problem in the glossary:\n  g.yml: file not found"


# --- each kind on its own ----------------------------------------------------------


@pytest.mark.parametrize("field", ["term", "category", "definition", "trap"])
def test_a_missing_field_is_named(field: str) -> None:
    lines = [
        line for line in term_entry("Drain").splitlines() if not line.lstrip(" -").startswith(f"{field}:")
    ]
    entry = "  - " + "\n".join(lines).lstrip(" -") + "\n"
    assert entry.count("  - ") == 1 and len(lines) == 3
    problem = only(problems_of(glossary_text(entry)), f"missing '{field}'")
    assert problem.line == 3
    assert problem.term == (None if field == "term" else "Drain")


@pytest.mark.parametrize("value", ['""', "'   '", "", "~", "null"])
def test_an_empty_field_is_reported(value: str) -> None:
    problems = problems_of(glossary_text(term_entry("Drain", definition=value)))
    assert len(problems) == 1
    problem = problems[0]
    assert "'definition'" in problem.message
    assert "empty" in problem.message or "not nothing" in problem.message
    assert (problem.line, problem.term) == (5, "Drain")


@pytest.mark.parametrize(
    ("key", "hint"),
    [("defintion", "definition"), ("trapp", "trap"), ("alias", "aliases"), ("seealso", "see_also")],
)
def test_an_unknown_key_gets_a_did_you_mean_hint(key: str, hint: str) -> None:
    problems = problems_of(glossary_text(term_entry("Drain", **{key: "x"})))
    problem = only(problems, f"unknown key '{key}'")
    assert f"did you mean '{hint}'" in problem.message
    assert (problem.line, problem.term) == (7, "Drain")


def test_an_unknown_key_with_no_near_name_lists_the_known_ones() -> None:
    problem = only(problems_of(glossary_text(term_entry("Drain", colour="red"))), "unknown key 'colour'")
    assert "expected one of: term, category, definition, trap, aliases, see_also" in problem.message


def test_an_unknown_top_level_key_is_reported() -> None:
    problem = only(problems_of("titel: T\n" + glossary_text(term_entry("Drain"))), "unknown key 'titel'")
    assert "did you mean 'title'" in problem.message
    assert (problem.line, problem.term) == (1, None)


@pytest.mark.parametrize("field", ["term", "category", "definition", "trap"])
def test_a_list_where_text_is_expected(field: str) -> None:
    problems = problems_of(glossary_text(term_entry("Drain", **{field: "[a, b]"})))
    problem = only(problems, f"'{field}' must be text, not a list")
    assert problem.line == {"term": 3, "category": 4, "definition": 5, "trap": 6}[field]


def test_a_mapping_where_text_is_expected() -> None:
    problem = only(problems_of(glossary_text(term_entry("Drain", trap="{a: b}"))), "'trap' must be text")
    assert "a mapping" in problem.message


@pytest.mark.parametrize("field", ["aliases", "see_also"])
def test_text_where_a_list_is_expected(field: str) -> None:
    problem = only(
        problems_of(glossary_text(term_entry("Drain", **{field: "Cell"}))), f"'{field}' must be a list"
    )
    assert f"{field}: [Cell]" in problem.message
    assert (problem.line, problem.term) == (7, "Drain")


def test_a_list_entry_that_is_not_text() -> None:
    problem = only(problems_of(glossary_text(term_entry("Drain", aliases="[[a, b]]"))), "must be text")
    assert "aliases" in problem.message and problem.term == "Drain"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Route epoch", "Route-Epoch"),
        ("Route epoch", "route  epoch!"),
        ("RTO", "rtos"),
        ("JetStream", "jetstream"),
    ],
)
def test_a_duplicate_term_ignoring_case_and_punctuation(first: str, second: str) -> None:
    text = glossary_text(term_entry(first), "\n", term_entry(second))
    folded = " ".join(second.split())
    problem = only(problems_of(text), f"'{folded}' duplicates '{first}' (line 3)")
    assert problem.term == folded
    assert problem.line == 8


def test_a_duplicate_alias_across_terms() -> None:
    text = glossary_text(term_entry("Drain", aliases="[draining]"), term_entry("Cell", aliases="[Draining]"))
    problem = only(problems_of(text), "'Draining' duplicates 'Drain'")
    assert (problem.line, problem.term) == (8, "Cell")


def test_an_alias_that_is_another_terms_name() -> None:
    text = glossary_text(term_entry("Drain"), term_entry("Cell", aliases="[DRAIN]"))
    problem = only(problems_of(text), "'DRAIN' duplicates 'Drain'")
    assert problem.term == "Cell"


def test_an_alias_that_repeats_its_own_term() -> None:
    problem = only(problems_of(glossary_text(term_entry("Route epoch", aliases="[route-epoch]"))), "repeats")
    assert problem.term == "Route epoch"


def test_a_name_without_letters_is_reported() -> None:
    problem = only(problems_of(glossary_text(term_entry("'???'"))), "has no letters")
    assert problem.term == "???"


@pytest.mark.parametrize("key", ["term", "category", "definition", "trap", "aliases"])
def test_a_duplicate_yaml_key_inside_one_term(key: str) -> None:
    entry = term_entry("Drain", aliases="[draining]") + f"    {key}: again\n"
    problem = only(problems_of(glossary_text(entry)), f"duplicate key '{key}'")
    assert (problem.line, problem.term) == (8, "Drain")


def test_a_duplicate_top_level_key() -> None:
    problem = only(problems_of("title: A\ntitle: B\nterms: []\n"), "duplicate key 'title'")
    assert problem.line == 2


def test_see_also_naming_no_term() -> None:
    text = glossary_text(term_entry("Drain", see_also="[Allocation, Cell]"), term_entry("Cell"))
    problem = only(problems_of(text), "see_also 'Allocation' names no term")
    assert (problem.line, problem.term) == (3, "Drain")


def test_see_also_resolves_through_aliases_and_case() -> None:
    text = glossary_text(term_entry("Drain", see_also="[ALLOC]"), term_entry("Allocation", aliases="[alloc]"))
    assert parse_glossary(text).terms[0].see_also == ("ALLOC",)


def test_see_also_naming_the_term_itself() -> None:
    problem = only(
        problems_of(glossary_text(term_entry("Drain", see_also="[drain]"))), "names the term itself"
    )
    assert problem.term == "Drain"


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("", "the file is empty", 0),
        ("# only a comment\n", "the file is empty", 0),
        ("- a\n- b\n", "top level must be a mapping", 1),
        ("title: T\n", "missing 'terms'", 1),
        ("title: T\nterms: Drain\n", "'terms' must be a list", 2),
        ("title: T\nterms: []\n", "'terms' is empty", 2),
        ("title: T\nterms:\n  - Drain\n", "must be a mapping, not a text value", 3),
    ],
)
def test_the_shape_of_the_file(text: str, fragment: str, line: int) -> None:
    problem = only(problems_of(text), fragment)
    assert problem.line == line


def test_a_yaml_syntax_error_gives_its_line() -> None:
    text = "title: T\nterms:\n  - term: Drain\n    definition: [unclosed\n    trap: t\n  - term: Cell\n"
    problems = problems_of(text, "g.yml")
    assert len(problems) == 1
    assert problems[0].message.startswith("YAML syntax error:")
    assert problems[0].line >= 4
    assert str(problems[0]).startswith(f"g.yml:{problems[0].line}: YAML syntax error")


def test_a_tab_indent_is_a_syntax_error_on_its_line() -> None:
    problem = only(problems_of("title: T\nterms:\n\t- term: Drain\n"), "YAML syntax error")
    assert problem.line == 3


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yml"
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    [problem] = caught.value.problems
    assert problem.path == str(path)
    assert problem.message == "file not found"


def test_a_directory_is_not_a_glossary(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError) as caught:
        load_glossary(tmp_path)
    [problem] = caught.value.problems
    assert "cannot read" in problem.message


def test_non_utf8_bytes_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yml"
    text = glossary_text(term_entry("Drain", definition="Caf\u00e9 posture."))
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    [problem] = caught.value.problems
    assert problem.message == "the file is not valid UTF-8"
    assert (problem.path, problem.line) == (str(path), 5)


def test_a_utf8_file_with_non_ascii_text_loads(tmp_path: Path) -> None:
    path = tmp_path / "utf8.yml"
    path.write_text(glossary_text(term_entry("Drain", definition="Café posture — ok.")), encoding="utf-8")
    assert load_glossary(path).terms[0].definition == "Café posture — ok."


def test_load_reports_problems_under_the_files_path(tmp_path: Path) -> None:
    path = tmp_path / "g.yml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    assert {p.path for p in caught.value.problems} == {str(path)}
    assert len(caught.value.problems) == 11


# --- python -m bot check -------------------------------------------------------------


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return run_bot("check", *args)


def test_check_prints_every_problem_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN, encoding="utf-8")
    result = run_check(str(path))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "11 problems in the glossary:" in out
    for expected in (
        f"{path}:5: term 'Route epoch': unknown key 'defintion' (did you mean 'definition'?)",
        f"{path}:3: term 'Route epoch': missing 'definition'",
        f"{path}:12: term 'Route-Epoch': 'trap' is empty",
        f"{path}:16: term 'Cell': 'category' must be text, not a list",
        f"{path}:18: term 'Cell': duplicate key 'definition'",
        f"{path}:20: term 'Cell': 'aliases' must be a list",
        f"{path}:15: term 'Cell': see_also 'Nowhere' names no term",
        f"{path}:23: missing 'term'",
        f"{path}:9: term 'Route-Epoch': 'Route-Epoch' duplicates 'Route epoch'",
        f"{path}:27: term 'Drain': 'route epoch' duplicates 'Route epoch'",
    ):
        assert expected in out, f"{expected!r} not in:\n{out}"


def test_check_exits_0_on_the_real_glossary() -> None:
    result = run_check(str(GLOSSARY_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK, 16 terms" in result.stdout


def test_check_without_a_path_checks_the_default_glossary() -> None:
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("data/glossary.yml: OK, 16 terms")


def test_check_on_a_missing_file_exits_1(tmp_path: Path) -> None:
    result = run_check(str(tmp_path / "nope.yml"))
    assert result.returncode == 1
    assert "file not found" in result.stdout


# --- the seed ---------------------------------------------------------------------


def read_seed(path: Path) -> list[tuple[str, str, str, str]]:
    """(term, category, definition, trap) per block of the seed file."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    body = lines[4:]  # title, app name, "Glossary", the intro sentence
    assert len(body) % 5 == 0, f"the seed body has {len(body)} lines, not blocks of 5"
    blocks = [body[i : i + 5] for i in range(0, len(body), 5)]
    for block in blocks:
        assert block[3] == "Common trap", block
    return [(b[0], b[1], b[2], b[4]) for b in blocks]


def test_every_seed_definition_and_trap_is_in_the_glossary_word_for_word() -> None:
    if not SEED_FILE.is_file():
        pytest.skip(f"the shared seed is not at {SEED_FILE} (CI copies shared/ beside the clone)")
    seed = read_seed(SEED_FILE)
    assert len(seed) == 16
    glossary = load_glossary(GLOSSARY_FILE)
    raw = GLOSSARY_FILE.read_text(encoding="utf-8")
    for name, category, definition, trap in seed:
        term = glossary.get(name)
        assert term is not None and term.term == name, f"seed term {name!r} is missing"
        assert term.category == category, name
        assert term.definition == definition, name
        assert term.trap == trap, name
        assert definition in raw and trap in raw, name
    assert {t.term for t in glossary.terms} == {s[0] for s in seed}


# -- several meanings ------------------------------------------------------------------------------


def test_one_name_may_have_meanings_in_several_categories() -> None:
    text = glossary_text(
        term_entry("IC", category="Incidents", aliases="[incident commander]"),
        term_entry("IC", category="People", see_also="[IC]"),
    )
    glossary = parse_glossary(text)
    first, second = glossary.terms
    assert glossary.meanings("ic") == (first, second) and glossary.shared(first)
    assert (glossary.key(first), glossary.key(second)) == ("IC|Incidents", "IC|People")
    assert glossary.get("IC|People") is second and glossary.get("ic") is first
    assert glossary.get("incident commander") is first and glossary.meanings("incident commander") == (first,)
    assert glossary.related(second) == [first]  # its see_also: the other meaning


def test_the_same_name_in_the_same_category_is_still_a_duplicate() -> None:
    text = glossary_text(term_entry("IC", category="People"), term_entry("ic", category="people"))
    problem = only(problems_of(text), "'ic' duplicates 'IC' (line 3)", "same category")
    assert (problem.line, problem.term) == (7, "ic")


def test_a_unique_name_is_its_own_key() -> None:
    glossary = load_glossary(Path(__file__).resolve().parents[3] / "data" / "glossary.yml")
    assert all(glossary.key(t) == t.term and glossary.get(t.term) is t for t in glossary.terms)


def test_a_stored_key_is_shown_as_what_people_read() -> None:
    glossary = parse_glossary(
        """
title: T
terms:
  - term: IC
    category: Incidents
    definition: The incident commander.
    trap: Expecting the IC to debug.
  - term: IC
    category: People
    definition: An individual contributor.
    trap: Reading it as a junior title.
  - term: Drain
    category: Runtime
    definition: No new work.
    trap: Claiming sessions moved.
""",
        "t.yml",
    )
    assert glossary.label_of("IC|People") == "IC (People)"
    assert glossary.label_of("Drain") == "Drain"
    assert glossary.label_of("Gone|Old") == "Gone (Old)"  # a term since removed from the glossary
    assert glossary.label_of("Gone") == "Gone"
