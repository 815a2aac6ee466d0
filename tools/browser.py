"""Headless chromium for the course's real-browser checks (slide decks, course site, JupyterLab).

One driver for every check: Playwright (the ``playwright`` package from PyPI, whose wheel bundles
its own driver) drives the chromium already on the machine (Debian's ``/usr/bin/chromium``, or
``$VAE_CHROMIUM``). Nothing here downloads a browser: never run ``playwright install``.

    with launch() as chromium, PageSession(chromium, screenshots=out) as s:
        s.goto(path_or_url)
        s.page.evaluate("async () => ...")          # any Playwright Page call
        s.screenshot("title")                       # out/title.png
        problems = s.problems()                     # [] when the page behaved

A ``PageSession`` records console errors, uncaught page errors, requests that failed (including
HTTP status >= 400) and every request that is not local: ``file:``, ``data:``, ``blob:`` and
``about:`` URLs are local, and so are ``http(s)``/``ws(s)`` URLs of the servers it is given
(e.g. ``servers=["http://127.0.0.1:8000"]``). Non-local requests, WebSockets included, are
aborted before they leave the machine. Playwright owns the browser profile (a temporary folder it
removes on close); the context managers close page, browser and driver even when a check fails.

A check of a page that a local server makes (JupyterLab, say) starts it with ``local_server``,
on a port from ``free_port()``; the server is stopped when the block ends, even when it fails.

``tools/`` is a script folder, not a package: a script elsewhere loads this file by path, as
``slides/check_decks.py`` does (``importlib.util.spec_from_file_location``).
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: F401 (for callers)
from playwright.sync_api import sync_playwright

ENV = "VAE_CHROMIUM"
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
# no sandbox (containers), no GPU, and nothing that phones home: the machine has no network
FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic")
LOCAL_SCHEMES = ("file", "data", "blob", "about")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# chromium's own console line for a failed request: already in PageSession.failed_requests
NETWORK_CONSOLE_ERROR = "Failed to load resource:"


def find_chromium():
    """Path of the chromium to drive, or None: ``$VAE_CHROMIUM`` if set, else the first of
    CANDIDATES on the machine. A ``$VAE_CHROMIUM`` that is not an executable gives None (no
    silent fallback to another browser); ``missing_reason()`` says why."""
    override = os.environ.get(ENV)
    if override:
        return shutil.which(override)
    return next(filter(None, map(shutil.which, CANDIDATES)), None)


def missing_reason():
    """None when a chromium is available, else one sentence saying what is missing (a skip
    reason for tests, the error message of ``launch``)."""
    if find_chromium() is not None:
        return None
    override = os.environ.get(ENV)
    if override:
        return f"{ENV}={override!r} is not an executable chromium"
    return (f"no chromium found (looked for {', '.join(CANDIDATES)}; or set {ENV}): "
            "apt-get install chromium")


@contextmanager
def launch(executable=None, args=(), timeout_s=60):
    """Start headless chromium with FLAGS (+ ``args``); yield the Playwright ``Browser``, closed
    (with its driver) on exit.

    executable: path of chromium; default ``find_chromium()``. RuntimeError if there is none.
    """
    executable = executable or find_chromium()
    if executable is None:
        raise RuntimeError(missing_reason())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=[*FLAGS, *args], timeout=timeout_s * 1000)
        try:
            yield browser
        finally:
            browser.close()


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url):
    """True if ``url`` gives any HTTP response below 500 (a 403 is a server that is up)."""
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


@contextmanager
def local_server(argv, url, log, env=None, cwd=None, timeout_s=120, stop_timeout_s=30):
    """Run the server ``argv`` (a list) for the duration of the block; yield its ``Popen`` once
    ``url`` answers HTTP. Its output goes to the file ``log``. RuntimeError (with the end of the
    log) if it exits or does not answer within ``timeout_s``. On exit it gets SIGTERM (a clean
    shutdown: JupyterLab stops its kernels), and SIGKILL after ``stop_timeout_s``."""
    log = Path(log)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    try:
        deadline = time.monotonic() + timeout_s
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                state = (f"exited with {process.returncode}" if process.poll() is not None
                         else f"did not answer {url} within {timeout_s} s")
                raise RuntimeError(f"{argv[0]} {state}; its log ({log}) ends:\n{tail}")
            time.sleep(0.5)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _server_key(url):
    """(host, port) of an http(s)/ws(s) URL, the loopback aliases made one host."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "ws": 80, "https": 443, "wss": 443}.get(parts.scheme)
    host = "127.0.0.1" if parts.hostname in LOOPBACK else parts.hostname
    return host, port


def is_local(url, servers=()):
    """True if fetching ``url`` stays on this machine: a local scheme (LOCAL_SCHEMES), or an
    http(s)/ws(s) URL on the host and port of one of ``servers`` (base URLs such as
    ``"http://127.0.0.1:8000"``; ``localhost``, ``127.0.0.1`` and ``::1`` count as one host)."""
    scheme = urlsplit(url).scheme
    if scheme in LOCAL_SCHEMES:
        return True
    if scheme not in ("http", "https", "ws", "wss"):
        return False
    return _server_key(url) in {_server_key(s) for s in servers}


class PageSession:
    """One browser context and its page, recording what went wrong in any of its pages.

    browser: a ``Browser`` from ``launch()``. servers: base URLs of local servers the page may
    use (see ``is_local``). screenshots: folder for ``screenshot()``. viewport: (width, height).
    Use as a context manager; ``page`` is the Playwright ``Page``.

    Recorded, as lists of strings: ``console_errors`` (console.error and the like, without
    chromium's duplicate of each failed request), ``page_errors`` (uncaught exceptions),
    ``failed_requests`` (local requests that failed or answered HTTP >= 400) and
    ``external_requests`` (non-local URLs, all blocked).
    """

    def __init__(self, browser, servers=(), screenshots=None, viewport=(1280, 720),
                 timeout_s=60):
        width, height = viewport
        self.servers = tuple(servers)
        self.screenshots = None if screenshots is None else Path(screenshots)
        self.console_errors, self.page_errors = [], []
        self.failed_requests, self.external_requests = [], []
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           device_scale_factor=1, service_workers="block")
        self.context.set_default_timeout(timeout_s * 1000)
        self.context.route(self._external, lambda route: route.abort("blockedbyclient"))
        self.context.route_web_socket(self._external, self._block_websocket)
        # on the context, not the page: pop-ups and new tabs are recorded too
        self.context.on("console", self._on_console)
        self.context.on("weberror", self._on_page_error)
        self.context.on("request", self._on_request)
        self.context.on("requestfailed", self._on_request_failed)
        self.context.on("response", self._on_response)
        self.page = self.context.new_page()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.context.close()

    def _external(self, url):
        return not is_local(url, self.servers)

    def _block_websocket(self, ws):
        self.external_requests.append(ws.url)
        ws.close()  # never connected to the server: the handler does not call connect_to_server

    def _on_console(self, msg):
        if msg.type == "error" and not msg.text.startswith(NETWORK_CONSOLE_ERROR):
            where = msg.location
            self.console_errors.append(f"{msg.text} ({where['url']}:{where['lineNumber'] + 1})")

    def _on_page_error(self, web_error):
        self.page_errors.append(f"{web_error.error.name}: {web_error.error.message}")

    def _on_request(self, request):
        if self._external(request.url):
            self.external_requests.append(request.url)

    def _on_request_failed(self, request):
        if not self._external(request.url):  # external ones were blocked on purpose
            self.failed_requests.append(f"{request.url} ({request.failure})")

    def _on_response(self, response):
        if response.status >= 400:
            self.failed_requests.append(f"{response.url} (HTTP {response.status})")

    def goto(self, target, wait_until="load"):
        """Open ``target`` (a URL, or a local file as a Path or a str without a scheme) and wait
        for its load event (``wait_until``); return Playwright's ``Response`` (or None)."""
        is_url = not isinstance(target, Path) and urlsplit(str(target)).scheme
        url = str(target) if is_url else Path(target).resolve().as_uri()
        return self.page.goto(url, wait_until=wait_until)

    def screenshot(self, name, full_page=False, element=None):
        """Save the page (or only ``element``, a Playwright ``Locator``, scrolled into view) as
        ``<screenshots>/<name>.png``; return that path."""
        if self.screenshots is None:
            raise ValueError("screenshots=None: give PageSession a folder to take screenshots")
        path = self.screenshots / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if element is None:
            self.page.screenshot(path=path, full_page=full_page)
        else:
            element.screenshot(path=path)
        return path

    def problems(self):
        """Everything recorded so far, one line each; empty when the page behaved."""
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"failed to load {m}" for m in self.failed_requests]
                + [f"external request blocked: {u}" for u in self.external_requests])

    def clear(self):
        """Forget what was recorded (e.g. before the next page of a crawl)."""
        for record in (self.console_errors, self.page_errors, self.failed_requests,
                       self.external_requests):
            record.clear()
