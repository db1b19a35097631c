"""The string catalogue, re-exported for the dashboard.

The catalogue itself lives in :mod:`layers.i18n`, at the bottom of the
dependency stack, so that map images and reports made by ``python -m geo``
use the very same strings as the dashboard.
"""
from layers.i18n import CATALOGUE, DEFAULT_LANG, LANGS, t

__all__ = ["CATALOGUE", "DEFAULT_LANG", "LANGS", "t"]
