"""Build the course website into book/_build/<mode>/html/ (``make book``).

Mode: full by default (every notebook executed in full mode, the figures of ``make figures``);
``VAE_SMOKE=1`` builds the smoke site (notebooks in smoke mode, smoke figures drawn into
book/_build/smoke/figures/, never into slides/figures/). Steps:

1. the lecture figures, drawn by slides/make_figures.py only if one is missing;
2. Sphinx (book/conf.py) on the repository: lectures, notebooks (executed through
   jupyter-cache: a notebook whose code did not change is not executed again), API reference;
3. the slide decks into html/slides/, with their figures, reveal.js and KaTeX copied beside
   them, so the html/ folder is the whole site and can be published as it is.

``--fresh`` deletes this mode's build first (and with it the execution cache).
"""

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
sys.path[:0] = [str(BOOK), str(ROOT / "slides")]   # script folders, not packages

import build_decks  # noqa: E402
import conf  # noqa: E402

HTML = conf.BUILD / "html"
DECK_LIBRARIES = ("reveal.js/dist", "katex/dist")


def figures_needed():
    """Names of the figures the lecture notes and the decks show."""
    texts = [*ROOT.glob("lectures/*.md"), *build_decks.DECKS.glob("*.md")]
    return sorted({n for t in texts for n in build_decks.figures_used(t.read_text())})


def ensure_figures(folder=conf.FIGURES, smoke=conf.SMOKE):
    """Draw the figures into ``folder`` (slides/make_figures.py) unless all are there."""
    if all((folder / f"{n}.png").exists() for n in figures_needed()):
        return
    command = [sys.executable, str(ROOT / "slides" / "make_figures.py"), "--out", str(folder)]
    subprocess.run([*command, "--smoke"] if smoke else command, check=True)


def sphinx(html=HTML):
    """Run Sphinx with book/conf.py on the repository; raise if it fails."""
    from sphinx.cmd.build import build_main

    status = build_main(["-b", "html", "-c", str(BOOK), "-d", str(conf.BUILD / "doctrees"),
                         "--keep-going", str(ROOT), str(html)])
    if status:
        raise SystemExit(f"sphinx-build failed (exit status {status})")


def decks(html=HTML, figures=conf.FIGURES):
    """Every slides/decks/*.md as html/slides/<name>.html with its figures and libraries."""
    out = html / "slides"
    if not (build_decks.NODE_MODULES / "reveal.js" / "dist" / "reveal.js").exists():
        raise SystemExit(f"{build_decks.NODE_MODULES} has no reveal.js: run `npm ci` in slides/")
    for lib in DECK_LIBRARIES:
        shutil.copytree(build_decks.NODE_MODULES / lib, out / "lib" / lib, dirs_exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    for name in figures_needed():
        shutil.copy2(figures / f"{name}.png", out / "figures" / f"{name}.png")
    return [build_decks.build_deck(d, out, figures=out / "figures", node_modules=out / "lib")
            for d in sorted(build_decks.DECKS.glob("*.md"))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help=f"delete {conf.BUILD} first")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.fresh:
        shutil.rmtree(conf.BUILD, ignore_errors=True)
    ensure_figures()
    sphinx()
    decks()
    print(f"{conf.MODE} site in {HTML}/index.html ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
