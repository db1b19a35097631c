"""Dash callbacks, one module per page (and ``shell`` for the app frame); each has ``register(app)``."""
