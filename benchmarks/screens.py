"""Screenshots of every tab of the dashboard at 1440 x 960 and 1280 x 800, in Chinese and English.

The app is served in this process (as ``ui_bench.py`` does) and Debian's chromium opens each tab once the
page has settled: the access map drawn; on the scenarios tab a second scenario compared with the first and
the rules panel open; on the indicators tab the standards open; on the import tab a 600-row school list
(with a few bad rows) checked.  Each shot is a full-page PNG named ``<tab>_<lang>_<width>x<height>.png``.

Usage::

    .venv/bin/python benchmarks/screens.py --out /tmp/screens
    .venv/bin/python benchmarks/screens.py --out /tmp/screens --lang zh --size 1440x960
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from playwright.sync_api import sync_playwright  # noqa: E402
from ui_bench import Targets, import_files  # noqa: E402
from ui_driver import CHROMIUM, CHROMIUM_ARGS, Driver, InteractionFailed, js_text_changed, map_drawn_js, serve  # noqa: E402

from dashboard import ids  # noqa: E402

SIZES = ("1440x960", "1280x800")
LANGS = ("zh", "en")


def _tab(drv: Driver, name: str) -> None:
    box = f"() => {{ const b = document.getElementById('{ids.TAB_BOX[name]}'); return !!b && getComputedStyle(b).display !== 'none'; }}"
    if not drv.page.evaluate(box):
        drv.quiet(drv.page.locator(f"#{ids.TABS} .tab").nth(ids.TAB_NAMES.index(name)).click, box, need_request=False)


def _open_details(drv: Driver, tab: str) -> None:
    closed = drv.page.locator(f"#{ids.TAB_BOX[tab]} details.rules:not([open]) > summary")
    for _ in range(closed.count()):
        closed.first.click()


def shoot(drv: Driver, url: str, out: Path, suffix: str, upload: Path) -> list[Path]:
    """Open ``url`` and save one full-page shot per tab, named ``<tab>_<suffix>.png``; returns the paths."""
    page = drv.page
    drv.first_load(url, map_drawn_js(ids.MAP))
    shots = []

    def save(tab: str) -> None:
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        path = out / f"{tab}_{suffix}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    save("access")
    _tab(drv, "scenarios")
    page.wait_for_function(map_drawn_js(ids.SC_MAP), timeout=120_000)
    first = page.locator(f"#{ids.SC_SELECT}").inner_text().strip()
    drv.quiet(page.locator(f"#{ids.SC_NEW}").click, js_text_changed(f"#{ids.SC_SELECT}", first))
    page.locator(f"#{ids.SC_COMPARE}").click()
    heads = f"document.querySelectorAll('#{ids.SC_KPI} th').length"
    n = page.evaluate(heads)
    drv.quiet(page.get_by_role("option").filter(has_text=first).first.click, f"() => {heads} !== {n}")
    page.keyboard.press("Escape")
    _open_details(drv, "scenarios")
    save("scenarios")
    _tab(drv, "indicators")
    _open_details(drv, "indicators")
    save("indicators")
    _tab(drv, "import")
    drv.quiet(lambda: page.locator(f"#{ids.IMP_UPLOAD} input[type=file]").set_input_files(str(upload)),
              f"() => document.getElementById('{ids.IMP_FILE}').innerText.includes('{upload.name}')")
    drv.quiet(page.locator(f"#{ids.IMP_CHECK}").click,
              f"() => document.getElementById('{ids.IMP_REPORT}').innerText.trim() !== ''")
    save("import")
    return shots


def main(argv: list[str] | None = None) -> int:
    """Serve the app and write the screenshots into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for the PNG files (made if missing)")
    parser.add_argument("--region", default="demo", help="region key (default demo)")
    parser.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable)")
    parser.add_argument("--size", choices=SIZES, action="append", help="only this window size (repeatable)")
    args = parser.parse_args(argv)
    from dashboard import request

    args.out.mkdir(parents=True, exist_ok=True)
    default = request.default_region()
    server = serve(None if args.region == default else args.region)
    base = next(server)
    try:
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
            upload = import_files(Targets(args.region), Path(tmp))[0]
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size in args.size or SIZES:
                width, height = (int(v) for v in size.split("x"))
                for lang in args.lang or LANGS:
                    context = browser.new_context(viewport={"width": width, "height": height})
                    drv = Driver(context.new_page())
                    drv.install()
                    url = f"{base}/?lang={lang}" + ("" if args.region == default else f"&region={args.region}")
                    for path in shoot(drv, url, args.out, f"{lang}_{size}", upload):
                        print(path)
                    context.close()
            browser.close()
    except InteractionFailed as exc:
        print(f"[screens] FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
