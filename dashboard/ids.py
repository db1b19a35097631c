"""Every component id of the dashboard, in one place."""
from typing import Final

LANG: Final = "lang"
LANG_STORE: Final = "lang-store"
SELECTION: Final = "selection-store"
PAGE: Final = "page"
TITLE: Final = "title"
DEMO_BADGE: Final = "demo-badge"

LEVEL: Final = "level"
MODE: Final = "mode"
BAND: Final = "band"
THRESHOLD: Final = "threshold"
THRESHOLD_ERROR: Final = "threshold-error"

KPIS: Final = "kpis"
MAP: Final = "map"
MAP_LOADING: Final = "map-loading"
WORST_TABLE: Final = "worst-table"
DETAIL: Final = "detail"
STATUS: Final = "status"
