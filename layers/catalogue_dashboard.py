"""The dashboard-only UI entries of the string catalogue.

:mod:`layers.i18n` merges :data:`DASHBOARD_CATALOGUE` into its one
:data:`~layers.i18n.CATALOGUE`; use them through :func:`layers.i18n.t`.
"""
from __future__ import annotations

from typing import Final

__all__ = ["DASHBOARD_CATALOGUE"]

DASHBOARD_CATALOGUE: Final[dict[str, dict[str, str]]] = {  # {key: {language: text}}
}
