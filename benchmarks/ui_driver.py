"""Drive the dashboard in Debian's chromium and time what the planner sees (used by ``ui_bench.py`` and ``screens.py``).

The page gets a probe (an init script) before any of its own code runs:

* ``window.fetch`` is wrapped so that every Dash request (``_dash-update-component``, ``_dash-layout``,
  ``_dash-dependencies``) is counted while in flight — until the renderer has parsed its JSON — and the
  byte length of every callback response body is kept with the callback's output;
* a ``MutationObserver`` notes the time of the last DOM change;
* the first ``pointerdown``/``mousedown``/``keydown``/``change`` after :meth:`Driver.timed` arms the probe is
  the moment of the user's action (kept in ``sessionStorage`` too, so a reload does not lose it).

An interaction is *visible* when no Dash request is in flight, at least one was sent (or the page was
reloaded), the interaction's own check (an element changed as expected) holds, and neither a request nor
a DOM change happened during the last two animation frames.  Its click-to-visible time is that frame's
time minus the action's time, both taken by the page's clock.
"""
from __future__ import annotations

import json
import logging
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterator

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

__all__ = [
    "CHROMIUM", "CHROMIUM_ARGS", "Driver", "InteractionFailed", "Sample", "js_text_changed", "js_text_contains", "map_drawn_js",
    "project_js", "serve",
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

PROBE = r"""
(() => {
  if (window.__bench) return;
  const now = () => performance.timeOrigin + performance.now();
  const b = window.__bench = {id: Math.random().toString(36).slice(2), inflight: 0, started: 0, activity: now(),
                              responses: [], armed: false, input: 0, quiet: 0, seen: 0, pending: {}};
  const orig = window.fetch.bind(window);
  let seq = 0;
  const done = (k) => { if (!(k in b.pending)) return; delete b.pending[k]; b.inflight -= 1; b.activity = now(); };
  window.fetch = async function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || '';
    if (!/_dash-(update-component|layout|dependencies)/.test(url)) return orig(input, init);
    let output = '';
    if (url.includes('_dash-update-component') && init && typeof init.body === 'string') {
      try { output = JSON.parse(init.body).output || ''; } catch (e) { output = '?'; }
    }
    const key = ++seq;
    b.pending[key] = url.split('?')[0] + ' ' + output;
    b.inflight += 1; b.started += 1; b.activity = now();
    let resp;
    try { resp = await orig(input, init); } catch (e) { done(key); throw e; }
    let bytes = 0;
    try { bytes = (await resp.clone().arrayBuffer()).byteLength; } catch (e) { bytes = -1; }
    if (output) b.responses.push({output, bytes, status: resp.status, t: now()});
    const type = resp.headers.get('content-type') || '';
    if (resp.status === 200 && type.includes('application/json')) {
      const json = resp.json.bind(resp);
      resp.json = async () => { try { return await json(); } finally { setTimeout(() => done(key), 0); } };
      setTimeout(() => done(key), 30000);  // the renderer never read it
    } else {
      setTimeout(() => done(key), 0);
    }
    return resp;
  };
  const watch = () => new MutationObserver(() => { b.activity = now(); })
      .observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
  if (document.documentElement) watch(); else document.addEventListener('DOMContentLoaded', watch);
  for (const ev of ['pointerdown', 'mousedown', 'keydown', 'change']) {
    window.addEventListener(ev, () => {
      if (!b.armed) return;
      b.armed = false; b.input = now();
      sessionStorage.setItem('__bench_input', String(b.input));
    }, true);
  }
})();
"""

ARM = """() => { const b = window.__bench; b.armed = true; b.input = 0; b.quiet = 0; b.seen = 0; sessionStorage.removeItem('__bench_input');
                 return {id: b.id, mark: b.started, responses: b.responses.length}; }"""

#: Wait for the page to settle: evaluated every animation frame; ``check`` is the interaction's own test.
SETTLE = """(arg) => {
  const b = window.__bench;
  if (!b) return false;
  const t = performance.timeOrigin + performance.now();
  const fresh = b.id !== arg.id;  // the page was reloaded
  if (!b.input) { const s = sessionStorage.getItem('__bench_input'); if (s) b.input = +s; }
  if (b.activity !== b.seen) { b.seen = b.activity; b.quiet = 0; return false; }
  b.quiet += 1;
  const start = arg.since_load ? performance.timeOrigin : b.input;
  if (!start || (b.inflight > 0 && !arg.any_inflight) || b.quiet < 2) return false;
  const sent = fresh ? b.started > 0 : b.started > arg.mark;
  let ok = false;
  try { ok = (CHECK)(); } catch (e) { ok = false; }
  const gaveUp = arg.give_up_ms && t - Math.max(b.activity, start) > arg.give_up_ms;
  if (!((ok && (sent || !arg.need_request)) || gaveUp)) return false;
  const from = fresh || arg.since_load ? 0 : arg.responses;
  const resp = b.responses.slice(from).filter(r => r.t >= start - 1);
  return {seconds: (t - start) / 1000, ok, fresh, requests: fresh ? b.started : b.started - arg.mark,
          bytes: resp.map(r => r.bytes), outputs: resp.map(r => r.output)};
}"""


def project_js(graph_id: str) -> str:
    """JS ``([lon, lat]) => [x, y]``: page pixels of a point on the MapLibre map of graph ``graph_id``."""
    return f"""([lon, lat]) => {{
        const gd = document.querySelector('#{graph_id} .js-plotly-plot');
        const map = gd._fullLayout.map._subplot.map;
        const p = map.project([lon, lat]);
        const r = map.getCanvas().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }}"""


def map_drawn_js(graph_id: str) -> str:
    """JS check: graph ``graph_id`` shows a MapLibre map with traces, its style loaded."""
    return f"""() => {{
        const gd = document.querySelector('#{graph_id} .js-plotly-plot');
        if (!gd || !gd._fullLayout || !gd._fullLayout.map || !gd.data || gd.data.length === 0) return false;
        const map = gd._fullLayout.map._subplot && gd._fullLayout.map._subplot.map;
        return !!map && gd.offsetHeight > 0;
    }}"""


@dataclass
class Sample:
    """One timed interaction: click-to-visible seconds, the callback responses' sizes and the outputs they fed."""

    seconds: float
    bytes: list[int]
    outputs: list[str]
    requests: int

    @property
    def max_bytes(self) -> int:
        """The largest callback response body, in bytes (0 without one)."""
        return max(self.bytes, default=0)

    @property
    def biggest(self) -> str:
        """The output of the largest response."""
        return self.outputs[self.bytes.index(self.max_bytes)] if self.bytes else ""


class InteractionFailed(RuntimeError):
    """An interaction could not be performed or never became visible."""


@dataclass
class Driver:
    """One page of the dashboard and the timings taken on it, by interaction name."""

    page: Page
    timeout_s: float = 120.0
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    misses: dict[str, int] = field(default_factory=dict)
    verbose: bool = False

    def install(self) -> None:
        """Install the probe in every document the page loads."""
        self.page.add_init_script(PROBE)

    def _settle(self, arm: dict, check: str, *, need_request: bool, give_up_ms: int = 0, since_load: bool = False,
                any_inflight: bool = False) -> dict:
        arg = {**arm, "need_request": need_request, "give_up_ms": give_up_ms, "since_load": since_load, "any_inflight": any_inflight}
        script = SETTLE.replace("CHECK", check or "() => true")
        for _ in range(5):  # a reload destroys the context the wait runs in: wait again in the new document
            try:
                handle = self.page.wait_for_function(script, arg=arg, polling="raf", timeout=self.timeout_s * 1000)
                return handle.json_value()
            except PlaywrightError as exc:
                if "Timeout" in str(exc) or "timeout" in str(exc):
                    state = self.page.evaluate("() => { const b = window.__bench; return b && {inflight: b.inflight,"
                                               " started: b.started, input: b.input}; }")
                    raise InteractionFailed(f"not visible within {self.timeout_s:.0f} s (check {check[:200]!r}; probe {state})") from exc
                if "context was destroyed" not in str(exc) and "navigation" not in str(exc).lower():
                    raise
                self.page.wait_for_load_state("domcontentloaded")
        raise InteractionFailed("the page kept reloading")

    def arm(self) -> dict:
        """Arm the probe: the next user input starts the clock; returns the marks :meth:`wait` needs."""
        return self.page.evaluate(ARM)

    def wait(self, arm: dict, check: str = "", *, need_request: bool = True, give_up_ms: int = 0) -> dict:
        """Wait until the page settled after the action that followed ``arm`` (``check``: JS ``() => bool``)."""
        return self._settle(arm, check, need_request=need_request, give_up_ms=give_up_ms)

    def quiet(self, action: Callable[[], None], check: str = "", *, need_request: bool = True) -> None:
        """Do an untimed setup step and wait until the page settled."""
        arm = self.arm()
        action()
        self.wait(arm, check, need_request=need_request)

    def timed(self, name: str, action: Callable[[], None], check: str = "", *, need_request: bool = True,
              retries: int = 0, give_up_ms: int = 0) -> Sample:
        """Do ``action``, wait until it is visible (``check`` holds) and keep the sample under ``name``.

        With ``retries``, an action after which the page settles (``give_up_ms`` quiet) without ``check``
        holding counts as a miss and is tried again; :class:`InteractionFailed` when every try missed.
        """
        for _attempt in range(retries + 1):
            arm = self.arm()
            action()
            res = self.wait(arm, check, need_request=need_request, give_up_ms=give_up_ms if retries else 0)
            if res["ok"]:
                sample = Sample(float(res["seconds"]), [int(b) for b in res["bytes"]], list(res["outputs"]), int(res["requests"]))
                self.samples.setdefault(name, []).append(sample)
                if self.verbose:
                    print(f"[ui_bench] {name}: {sample.seconds:.2f} s, {sample.requests} requests, {sample.max_bytes:,} B", file=sys.stderr)
                return sample
            self.misses[name] = self.misses.get(name, 0) + 1
        raise InteractionFailed(f"{name}: the expected change never showed after {retries + 1} tries (check {check!r})")

    def first_load(self, url: str, check: str) -> tuple[Sample, int]:
        """Open ``url`` and time navigation start -> ``check`` (the map drawn); also the bytes of every load callback.

        Returns the sample (its bytes: the responses until the map was drawn) and the total callback bytes
        once the whole page settled.
        """
        self.page.goto(url, wait_until="commit")
        arm = {"id": "", "mark": 0, "responses": 0}
        res = self._settle(arm, check, need_request=True, since_load=True, any_inflight=True)
        sample = Sample(float(res["seconds"]), [int(b) for b in res["bytes"]], list(res["outputs"]), int(res["requests"]))
        self._settle(self.page.evaluate("() => ({id: window.__bench.id, mark: window.__bench.started, responses: 0})"), "",
                     need_request=False, since_load=True)
        total = int(self.page.evaluate("() => window.__bench.responses.reduce((s, r) => s + Math.max(r.bytes, 0), 0)"))
        return sample, total

    def click_lonlat(self, graph_id: str, lon: float, lat: float) -> None:
        """Click graph ``graph_id``'s map at (lon, lat), projected by the page's own MapLibre map, scrolled into view."""
        js = project_js(graph_id)
        x, y = self.page.evaluate(js, [lon, lat])
        height = self.page.viewport_size["height"]
        if not 60 <= y < height - 60:
            self.page.evaluate("y => window.scrollBy(0, y - window.innerHeight / 2)", y)
            self.page.wait_for_timeout(200)
            x, y = self.page.evaluate(js, [lon, lat])
        if not 0 <= y < height:
            raise InteractionFailed(f"point {lon},{lat} of #{graph_id} is off screen at y={y:.0f}")
        self.page.mouse.move(x, y)
        self.page.wait_for_timeout(150)  # plotly picks the point under the pointer on hover
        self.page.mouse.click(x, y)


def js_text_changed(selector: str, before: str) -> str:
    """JS check: the text of ``selector`` differs from ``before``."""
    return f"() => {{ const e = document.querySelector({json.dumps(selector)}); return !!e && e.innerText !== {json.dumps(before)}; }}"


def js_text_contains(selector: str, text: str) -> str:
    """JS check: the text of ``selector`` contains ``text``."""
    return f"() => {{ const e = document.querySelector({json.dumps(selector)}); return !!e && e.innerText.includes({json.dumps(text)}); }}"


def serve(region: str | None = None) -> Iterator[str]:
    """Warm the caches and serve the app on a free loopback port in a thread; yields the base URL (a generator)."""
    from werkzeug.serving import make_server

    from app import create_app
    from dashboard.warmup import warm_caches

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    warm_caches(lambda line: None)
    if region:
        warm_caches(lambda line: None, region=region)
    server = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
