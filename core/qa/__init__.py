"""Questions and answers from the town's flyer (チラシ): knowledge base, index, readings.

``answers.answer(question, profile)`` is the entry point; ``knowledge`` loads the
TOML items under ``data/``; ``index`` scores a question against them with the
features of ``features`` and the kana readings of ``readings``.
"""
