"""Open every built deck in headless chromium and check that it really works offline.

Run with ``make slides-check`` (after ``make slides``). For each ``slides/build/*.html`` it
drives Debian's chromium through the DevTools protocol (``websocket-client``) and checks that
reveal.js started, that every slide has visible content that fits on the page and no KaTeX
error, that every image loaded, that every file the page fetched is local (``file://``) and
that nothing failed to load. It saves a screenshot of the title slide to
``slides/build/screenshots/<deck>.png``.
Exit status 1 and one line per problem if any check fails.
"""

import argparse
import base64
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.request import urlopen

import websocket

BUILD = Path(__file__).resolve().parent / "build"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--remote-debugging-port=0", "--window-size=1280,720")

# Runs in the page once reveal.js is ready; returns a JSON report of the deck.
INSPECT = """
(async () => {
  const slides = Reveal.getSlides();
  const report = {slides: slides.length, empty: [], overflow: [], katexErrors: [], rawMath: []};
  for (let i = 0; i < slides.length; i++) {
    Reveal.slide(i);
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const s = slides[i], box = s.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !(s.innerText.trim() || s.querySelector('img')))
      report.empty.push(i + 1);
    if (s.scrollHeight > Reveal.getConfig().height) report.overflow.push(i + 1);
    if (s.querySelector('.katex-error')) report.katexErrors.push(i + 1);
    const text = s.innerText.replace(/\\s+/g, ' ');
    if (/\\$[^$]+\\$/.test(text)) report.rawMath.push(i + 1);
  }
  Reveal.slide(0);
  const deadline = Date.now() + 15000;  // a busy machine may still be decoding images
  do { await new Promise(r => setTimeout(r, 300)); }
  while ([...document.images].some(im => !im.complete) && Date.now() < deadline);
  report.brokenImages = [...document.images].filter(im => !im.complete || im.naturalWidth === 0)
                                            .map(im => im.getAttribute('src'));
  report.images = document.images.length;
  report.resources = performance.getEntriesByType('resource').map(e => e.name);
  return JSON.stringify(report);
})()
"""


def find_browser():
    """Path of a chromium executable, or None."""
    return next(filter(None, map(shutil.which, BROWSERS)), None)


class Page:
    """A minimal DevTools-protocol client for one page target."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60)
        self.ids = itertools.count(1)
        self.events = []

    def call(self, method, **params):
        """Send one command and return its result, keeping events seen meanwhile."""
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]
            self.events.append(msg)

    def wait_for(self, method, timeout=30):
        """Block until event ``method`` arrives (or was already seen)."""
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(json.loads(self.ws.recv()))

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")


def start_browser(browser, profile):
    """Start headless chromium; return (process, websocket URL of its first page)."""
    proc = subprocess.Popen([browser, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        match = re.search(r"DevTools listening on (ws://\S+)", line)
        if match:
            break
    else:
        raise RuntimeError(f"{browser} exited without opening DevTools (status {proc.wait()})")
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
    port = re.search(r":(\d+)/", match.group(1)).group(1)
    targets = json.load(urlopen(f"http://127.0.0.1:{port}/json/list"))
    return proc, next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")


def check_deck(page, html, screenshot):
    """Load one deck, inspect every slide, save a screenshot; return a list of problems."""
    page.events.clear()
    page.call("Page.navigate", url=html.resolve().as_uri())
    page.wait_for("Page.loadEventFired")
    ready = page.evaluate("new Promise(r => typeof Reveal !== 'undefined' && Reveal.isReady() "
                          "? r(true) : (typeof Reveal === 'undefined' ? r(false) "
                          ": Reveal.on('ready', () => r(true))))")
    if not ready:
        return [f"{html.name}: reveal.js did not load"]
    report = json.loads(page.evaluate(INSPECT))
    problems = [f"{html.name}: slide {i} is empty" for i in report["empty"]]
    problems += [f"{html.name}: slide {i} is taller than the slide" for i in report["overflow"]]
    problems += [f"{html.name}: slide {i} has a KaTeX error" for i in report["katexErrors"]]
    problems += [f"{html.name}: slide {i} shows unrendered $math$" for i in report["rawMath"]]
    problems += [f"{html.name}: image did not load: {src}" for src in report["brokenImages"]]
    problems += [f"{html.name}: non-local resource {url}" for url in report["resources"]
                 if not url.startswith("file://")]
    problems += [f"{html.name}: failed to load {e['params'].get('errorText')}"
                 for e in page.events if e.get("method") == "Network.loadingFailed"]
    problems += [f"{html.name}: script error {e['params']['exceptionDetails'].get('text')}"
                 for e in page.events if e.get("method") == "Runtime.exceptionThrown"]
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(base64.b64decode(page.call("Page.captureScreenshot")["data"]))
    print(f"{html.name}: {report['slides']} slides, {report['images']} images, "
          f"{len(problems)} problems; screenshot {screenshot}")
    return problems


def check_all(build=BUILD, browser=None):
    """Check every ``build/*.html`` deck; return the list of problems (empty: all good)."""
    browser = browser or find_browser()
    if browser is None:
        raise RuntimeError(f"no chromium found (looked for {BROWSERS}): apt-get install chromium")
    decks = sorted(Path(build).glob("*.html"))
    if not decks:
        return [f"no decks in {build}: run `make slides` first"]
    with tempfile.TemporaryDirectory() as profile:
        proc, ws_url = start_browser(browser, profile)
        try:
            page = Page(ws_url)
            for domain in ("Page", "Runtime", "Network"):
                page.call(f"{domain}.enable")
            page.call("Emulation.setDeviceMetricsOverride", width=1280, height=720,
                      deviceScaleFactor=1, mobile=False)
            shots = Path(build) / "screenshots"
            return [p for deck in decks
                    for p in check_deck(page, deck, shots / f"{deck.stem}.png")]
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=BUILD, help="folder of built decks")
    args = parser.parse_args(argv)
    problems = check_all(args.build)
    print("\n".join(problems) or "all decks OK")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
