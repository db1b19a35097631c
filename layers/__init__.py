"""School and village layers: schema, reading, validation and errors.

This package is the bottom of the dependency stack
(``layers -> geo -> dashboard -> app.py``) and imports none of the others.
"""
from layers.errors import LayerError, LayerFileError, LayerValidationError
from layers.io import read_layer, read_region_toml, write_layer
from layers.schema import BANDS, LEVEL_BANDS, LEVELS
from layers.validation import validate_layer

__all__ = [
    "BANDS",
    "LEVELS",
    "LEVEL_BANDS",
    "LayerError",
    "LayerFileError",
    "LayerValidationError",
    "read_layer",
    "read_region_toml",
    "validate_layer",
    "write_layer",
]
