"""Slack listeners grouped by kind, like Slack's bolt starter template.

Each sub-package has one ``register(app, chat)`` (the template's ``register(app)``, plus
the ``SlackChat`` they translate for, so no listener reaches for globals). Every listener
acks at once; the work runs afterwards as a bolt lazy listener.
"""

from __future__ import annotations

from slack_bolt import App

from hosho.bot.slack.chat import SlackChat
from hosho.bot.slack.listeners import actions, commands, events, messages


def register_listeners(app: App, chat: SlackChat) -> None:
    """Wire every listener kind to the app."""
    messages.register(app, chat)
    events.register(app, chat)
    commands.register(app, chat)
    actions.register(app, chat)
