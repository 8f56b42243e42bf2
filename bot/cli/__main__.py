"""``python -m hosho.bot.cli``: the same as the ``hosho`` console command."""

from hosho.bot.cli.main import main

main()
