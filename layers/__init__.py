"""School and village layers: schema, reading, validation and errors.

This package is the bottom of the dependency stack
(``layers -> geo -> dashboard -> app.py``) and imports none of the others.
"""
from layers.errors import LayerError, LayerFileError, LayerValidationError
from layers.schema import BANDS, LEVELS, LEVEL_BANDS

__all__ = [
    "BANDS",
    "LEVELS",
    "LEVEL_BANDS",
    "LayerError",
    "LayerFileError",
    "LayerValidationError",
]
