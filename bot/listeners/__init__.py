"""Bolt listeners grouped by the Slack surface they answer: commands, actions, events."""
