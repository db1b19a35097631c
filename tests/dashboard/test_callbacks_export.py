"""Export callbacks called directly: the GeoPackage holds every layer the access map shows."""
from __future__ import annotations

import base64
from contextvars import copy_context

import pyogrio
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import ids, services
from dashboard.callbacks import export as cbx


def _export(tmp_path, fmt: str, overlay: list, selection: dict | None, page: str = "access"):
    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f'{{"page":"{page}","type":"{ids.EXPORT_LAYERS_BTN}"}}.n_clicks',
                                                           "value": 1}]))
        return cbx.export_layers(1, fmt, "primary", "all", "walk", 30, None, None, overlay, selection, "zh")

    download, message = copy_context().run(run)
    assert message == "", message
    path = tmp_path / download["filename"]
    path.write_bytes(base64.b64decode(download["content"]) if download.get("base64") else download["content"].encode())
    return path


def _names(path) -> set[str]:
    return {str(name) for name, _geom in pyogrio.list_layers(path)}


def test_gpkg_without_overlays_holds_the_three_layers(tmp_path, monkeypatch):
    monkeypatch.setattr("dashboard.request.region_key", lambda: "demo")
    path = _export(tmp_path, "gpkg", [], None)
    assert path.suffix == ".gpkg"
    assert _names(path) == {"villages", "schools", "districts"}


def test_gpkg_with_overlays_and_a_selected_village_holds_every_layer_shown(tmp_path, monkeypatch):
    monkeypatch.setattr("dashboard.request.region_key", lambda: "demo")
    village = str(services.region("demo").villages["village_id"].iloc[0])
    path = _export(tmp_path, "gpkg", ["catchments", "isochrones"], {"kind": "village", "id": village})
    assert _names(path) == {"villages", "schools", "districts", "catchments", "isochrones", "selection", "route"}
    iso = pyogrio.read_dataframe(path, layer="isochrones")
    assert len(iso) > 0
    selected = pyogrio.read_dataframe(path, layer="selection")
    assert selected["id"].tolist() == [village]
    route = pyogrio.read_dataframe(path, layer="route")
    assert route.geometry.iloc[0].geom_type == "LineString" and float(route["minutes"].iloc[0]) > 0


def test_scenario_page_gpkg_ignores_the_access_overlays(tmp_path, monkeypatch):
    monkeypatch.setattr("dashboard.request.region_key", lambda: "demo")
    path = _export(tmp_path, "gpkg", ["catchments"], None, page="scenarios")
    assert "catchments" not in _names(path)
