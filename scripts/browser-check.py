#!/usr/bin/env python3
"""Opens a run's report.html and profiles in headless Chromium, driven through the DevTools
protocol (websocket-client, pinned in reference/requirements.txt), and checks what a reader
does with them. Starts Chromium itself (its own temporary profile, a free port) and stops it.

    python3 scripts/browser-check.py OUTPUT_DIR [--max-load-s 2] [--screenshots DIR] [--pdf]

Load times are always measured and printed; they are checked only with --max-load-s (the
national-scale check in the README), not in scripts/test.sh: the project's tests make no
timing assertions (a busy CI machine is not a slow report).

Checks, each printed with its figure; any failure exits 1:
  load     Page.navigate to report.html until Page.loadEventFired, and the Performance API's
           navigation entry (loadEventEnd): both under --max-load-s when given.
  console  no console error: Runtime.consoleAPICalled of type error/assert, Runtime.exceptionThrown,
           Log.entryAdded of level error (report and the profile opened), counted from navigation.
  map      one path in #terreinen per row of indicators.csv (rows with geometry).
  hover    a synthetic mouseover on a terrein's path (DOM MouseEvent, bubbling) shows #tip with the
           terrein's id and name and the selected indicator's value as indicators.csv has it; a real
           mouse move through Input.dispatchMouseEvent onto another path shows that one's.
  table    the table is paged: the page's JSON (#report-data .rows) has one row per row of
           indicators.csv, the DOM the first page (pageSize rows), #row-count "N / N".
  search   typing a terrein name's prefix in #search (input event): #row-count says exactly the
           number of rows whose id or name contains it (counted from indicators.csv), the page
           shows min(that, pageSize) rows and each contains it.
  region   choosing a region in #region-filter (change event): the same for that region's rows.
  sort     clicking the solar_mwh_yr header sorts the filtered rows ascending (empty last), again
           descending; the visible page is compared with the first page of indicators.csv's rows
           in that order.
  pager    (when the region has more rows than a page) "next" shows the second page of that order.
  profile  the first row's id links to profiles/<file>.html; opening it: #profile-map, the
           indicator table with one row per numeric indicator, the h1 names the terrein, no
           console error; loaded under --max-load-s.
  pdf      (--pdf) Chromium --print-to-pdf of that profile: every page's MediaBox is A4
           (595 x 842 pt, 1 pt tolerance), and the page count is 1 to 3.
"""
import argparse
import base64
import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib

import websocket  # websocket-client

A4 = (595.28, 841.89)


def find_chromium():
    for c in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium") or ""):
        if c and os.access(c, os.X_OK):
            return c
    sys.exit("browser-check: chromium is not installed (scripts/setup.sh --test-tools installs it)")


class Browser:
    """Chromium with a DevTools websocket to one page."""

    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="terrein-chromium-")
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--remote-debugging-port=0", "--window-size=1280,1000",
             f"--user-data-dir={self.profile}", "--allow-file-access-from-files", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.time() > deadline or self.proc.poll() is not None:
                self.close()
                sys.exit("browser-check: chromium did not open its DevTools port within 30 s")
            time.sleep(0.05)
        port = int(open(port_file).read().split()[0])
        pages = []
        while not pages:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
            if not pages:
                time.sleep(0.05)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60,
                                              suppress_origin=True)
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, timeout=60):
        for i, e in enumerate(self.events):
            if e["method"] == method:
                return self.events.pop(i)
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(method)

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate failed: {r['exceptionDetails']}\n{expression}")
        return r["result"].get("value")

    def drain(self):
        """Reads the events already sent (non-blocking)."""
        self.ws.settimeout(0.2)
        try:
            while True:
                msg = json.loads(self.ws.recv())
                if "method" in msg:
                    self.events.append(msg)
        except (websocket.WebSocketTimeoutException, TimeoutError, socket.timeout):
            pass
        finally:
            self.ws.settimeout(60)

    def console_errors(self):
        self.drain()
        errors = []
        for e in self.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append("console." + p["type"] + ": " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                errors.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:300])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append("log: " + p["entry"].get("text", "") + " " + p["entry"].get("url", ""))
        return errors

    def open(self, url):
        self.events = []
        t0 = time.time()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")
        wall = time.time() - t0
        nav = self.eval("JSON.stringify(performance.getEntriesByType('navigation')[0] || {})")
        perf = json.loads(nav).get("loadEventEnd", 0) / 1000
        return wall, perf

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def close(self):
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)


def pdf_pages(path):
    """(page count, MediaBoxes) of a PDF, reading its page objects (Chromium/Skia writes them
    uncompressed; object streams are inflated when present)."""
    raw = open(path, "rb").read()
    chunks = [raw]
    for m in re.finditer(rb"stream\r?\n", raw):
        end = raw.find(b"endstream", m.end())
        try:
            chunks.append(zlib.decompress(raw[m.end():end]))
        except zlib.error:
            pass
    text = b"\n".join(chunks)
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", text)
    boxes = [tuple(float(v) for v in b.split()) for b in re.findall(rb"/MediaBox\s*\[\s*([-\d.\s]+?)\s*\]", text)]
    return len(pages), boxes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output")
    ap.add_argument("--max-load-s", type=float, default=None)
    ap.add_argument("--screenshots")
    ap.add_argument("--pdf", action="store_true")
    args = ap.parse_args()
    out = os.path.abspath(args.output)
    rows = list(csv.DictReader(open(os.path.join(out, "indicators.csv"), encoding="utf-8")))
    failures = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            failures.append(what)

    def clean(v):  # the CSV's formula guard puts a ' before some texts
        return v[1:] if v.startswith("'") and len(v) > 1 and v[1] in "=+-@\t\r" else v

    chromium = find_chromium()
    b = Browser(chromium)
    try:
        size = os.path.getsize(os.path.join(out, "report.html"))
        wall, perf = b.open("file://" + os.path.join(out, "report.html"))
        limit = args.max_load_s
        check(limit is None or (wall < limit and perf < limit),
              f"load: report.html ({size / 1e6:.1f} MB, {len(rows)} terreinen) loadEventFired after {wall:.2f} s, "
              f"Performance API loadEventEnd {perf:.2f} s" + (f" (limit {limit} s)" if limit else " (measured, not checked)"))
        if args.screenshots:
            os.makedirs(args.screenshots, exist_ok=True)
            b.eval("document.getElementById('map').scrollIntoView()")
            b.screenshot(os.path.join(args.screenshots, "report-map.png"))
        n_paths = b.eval("document.querySelectorAll('#terreinen path').length")
        check(n_paths == len(rows), f"map: {n_paths} terrein paths for {len(rows)} rows")

        # Hover, DOM event: the middle terrein.
        i = len(rows) // 2
        tip = b.eval(f"""(function(){{var p=document.querySelector('#terreinen path[data-i="{i}"]');
            p.dispatchEvent(new MouseEvent('mouseover',{{bubbles:true,clientX:10,clientY:10}}));
            var t=document.getElementById('tip'); return {{hidden:t.hidden, text:t.textContent,
            key:document.getElementById('indicator').value}};}})()""")
        r = rows[i]
        key = tip["key"]
        want = [r["id"], clean(r.get("name", ""))] + ([r[key]] if r.get(key) else [])
        check(not tip["hidden"] and all(w in tip["text"] for w in want),
              f"hover: mouseover on terrein {r['id']} shows {want} in the tooltip ({tip['text'][:90]!r})")
        # Hover, a real mouse move onto another terrein.
        j = len(rows) // 3
        box = b.eval(f"""(function(){{var p=document.querySelector('#terreinen path[data-i="{j}"]');
            p.scrollIntoView({{block:'center'}}); var r=p.getBoundingClientRect();
            return [r.left+r.width/2, r.top+r.height/2, r.width, r.height];}})()""")
        b.call("Input.dispatchMouseEvent", type="mouseMoved", x=box[0], y=box[1])
        shown = b.eval("""(function(){var t=document.getElementById('tip');
            var el=document.elementFromPoint(%f,%f); var p=el&&el.closest?el.closest('path[data-i]'):null;
            return {hidden:t.hidden,text:t.textContent,i:p?parseInt(p.getAttribute('data-i'),10):-1};})()""" % (box[0], box[1]))
        if shown["i"] >= 0:
            rr = rows[shown["i"]]
            check(not shown["hidden"] and rr["id"] in shown["text"],
                  f"hover: Input.dispatchMouseEvent over terrein {rr['id']} shows its tooltip")
            if args.screenshots:
                b.screenshot(os.path.join(args.screenshots, "report-hover.png"))
        else:
            check(False, "hover: no terrein path under the mouse at the centre of its box")
        b.call("Input.dispatchMouseEvent", type="mouseMoved", x=1, y=1)

        # The table is paged: the page's JSON holds every row, the DOM only the current page.
        # Each check reads the row counter ("shown / total"), the visible page and the pager.
        page_size = b.eval("JSON.parse(document.getElementById('report-data').textContent).pageSize || 0")
        n_json = b.eval("JSON.parse(document.getElementById('report-data').textContent).rows.length")
        first = b.eval("""(function(){var r=document.querySelectorAll('#indicators-table tbody tr');
            return {n:r.length, count:document.getElementById('row-count').textContent};})()""")
        check(n_json == len(rows) and page_size > 0 and first["n"] == min(len(rows), page_size)
              and first["count"] == f"{len(rows)} / {len(rows)}",
              f"table: {n_json} rows in the page's JSON (indicators.csv: {len(rows)}), {first['n']} rendered "
              f"(page size {page_size}), counter {first['count']!r}")
        visible_js = """(function(){var out=[]; document.querySelectorAll('#indicators-table tbody tr').forEach(function(r){
                out.push([].slice.call(r.cells).map(function(c){return c.textContent;}));});
                return {rows:out, count:document.getElementById('row-count').textContent,
                        info:document.getElementById('page-info').textContent,
                        pager:getComputedStyle(document.getElementById('pager')).display!=='none'};})()"""
        header = list(rows[0].keys())
        id_col = header.index("id")
        name_col = header.index("name") if "name" in header else -1
        region_col = header.index("region") if "region" in header else -1

        # Search: a prefix of a name in the middle.
        name = clean(rows[i].get("name", "")) or rows[i]["id"]
        q = name[: max(3, len(name) // 2)].lower()
        expected = sum(1 for r in rows if q in (r["id"] + " " + clean(r.get("name", ""))).lower())
        b.eval(f"""(function(){{var s=document.getElementById('search'); s.value={json.dumps(q)};
            s.dispatchEvent(new Event('input',{{bubbles:true}}));}})()""")
        res = b.eval(visible_js)
        all_match = all(q in (c[id_col] + " " + (c[name_col] if name_col >= 0 else "")).lower() for c in res["rows"])
        check(res["count"] == f"{expected} / {len(rows)}" and len(res["rows"]) == min(expected, page_size) and all_match,
              f"search: {q!r}: counter {res['count']!r} (indicators.csv: {expected}), {len(res['rows'])} rows on the page, "
              f"all containing it: {all_match}")
        # Region filter (search cleared).
        # The region with the most terreinen (ties: the first by name), so the sort below has rows to order.
        counts = {}
        for r in rows:
            if r.get("region"):
                counts[r["region"]] = counts.get(r["region"], 0) + 1
        region = min(counts, key=lambda k: (-counts[k], k)) if counts else ""
        expected = sum(1 for r in rows if r.get("region") == region)
        b.eval(f"""(function(){{var s=document.getElementById('search'); s.value='';
            s.dispatchEvent(new Event('input',{{bubbles:true}}));
            var f=document.getElementById('region-filter'); f.value={json.dumps(region)};
            f.dispatchEvent(new Event('change',{{bubbles:true}}));}})()""")
        res = b.eval(visible_js)
        in_region = all(c[region_col] == region for c in res["rows"]) if region_col >= 0 else False
        check(res["count"] == f"{expected} / {len(rows)}" and expected > 0
              and len(res["rows"]) == min(expected, page_size) and in_region,
              f"region: {region!r}: counter {res['count']!r} (indicators.csv: {expected}), "
              f"{len(res['rows'])} rows on the page, all in the region: {in_region}")
        # Sort by solar yield: ascending, then descending, over the filtered rows; the visible
        # page is the first page of indicators.csv's rows of that region in that order.
        col = header.index("solar_mwh_yr")
        def sorted_once():
            b.eval(f"document.querySelectorAll('#indicators-table thead th')[{col}].click()")
            r = b.eval(visible_js)
            r["dir"] = b.eval(f"document.querySelectorAll('#indicators-table thead th')[{col}].getAttribute('aria-sort')")
            return r
        sub = [r for r in rows if r.get("region") == region]
        def key_of(r):
            return (r["solar_mwh_yr"] == "", float(r["solar_mwh_yr"] or 0))
        asc = sorted_once()
        want_asc = [r["solar_mwh_yr"] for r in sorted(sub, key=key_of)][:page_size]
        check(asc["dir"] == "ascending" and [c[col] for c in asc["rows"]] == want_asc,
              f"sort: solar_mwh_yr ascending, first page of {len(asc['rows'])} of {len(sub)} rows")
        desc = sorted_once()
        want_desc = [r["solar_mwh_yr"] for r in sorted(sub, key=lambda r: (r["solar_mwh_yr"] == "", -float(r["solar_mwh_yr"] or 0)))]
        check(desc["dir"] == "descending" and [c[col] for c in desc["rows"]] == want_desc[:page_size],
              f"sort: solar_mwh_yr descending, first page of {len(desc['rows'])} of {len(sub)} rows")
        # Pager: region filter cleared (the sort stays), "next" shows the second page of all rows
        # in that order; "previous" the first again.
        b.eval("""(function(){var f=document.getElementById('region-filter'); f.value='';
            f.dispatchEvent(new Event('change',{bubbles:true}));})()""")
        all_desc = [r["solar_mwh_yr"] for r in sorted(rows, key=lambda r: (r["solar_mwh_yr"] == "", -float(r["solar_mwh_yr"] or 0)))]
        pages = (len(rows) + page_size - 1) // page_size
        if pages > 1:
            b.eval("document.getElementById('page-next').click()")
            nxt = b.eval(visible_js)
            b.eval("document.getElementById('page-prev').click()")
            back = b.eval(visible_js)
            check(nxt["pager"] and [c[col] for c in nxt["rows"]] == all_desc[page_size:2 * page_size]
                  and nxt["info"].endswith(f"2 / {pages}") and [c[col] for c in back["rows"]] == all_desc[:page_size],
                  f"pager: {nxt['info']!r} shows rows {page_size + 1}-{page_size + len(nxt['rows'])} of {len(rows)} "
                  f"in the sorted order, previous: {back['info']!r}")
        else:
            res = b.eval(visible_js)
            check(not res["pager"] and len(res["rows"]) == len(rows),
                  f"pager: hidden, all {len(res['rows'])} rows on one page of {page_size}")
        if args.screenshots:
            b.eval("document.getElementById('all').scrollIntoView()")
            b.screenshot(os.path.join(args.screenshots, "report-table.png"))
        errors = b.console_errors()
        check(not errors, f"console: {len(errors)} errors on report.html" + (f": {errors[:3]}" if errors else ""))

        # Profile link of the first row on the page (rendered by the script after the sort).
        href = b.eval("""(function(){var a=[].slice.call(document.querySelectorAll('#indicators-table tbody tr td a'));
            a.sort(function(x,y){return 0;}); return a.length ? a[0].href : null;})()""")
        first_ids = b.eval("[].slice.call(document.querySelectorAll('#indicators-table tbody tr td a')).map(function(a){return a.textContent;})")
        check(href is not None and href.startswith("file://") and "/profiles/" in href,
              f"profile: the table links ids to profiles ({href})")
        path = urllib.request.url2pathname(href[len("file://"):]) if href else ""
        check(os.path.isfile(path), f"profile: {os.path.relpath(path, out) if path else '?'} exists")
        linked_id = first_ids[0] if first_ids else ""
        if os.path.isfile(path):
            psize = os.path.getsize(path)
            wall, perf = b.open(href)
            check(args.max_load_s is None or wall < args.max_load_s,
                  f"profile: {os.path.basename(path)} ({psize / 1e3:.0f} kB) loaded in {wall:.2f} s")
            info = b.eval("""(function(){return {map:!!document.getElementById('profile-map'),
                h1:document.querySelector('h1').textContent,
                rows:document.querySelectorAll('#profile-indicators tbody tr').length,
                roofs:document.querySelectorAll('#p-roofs path').length};})()""")
            numeric = [c for c in rows[0].keys() if c not in ("id", "name", "region")]
            check(info["map"] and linked_id in info["h1"] and info["rows"] == len(numeric),
                  f"profile: map present, h1 {info['h1']!r} names {linked_id!r}, {info['rows']} indicator rows "
                  f"(columns besides id/name/region: {len(numeric)}), {info['roofs']} roof class paths")
            if args.screenshots:
                b.screenshot(os.path.join(args.screenshots, "profile.png"))
            errors = b.console_errors()
            check(not errors, f"console: {len(errors)} errors on the profile" + (f": {errors[:3]}" if errors else ""))
    finally:
        b.close()

    if args.pdf and href:
        pdf = tempfile.mktemp(suffix=".pdf", prefix="terrein-profile-")
        profile_dir = tempfile.mkdtemp(prefix="terrein-chromium-pdf-")
        try:
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                            f"--user-data-dir={profile_dir}", f"--print-to-pdf={pdf}", href],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=True)
            n, boxes = pdf_pages(pdf)
            a4 = all(abs(bx[2] - bx[0] - A4[0]) <= 1 and abs(bx[3] - bx[1] - A4[1]) <= 1 for bx in boxes)
            check(1 <= n <= 3 and boxes and a4,
                  f"pdf: {n} page(s), MediaBox {sorted(set(boxes))} (A4 = {A4[0]} x {A4[1]} pt)")
            if args.screenshots:
                shutil.copy(pdf, os.path.join(args.screenshots, "profile.pdf"))
        finally:
            if os.path.exists(pdf):
                os.remove(pdf)
            shutil.rmtree(profile_dir, ignore_errors=True)

    if failures:
        print(f"browser-check: {len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("browser-check: all checks passed")


if __name__ == "__main__":
    main()
