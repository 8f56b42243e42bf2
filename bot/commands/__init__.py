"""The ``hosho`` sub-commands, one module per noun; each has ``register(app)``."""
