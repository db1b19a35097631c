"""School and village layers: schema, reading, validation, importing and errors.

This package is the bottom of the dependency stack
(``layers -> geo -> dashboard -> app.py``) and imports none of the others.

The names below are re-exported lazily (PEP 562): importing ``layers.errors``
or ``layers.schema`` does not load geopandas, so a command-line argument error
is reported before any heavy library is imported.
"""
from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it.
_EXPORTS = {
    "BANDS": "layers.schema",
    "LEVELS": "layers.schema",
    "LEVEL_BANDS": "layers.schema",
    "JunhengError": "layers.errors",
    "LayerError": "layers.errors",
    "LayerFileError": "layers.errors",
    "LayerValidationError": "layers.errors",
    "read_layer": "layers.io",
    "read_region_toml": "layers.io",
    "write_layer": "layers.io",
    "validate_layer": "layers.validation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Load a re-exported name from its module on first use."""
    if name not in _EXPORTS:
        message = f"module 'layers' has no attribute {name!r}"
        raise AttributeError(message)
    return getattr(importlib.import_module(_EXPORTS[name]), name)
