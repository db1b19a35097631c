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

from dash import Dash

from dashboard import services as state
from dashboard.callbacks import access as callbacks
from dashboard.callbacks import export as callbacks_export
from dashboard.callbacks import importing as callbacks_import
from dashboard.callbacks import indicators as callbacks_indicators
from dashboard.callbacks import scenario as callbacks_scenario
from dashboard.i18n import t
from dashboard.layout.page import app_layout
from dashboard.warmup import warm_caches


def create_app() -> Dash:
    """Build the Dash app for the configured region."""
    reg = state.region()  # fail early on a broken region
    app = Dash(
        __name__,
        title=t("app_title"),
        assets_folder=str(Path(__file__).parent / "dashboard" / "assets"),
        suppress_callback_exceptions=True,
    )
    def layout():
        """Built per page load, for the page's ``?region=`` and ``?lang=`` (Chinese by default)."""
        current = state.region()
        return app_layout(region_name=current.name, synthetic=bool(current.synthetic), school_options=state.school_options(current),
                          lang=state.page_lang(), regions=state.region_choices(), region_key=state.region_name())

    app.layout = layout
    callbacks.register(app)
    callbacks_scenario.register(app)
    callbacks_indicators.register(app)
    callbacks_export.register(app)
    callbacks_import.register(app)
    return app


def main(argv: list[str] | None = None) -> int:
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
