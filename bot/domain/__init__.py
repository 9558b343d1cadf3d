"""The pure domain: the glossary, lookups, quizzes, practice, leaderboards, schedules and text.

Nothing here does I/O: the clock, the time zone and the random source are arguments.
"""
