"""tools/browser.py, the driver of every real-browser check: what a page does wrong is recorded,
and nothing it asks for leaves the machine (a local server that is not allowed gets no hit)."""

import os
import struct
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import load_script

browser = load_script("tools/browser.py")


def test_local_means_a_local_scheme_or_an_allowed_server():
    server = ["http://127.0.0.1:8000"]
    assert browser.is_local("file:///tmp/a.html") and browser.is_local("data:image/png;base64,")
    assert browser.is_local("http://localhost:8000/lab?x=1", server)
    assert browser.is_local("ws://127.0.0.1:8000/api/kernels", server)
    assert not browser.is_local("http://127.0.0.1:8001/", server)
    assert not browser.is_local("http://127.0.0.1:8000/")
    assert not browser.is_local("https://example.com/x.png", server)
    assert not browser.is_local("ftp://127.0.0.1:8000/", server)


def test_chromium_override_is_used_and_a_bad_one_is_not_replaced(monkeypatch, tmp_path):
    fake = tmp_path / "my-chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv(browser.ENV, str(fake))
    assert browser.find_chromium() == str(fake) and browser.missing_reason() is None
    monkeypatch.setenv(browser.ENV, str(tmp_path / "absent"))
    assert browser.find_chromium() is None
    assert browser.ENV in browser.missing_reason()
    with pytest.raises(RuntimeError, match=browser.ENV), browser.launch():
        pass


@pytest.fixture(scope="module")
def chromium():
    """One headless chromium for the module (skipped without one, unless VAE_REQUIRE_BROWSER=1)."""
    reason = browser.missing_reason()
    if reason and os.environ.get("VAE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"VAE_REQUIRE_BROWSER=1 but {reason}")
    if reason:
        pytest.skip(reason)
    with browser.launch() as instance:
        yield instance


class _Server:
    """A static file server on 127.0.0.1 (a free port) that counts the requests it gets."""

    def __init__(self, root):
        self.hits = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_request(self, *args):  # once per request answered
                server.hits.append(self.path)

            def log_message(self, *args):  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=root))
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    instance = _Server(root)
    yield instance
    instance.httpd.shutdown()
    instance.httpd.server_close()


def _png_size(path):
    """(width, height) from a PNG file's IHDR chunk."""
    return struct.unpack(">II", Path(path).read_bytes()[16:24])


@pytest.mark.slow
def test_page_errors_missing_files_and_external_requests_are_recorded(chromium, server,
                                                                     tmp_path):
    page = tmp_path / "page.html"
    page.write_text(f"""<!DOCTYPE html><p>text</p>
<img src="https://example.com/x.png"><img src="{server.url}/not_allowed.png">
<img src="missing.png">
<script>
const ws = new WebSocket("wss://example.com/socket");
ws.onclose = () => {{ window.wsClosed = true; }};
console.error("deliberate console error");
throw new Error("deliberate uncaught error");
</script>""")
    with browser.PageSession(chromium, screenshots=tmp_path / "shots") as session:
        session.goto(str(page))  # a path as str: opened as a file: URL
        session.page.wait_for_function("() => window.wsClosed === true")
        shot = session.screenshot("page")
        assert session.console_errors == [f"deliberate console error ({page.as_uri()}:7)"]
        assert session.page_errors == ["Error: deliberate uncaught error"]
        assert session.failed_requests == [
            f"{(tmp_path / 'missing.png').as_uri()} (net::ERR_FILE_NOT_FOUND)"]
        assert sorted(session.external_requests) == sorted([
            "https://example.com/x.png", f"{server.url}/not_allowed.png",
            "wss://example.com/socket"])
        assert len(session.problems()) == 6
        session.clear()
        assert session.problems() == []
    assert server.hits == []  # blocked before it left the browser
    assert _png_size(shot) == (1280, 720)


@pytest.mark.slow
def test_an_allowed_local_server_works_and_its_404s_are_failures(chromium, server, tmp_path):
    site = tmp_path / "site"
    (site / "img.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" '
                                  'height="4"><rect width="4" height="4"/></svg>')
    (site / "index.html").write_text('<!DOCTYPE html><img src="img.svg"><img src="gone.png">')
    with browser.PageSession(chromium, servers=[server.url]) as session:
        session.goto(f"{server.url}/index.html")
        loaded = session.page.evaluate("() => document.images[0].naturalWidth")
        problems = session.problems()
    assert loaded == 4
    assert problems == [f"failed to load {server.url}/gone.png (HTTP 404)"]
    assert sorted(server.hits) == ["/gone.png", "/img.svg", "/index.html"]


@pytest.mark.slow
def test_a_pop_up_is_recorded_too(chromium, tmp_path):
    (tmp_path / "pop.html").write_text("<script>console.error('from the pop-up')</script>")
    (tmp_path / "main.html").write_text("<a href='pop.html' target='_blank'>open</a>")
    with browser.PageSession(chromium) as session:
        session.goto(tmp_path / "main.html")
        with session.page.expect_popup() as popup:
            session.page.click("a")
        popup.value.wait_for_load_state()
        assert session.console_errors == [
            f"from the pop-up ({(tmp_path / 'pop.html').as_uri()}:1)"]


@pytest.mark.slow
def test_screenshot_needs_a_folder(chromium):
    with browser.PageSession(chromium) as session, pytest.raises(ValueError, match="screenshots"):
        session.screenshot("x")
