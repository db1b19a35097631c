"""Click-to-visible benchmark of the dashboard in Debian's chromium: every control and click of the four pages.

The app is served in this process (werkzeug on a free loopback port, caches warmed first, as the browser
tests do) and Playwright drives ``/usr/bin/chromium`` at 1440 x 960 through, in Chinese:

* the first map (navigation -> access map drawn; bytes of every callback response of the load);
* access: level, band, mode, threshold, the catchment and isochrone overlays, a village and a school
  clicked on the map (pixels projected by the page's own MapLibre map), the tab switch;
* scenarios: each action kind added through the form (close, merge, open, expand, set_level) and
  removed again, the map view (baseline / scenario / difference), the comparison, a school clicked on the
  scenario map, a rules edit;
* indicators: baseline/scenario, a standard edited;
* import: a 600-row school list (made from the region's schools, a few bad rows) uploaded and checked;
* the language switch (中文 <-> English) on the access page.

Each interaction is repeated ``--repeat`` times (default 10, ``--quick`` 3).  Click-to-visible is timed
by the page's clock from the user's input event until no Dash request is in flight, the interaction's
own check holds (the KPI text changed, the detail names the village...) and nothing changed in the DOM
for two animation frames (see :mod:`ui_driver`).  ``max_bytes`` is the largest ``_dash-update-component``
response body of the interaction.  An interaction that cannot be performed stops the run with a non-zero
exit; no figure is ever made up.

Usage::

    .venv/bin/python benchmarks/ui_bench.py                 # demo region, 10 repeats, a table
    .venv/bin/python benchmarks/ui_bench.py --quick --json  # 3 repeats, one JSON line
    .venv/bin/python benchmarks/ui_bench.py --region example-county
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from playwright.sync_api import sync_playwright  # noqa: E402
from ui_driver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    Driver,
    InteractionFailed,
    js_text_changed,
    js_text_contains,
    map_drawn_js,
    serve,
)

from dashboard import ids, services  # noqa: E402
from dashboard.i18n import t  # noqa: E402
from layers.schema import BANDS  # noqa: E402

VIEWPORT = {"width": 1440, "height": 960}
ACTION_KINDS = ("close", "merge", "open", "expand", "set_level")
IMPORT_ROWS = 600


# --- what to click: picked from the region's layers ----------------------------------------------------
def _isolation(x: np.ndarray, y: np.ndarray, ox: np.ndarray, oy: np.ndarray, same: bool) -> np.ndarray:
    """Distance (degrees) from each point to the nearest other point (of the ``ox, oy`` set)."""
    d = np.hypot(x[:, None] - ox[None, :], y[:, None] - oy[None, :])
    if same:
        np.fill_diagonal(d, np.inf)
    return d.min(axis=1)


class Targets:
    """The villages, schools and site the bench clicks and acts on, in region ``key``."""

    def __init__(self, key: str) -> None:
        reg = services.region(key)
        v, s = reg.villages, services.schools_frame(key)
        try:
            names = services.layer_names(key, "schools", "zh")
        except TypeError:  # an older services without languages
            names = services.layer_names(key, "schools")
        s = s.assign(name=s["school_id"].astype(str).map(names).fillna(s["name"]), lon=s.geometry.x, lat=s.geometry.y)
        v = v.assign(lon=v.geometry.x, lat=v.geometry.y, children=sum(v[f"children_{b}"] for b in BANDS))
        vx, vy, sx, sy = v["lon"].to_numpy(), v["lat"].to_numpy(), s["lon"].to_numpy(), s["lat"].to_numpy()
        v = v.assign(iso=np.minimum(_isolation(vx, vy, vx, vy, True), _isolation(vx, vy, sx, sy, False)))
        s = s.assign(iso=np.minimum(_isolation(sx, sy, sx, sy, True), _isolation(sx, sy, vx, vy, False)))
        v = v[(v["children"] > 0) & ~v["name"].duplicated(keep=False)].sort_values("iso", ascending=False)
        named = ~s["name"].duplicated(keep=False)
        if "name_generated" in s:
            named &= ~s["name_generated"].fillna(False).astype(bool)
        primary = s[s["level"].isin(("primary", "nine_year")) & named]
        self.villages = v.head(3)[["village_id", "name", "lon", "lat"]].to_dict("records")
        self.map_schools = primary.sort_values("iso", ascending=False).head(2)[["school_id", "name", "lon", "lat"]].to_dict("records")
        used = primary[(primary["enrolment"] > 0) & (primary["level"] == "primary")].sort_values(["enrolment", "school_id"])
        if len(self.villages) < 2 or len(self.map_schools) < 2 or len(used) < 2:
            raise InteractionFailed(f"region {key!r} has too few named villages or primary schools to benchmark")
        self.small, self.receiver = used.iloc[0]["name"], used.iloc[-1]["name"]
        self.site = (round(float(v.iloc[0]["lon"]), 5), round(float(v.iloc[0]["lat"]), 5))
        self.schools = s


def import_files(targets: Targets, folder: Path) -> list[Path]:
    """Write two 600-row school lists (Chinese headers) made from the region's schools, each with a few bad rows."""
    s = targets.schools.reset_index(drop=True)
    rng = np.random.default_rng(12)
    idx = np.arange(IMPORT_ROWS) % len(s)
    base = s.iloc[idx].reset_index(drop=True)
    level = base["level"].map(lambda lv: t(f"level_{lv}", "zh"))
    frame = pd.DataFrame({
        "学校代码": [f"B{i:04d}" for i in range(IMPORT_ROWS)],
        "学校名称": [f"{n}（{i}）" for i, n in enumerate(base["name"])],
        "学段": level,
        "1-3年级在校生数": base["enrol_g1_3"].astype(int), "4-6年级在校生数": base["enrol_g4_6"].astype(int),
        "7-9年级在校生数": base["enrol_g7_9"].astype(int),
        "学位数": base["seats"].astype(int), "床位数": base["beds"].astype(int), "教师数": base["teachers"].fillna(0).astype(int),
        "经度": (base["lon"] + rng.uniform(-0.004, 0.004, IMPORT_ROWS)).round(6),
        "纬度": (base["lat"] + rng.uniform(-0.004, 0.004, IMPORT_ROWS)).round(6),
    }).astype(object)
    paths = []
    for variant, bad in enumerate(((17, 233, 412, 590), (5, 101, 388, 470, 555))):
        f = frame.copy()
        f.loc[bad[0], "4-6年级在校生数"] = -3
        f.loc[bad[1], "经度"] = "abc"
        f.loc[bad[2], "纬度"] = 95.0
        f.loc[bad[3], "学段"] = "幼儿园"
        if len(bad) > 4:
            f.loc[bad[4], "学位数"] = "很多"
        path = folder / f"schools_600_{'ab'[variant]}.csv"
        f.to_csv(path, index=False, encoding="utf-8")
        paths.append(path)
    return paths


# --- the interactions --------------------------------------------------------------------------------
def _sig(graph_id: str) -> str:
    """JS expression: a signature of graph ``graph_id``'s traces and map layers."""
    return (f"(() => {{ const gd = document.querySelector('#{graph_id} .js-plotly-plot'); if (!gd || !gd.data) return '';"
            " return JSON.stringify([gd.data.map(t => [t.name, t.type, (t.lon || []).length, t.visible]),"
            " ((gd.layout.map || {}).layers || []).length]); })()")


class Bench:
    """The interactions of the four pages, on one driver."""

    def __init__(self, drv: Driver, url: str, targets: Targets, repeat: int, files: list[Path]) -> None:
        self.drv, self.page, self.url, self.tg, self.n, self.files = drv, drv.page, url, targets, repeat, files
        self.lang = "zh"

    # helpers
    def _text(self, selector: str) -> str:
        loc = self.page.locator(selector)
        return loc.first.inner_text() if loc.count() else ""

    def _tab(self, name: str, timed: bool = True) -> None:
        index = ids.TAB_NAMES.index(name)
        tab = self.page.locator(f"#{ids.TABS} .tab").nth(index)
        check = f"() => {{ const b = document.getElementById('{ids.TAB_BOX[name]}'); return !!b && getComputedStyle(b).display !== 'none'; }}"
        if self.page.evaluate(check):
            return
        if timed:
            self.drv.timed("tab_switch", tab.click, check, need_request=False)
        else:
            self.drv.quiet(tab.click, check, need_request=False)

    def _open_dropdown(self, dropdown_id: str, search: str | None = None):
        self.page.locator(f"#{dropdown_id}").click()
        if search is not None:
            self.page.locator("input.dash-dropdown-search").fill(search)
        return self.page.get_by_role("option")

    def _choose(self, name: str | None, dropdown_id: str, text: str, check: str = "", search: bool = False,
                exact: bool = False) -> None:
        """Pick the option ``text`` of a dropdown: timed under ``name`` (the option click), else a setup step."""
        options = self._open_dropdown(dropdown_id, text if search else None)
        option = options.filter(has_text=text).first if not exact else options.get_by_text(text, exact=True).first
        if not check:
            check = js_text_contains(f"#{dropdown_id}", text)
        if name:
            self.drv.timed(name, option.click, check)
        else:
            self.drv.quiet(option.click, check, need_request=False)
        self.page.keyboard.press("Escape") if self.page.locator("input.dash-dropdown-search").count() else None

    def _enter(self, name: str | None, selector: str, value: str, check: str = "") -> None:
        box = self.page.locator(selector).first
        box.fill(value)
        if name:
            self.drv.timed(name, lambda: box.press("Enter"), check)
        else:
            self.drv.quiet(lambda: box.press("Enter"), check)

    def _alternate(self, values: tuple) -> list:
        return [values[(i + 1) % len(values)] for i in range(self.n)]

    # pages
    def first_map(self) -> int:
        drawn = f"() => ({map_drawn_js(ids.MAP)})() && document.querySelectorAll('#{ids.KPIS} .kpi').length > 0"
        totals = []
        for _ in range(self.n):
            sample, total = self.drv.first_load(self.url, drawn)
            self.drv.samples.setdefault("first_map", []).append(sample)
            totals.append(total)
            if self.drv.verbose:
                print(f"[ui_bench] first_map: {sample.seconds:.2f} s, load total {total:,} B", file=sys.stderr)
        return max(totals)

    def access(self) -> None:
        kpis = f"#{ids.KPIS}"
        for level in self._alternate(("primary", "junior")):
            before = self._text(kpis)
            self.drv.timed("level", self.page.locator(f"#{ids.LEVEL} input[value={level}]").click, js_text_changed(kpis, before))
        if self.page.locator(f"#{ids.LEVEL} input[value=primary]").is_checked() is False:
            self.drv.quiet(self.page.locator(f"#{ids.LEVEL} input[value=primary]").click, "")
        for band in self._alternate(("all", "g1_3")):
            before = self._text(kpis)
            self._choose("band", ids.BAND, t(f"band_{band}", self.lang), js_text_changed(kpis, before), exact=True)
        for mode in self._alternate(("walk", "bus")):
            before = self._text(kpis)
            self._choose("mode", ids.MODE, t(f"mode_{mode}", self.lang), js_text_changed(kpis, before), exact=True)
        if self._text(f"#{ids.MODE}").strip() != t("mode_walk", self.lang):
            self._choose(None, ids.MODE, t("mode_walk", self.lang), exact=True)
        if self._text(f"#{ids.BAND}").strip() != t("band_all", self.lang):
            self._choose(None, ids.BAND, t("band_all", self.lang), exact=True)
        for minutes in self._alternate(("30", "45")):
            before = self._text(kpis)
            self._enter("threshold", f"#{ids.THRESHOLD}", minutes, js_text_changed(kpis, before))
        for overlay in ("catchments", "isochrones"):
            box = self.page.locator(f"#{ids.OVERLAY} input[value={overlay}]")
            for _ in range(self.n):
                before = self.page.evaluate(_sig(ids.MAP))
                self.drv.timed(f"overlay_{overlay}", box.click, f"() => {_sig(ids.MAP)} !== {json.dumps(before)}")
            if box.is_checked():
                self.drv.quiet(box.click)
        for kind, items in (("village", self.tg.villages), ("school", self.tg.map_schools)):
            for i in range(self.n):
                item = items[i % len(items)]
                if item["name"] in self._text(f"#{ids.DETAIL}"):
                    item = items[(i + 1) % len(items)]
                self.drv.timed(f"{kind}_click", lambda it=item: self.drv.click_lonlat(ids.MAP, it["lon"], it["lat"]),
                               js_text_contains(f"#{ids.DETAIL}", item["name"]), retries=2, give_up_ms=1500)

    def language(self) -> None:
        for lang in self._alternate(("zh", "en")):
            label = {"zh": "中文", "en": "English"}[lang]
            check = (f"() => {{ const h = document.getElementById('{ids.TITLE}'); return !!h && h.innerText === "
                     f"{json.dumps(t('app_title', lang))} && ({map_drawn_js(ids.MAP)})() && "
                     f"document.querySelectorAll('#{ids.KPIS} .kpi').length > 0; }}")
            self.drv.timed("language_switch", self.page.locator(f"#{ids.LANG} label", has_text=label).first.click, check,
                           need_request=False)
            self.lang = lang
        if self.lang != "zh":
            self.drv.quiet(self.page.locator(f"#{ids.LANG} label", has_text="中文").first.click, "", need_request=False)
            self.lang = "zh"

    def _actions(self) -> int:
        return self.page.locator(f"#{ids.ACTIONS_LIST} li").count()

    def _set_kind(self, kind: str) -> None:
        label = t(f"action_{kind}", self.lang)
        if self._text(f"#{ids.ACT_TYPE}").strip() != label:
            self._choose(None, ids.ACT_TYPE, label, exact=True)

    def _set_school(self, dropdown_id: str, name: str) -> None:
        if name not in self._text(f"#{dropdown_id}"):
            self._choose(None, dropdown_id, name, search=True)

    def _add(self, kind: str) -> None:
        self._set_kind(kind)
        if kind in ("close", "merge", "expand", "set_level"):
            self._set_school(ids.ACT_SCHOOL, self.tg.small)
        if kind in ("close", "merge"):
            self._set_school(ids.ACT_TARGET, self.tg.receiver)
        if kind == "open":
            self.page.locator(f"#{ids.ACT_LON}").fill(str(self.tg.site[0]))
            self.page.locator(f"#{ids.ACT_LAT}").fill(str(self.tg.site[1]))
            self.page.locator(f"#{ids.ACT_NAME}").fill("测试新校")
        if kind == "set_level":
            self._choose(None, ids.ACT_LEVEL, t("level_nine_year", self.lang), exact=True)
        elif kind == "open" and t("level_primary", self.lang) not in self._text(f"#{ids.ACT_LEVEL}"):
            self._choose(None, ids.ACT_LEVEL, t("level_primary", self.lang), exact=True)
        n = self._actions()
        self.drv.timed(f"action_{kind}", self.page.locator(f"#{ids.ACT_ADD}").click,
                       f"() => document.querySelectorAll('#{ids.ACTIONS_LIST} li').length === {n + 1}")

    def _remove_last(self, timed: bool = True) -> None:
        n = self._actions()
        button = self.page.locator(f"#{ids.ACTIONS_LIST} li button").last
        check = f"() => document.querySelectorAll('#{ids.ACTIONS_LIST} li').length === {n - 1}"
        self.drv.timed("action_remove", button.click, check) if timed else self.drv.quiet(button.click, check)

    def scenarios(self) -> None:
        self._tab("scenarios")
        self.page.wait_for_function(map_drawn_js(ids.SC_MAP), timeout=120_000)
        for _ in range(self.n):
            for kind in ACTION_KINDS:
                self._add(kind)
                self._remove_last()
        self._add("close")  # a scenario that differs from the baseline, for the views and the comparison
        self.drv.samples["action_close"].pop()
        for view in [("baseline", "difference", "scenario")[i % 3] for i in range(self.n)]:
            radio = self.page.locator(f"#{ids.SC_VIEW} input[value={view}]")
            self.drv.timed("view_switch", radio.click, map_drawn_js(ids.SC_MAP))
        if not self.page.locator(f"#{ids.SC_VIEW} input[value=scenario]").is_checked():
            self.drv.quiet(self.page.locator(f"#{ids.SC_VIEW} input[value=scenario]").click)
        self._compare()
        for i in range(self.n):
            school = self.tg.map_schools[i % 2]
            if school["name"] in self._text(f"#{ids.ACT_SCHOOL}"):
                school = self.tg.map_schools[(i + 1) % 2]
            self.drv.timed("sc_school_click", lambda s=school: self.drv.click_lonlat(ids.SC_MAP, s["lon"], s["lat"]),
                           js_text_contains(f"#{ids.ACT_SCHOOL}", school["name"]), retries=2, give_up_ms=1500)
        self.page.locator(f"#{ids.TAB_BOX['scenarios']} details.rules summary").first.click()
        walk = "input[id*='\"rule\":\"walk_minutes\"'][id*='\"key\":\"g1_3\"']"
        for minutes in self._alternate(("40", "45")):
            self._enter("rules_edit", walk, minutes)

    def _compare(self) -> None:
        first = self._text(f"#{ids.SC_SELECT}").strip()
        self.drv.quiet(self.page.locator(f"#{ids.SC_NEW}").click, js_text_changed(f"#{ids.SC_SELECT}", first))
        second = self._text(f"#{ids.SC_SELECT}").strip()
        self._choose(None, ids.SC_SELECT, first, exact=True)
        heads = f"document.querySelectorAll('#{ids.SC_KPI} th').length"
        for _ in range(self.n):
            n = self.page.evaluate(heads)
            options = self._open_dropdown(ids.SC_COMPARE)
            self.drv.timed("compare", options.filter(has_text=second).first.click, f"() => {heads} !== {n}")
            self.page.keyboard.press("Escape")

    def indicators(self) -> None:
        self._tab("indicators")
        for show in self._alternate(("scenario", "baseline")):
            # the school table shows the chosen result (the summary shows both); it changes only if the scenario has actions
            self.drv.timed("ind_show", self.page.locator(f"#{ids.IND_SHOW} input[value={show}]").click)
        self.page.locator(f"#{ids.TAB_BOX['indicators']} details.rules summary").first.click()
        box = "input[id*='\"name\":\"floor_share\"']"
        for value in self._alternate(("0.85", "0.8")):
            self._enter("ind_standard_edit", box, value)

    def importing(self) -> None:
        self._tab("import")
        upload = self.page.locator(f"#{ids.IMP_UPLOAD} input[type=file]")
        for i in range(self.n):
            path = self.files[i % 2]
            self.drv.timed("import_upload", lambda p=path: upload.set_input_files(str(p)), js_text_contains(f"#{ids.IMP_FILE}", path.name))
            before = self._text(f"#{ids.IMP_REPORT}")
            self.drv.timed("import_check", self.page.locator(f"#{ids.IMP_CHECK}").click,
                           f"() => {{ const e = document.getElementById('{ids.IMP_REPORT}'); return !!e && e.innerText.trim() !== ''"
                           f" && e.innerText !== {json.dumps(before)}; }}")


# --- reporting ---------------------------------------------------------------------------------------
def summarise(drv: Driver, first_total: int) -> dict[str, dict]:
    """p50 / p95 seconds and max bytes per interaction (first_map also its total callback bytes)."""
    out = {}
    for name, samples in drv.samples.items():
        secs = sorted(s.seconds for s in samples)
        p95 = float(np.percentile(secs, 95)) if len(secs) > 1 else secs[0]
        biggest = max(samples, key=lambda s: s.max_bytes)
        out[name] = {"p50_s": round(statistics.median(secs), 3), "p95_s": round(p95, 3), "max_bytes": biggest.max_bytes,
                     "n": len(secs), "misses": drv.misses.get(name, 0), "biggest_output": biggest.biggest}
    out["first_map"]["total_bytes"] = first_total
    return out


def table(summary: dict[str, dict]) -> str:
    """The summary as a plain-text table."""
    lines = [f"{'interaction':<22} {'n':>3} {'p50 s':>7} {'p95 s':>7} {'max bytes':>11}  {'misses':>6}  largest response"]
    for name, s in summary.items():
        extra = f" (load total {s['total_bytes']:,} B)" if "total_bytes" in s else ""
        lines.append(f"{name:<22} {s['n']:>3} {s['p50_s']:>7.2f} {s['p95_s']:>7.2f} {s['max_bytes']:>11,}  {s['misses']:>6}  "
                     f"{s['biggest_output'][:60]}{extra}")
    return "\n".join(lines)


PARTS = ("access", "language", "scenarios", "indicators", "importing")


def run(region: str, repeat: int, headed: bool = False, verbose: bool = False, shot: str | None = None,
        parts: tuple[str, ...] = PARTS) -> dict[str, dict]:
    """Serve the app, run the interactions of ``parts`` ``repeat`` times in chromium (after the first map); the summary."""
    from dashboard import request

    key = region or request.default_region()
    targets = Targets(key)
    server = serve(None if key == request.default_region() else key)
    base = next(server)
    url = f"{base}/?lang=zh" + ("" if key == request.default_region() else f"&region={key}")
    try:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
            files = import_files(targets, Path(tmp))
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=not headed)
            context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", accept_downloads=False)
            errors: list[str] = []
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            drv = Driver(page, verbose=verbose)
            drv.install()
            bench = Bench(drv, url, targets, repeat, files)
            try:
                first_total = bench.first_map()
                for part in [getattr(bench, name) for name in PARTS if name in parts]:
                    started = time.perf_counter()
                    part()
                    print(f"[ui_bench] {part.__name__}: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            except Exception:
                if shot:
                    page.screenshot(path=shot, full_page=True)
                raise
            browser.close()
            if errors:
                raise InteractionFailed(f"page errors during the run: {errors[:3]}")
            return summarise(drv, first_total)
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (or, with ``--json``, one JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="times each interaction is repeated (default 10)")
    parser.add_argument("--quick", action="store_true", help="3 repeats")
    parser.add_argument("--region", default="demo", help="region key: demo (default) or example-county")
    parser.add_argument("--json", action="store_true", help='print one line {"interactions": {name: {p50_s, p95_s, max_bytes}}}')
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("--verbose", action="store_true", help="print every sample to stderr")
    parser.add_argument("--shot-on-fail", metavar="PNG", help="save a full-page screenshot there when an interaction fails")
    parser.add_argument("--only", help=f"comma-separated parts to run after the first map (default all: {','.join(PARTS)})")
    args = parser.parse_args(argv)
    parts = tuple(p.strip() for p in args.only.split(",")) if args.only else PARTS
    if set(parts) - set(PARTS):
        parser.error(f"--only takes {', '.join(PARTS)}")
    repeat = 3 if args.quick else args.repeat
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    try:
        summary = run(args.region, repeat, args.headed, args.verbose, args.shot_on_fail, parts)
    except InteractionFailed as exc:
        print(f"[ui_bench] FAILED: {exc}", file=sys.stderr)
        return 1
    if args.json:
        keep = {name: {k: s[k] for k in ("p50_s", "p95_s", "max_bytes", "total_bytes") if k in s} for name, s in summary.items()}
        print(json.dumps({"interactions": keep}, ensure_ascii=False))
    else:
        print(f"click-to-visible, {args.region}, {repeat} repeats, chromium {VIEWPORT['width']}x{VIEWPORT['height']}")
        print(table(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
