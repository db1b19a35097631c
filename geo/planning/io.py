"""Scenarios and rules read from files: the one reader of a scenario JSON file and of a rules JSON file.

A scenario file is ``{"name": ..., "actions": [...]}`` (what the dashboard's
scenario download writes); a rules file is a partial :class:`Rules` as JSON
(it overrides the defaults).  The command line and batch scripts read them
here; errors name the file and the fix.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from geo.planning.rules import Rules
from geo.planning.scenario import Scenario, ScenarioError
from layers.errors import JunhengError

__all__ = ["read_json", "read_rules", "read_scenario"]


def read_json(path: str | os.PathLike, *, what: str, example: str, error: type[JunhengError]) -> Any:
    """Return the value of the UTF-8 JSON file ``path``, or raise ``error`` naming the file and the fix.

    The messages read ``<what> file <path> does not exist; give a JSON file
    <example>.`` and ``<what> file <path> is not valid UTF-8 JSON (<reason>).``

    Examples
    --------
    >>> read_json("missing.json", what="Scenario", example="such as {}", error=ScenarioError)
    Traceback (most recent call last):
    ...
    geo.planning.scenario.ScenarioError: Scenario file missing.json does not exist; give a JSON file such as {}.
    """
    p = Path(path)
    if not p.is_file():
        raise error(f"{what} file {p} does not exist; give a JSON file {example}.")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{what} file {p} is not valid UTF-8 JSON ({exc}).") from exc


def read_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario from the UTF-8 JSON file ``path``: ``{"name": ..., "actions": [...]}``.

    Raises :class:`geo.planning.scenario.ScenarioError` when the file does
    not exist, is not UTF-8 JSON, or is not a scenario.
    """
    return Scenario.from_dict(read_json(path, what="Scenario", example='{"name": ..., "actions": [...]}', error=ScenarioError))


def read_rules(path: str | os.PathLike | None) -> Rules:
    """Read consolidation rules from a partial rules JSON file (it overrides the defaults), or the defaults when ``path`` is None.

    Raises :class:`geo.planning.rules.RulesError` when the file does not
    exist, is not UTF-8 JSON, or holds a bad rule.
    """
    return Rules.from_file(path) if path else Rules()
