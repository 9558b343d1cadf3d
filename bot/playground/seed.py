"""The pretend workspace the playground's stand-in holds: one channel, three people, the app's commands and shortcuts.

Ada is a workspace admin, so with `QUIZ_ADMINS` unset her `/quiz now` posts a
counted quiz and she may change the schedule; she is also the glossary's owner
(`GLOSSARY_OWNERS`), so suggestions work out of the box and she reviews them in
her Home tab.  Ben and Chidi are members.  The commands and message shortcuts
are the manifest's (`manifest.yml`; a unit test keeps them equal).  The
workspace is named after the glossary (`workspace_name`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace

from bot.standin import Identity, Person, SlackStandIn
from bot.standin.interactions import Command, Shortcut
from bot.views.ids import EXPLAIN_CALLBACK

TEAM = "T1"
CHANNEL = "C0PLAYGRND"
CHANNEL_NAME = "study-lab"
BOT = Identity(team_id=TEAM, bot_user_id="U0STUDYLAB", bot_id="B0STUDYLAB", team_name="Vango")
PEOPLE = (
    Person("U0ADA", "Ada", TEAM, is_admin=True),
    Person("U0BEN", "Ben", TEAM),
    Person("U0CHIDI", "Chidi", TEAM),
)
GLOSSARY_OWNERS = ("U0ADA",)
COMMANDS = (
    Command(
        "/define",
        "Look up a glossary term (typos and aliases welcome)",
        "drain | what is a route epoch | help",
    ),
    Command(
        "/quiz",
        "Schedule the term of the day in this channel",
        "schedule 09:30 Europe/Berlin mon-fri | status | now | off | admins | help",
        should_escape=True,
    ),
    Command("/leaderboard", "This week's quiz standings in this channel", "[last]"),
)
SHORTCUTS = (
    Shortcut("Explain terms", EXPLAIN_CALLBACK, "Every glossary term in this message, explained privately"),
)


def workspace_name(glossary_title: str) -> str:
    """The pretend workspace's name, from the glossary's title: "Vango glossary" → "Vango"."""
    name = re.sub(r"(?i)[\s:–-]*\bglossary$", "", glossary_title.strip()).strip()
    return name or glossary_title.strip() or BOT.team_name


def identity_for(glossary_title: str) -> Identity:
    """The app's identity in a workspace named after the glossary."""
    return replace(BOT, team_name=workspace_name(glossary_title))


def seed(slack: SlackStandIn, identity: Identity = BOT) -> str:
    """Fill the stand-in with the workspace; the bot token it issued (valid for this run only)."""
    token = f"xoxb-playground-{secrets.token_hex(12)}"
    state = slack.state
    state.default_identity = None  # only this run's token speaks for the workspace
    state.add_token(token, identity)
    state.join(CHANNEL, TEAM, CHANNEL_NAME)
    for person in PEOPLE:
        state.add_person(person)
    state.permalink_base = f"{slack.base_url}/archives/"
    return token
