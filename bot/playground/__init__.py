"""The playground: the real bot and a stand-in for Slack in one process, with a Slack-like page.

`python -m bot playground` runs it; a person opens http://127.0.0.1:3000/ and
uses the bot as in Slack, with no workspace, no tokens and no network.

| module      | holds                                                                       |
| ----------- | --------------------------------------------------------------------------- |
| `session`   | `run_playground`: the runtime, its HTTP server, the stand-in, the page       |
| `seed`      | the pretend workspace: its channel, people, and the app's slash commands     |
| `clock`     | the bot's clock (real time plus an offset), and when the next results are due|
| `static/`   | the page: HTML, CSS and JavaScript, shipped as package data, no build step   |

The bot is reached exactly as in production: signed requests to its
`/slack/events`, from the stand-in (`bot.standin.interactions`), which is also
its Web API and its `response_url`s.  The page talks only to the stand-in
(`bot.standin.ui`).  The time controls are the one place the playground drives
the bot itself, as its scheduler does: the closing service and the recovery
job, through the bot's clock.
"""

from bot.playground.session import Playground, run_playground

__all__ = ["Playground", "run_playground"]
