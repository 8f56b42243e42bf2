"""hosho.core: the domain of 電子保証 (electronic surety certificates) and its use cases.

Nothing in this package knows about Slack, IMAP or the terminal; the front ends in
``hosho.bot`` and ``hosho.mailbox`` call into it.
"""
