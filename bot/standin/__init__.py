"""A stand-in for Slack, owned by the project: its Web API, `response_url`s, and what it remembers.

Slack itself cannot be reached from tests or from a laptop trying the bot, so
this package plays its part, faithfully enough that a bug a real workspace
would show also shows here: the same payload shapes, the same refusals
(malformed Block Kit, a channel the bot is not in, a token of another
workspace), the same rate-limit and failure answers.

| module    | holds                                                         |
| --------- | ------------------------------------------------------------- |
| `state`   | workspaces, tokens, channels, messages, people, views         |
| `methods` | the Web API methods, one function each                        |
| `checks`  | what Slack refuses (Block Kit, sizes)                         |
| `server`  | `SlackStandIn`: the loopback HTTP server, faults, recording   |
"""

from bot.standin.server import Call, Fault, SlackStandIn
from bot.standin.state import Channel, Identity, Person, SlackState

__all__ = ["Call", "Channel", "Fault", "Identity", "Person", "SlackStandIn", "SlackState"]
