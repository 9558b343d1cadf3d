"""Every action_id and callback_id the bot puts in a message or a view, in one place.

Views build with them and listeners match on them, so a renamed id changes in
one line.  Ids of repeated buttons get a suffix (`_0`, `_1`, ...): Slack wants
action ids unique within a block.
"""

# /define and the glossary
DEFINE_SHOW = "define_show"  # value: a term name; suffixed _0.._n within one block
DEFINE_SHARE = "define_share"  # value: a term name; suffixed _0, _1 in a comparison
DEFINE_PICK = "define_pick"  # a static select of terms
CATEGORY_BLOCK = "cat_"  # block id prefix of a category's menu (options load from it)

EXPLAIN_CALLBACK = "explain_terms"  # the message shortcut "Explain terms", as in manifest.yml

# The quiz and the leaderboard
QUIZ_ANSWER = "quiz_answer"  # value: "<quiz id>:<choice>"; suffixed _0.._3
LEADERBOARD_SHARE = "leaderboard_share"  # value: "<channel>|<week>"

# Home and practice
HOME_PRACTICE = "home_practice"
HOME_PICK = "home_pick"
PRACTICE_ANSWER = "practice_answer"  # value: choice index; suffixed _0.._3
PRACTICE_NEXT = "practice_next"
PRACTICE_CALLBACK = "practice"

# Suggestions and their review
SUGGEST_NEW = "suggest_new"  # value: the text a /define miss typed
SUGGEST_EDIT = "suggest_edit"  # value: a term name
SUGGEST_CALLBACK = "suggest_term"
REVIEW_APPROVE = "review_approve"  # value: the suggestion id
REVIEW_REJECT = "review_reject"  # value: the suggestion id
REJECT_CALLBACK = "reject_reason"
VALUE = "value"  # the action id of every input in the suggestion modals
