"""Open every page of the built course website in headless chromium and check it works offline.

Run with ``make book-check`` (after ``make book``; ``VAE_SMOKE=1`` checks the smoke site). The
site is served from ``book/_build/<mode>/html/`` on a local port and every HTML page in it is
opened through ``tools/browser.py`` (Playwright on Debian's chromium, no browser download). A
page fails if a script logged an error, a request left the machine (it is blocked and reported)
or failed, an image did not load or has no alt text (or the ``<Figure size ...>`` placeholder),
a formula did not render (MathJax on the site's pages, KaTeX in the decks), a solution is
visible before its toggle is pressed, or a link to a page or an anchor of the site leads
nowhere. The search page must find a word of the course, and in the dark theme every figure must
stay on an opaque background. Screenshots (home page, one lecture in light and dark mode, one
notebook) go to ``book/_build/<mode>/screenshots/``.
Exit status 1 and one line per problem if any check fails.
"""

import argparse
import functools
import http.server
import os
import re
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
sys.path[:0] = [str(BOOK), str(ROOT / "tools")]   # script folders, not packages

import browser  # noqa: E402

SKIP = ("_static/", "_sources/", "_images/", "_downloads/", "slides/lib/", "genindex.html")
"""Folders of assets (checked when a page loads them or links to them, not opened as pages),
and the general index (only links into the API page)."""
SEARCH_WORD = "ELBO"
REFRESH = re.compile(r'<meta http-equiv="refresh" content="\d+; url=([^"]+)"')
SHOTS = {"home": "book/index.html", "lecture": "lectures/02_autoencoders.html",
         "notebook": "notebooks/02_vae.html"}

# Runs in each page once it has loaded; returns what the checks below need.
INSPECT = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await document.fonts.ready;   // MathJax's fonts, still loading on a busy machine, else aborted
  const images = [...document.images];
  images.forEach(im => { im.loading = 'eager'; });
  const deadline = Date.now() + 15000;   // a busy machine may still be decoding images
  while (images.some(im => !im.complete) && Date.now() < deadline)
    await new Promise(r => setTimeout(r, 200));
  const visible = el => el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const content = document.querySelector('.bd-article') || document.body;
  return {
    math: document.querySelectorAll('.math').length,
    unrendered: [...document.querySelectorAll('.math')]
        .filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60)),
    mathErrors: [...document.querySelectorAll('mjx-merror, .katex-error')]
        .map(m => m.textContent.slice(0, 60)),
    brokenImages: images.filter(im => !im.complete || im.naturalWidth === 0)
        .map(im => im.getAttribute('src')),
    noAlt: [...content.querySelectorAll('img')].filter(im => {
        const alt = (im.getAttribute('alt') || '').trim();
        const file = (im.getAttribute('src') || '').split('/').pop();
        return !alt || alt.startsWith('<Figure') || alt === file;
      }).map(im => im.getAttribute('src')),
    solutions: document.querySelectorAll('.tag_solution, .admonition.solution').length,
    visibleSolutions: [
      ...[...document.querySelectorAll('.tag_solution .cell_input')].filter(visible),
      ...[...document.querySelectorAll('.admonition.solution > :not(.admonition-title)')]
          .filter(visible)].map(el => el.textContent.trim().slice(0, 60)),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(el => el.id),
    launchLinks: document.querySelectorAll('a[href*="mybinder.org"], a[href*="colab."]').length,
  };
}"""

# Sphinx's search page: the number of results once the search has finished.
SEARCH = """async () => {
  const deadline = Date.now() + 30000;
  const summary = () => document.querySelector('#search-results .search-summary, p.search-summary');
  while (!(summary() && summary().textContent.trim()) && Date.now() < deadline)
    await new Promise(r => setTimeout(r, 200));
  return document.querySelectorAll('#search-results li').length;
}"""

# Brings the first element that matches a CSS selector into view (for a screenshot).
SCROLL_TO = """selector => {
  const element = document.querySelector(selector);
  if (element) element.scrollIntoView({block: 'center'});
}"""

# In the dark theme: the content images whose background is not opaque.
DARK = """() => {
  document.documentElement.dataset.theme = 'dark';
  document.documentElement.dataset.mode = 'dark';
  return [...document.querySelectorAll('.bd-article img')].filter(im => {
    const c = getComputedStyle(im).backgroundColor.match(/[\\d.]+/g).map(Number);
    return c.length === 4 && c[3] < 1;
  }).map(im => im.getAttribute('src'));
}"""


@contextmanager
def serve(folder):
    """Serve ``folder`` over HTTP on a free local port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        """Requests are checked in the browser; no log line per file."""


def pages(html):
    """Every HTML page of the site, as paths relative to ``html`` (assets left out)."""
    found = (p.relative_to(html).as_posix() for p in Path(html).rglob("*.html"))
    return sorted(p for p in found if not p.startswith(SKIP))


def _target(html, base, url):
    """(relative path of the file, fragment) a link of the site points at; None if external."""
    parts = urlsplit(url)
    if not url.startswith(base):
        return None
    path = unquote(parts.path[len(urlsplit(base).path):]) or "index.html"
    if path.endswith("/") or (Path(html) / path).is_dir():
        path = path.rstrip("/") + "/index.html"
    return path, parts.fragment


def check_page(session, base, page, expect_launch):
    """Open one page; return (problems, its report from INSPECT). A redirect (html/index.html,
    the way in) is not opened: its target is a link that must exist."""
    redirect = REFRESH.search(Path(session.html, page).read_text(encoding="utf-8"))
    if redirect:
        return [], {"links": [urljoin(urljoin(base, page), redirect.group(1))], "ids": [],
                    "math": 0, "solutions": 0}
    session.clear()
    session.goto(urljoin(base, page))
    report = session.page.evaluate(INSPECT)
    problems = [f"formula did not render: {m!r}" for m in report["unrendered"]]
    problems += [f"formula error: {m!r}" for m in report["mathErrors"]]
    problems += [f"image did not load: {src}" for src in report["brokenImages"]]
    problems += [f"image without alt text (or '<Figure ...>'): {s}" for s in report["noAlt"]]
    problems += [f"solution visible before its toggle: {t!r}" for t in report["visibleSolutions"]]
    if page.startswith("notebooks/") and bool(report["launchLinks"]) != expect_launch:
        problems.append(f"launch buttons: expected {'some' if expect_launch else 'none'}, found "
                        f"{report['launchLinks']} (VAE_REPO_URL decides)")
    problems += session.problems()
    return [f"{page}: {p}" for p in problems], report


def check_links(html, base, reports):
    """Links between pages of the site: the file must exist and an anchor must be on it."""
    problems = []
    for page, report in reports.items():
        for url in sorted(set(report["links"])):
            target = _target(html, base, url)
            if target is None:
                continue
            path, fragment = target
            if not (Path(html) / path).is_file():
                problems.append(f"{page}: broken link to {path}")
            elif (fragment and not fragment.startswith("/")   # "#/3": a deck's slide route
                  and path in reports and fragment not in reports[path]["ids"]):
                problems.append(f"{page}: link to a missing anchor {path}#{fragment}")
    return problems


def search(session, base, word=SEARCH_WORD):
    """The number of pages the site's search page lists for ``word``."""
    session.goto(urljoin(base, f"search.html?q={word}"))
    return session.page.evaluate(SEARCH)


def check_site(html, screenshots, executable=None, expect_launch=False):
    """Check every page of the site in ``html``; screenshots in ``screenshots``. Return the
    list of problems (empty: all good). executable: chromium (default: tools/browser.py's)."""
    html = Path(html)
    if not (html / "index.html").is_file():
        return [f"no site in {html}: run `make book` first"]
    problems, reports = [], {}
    with (serve(html) as base, browser.launch(executable) as chromium,
          browser.PageSession(chromium, servers=[base], screenshots=screenshots,
                              viewport=(1280, 900)) as session):
        session.html = html
        for page in pages(html):
            found, reports[page] = check_page(session, base, page, expect_launch)
            problems += found
            for name, shot_page in SHOTS.items():
                if page == shot_page:
                    if name == "notebook":   # an executed cell with a figure in view
                        session.page.evaluate(SCROLL_TO, ".cell_output img")
                    session.screenshot(name)
            if page == SHOTS["lecture"]:
                problems += [f"{page}: figure on a transparent background in dark mode: {s}"
                             for s in session.page.evaluate(DARK)]
                session.page.evaluate(SCROLL_TO, ".bd-article img")
                session.screenshot("lecture-dark")
        problems += check_links(html, base, reports)
        problems += [f"no screenshot of {p}: page missing" for p in SHOTS.values()
                     if p not in reports]
        session.clear()
        hits = search(session, base) if (html / "search.html").is_file() else 0
        if not hits:
            problems.append(f"search.html: searching {SEARCH_WORD!r} found nothing")
        problems += [f"search.html: {p}" for p in session.problems()]
    pages_math = sum(r["math"] for r in reports.values())
    solutions = sum(r["solutions"] for r in reports.values())
    print(f"{len(reports)} pages, {pages_math} formulas, {solutions} solutions, "
          f"search {SEARCH_WORD!r}: {hits} pages; {len(problems)} problems; "
          f"screenshots in {screenshots}")
    return problems


def main(argv=None):
    import conf

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--html", type=Path, default=conf.BUILD / "html", help="built site")
    parser.add_argument("--screenshots", type=Path, default=conf.BUILD / "screenshots")
    args = parser.parse_args(argv)
    problems = check_site(args.html, args.screenshots,
                          expect_launch=bool(os.environ.get("VAE_REPO_URL")))
    print("\n".join(problems) or "site OK")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
