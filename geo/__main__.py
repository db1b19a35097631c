"""``python -m geo``: run :func:`geo.cli.main.main` and exit with its status."""
import sys

from geo.cli.main import main

sys.exit(main())
