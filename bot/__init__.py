"""Study Lab: a Slack app that teaches a team its platform's vocabulary.

A map of the package.  Each folder is one wing; imports run downwards only,
and `lint-imports` (the contracts in `pyproject.toml`, run by the tests) fails
when one does not:

    __main__, cli        the command line: run, playground, define, check, report, migrate, ...
    startup              the checks before serving, each failure one line naming the setting
    playground/          `python -m bot playground`: the real bot beside the stand-in, with a page
    slack/server         waitress behind Bolt's WSGI adapter, `/healthz`, Socket Mode
    runtime              wires one running bot from settings (production, playground, tests)
    jobs, slack/app      APScheduler's jobs; the Bolt app, its OAuth flow and its error handler
    listeners/           Slack surfaces: read the payload, call a service, render with a view
    services/            what the bot does: posting, closing, answering, boards, Home, practice,
                         definitions, suggestions, modals, workspaces' lifecycle; share `core.Core`
    views/ | storage/ | slack/installations
                         Block Kit built from domain values (ids in `views.ids`); one module per
                         stored concept over one engine, with Alembic migrations; which token
                         speaks for which workspace
    slack/client         the WebClient and its retry policy
    config, logs, standin/
                         settings from the environment; logging with secrets masked; the stand-in
                         for the Slack Web API shared by the tests and the playground
    domain/ | data/      pure logic, no I/O (the clock, zone and random source are arguments):
                         glossary, edits, lookup, descriptions (FTS5 in memory), mentions
                         (Aho-Corasick), comparisons, quiz, practice, leaderboard, learning, slots,
                         text, workspace; the glossary that ships in the package

The domain never imports Slack or SQLAlchemy; listeners never import storage or
the Web API client; views neither store nor call Slack.
"""
