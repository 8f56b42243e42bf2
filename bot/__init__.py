"""hosho.bot: the chat front ends (Slack via slack-bolt, and the terminal) and the CLI."""
