"""Helpers of the dashboard tests: walking a Dash component tree and reading its text."""
from __future__ import annotations


def walk(component):
    """Every Dash component in a tree (lists, tuples and children followed)."""
    if isinstance(component, (list, tuple)):
        for c in component:
            yield from walk(c)
        return
    if component is None or isinstance(component, (str, int, float)):
        return
    yield component
    yield from walk(getattr(component, "children", None))


def text_of(component) -> str:
    """All the text of a component tree, space-joined."""
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    return text_of(getattr(component, "children", None))
