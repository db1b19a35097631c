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

from geo.planning.rules import Rules
from geo.planning.scenario import Scenario, ScenarioError

__all__ = ["read_rules", "read_scenario"]


def read_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario from a UTF-8 JSON file ``{"name": ..., "actions": [...]}``.

    Parameters
    ----------
    path : path
        The file.

    Returns
    -------
    Scenario

    Raises
    ------
    geo.planning.scenario.ScenarioError
        The file does not exist, is not UTF-8 JSON, or is not a scenario.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"Scenario file {p} does not exist; give a JSON file {{\"name\": ..., \"actions\": [...]}}."
        raise ScenarioError(msg)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"Scenario file {p} is not valid UTF-8 JSON ({exc})."
        raise ScenarioError(msg) from exc
    return Scenario.from_dict(data)


def read_rules(path: str | os.PathLike | None) -> Rules:
    """Read consolidation rules from a JSON file, or return the default rules when ``path`` is None.

    Parameters
    ----------
    path : path or None
        A partial rules file (it overrides the defaults).

    Returns
    -------
    Rules

    Raises
    ------
    geo.planning.rules.RulesError
        The file does not exist, is not UTF-8 JSON, or holds a bad rule.
    """
    return Rules.from_file(path) if path else Rules()
