"""The Slack front end (slack-bolt): the app, its listeners, Block Kit, staff posts, HTTP."""
