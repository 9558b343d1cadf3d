"""Pure parts of the stand-in's people side: typed text as Slack sends it, and finding what was used."""

from __future__ import annotations

from bot.standin.checks import blocks_problem
from bot.standin.interactions import block_id_of, find_element, options_of, slack_text
from bot.standin.state import Channel, Person

PEOPLE = [Person("U0ADA", "Ada", is_admin=True), Person("U0BEN", "Ben")]
CHANNELS = [Channel("C0PLAYGRND", "study-lab")]


def test_typed_text_has_slacks_three_entities() -> None:
    typed = "<script> & <!channel> *bold*"
    assert (
        slack_text(typed, PEOPLE, CHANNELS, link_names=False)
        == "&lt;script&gt; &amp; &lt;!channel&gt; *bold*"
    )


def test_with_link_names_handles_and_channels_become_ids() -> None:
    text = slack_text("@ben and @Ada in #study-lab, not @nobody or #elsewhere", PEOPLE, CHANNELS, True)
    assert text == "<@U0BEN|ben> and <@U0ADA|ada> in <#C0PLAYGRND|study-lab>, not @nobody or #elsewhere"
    assert slack_text("mail ben@example.com", PEOPLE, CHANNELS, True) == "mail ben@example.com"


def test_without_link_names_mentions_stay_text() -> None:
    assert slack_text("@ben", PEOPLE, CHANNELS, link_names=False) == "@ben"


def test_a_block_keeps_its_id_or_gets_a_stable_one() -> None:
    assert block_id_of(0, {"type": "divider", "block_id": "mine"}) == "mine"
    generated = block_id_of(2, {"type": "divider"})
    assert generated == block_id_of(2, {"type": "divider"}) and len(generated) == 5
    assert generated != block_id_of(3, {"type": "divider"})


BLOCKS = [
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "x"},
        "accessory": {"type": "button", "action_id": "acc"},
    },
    {
        "type": "actions",
        "block_id": "acts",
        "elements": [{"type": "button", "action_id": "a0"}, {"type": "overflow"}],
    },
    {"type": "input", "block_id": "in", "element": {"type": "plain_text_input", "action_id": "i"}},
]


def test_elements_are_found_by_block_and_element_index() -> None:
    found = find_element(BLOCKS, 0, -1)
    assert found is not None and found[2]["action_id"] == "acc" and found[0] == block_id_of(0, BLOCKS[0])
    found = find_element(BLOCKS, 1, 1)
    assert found is not None and found[0] == "acts" and found[2]["type"] == "overflow"
    found = find_element(BLOCKS, 2, -2)
    assert found is not None and found[2]["action_id"] == "i"


def test_addresses_that_name_nothing_find_nothing() -> None:
    for block, element in ((9, 0), (-1, 0), (1, 5), (0, 0), (1, -1)):
        assert find_element(BLOCKS, block, element) is None
    assert find_element("not blocks", 0, 0) is None


def test_options_include_option_groups() -> None:
    menu = {
        "options": [{"text": {}, "value": "a"}],
        "option_groups": [{"label": {}, "options": [{"text": {}, "value": "b"}, "junk"]}],
    }
    assert [o["value"] for o in options_of(menu)] == ["a", "b"]


def test_refusals_say_where_the_blocks_are_wrong() -> None:
    assert blocks_problem([{"type": "section"}]) is not None
    error, detail = blocks_problem([{"type": "divider"}, {"type": "nonsense"}]) or ("", "")
    assert error == "invalid_blocks" and "nonsense" in detail and "/blocks/1" in detail
    error, detail = blocks_problem(
        [{"type": "divider", "block_id": "x"}, {"type": "divider", "block_id": "x"}]
    ) or ("", "")
    assert error == "invalid_blocks" and "block_id" in detail
    assert blocks_problem([{"type": "divider"}]) is None
    assert blocks_problem(None) is None
