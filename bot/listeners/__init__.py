"""Bolt listeners, one module per feature; each listener reads the payload, calls one service, answers.

| module        | answers                                                     |
| ------------- | ----------------------------------------------------------- |
| `define`      | `/define`, term buttons and menus, sharing a term           |
| `explain`     | the "Explain terms" message shortcut                        |
| `quiz`        | `/quiz` subcommands, quiz answer buttons                    |
| `leaderboard` | `/leaderboard`, sharing a board                             |
| `home`        | the Home tab opened, practice                               |
| `suggest`     | suggesting terms and edits, owners' Approve and Reject      |
| `uninstall`   | uninstall and token revocation                              |
| `payload`     | pure helpers reading Slack's payloads (used by all)         |
| `context`     | `BotContext`, handed to every listener through Bolt's context |

Listeners are module-level functions (a unit test calls one with a stub
`ack`); `register_listeners(app, bot)` attaches them all.
"""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import define, explain, home, leaderboard, quiz, suggest, uninstall
from bot.listeners.context import Attach, BotContext


def register_listeners(app: App, bot: BotContext) -> None:
    app.use(Attach(bot))
    for feature in (define, explain, quiz, leaderboard, home, suggest, uninstall):
        feature.register(app)
