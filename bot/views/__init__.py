"""What people see: Block Kit messages, modals and Home views, built from domain values.

Services decide, views render, listeners route.  Callers write `views.quiz.reveal_blocks(...)`.

| module        | renders                                                                   |
| ------------- | ------------------------------------------------------------------------- |
| `ids`         | every action_id and callback_id, in one place                             |
| `kit`         | the shared pieces: verbatim mrkdwn, sections, buttons, Block Kit's limits |
| `terms`       | term cards, "Did you mean", comparisons, browsing, meanings, Explain terms |
| `quiz`        | the term of the day, its count, the reveal, private feedback              |
| `boards`      | leaderboards                                                              |
| `home`        | the Home tab and the practice modal                                       |
| `replies`     | `/quiz` answers as sentences                                              |
| `suggestions` | the suggestion modal, the review message, the owners' list                |
| `learning`    | `/quiz report` and Home's initial vs current                              |
| `charts`      | the learning report's charts (matplotlib), imported only where drawn      |
| `report_page` | the learning report as one HTML page                                      |
"""

from bot.views import boards, home, ids, kit, quiz, replies, suggestions, terms

__all__ = ["boards", "home", "ids", "kit", "quiz", "replies", "suggestions", "terms"]
