"""A planner's mapping file: which header holds which field, and what their values mean.

The file is JSON (UTF-8)::

    {
      "columns": {"Official Institution Name": "name", "Phase_PED": "level", "Remarks": ""},
      "values": {"level": {"SPECIAL SCHOOL": "primary"}, "urban_rural": {"PERI-URBAN": "urban"}}
    }

``columns`` maps a source header to a canonical field of
:data:`layers.aliases.COLUMN_ALIASES` (``""`` leaves the header out); headers it
does not name are still recognised automatically
(:func:`~layers.importing.mapping.suggest_mapping`), and entries naming headers
a file lacks are skipped (one file can serve the schools and the villages).
``values`` maps, per field of :data:`~layers.importing.values.VALUE_FIELDS`, a
source value (matched case-insensitively, blanks ignored) to a canonical value;
it takes precedence over the automatic matching.  The import page downloads the
mapping a planner confirmed in the same format (:meth:`MappingSpec.to_json`).

Examples
--------
>>> spec = MappingSpec.from_dict({"columns": {"Phase": "level"}, "values": {"level": {"SPECIAL SCHOOL": "primary"}}})
>>> spec.columns["Phase"], spec.values["level"]["SPECIAL SCHOOL"]
('level', 'primary')
>>> MappingSpec.from_dict(spec.as_dict()) == spec
True
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Mapping, Sequence

from layers.aliases import COLUMN_ALIASES
from layers.errors import LayerFileError, LayerValidationError, require_file
from layers.importing.mapping import MappingProblems, check_mapping, suggest_mapping
from layers.importing.values import VALUE_FIELDS

__all__ = ["MappingSpec", "read_mapping", "resolve_columns"]

#: Every field a ``columns`` entry may name (of either layer kind), or ``""`` to leave a header out.
_FIELDS: Final = sorted({canonical for columns in COLUMN_ALIASES.values() for canonical in columns})
_FIX_SHAPE: Final = 'write {"columns": {"source header": "field"}, "values": {"field": {"source value": "canonical"}}}'


@dataclass(frozen=True)
class MappingSpec:
    """Which source header holds which field (``columns``) and what source values mean (``values``).

    Attributes
    ----------
    columns : mapping
        ``{source header: canonical field}``; ``""`` leaves the header out.
    values : mapping
        ``{field: {source value: canonical value}}`` for the fields of
        :data:`~layers.importing.values.VALUE_FIELDS`.
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "mapping") -> MappingSpec:
        """Check a mapping as read from JSON and return it.

        Parameters
        ----------
        data : dict
            ``{"columns": {...}, "values": {...}}`` (either may be left out);
            a flat ``{header: field}`` dict is read as ``columns``.
        source : str, default "mapping"
            The file name used in problems.

        Returns
        -------
        MappingSpec

        Raises
        ------
        LayerValidationError
            If the shape is wrong, a field or canonical value is unknown (every
            such entry listed, with the fields or values allowed).
        """
        problems = MappingProblems(source)
        if not isinstance(data, Mapping):
            problems.say("imp_m_not_object", {"got": type(data).__name__}, column=None, value=type(data).__name__,
                         problem="the mapping is not a JSON object", fix=_FIX_SHAPE)
            problems.raise_keyed()
        if data and not set(data) & {"columns", "values"} and all(isinstance(v, str) for v in data.values()):
            data = {"columns": data}
        for key in data:
            if key not in ("columns", "values"):
                problems.say("imp_m_key", {"name": str(key)}, column=str(key), value=None, problem="unknown key in the mapping",
                             fix=f"use only \"columns\" and \"values\"; {_FIX_SHAPE}")
        columns = _check_columns(data.get("columns", {}), problems)
        values = _check_values(data.get("values", {}), problems)
        problems.raise_keyed()
        return cls(columns=columns, values=values)

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"columns": {...}, "values": {...}}`` as plain dicts (the JSON of the mapping file)."""
        return {"columns": dict(self.columns), "values": {f: dict(v) for f, v in self.values.items()}}

    def to_json(self) -> str:
        """Return the mapping as the text of a mapping file: UTF-8 JSON, Chinese as written, indented by 2."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"


def _check_columns(columns: Any, problems: MappingProblems) -> dict[str, str]:
    if not isinstance(columns, Mapping):
        problems.say("imp_m_columns", {}, column="columns", value=None, problem="\"columns\" is not a JSON object", fix=_FIX_SHAPE)
        return {}
    clean: dict[str, str] = {}
    for header, target in columns.items():
        if not isinstance(target, str) or (target and target not in _FIELDS):
            problems.say("imp_m_field", {"header": str(header), "value": str(target), "allowed": ", ".join(_FIELDS)},
                         column=f"columns: {header}", value=target, problem="unknown field in the mapping",
                         fix=f"map the header to one of: {', '.join(_FIELDS)}; or \"\" to leave it out")
            continue
        clean[str(header)] = target
    return clean


def _check_values(values: Any, problems: MappingProblems) -> dict[str, dict[str, str]]:
    if not isinstance(values, Mapping):
        problems.say("imp_m_values", {}, column="values", value=None, problem="\"values\" is not a JSON object", fix=_FIX_SHAPE)
        return {}
    clean: dict[str, dict[str, str]] = {}
    for name, table in values.items():
        if name not in VALUE_FIELDS or not isinstance(table, Mapping):
            problems.say("imp_m_value_field", {"name": str(name), "allowed": ", ".join(VALUE_FIELDS)}, column=f"values: {name}",
                         value=None, problem="unknown value field in the mapping",
                         fix=f"give an object for one of: {', '.join(VALUE_FIELDS)}")
            continue
        allowed = VALUE_FIELDS[name]
        clean[name] = {}
        for value, canonical in table.items():
            if not isinstance(canonical, str) or (allowed is not None and canonical not in allowed):
                choices = ", ".join(allowed) if allowed else "text"
                problems.say("imp_m_value", {"name": str(name), "source": str(value), "value": str(canonical), "allowed": choices},
                             column=f"values: {name}: {value}", value=canonical,
                             problem=f"unknown {name} value in the mapping", fix=f"use one of: {choices}")
                continue
            clean[name][str(value)] = canonical
    return clean


def read_mapping(path: str | os.PathLike[str]) -> MappingSpec:
    """Read a mapping file (JSON, see the module docstring).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    MappingSpec

    Raises
    ------
    LayerFileError
        If the file is missing, a folder, or not UTF-8 text.
    LayerValidationError
        If it is not valid JSON (line and column named) or not a valid mapping.
    """
    p = Path(path)
    require_file(p, "Mapping file", "check the path of the mapping file (JSON)")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"Mapping file {p} is not UTF-8 text ({exc.reason}). Fix: save it as UTF-8 JSON."
        raise LayerFileError(message, key="imp_e_mapping_utf8", params={"file": str(p), "why": str(exc.reason)}) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = (f"Mapping file {p}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}). "
                   f"Fix: {_FIX_SHAPE}.")
        raise LayerValidationError(message, [{"file": str(p), "row": exc.lineno, "column": None, "value": None,
                                              "problem": f"not valid JSON ({exc.msg})", "fix": _FIX_SHAPE}],
                                   key="imp_e_mapping_json",
                                   params={"file": str(p), "line": exc.lineno, "col": exc.colno, "why": exc.msg}) from exc
    return MappingSpec.from_dict(data, source=str(p))


def resolve_columns(spec: MappingSpec, columns: Sequence[str], kind: str, source: str) -> tuple[dict[str, str], list[str]]:
    """Return the column mapping a spec gives a file: its entries over the automatic suggestions.

    Parameters
    ----------
    spec : MappingSpec
    columns : sequence of str
        The file's headers.
    kind : {"schools", "villages"}
    source : str
        The file name used in problems.

    Returns
    -------
    tuple
        ``({source header: canonical field}, headers of the spec the file lacks)``.

    Raises
    ------
    LayerValidationError
        If the spec maps a header of the file to a field this kind of layer
        lacks, or two headers to one field.
    """
    present = [c for c in spec.columns if c in columns]
    wanted = {c: spec.columns[c] for c in present if spec.columns[c]}
    suggested = suggest_mapping([c for c in columns if c not in spec.columns], kind)
    taken = set(wanted.values())
    merged = {**{c: f for c, f in suggested.items() if f not in taken}, **wanted}
    ordered = {c: merged[c] for c in columns if c in merged}
    return check_mapping(ordered, list(columns), kind, source), [c for c in spec.columns if c not in columns]
