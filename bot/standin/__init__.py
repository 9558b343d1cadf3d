"""A stand-in for Slack, owned by the project: its Web API, `response_url`s, and what it remembers.

Slack itself cannot be reached from tests or from a laptop trying the bot, so
this package plays its part, faithfully enough that a bug a real workspace
would show also shows here: the same payload shapes, the same refusals
(malformed Block Kit, a channel the bot is not in, a token of another
workspace), the same rate-limit and failure answers.  The tests and the
playground (`python -m bot playground`) use this one stand-in.

| module         | holds                                                                  |
| -------------- | ---------------------------------------------------------------------- |
| `state`        | workspaces, tokens, channels, messages, people, views, modals, refusals |
| `methods`      | the Web API methods, one function each                                 |
| `checks`       | what Slack refuses (Block Kit, sizes), and where                       |
| `server`       | `SlackStandIn`: the loopback HTTP server, faults, recording            |
| `slack_requests` | pure: the request bodies Slack sends an app, and its signature       |
| `interactions` | the people's side: what a person does, sent to the app signed; answers |
| `ui`           | `SlackPage`: a Slack-like web page over all of it (the playground's)   |

Imports run one way: `ui` → `interactions` → `server` → `methods` → `checks`, `state`;
`slack_requests` needs nothing else here.
"""

from bot.standin.server import Call, Fault, SlackStandIn
from bot.standin.state import Channel, Identity, Person, SlackState

__all__ = ["Call", "Channel", "Fault", "Identity", "Person", "SlackStandIn", "SlackState"]
