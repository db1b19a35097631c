"""Layout builder of the import tab: upload, options, column mapping, checks, preview, save."""
from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import t
from dashboard.layout.common import field
from layers.importing import COORDS, IMPORT_KINDS, UPLOAD_MAX_BYTES

__all__ = ["ENCODINGS", "import_tab"]

#: The encodings offered for text files ("auto" detects).
ENCODINGS = ("auto", "UTF-8", "GBK", "GB18030")


def import_tab(lang: str) -> html.Div:
    """Return the import tab: upload, options, column mapping, checks, preview and save as a region."""
    options = html.Div(
        [
            field(t("imp_kind", lang), dcc.RadioItems(id=ids.IMP_KIND, value="schools", inline=True,
                                                      options=[{"label": t(f"imp_kind_{k}", lang), "value": k} for k in IMPORT_KINDS])),
            field(t("imp_layer", lang), dcc.Dropdown(id=ids.IMP_LAYER), class_name="field wide-field"),
            field(t("imp_encoding", lang),
                  dcc.Dropdown(id=ids.IMP_ENCODING, value="auto", clearable=False,
                               options=[{"label": t("imp_encoding_auto", lang) if e == "auto" else e, "value": e} for e in ENCODINGS])),
            field(t("imp_coords", lang),
                  dcc.Dropdown(id=ids.IMP_COORDS, value="wgs84", clearable=False,
                               options=[{"label": t(f"imp_coords_{c}", lang), "value": c} for c in COORDS]),
                  class_name="field wide-field"),
            dcc.Checklist(id=ids.IMP_SWAP, value=[], options=[{"label": t("imp_swap", lang), "value": "swap"}]),
        ],
        className="controls",
    )
    return html.Div(
        [
            html.H3(t("imp_title", lang)),
            dcc.Upload(html.Div(t("imp_upload", lang)), id=ids.IMP_UPLOAD, className="upload big", max_size=UPLOAD_MAX_BYTES),
            html.Div(id=ids.IMP_FILE, className="source"),
            options,
            html.Div(
                [
                    html.Div([html.H3(t("imp_mapping", lang)), html.Div(id=ids.IMP_MAPPING),
                              html.Button(t("imp_check", lang), id=ids.IMP_CHECK, className="primary")],
                             className="side-panel left"),
                    html.Div([html.Div(id=ids.IMP_REPORT),
                              html.Button(t("imp_problems_download", lang), id=ids.IMP_PROBLEMS_BTN),
                              dcc.Download(id=ids.IMP_PROBLEMS_DL)], className="side-panel report-panel"),
                    html.Div([html.H3(t("imp_preview", lang)),
                              dcc.Graph(id=ids.IMP_PREVIEW, style={"height": "50vh"}, config={"displaylogo": False})],
                             className="map-panel pad"),
                ],
                className="main",
            ),
            html.Div(
                [html.Label(t("imp_save_name", lang), className="control-label"),
                 dcc.Input(id=ids.IMP_SAVE_NAME, type="text", maxLength=60, className="name-input"),
                 html.Button(t("imp_save", lang), id=ids.IMP_SAVE_BTN),
                 html.Div(id=ids.IMP_SAVE_MSG, className="detail")],
                className="controls manager",
            ),
        ]
    )
