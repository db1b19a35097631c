"""Every component id of the dashboard, in one place."""
from typing import Final

LANG: Final = "lang"
URL: Final = "url"
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
# map clicks (set by assets/map_click.js) and the maps' first-render markers
MAP_CLICK: Final = "map-click"  # store: the last click on the access map, {"kind": "school"|"village"|"empty", "id", "lon", "lat"}
SC_MAP_CLICK: Final = "sc-map-click"  # store: the same for the scenario map
MAP_READY: Final = "map-ready"  # store: set once the access map's full figure was sent (later updates are patches)
SC_MAP_READY: Final = "sc-map-ready"
#: Stores: the key of what the scenario and indicators tabs last drew (see dashboard.callbacks.tabgate)
SC_DRAWN: Final = "sc-drawn"
IND_DRAWN: Final = "ind-drawn"
URL_NAV: Final = "url-nav"  # a second location that rewrites ?lang= without reloading the page

# tabs and stores
TABS: Final = "tabs"
#: The tabs' values, in the order shown.
TAB_NAMES: Final = ("access", "scenarios", "indicators", "import")
#: The box holding each tab's content (shown or hidden by the tab switch).
TAB_BOX: Final = {name: f"tab-box-{name}" for name in TAB_NAMES}
SCENARIOS: Final = "scenarios-store"
RULES: Final = "rules-store"

# scenario manager
SC_SELECT: Final = "sc-select"
SC_NAME: Final = "sc-name"
SC_RENAME: Final = "sc-rename"
SC_NEW: Final = "sc-new"
SC_DUP: Final = "sc-duplicate"
SC_DEL: Final = "sc-delete"
SC_DOWNLOAD_BTN: Final = "sc-download-btn"
SC_DOWNLOAD: Final = "sc-download"
SC_SAVE_BTN: Final = "sc-save-btn"  # Save: download every scenario as one JSON file
SC_SAVE_DOWNLOAD: Final = "sc-save-download"
SC_SAVED: Final = "sc-saved"  # the save-state line ("已保存到本浏览器 · 14:03")
SC_UPLOAD: Final = "sc-upload"
SC_COMPARE: Final = "sc-compare"
SC_VIEW: Final = "sc-view"

# action builder
ACT_TYPE: Final = "act-type"
ACT_SCHOOL: Final = "act-school"
ACT_TARGET: Final = "act-target"
ACT_LEVEL: Final = "act-level"
ACT_SEATS: Final = "act-seats"
ACT_BEDS: Final = "act-beds"
ACT_LON: Final = "act-lon"
ACT_LAT: Final = "act-lat"
ACT_NAME: Final = "act-name"
ACT_ADD: Final = "act-add"
ACT_MSG: Final = "act-msg"
ACTIONS_LIST: Final = "actions-list"
REMOVE_ACTION: Final = "remove-action"  # pattern-matching type: {"type": REMOVE_ACTION, "index": i}
FIELD_BOX: Final = "field-box"  # pattern-matching type: {"type": FIELD_BOX, "field": name}
RULE_INPUT: Final = "rule-input"  # pattern-matching type: {"type": RULE_INPUT, "rule": name, "key": key}
RULE_KEEP: Final = "rule-keep"
RULE_SEATS: Final = "rule-seats"  # checklist: seats are a hard limit (rules.seats_hard)
RULES_MSG: Final = "rules-msg"

# scenario results
SC_MAP: Final = "sc-map"
SC_KPI: Final = "sc-kpi"
SC_VIOLATIONS: Final = "sc-violations"
SC_IMPACT: Final = "sc-impact"
SC_IMPACT_BTN: Final = "sc-impact-btn"
SC_IMPACT_DOWNLOAD: Final = "sc-impact-download"
SC_SCHOOLS: Final = "sc-schools"
SC_STATUS: Final = "sc-status"

# indicators tab
IND_SCENARIO: Final = "ind-scenario"
IND_SHOW: Final = "ind-show"
IND_SUMMARY: Final = "ind-summary"
IND_CV: Final = "ind-cv"
IND_UR: Final = "ind-urban-rural"
IND_TABLE: Final = "ind-table"
IND_CV_TABLE: Final = "ind-cv-table"
IND_STD: Final = "ind-std"  # pattern-matching type: {"type": IND_STD, "name": field, "key": key}
IND_MSG: Final = "ind-msg"
IND_STORE: Final = "ind-store"
IND_DOWNLOAD_BTN: Final = "ind-download-btn"
IND_DOWNLOAD: Final = "ind-download"

# exports (one bar per map page; pattern-matching ids keyed by page)
EXPORT_MAP_FMT: Final = "export-map-fmt"  # {"type": EXPORT_MAP_FMT, "page": "access"|"scenarios"}
EXPORT_MAP_BTN: Final = "export-map-btn"
EXPORT_LAYERS_FMT: Final = "export-layers-fmt"
EXPORT_LAYERS_BTN: Final = "export-layers-btn"
EXPORT_REPORT_BTN: Final = "export-report-btn"
EXPORT_DOWNLOAD: Final = "export-download"
EXPORT_MSG: Final = "export-msg"
OVERLAY: Final = "overlay"

# region picker and import tab
REGION_PICKER: Final = "region-picker"
IMP_KIND: Final = "imp-kind"
IMP_UPLOAD: Final = "imp-upload"
IMP_FILE: Final = "imp-file"
IMP_LAYER: Final = "imp-layer"
IMP_ENCODING: Final = "imp-encoding"
IMP_COORDS: Final = "imp-coords"
IMP_SWAP: Final = "imp-swap"
IMP_MAPPING: Final = "imp-mapping"
IMP_MAP_FIELD: Final = "imp-map-field"  # pattern-matching type: {"type": IMP_MAP_FIELD, "column": source column}
IMP_CHECK: Final = "imp-check"
IMP_REPORT: Final = "imp-report"
IMP_PREVIEW: Final = "imp-preview"
IMP_PROBLEMS_BTN: Final = "imp-problems-btn"
IMP_PROBLEMS_DL: Final = "imp-problems-dl"
IMP_SAVE_NAME: Final = "imp-save-name"
IMP_SAVE_BTN: Final = "imp-save-btn"
IMP_SAVE_MSG: Final = "imp-save-msg"
IMP_EPSG: Final = "imp-epsg"  # the EPSG code, shown when the coordinate choice is "EPSG code"
IMP_EPSG_BOX: Final = "imp-epsg-box"
IMP_VALUES: Final = "imp-values"
IMP_MAP_VALUE: Final = "imp-map-value"  # pattern-matching type: {"type": IMP_MAP_VALUE, "field", "value", "count"}
IMP_MAPPING_BTN: Final = "imp-mapping-btn"
IMP_MAPPING_DL: Final = "imp-mapping-dl"
IMP_TABLE: Final = "imp-table"
IMP_PROBLEMS_BOX: Final = "imp-problems-box"
IMP_ROWS: Final = "imp-rows"  # store: the problems table's rows, as shown
IMP_PAGE: Final = "imp-page"  # store: the problems table's page (0-based)
IMP_PAGER: Final = "imp-pager"
IMP_PAGE_LABEL: Final = "imp-page-label"
IMP_PAGE_PREV: Final = "imp-page-prev"
IMP_PAGE_NEXT: Final = "imp-page-next"

# the paged, sortable tables (AG Grid) inside their boxes above; ids let them be laid out again when their tab is shown
WORST_GRID: Final = "worst-grid"
SC_IMPACT_GRID: Final = "sc-impact-grid"
SC_SCHOOLS_GRID: Final = "sc-schools-grid"
IND_CV_GRID: Final = "ind-cv-grid"
IND_SCHOOL_GRID: Final = "ind-school-grid"
