"""The one module that reads Flask's request: the page's query parameters.

Every other dashboard module gets the region key and the language passed
explicitly; callbacks ask this module once, at their top.  A page load
carries its parameters in its own URL (``/?lang=en&region=x``); Dash's
layout and callback requests carry the page URL as their Referer.  Outside
a request (tests, warm-up, scripts) the defaults apply.
"""
from __future__ import annotations

import os
import urllib.parse

import flask

from geo.region.region import known_regions
from layers.i18n import DEFAULT_LANG, LANGS

__all__ = ["REGION_ENV", "absolute_url", "default_region", "page_lang", "page_param", "region_key"]

#: Environment variable naming the region served when the page names none.
REGION_ENV = "JUNHENG_REGION"


def page_param(name: str) -> str | None:
    """Return a query parameter of the page the request comes from.

    Parameters
    ----------
    name : str
        The parameter, e.g. ``"lang"`` or ``"region"``.

    Returns
    -------
    str or None
        Its value from the request URL, else from the Referer's URL; None
        outside a request or when neither carries it.
    """
    if not flask.has_request_context():
        return None
    value = flask.request.args.get(name)
    if value is None:
        referrer = urllib.parse.urlparse(flask.request.referrer or "")
        value = urllib.parse.parse_qs(referrer.query).get(name, [None])[0]
    return value


def default_region() -> str:
    """Return the region served when the page names none: ``$JUNHENG_REGION``, else ``"demo"``.

    Returns
    -------
    str
        A region name or folder, as :func:`geo.region.region.load_region` takes it.
    """
    return os.environ.get(REGION_ENV, "demo")


def region_key() -> str:
    """Return the region the page shows: ``?region=`` when it names a known region, else :func:`default_region`.

    Returns
    -------
    str
        A region name or folder, as :func:`geo.region.region.load_region` takes it.
    """
    wanted = page_param("region")
    if wanted and wanted in known_regions():
        return wanted
    return default_region()


def page_lang() -> str:
    """Return the language of the page: ``?lang=`` when it is one of :data:`layers.i18n.LANGS`, else Chinese.

    Returns
    -------
    str
        ``"zh"`` or ``"en"``.
    """
    lang = page_param("lang")
    return lang if lang in LANGS else DEFAULT_LANG


def absolute_url(path: str) -> str:
    """Return ``path`` (from the app's root, e.g. ``/_junheng/...``) as an absolute URL of the server the request came to.

    MapLibre fetches layer files from a web worker, where a relative URL does not resolve; outside a
    request the path is returned as it is.
    """
    if not flask.has_request_context():
        return path
    return flask.request.url_root.rstrip("/") + path
