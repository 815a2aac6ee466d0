"""Open every built deck in headless chromium and check that it really works offline.

Run with ``make slides-check`` (after ``make slides``). For each ``slides/build/*.html`` it
opens the deck in Debian's chromium through ``tools/browser.py`` (Playwright, no browser
download) and checks that reveal.js started, that every slide has visible content that fits on
the page, no KaTeX error and no unrendered ``$...$``, that every image loaded, that nothing was
fetched from outside the machine (such requests are blocked and reported), that nothing failed
to load and that no script logged an error. It saves a screenshot of the title slide to
``slides/build/screenshots/<deck>.png``.
Exit status 1 and one line per problem if any check fails.
"""

import argparse
import importlib.util
import sys
from pathlib import Path

BUILD = Path(__file__).resolve().parent / "build"
TOOLS = Path(__file__).resolve().parents[1] / "tools"


def _load_browser():
    """Import tools/browser.py, the course's browser driver (tools/ is a script folder)."""
    spec = importlib.util.spec_from_file_location("browser", TOOLS / "browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


browser = _load_browser()

# True once reveal.js is ready, false if it never loaded.
READY = """async () => typeof Reveal !== 'undefined'
  && (Reveal.isReady() || new Promise(r => Reveal.on('ready', () => r(true))))"""

# Runs in the page once reveal.js is ready; returns a report of the deck.
INSPECT = """async () => {
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
  return report;
}"""


def find_browser():
    """Path of a chromium executable, or None (see tools/browser.py: ``$VAE_CHROMIUM`` first)."""
    return browser.find_chromium()


def check_deck(session, html):
    """Load one deck in ``session`` (a ``browser.PageSession``), inspect every slide, save a
    screenshot of its title slide as ``<deck>.png``; return a list of problems."""
    session.clear()
    session.goto(html)
    if not session.page.evaluate(READY):
        return [f"{html.name}: {p}" for p in ["reveal.js did not load", *session.problems()]]
    report = session.page.evaluate(INSPECT)
    shot = session.screenshot(html.stem)
    problems = [f"slide {i} is empty" for i in report["empty"]]
    problems += [f"slide {i} is taller than the slide" for i in report["overflow"]]
    problems += [f"slide {i} has a KaTeX error" for i in report["katexErrors"]]
    problems += [f"slide {i} shows unrendered $math$" for i in report["rawMath"]]
    problems += [f"image did not load: {src}" for src in report["brokenImages"]]
    problems += session.problems()
    print(f"{html.name}: {report['slides']} slides, {report['images']} images, "
          f"{len(problems)} problems; screenshot {shot}")
    return [f"{html.name}: {p}" for p in problems]


def check_all(build=BUILD, executable=None):
    """Check every ``build/*.html`` deck in one chromium page, screenshots in
    ``build/screenshots/``; return the list of problems (empty: all good).

    executable: chromium to drive (default ``find_browser()``); RuntimeError if there is none.
    """
    decks = sorted(Path(build).glob("*.html"))
    if not decks:
        return [f"no decks in {build}: run `make slides` first"]
    with (browser.launch(executable) as chromium,
          browser.PageSession(chromium, screenshots=Path(build) / "screenshots") as session):
        return [p for deck in decks for p in check_deck(session, deck)]


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
