"""提出 (submissions): one e-mail to the town's address and what became of it.

``checks`` examines a mail (the PDF attached, the sender) without the database;
``decision`` decides against the contracts and the town's rules; ``recording`` records
exactly one row per message; ``listing`` reads them back; ``statuses`` holds every status
with its staff label and the Japanese reason the sender is told.
"""
