"""The terminal front end: ``hosho chat`` over the same conversation as Slack."""
