"""Progress lines of a region build, all on one logger, ``geo.build``.

``python -m geo region build`` shows them through the ``geo`` logger and
``data/build_demo.py`` prints them as its own.
"""
from __future__ import annotations

import logging
from typing import Final

__all__ = ["LOGGER_NAME", "log", "say"]

#: The logger every module of :mod:`geo.build` reports progress on.
LOGGER_NAME: Final = "geo.build"

log = logging.getLogger(LOGGER_NAME)


def say(message: str) -> None:
    """Log one progress line at INFO level.

    Parameters
    ----------
    message : str
        The line, without a trailing full stop.
    """
    log.info("%s", message)
