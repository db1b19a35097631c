"""The messages (checks, errors, problems of the library) entries of the string catalogue.

:mod:`layers.i18n` merges :data:`MESSAGES_CATALOGUE` into its one
:data:`~layers.i18n.CATALOGUE`; use them through :func:`layers.i18n.t`.
"""
from __future__ import annotations

from typing import Final

__all__ = ["MESSAGES_CATALOGUE"]

MESSAGES_CATALOGUE: Final[dict[str, dict[str, str]]] = {  # {key: {language: text}}
    # --- scenario checks (geo.planning.outcome.violations): chk_<rule>; reasons rsn_<code>
    "chk_unplaced": {"zh": "{village}：{children} 名{band}学生无法安排：{reason}", "en": "{village}: {children} children of {band} cannot be placed: {reason}"},
    "rsn_no_seat": {"zh": "可达范围内没有学校有空余学位。", "en": "no school within reach has a free seat."},
}
