"""提出 (submissions): one e-mail to the town's address and what became of it.

``checks`` examines a mail (the PDF attached, the sender, the subject rule) without
the database; ``store`` decides against the contracts and records exactly one row per
message; ``statuses`` holds every status with its label and Japanese reason.
"""
