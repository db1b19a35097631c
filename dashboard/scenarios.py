"""Pure functions over the browser's scenario store (plain JSON, no Dash).

The store keeps each region's scenarios apart, since their actions
name that region's schools: ``{"regions": {region: inner}}`` with ``inner =
{"current": id, "next": n, "items": {id: {"name", "actions"}}}``.  It lives in
the browser's ``localStorage`` (``dcc.Store(storage_type="local")``), so every
tab of the browser sees it and it survives a restart; it is small: a few
actions per scenario.  :func:`saved_json` and :func:`load_upload` move it
between browsers as a file.  The functions below work on ``inner`` (a
region's scenarios, the ``store`` they take and return; they never change the
store given); a bare ``inner`` is accepted wherever a session store is.
``lang`` is the language of any scenario name they make.
"""
from __future__ import annotations

import base64
import copy
import json
from typing import Any, Callable

from dashboard.i18n import t

__all__ = [
    "MAX_UPLOAD_BYTES", "add_action", "add_scenario", "build_action", "current", "delete_current", "describe", "ensure",
    "load_upload", "new_store", "region_store", "remove_action", "rename_current", "saved_json", "with_region_store",
]

MAX_UPLOAD_BYTES = 1_000_000


def new_store(lang: str) -> dict:
    """Return a store holding one empty scenario: ``{"current": "s1", "next": 2, "items": {"s1": {"name": ..., "actions": []}}}``."""
    return {"current": "s1", "next": 2, "items": {"s1": {"name": t("scenario_default_name", lang, n=1), "actions": []}}}


def ensure(store: dict | None, lang: str) -> dict:
    """Return a valid store: a copy of ``store``, or a fresh one if it is missing or damaged."""
    if not isinstance(store, dict) or not isinstance(store.get("items"), dict) or not store["items"]:
        return new_store(lang)
    store = copy.deepcopy(store)
    if store.get("current") not in store["items"]:
        store["current"] = next(iter(store["items"]))
    store.setdefault("next", len(store["items"]) + 1)
    return store


def region_store(store: dict | None, region: str, lang: str) -> dict:
    """Return a copy of the scenarios of ``region`` in a session store (a fresh set if it has none)."""
    if isinstance(store, dict) and "items" in store:  # a single region's scenarios
        return ensure(store, lang)
    regions = store.get("regions") if isinstance(store, dict) else None
    return ensure(regions.get(region) if isinstance(regions, dict) else None, lang)


def with_region_store(store: dict | None, region: str, inner: dict) -> dict:
    """Return the session store ``{"regions": {...}}`` with ``region``'s scenarios replaced by ``inner``, the others kept."""
    regions = store.get("regions") if isinstance(store, dict) and isinstance(store.get("regions"), dict) else {}
    return {"regions": {**copy.deepcopy(regions), region: inner}}


def current(store: dict) -> dict:
    """Return the current scenario ``{"name": ..., "actions": [...]}`` of a region store (the store's own object, not a copy)."""
    return store["items"][store["current"]]


def add_scenario(store: dict, lang: str, *, copy_of: str | None = None) -> dict:
    """Return the store with a new scenario, made current: a copy of scenario ``copy_of`` (name with a copy suffix), or an empty one."""
    store = copy.deepcopy(store)
    n = int(store["next"])
    sid = f"s{n}"
    while sid in store["items"]:
        n += 1
        sid = f"s{n}"
    if copy_of and copy_of in store["items"]:
        src = store["items"][copy_of]
        store["items"][sid] = {"name": src["name"] + t("copy_suffix", lang), "actions": copy.deepcopy(src["actions"])}
    else:
        store["items"][sid] = {"name": t("scenario_default_name", lang, n=n), "actions": []}
    store["current"], store["next"] = sid, n + 1
    return store


def delete_current(store: dict, lang: str) -> dict:
    """Return the store without its current scenario, the first remaining one current (a fresh one replaces the last)."""
    store = copy.deepcopy(store)
    store["items"].pop(store["current"], None)
    if not store["items"]:
        return add_scenario({**store, "items": {}}, lang)
    store["current"] = next(iter(store["items"]))
    return store


def _with_current(store: dict, change: Callable[[dict], None]) -> dict:
    """A copy of ``store`` after ``change`` changed its current scenario in place."""
    store = copy.deepcopy(store)
    change(current(store))
    return store


def rename_current(store: dict, name: str) -> dict:
    """Return the store with the current scenario renamed ``name`` (stripped, at most 80 characters; blank: no change)."""
    name = (name or "").strip()[:80]

    def rename(scenario: dict) -> None:
        if name:
            scenario["name"] = name

    return _with_current(store, rename)


def add_action(store: dict, action: dict) -> dict:
    """Return the store with ``action`` (see :func:`build_action`) appended to the current scenario."""
    return _with_current(store, lambda scenario: scenario["actions"].append(action))


def remove_action(store: dict, index: int) -> dict:
    """Return the store without the current scenario's action number ``index`` (0-based; out of range: no change)."""
    def drop(scenario: dict) -> None:
        if 0 <= index < len(scenario["actions"]):
            scenario["actions"].pop(index)

    return _with_current(store, drop)


def _upload_data(contents: str, filename: str, lang: str) -> tuple[list[dict] | None, str | None]:
    """The scenarios ``[{"name", "actions"}]`` of an uploaded file (one scenario, or a saved set), or what is wrong with it."""
    try:
        _, b64 = contents.split(",", 1)
        raw = base64.b64decode(b64)
    except ValueError:
        return None, t("sc_up_not_json", lang, file=filename)
    if len(raw) > MAX_UPLOAD_BYTES:
        return None, t("sc_up_too_big", lang, file=filename, limit=f"{MAX_UPLOAD_BYTES:,}")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, t("sc_up_not_utf8", lang, file=filename)
    except json.JSONDecodeError as exc:
        return None, t("sc_up_bad_json", lang, file=filename, line=exc.lineno, col=exc.colno)
    items = data.get("scenarios") if isinstance(data, dict) and "scenarios" in data else [data]
    if not isinstance(items, list) or not items or not all(
            isinstance(d, dict) and isinstance(d.get("actions"), list) for d in items):
        return None, t("sc_up_shape", lang, file=filename)
    for d in items:
        bad = [i + 1 for i, a in enumerate(d["actions"]) if not isinstance(a, dict) or "type" not in a]
        if bad:
            return None, t("sc_up_no_type", lang, file=filename, n=bad[0])
    return [{"name": str(d.get("name") or filename)[:80], "actions": d["actions"]} for d in items], None


def load_upload(store: dict, contents: str, filename: str, lang: str = "zh", *,
                check: Callable[[dict], str | None] | None = None) -> tuple[dict, str | None]:
    """Add the scenario(s) in an uploaded JSON file (``contents`` is its base64 data URL, ``filename`` names it in messages).

    The file holds one scenario ``{"name": ..., "actions": [...]}`` or a saved set ``{"scenarios": [...]}``
    (:func:`saved_json`).  ``check`` (the region's validation, e.g. running the scenario once) returns what is
    wrong with a scenario in ``lang``, or None.  Returns ``(store, None)`` with the file's scenarios added (the
    last one current), or the store unchanged and what is wrong, in ``lang``: nothing of a refused file is added.
    """
    items, problem = _upload_data(contents, filename, lang)
    if items is None:
        return store, problem
    for item in items:
        problem = check(item) if check is not None else None
        if problem:
            label = item["name"] if len(items) > 1 else filename
            return store, t("sc_up_refused", lang, file=label, problem=problem)
    for item in items:
        store = add_scenario(store, lang)
        current(store).update({"name": item["name"], "actions": copy.deepcopy(item["actions"])})
    return store, None


def saved_json(store: dict) -> str:
    """Return every scenario of a region store as one JSON file ``{"scenarios": [{"name", "actions"}, ...]}`` (see :func:`load_upload`)."""
    items = [{"name": item["name"], "actions": item["actions"]} for item in store["items"].values()]
    return json.dumps({"scenarios": items}, ensure_ascii=False, indent=1)


def build_action(kind: str, fields: dict[str, Any]) -> tuple[dict | None, str | None]:
    """Turn the action form's ``fields`` (by name: "school", "target", "level", "seats", ...) into an action of type ``kind``.

    ``kind`` is "close", "merge", "open", "expand" or "set_level".  Returns ``(action, None)``, or
    ``(None, names of the missing fields)`` (``"type"`` for an unknown kind).
    """

    def need(*names: str) -> str | None:
        missing = [n for n in names if fields.get(n) in (None, "")]
        return ", ".join(missing) if missing else None

    required = {
        "close": ("school",),
        "merge": ("school", "target"),
        "open": ("lon", "lat", "level", "seats"),
        "expand": ("school",),
        "set_level": ("school", "level"),
    }
    if kind not in required:
        return None, "type"
    missing = need(*required[kind])
    if missing:
        return None, missing
    if kind == "close":
        action = {"type": "close", "school_id": fields["school"]}
        if fields.get("target"):
            action["to"] = fields["target"]
    elif kind == "merge":
        action = {"type": "merge", "school_id": fields["school"], "into": fields["target"]}
    elif kind == "open":
        action = {
            "type": "open", "lon": round(float(fields["lon"]), 6), "lat": round(float(fields["lat"]), 6),
            "level": fields["level"], "seats": int(fields["seats"]), "beds": int(fields.get("beds") or 0),
        }
        if fields.get("name"):
            action["name"] = str(fields["name"])[:80]
    elif kind == "expand":
        action = {"type": "expand", "school_id": fields["school"], "seats": int(fields.get("seats") or 0),
                  "beds": int(fields.get("beds") or 0)}
    else:
        action = {"type": "set_level", "school_id": fields["school"], "level": fields["level"]}
    return action, None


def describe(action: dict, names: dict[str, str], lang: str) -> str:
    """Return one line in ``lang`` describing an action for the actions list; ``names`` maps school id -> name."""
    kind = action.get("type")
    school = names.get(str(action.get("school_id")), str(action.get("school_id")))
    level = t(f"level_{action['level']}", lang) if action.get("level") in ("primary", "junior", "nine_year") else str(action.get("level"))
    if kind == "close":
        if action.get("to"):
            return t("desc_close_to", lang, school=school, target=names.get(action["to"], action["to"]))
        return t("desc_close", lang, school=school)
    if kind == "merge":
        return t("desc_merge", lang, school=school, target=names.get(action.get("into"), action.get("into")))
    if kind == "open":
        return t("desc_open", lang, level=level, name=action.get("name") or action.get("school_id") or "", seats=action.get("seats"),
                 beds=action.get("beds", 0))
    if kind == "expand":
        return t("desc_expand", lang, school=school, seats=action.get("seats", 0), beds=action.get("beds", 0))
    if kind == "set_level":
        return t("desc_set_level", lang, school=school, level=level)
    return json.dumps(action, ensure_ascii=False)
