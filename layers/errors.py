"""Exceptions raised by the layers package.

Every exception subclasses both :class:`LayerError` (so callers can catch all
layer problems at once) and the matching built-in exception (so generic
handlers keep working).  Messages are complete sentences that name the file,
row, column, value and the fix, ready to show to a planner.
"""
from __future__ import annotations


class LayerError(Exception):
    """Base class of every error about a school, village or district layer."""


class LayerFileError(OSError, LayerError):
    """A layer file is missing, unreadable or not in a readable format."""


class LayerValidationError(ValueError, LayerError):
    """A layer was read but its contents break the schema.

    Parameters
    ----------
    message : str
        The whole message; for several problems, one line per problem.
    problems : list of dict, optional
        One dict per problem with keys ``file, row, column, value, problem, fix``.
    """

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])
