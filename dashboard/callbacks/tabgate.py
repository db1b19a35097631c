"""Draw a tab's results only while it is shown, and only when its inputs changed since it was last drawn.

A hidden tab's heavy callback (the scenario map, the indicators) returns ``no_update`` and so costs the
page nothing; showing the tab draws it from the current inputs, and showing it again with nothing
changed draws nothing.  The key of what was drawn lives in a small store of the page
(:data:`dashboard.ids.DRAWN`), re-created with the page, so a language switch draws anew.

>>> k = drawn_key({"a": 1}, "zh")
>>> k == drawn_key({"a": 1}, "zh"), k == drawn_key({"a": 2}, "zh")
(True, False)
>>> skip("access", "scenarios", k, None), skip("scenarios", "scenarios", k, k), skip("scenarios", "scenarios", k, None)
(True, True, False)
>>> skip(None, "scenarios", k, k)
False
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["drawn_key", "skip"]


def drawn_key(*inputs: Any) -> str:
    """Return a short digest of a tab's drawing inputs (JSON-able values: stores, choices, language)."""
    text = json.dumps(inputs, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def skip(tab: str | None, own: str, key: str, drawn: str | None) -> bool:
    """Whether a tab's callback should draw nothing: another ``tab`` is shown, or ``key`` is what is ``drawn`` already.

    ``tab`` None (a direct call, outside the page) always draws.
    """
    if tab is None:
        return False
    return tab != own or key == drawn
