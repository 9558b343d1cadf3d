"""Pure: the sentences the bot says privately, built from domain values (safe mrkdwn).

Kept apart from the listeners so that each listener only parses, calls and
answers, and so every wording is tested without Slack.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.quiz import NowOutcome, NowStatus
from bot.domain.slots import Schedule, StoredSchedule
from bot.domain.text import escape_mrkdwn

QUIZ_HELP = (
    "*Term of the day*\n"
    "`/quiz schedule HH:MM [TIMEZONE] [DAYS]`: post a question here, e.g. `/quiz schedule 09:30 Europe/Berlin mon-fri`"
    " (DAYS: mon-fri, daily, mon-sun or a list such as mon,wed,fri; any IANA zone such as Japan or UTC)\n"
    "`/quiz status`: this channel's schedule and the next post\n"
    "`/quiz now`: post a question right away (from anyone but a quiz admin, a practice round that does not count)\n"
    "`/quiz off`: stop posting here\n"
    "`/quiz admins [@someone …]`: who may manage the quiz\n"
    "`/quiz zone ZONE`: this workspace's default time zone\n"
    "`/quiz owners [@someone …]` and `/quiz review [#channel]`: who reviews glossary suggestions, and where\n"
    "`/quiz settings`: this workspace's settings\n"
    "`/quiz report [WEEKS]`: is the glossary teaching? (quiz admins and glossary owners)\n"
    "`/leaderboard` (or `/leaderboard last`): the week's standings"
)
NOT_ADMIN = "Sorry, only the quiz admins of this workspace can change the quiz. `/quiz status` shows it."
DM_ONLY_CHANNELS = "The term of the day is for channels. Run `/quiz` in the channel that should get it."
INVITE_FIX = "Invite me first with `/invite @Study Lab`, then try again."


def unknown_subcommand(word: str) -> str:
    return f"I don't know `/quiz {escape_mrkdwn(word[:40])}`.\n\n{QUIZ_HELP}"


def cannot_post(error: str) -> str:
    if error == "is_archived":
        return "This channel is archived, so I can't post the term of the day here."
    return f"I can't post in this channel (Slack says `{escape_mrkdwn(error or 'not_in_channel')}`). {INVITE_FIX}"


def status(stored: StoredSchedule | None, upcoming: datetime | None) -> str:
    if stored is None:
        return "No term of the day here yet. Start one with `/quiz schedule 09:30 Europe/Berlin mon-fri`."
    when = upcoming.strftime("%a %d %b %H:%M %Z") if upcoming else "none"
    text = f"Term of the day here: {escape_mrkdwn(stored.schedule.describe())}. Next post: {when}."
    if stored.last_error:
        failed = stored.last_error_at.strftime("%a %d %b %H:%M UTC") if stored.last_error_at else "recently"
        text += f"\n:warning: The last scheduled post failed ({failed}): {cannot_post(stored.last_error)}"
    return text


def scheduled(schedule: Schedule, status_text: str) -> str:
    return f"Scheduled: {escape_mrkdwn(schedule.describe())}.\n{status_text}"


def now_outcome(outcome: NowOutcome) -> str:
    if outcome.status is NowStatus.ALREADY_OPEN:
        link = f" <{outcome.permalink}|Answer it here>." if outcome.permalink else ""
        return f"There is already an open quiz in this channel; it stays open until its reveal.{link}"
    if outcome.status is NowStatus.CANNOT_POST:
        return cannot_post(outcome.error)
    if outcome.status is NowStatus.TAKEN:
        if outcome.counted:
            return "A question was already posted here this minute."
        return "A practice round was already posted here this hour. Ask a quiz admin for a counted quiz."
    if outcome.status is NowStatus.FAILED:
        return "Slack did not answer in time; I will post the question as soon as it does."
    if outcome.counted:
        return "Posted a question here. It counts on this week's leaderboard."
    return "Posted a practice round here. It does not count on the leaderboard (only quiz admins post counted quizzes)."


def admins_list(admins: frozenset[str]) -> str:
    if not admins:
        return "Quiz admins: this workspace's admins and owners. Set others with `/quiz admins @someone @someone-else`."
    return "Quiz admins: " + ", ".join(f"<@{escape_mrkdwn(a)}>" for a in sorted(admins)) + "."


def settings(admins: frozenset[str], owners: frozenset[str], review_channel: str, zone: str) -> str:
    def people(ids: frozenset[str], default: str) -> str:
        return ", ".join(f"<@{escape_mrkdwn(u)}>" for u in sorted(ids)) if ids else default

    review = (
        f"<#{escape_mrkdwn(review_channel)}>"
        if review_channel
        else "none (pending suggestions wait in the owners' Home tab)"
    )
    return (
        "*This workspace's settings*\n"
        f"Quiz admins: {people(admins, 'the workspace admins and owners')}\n"
        f"Glossary owners: {people(owners, 'none, so suggestions are off')}\n"
        f"Review channel: {review}\n"
        f"Default time zone: {escape_mrkdwn(zone)}"
    )
