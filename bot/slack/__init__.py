"""The Slack edge: the Bolt app, the HTTP server, the Web API client and whose token speaks for which workspace."""
