"""Junheng dashboard entry point: ``python app.py [--host H] [--port P]``.

Builds the Dash app and exposes ``server`` (the Flask app) for WSGI servers.
Binds to 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

from dash import Dash, html

from dashboard import request, routes, services
from dashboard.callbacks import access, export, importing, indicators, scenario, shell
from dashboard.i18n import t
from dashboard.layout.shell import app_layout
from dashboard.warmup import warm_caches

__all__ = ["create_app", "main", "page_layout"]

#: The modules whose callbacks make up the app, one per page (and the frame).
CALLBACK_MODULES = (shell, access, scenario, indicators, export, importing)


def page_layout() -> html.Div:
    """Build the layout of one page load, for the page's ``?region=`` and ``?lang=`` (Chinese by default).

    Returns
    -------
    dash.html.Div
        The whole app for the region and language of the request.
    """
    key, lang = request.region_key(), request.page_lang()
    return app_layout(lang=lang, regions=services.region_choices(), region_key=key, **shell.page_context(key, lang))


def create_app() -> Dash:
    """Build the Dash app; the region the app starts on must open.

    Returns
    -------
    dash.Dash
        The app, its layout built per page load and every page's callbacks registered.

    Raises
    ------
    geo.region.region.RegionError, layers.errors.LayerError
        The default region cannot be opened (fail early).
    """
    services.region(request.default_region())  # fail early on a broken region
    app = Dash(
        __name__,
        title=t("app_title"),
        assets_folder=str(Path(__file__).parent / "dashboard" / "assets"),
        suppress_callback_exceptions=True,
    )
    app.layout = page_layout
    routes.register(app.server)
    for module in CALLBACK_MODULES:
        module.register(app)
    return app


def main(argv: list[str] | None = None) -> int:
    """Serve the dashboard: warm the caches, build the app and run it.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (``sys.argv[1:]`` if None): ``--host``, ``--port``, ``--debug``.

    Returns
    -------
    int
        0 after serving, 2 when the region cannot be opened.
    """
    parser = argparse.ArgumentParser(description="Serve the Junheng dashboard.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    warnings.showwarning = lambda message, *_a, **_k: print(f"[junheng] warning: {message}", file=sys.stderr)
    try:
        warm_caches(print)
        app = create_app()
    except Exception as exc:  # startup problems are user-facing: one line, non-zero exit
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Junheng dashboard: http://{args.host}:{args.port}/")
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
else:
    server = create_app().server
