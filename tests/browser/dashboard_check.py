"""Loads pinpipe's dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; no browser is downloaded), waits for the charts, checks that the figures
shown equal the serving API's answers and that the console has no errors, and saves a
screenshot.

    python dashboard_check.py BASE_URL FROM TO SCREENSHOT.png

Exit 0 when every check holds; prints one line per check.
"""
import json
import sys
import urllib.request

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


def api(base, path):
    with urllib.request.urlopen(f"{base}/api/v1/{path}", timeout=30) as r:
        return json.load(r)


def main():
    base, day_from, day_to, shot = sys.argv[1:5]
    rng = f"from={day_from}&to={day_to}"
    failures = []

    def check(name, ok, detail=""):
        print(f"dashboard: {'ok' if ok else 'FAIL'}: {name}{(' — ' + detail) if detail and not ok else ''}")
        if not ok:
            failures.append(name)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        errors = []
        page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        foreign = []
        page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(base) and not r.url.startswith("data:") else None)
        page.goto(f"{base}/?{rng}", wait_until="load")
        page.wait_for_selector("body[data-loaded]", timeout=30000)

        days = api(base, f"days?{rng}")["days"]
        shown = {e.get_attribute("data-day"): (e.get_attribute("data-source"), e.get_attribute("data-parity"))
                 for e in page.query_selector_all("#days .day")}
        want = {d["day"]: (d["source"], d["parity"]) for d in days}
        check("each day's source and parity badge equal /api/v1/days", shown == want, f"{shown} != {want}")

        def bars(selector):
            return [(e.get_attribute("data-key"), int(e.get_attribute("data-value")))
                    for e in page.query_selector_all(f"{selector} .row")]

        for sel, metric in [("#top-categories", "pins_by_category"), ("#top-posters", "pins_by_poster"),
                            ("#top-followers", "max_followers_by_poster")]:
            rows = api(base, f"top?metric={metric}&top=10&{rng}")["rows"]
            got = bars(sel)
            check(f"{sel} equals /api/v1/top {metric}", got == [(r["key"], r["value"]) for r in rows] and got,
                  f"{got}")
        media = api(base, f"query?metric=pins_by_media_type&group=all&{rng}")["rows"]
        check("#media equals the image/video split", bars("#media") == [(r["key"], r["value"]) for r in media])
        cat = api(base, f"query?metric=pins_by_category&group=day&{rng}")["rows"]
        total = int(page.get_attribute("#by-category", "data-total") or -1)
        check("the stacked chart holds every pin of the range", total == sum(r["value"] for r in cat) and total > 0,
              f"{total}")
        rejects = api(base, f"query?metric=rejected_events&group=day&{rng}")["rows"]
        cells = page.query_selector_all("#quality tr[data-metric='rejected_events']")
        check("the data-quality table lists every reject reason", len(cells) == len({r["key"] for r in rejects}))
        check("the live minute chart is drawn", page.query_selector("#live-minutes svg") is not None)
        check("the banner shows no error", page.is_hidden("#banner"), page.inner_text("#banner"))
        check("no console errors", not errors, "; ".join(errors))
        check("every request stays on the server (works offline)", not foreign, ", ".join(foreign))
        page.screenshot(path=shot, full_page=True)
        print(f"dashboard: screenshot {shot}")
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
