"""The export bar shown on every map page: map image, layers and (scenarios) the report."""
from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import t
from dashboard.layout.common import dropdown

__all__ = ["LAYER_FORMATS", "MAP_FORMATS", "export_bar"]

#: Map image formats offered: kind_paper.
MAP_FORMATS = ("png_a4", "png_a3", "pdf_a4", "pdf_a3", "svg_a4")
#: Layer and table formats offered.
LAYER_FORMATS = ("geojson", "gpkg", "xlsx", "csv")


def export_bar(lang: str, page: str, *, report: bool = False) -> html.Div:
    """Return the export bar of ``page`` ("access" or "scenarios", keying the ids): format choices and buttons.

    ``report`` offers the scenario report too.
    """
    items = [
        dropdown(lang, id={"type": ids.EXPORT_MAP_FMT, "page": page}, value="png_a4", clearable=False, className="fmt",
                     options=[{"label": t(f"fmt_{f}", lang), "value": f} for f in MAP_FORMATS]),
        html.Button(t("export_map", lang), id={"type": ids.EXPORT_MAP_BTN, "page": page}),
        dropdown(lang, id={"type": ids.EXPORT_LAYERS_FMT, "page": page}, value="geojson", clearable=False, className="fmt",
                     options=[{"label": t(f"fmt_{f}", lang), "value": f} for f in LAYER_FORMATS]),
        html.Button(t("export_layers", lang), id={"type": ids.EXPORT_LAYERS_BTN, "page": page}),
    ]
    if report:
        items.append(html.Button(t("export_report", lang), id={"type": ids.EXPORT_REPORT_BTN, "page": page}))
    items += [dcc.Download(id={"type": ids.EXPORT_DOWNLOAD, "page": page}),
              html.Span(id={"type": ids.EXPORT_MSG, "page": page}, className="error")]
    return html.Div(items, className="export-bar")
