"""Study Lab: a Slack app that teaches a team its platform's vocabulary.

A map of the package.  Imports run downwards only: listeners and jobs call
services; services use storage, Slack clients and the pure modules; the pure
modules import nothing that does I/O.

Entry points
    `__main__`        `python -m bot`: runs `cli`
    `cli`             the command line: run, playground, define, check, leaderboard, stats, export, forget-workspace
    `runtime`         wires one running bot from settings (used by `run`, the playground and the tests)
    `app`             the Bolt app, its OAuth flow and its one error handler
    `server`          waitress behind Bolt's WSGI adapter, `/healthz`, Socket Mode
    `jobs`            APScheduler: each job calls one service function
    `config`          settings from the environment, validated and typed once

Slack surfaces (`listeners/`): one module per feature; each listener reads the
payload (`listeners.payload`), calls a service, answers.

Services (`service/`): posting, closing, answering, weekly results, boards,
Home, practice, definitions, suggestions and overlays, admins, people,
channels, schedules, workspaces; all share `service.core.Core`.

Storage (`storage/`): one module per concept over one engine; Alembic
migrations in `storage/migrations/`.

Slack I/O
    `slack_client`    the WebClient and its retry policy
    `installations`   which token speaks for which workspace (one token, or OAuth installs)

Pure modules (no I/O; the clock, zone and random source are arguments)
    `glossary`        parsing and validating the glossary file
    `glossary_edits`  terms as editable text, checking suggestions, the approved overlay
    `glossaries`      the file kept loaded, with each workspace's overlay (in memory)
    `lookup`          finding the term someone meant (rapidfuzz)
    `comparisons`     `/define A vs B`
    `quiz`            the rotation, questions, judging
    `slots`           schedules, fire times across DST, local days
    `leaderboard`     ISO weeks in a zone, ranking
    `practice`        Leitner boxes
    `blocks`, `suggestion_views`, `replies`   what the bot shows (Block Kit and sentences)
    `text`            normalising and escaping
    `workspace`       the key that keeps workspaces apart

Trying it without Slack
    `standin/`        a stand-in for the Slack Web API, shared by the tests and the playground
    `playground/`     `python -m bot playground`: a local Slack-like page driving the real bot
"""
