"""The ``hosho`` console command: a typer app (``main``) and one module per noun."""
