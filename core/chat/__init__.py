"""The conversation with a contractor, a clerk or an admin, whatever the chat platform.

``Conversation`` turns a message from an opaque user reference into a ``Reply``;
the intents, the linking of a chat user to an お客様ID (customer ID), the admin
commands and the once-only claim of a delivered chat event live beside it.
"""
