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
    if type(component).__name__ == "AgGrid":  # a grid's text: its headers, then its cells row by row
        heads = [c.get("headerName", "") for c in component.columnDefs]
        cells = [str(v) for row in grid_rows(component) for v in row]
        return " ".join(heads + cells)
    return text_of(getattr(component, "children", None))


def grid_rows(grid) -> list[list]:
    """The cells of an AG Grid (:func:`dashboard.layout.common.grid`), row by row, in column order."""
    fields = [c["field"] for c in grid.columnDefs]
    return [[row.get(f) for f in fields] for row in grid.rowData]
