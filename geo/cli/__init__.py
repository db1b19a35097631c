"""``python -m geo``: the batch command line (parser, commands and the entry point)."""
