"""Build every Markdown deck in slides/decks/ into an offline reveal.js page in slides/build/.

Run with ``make slides`` (after ``make figures``). A deck is Markdown with slides separated
by lines holding only ``---``, math in ``$...$`` / ``$$...$$`` and images from
``../figures/NAME.png``. Each slide is converted to HTML here (Python-Markdown, with the
math protected from it), and the page loads reveal.js and KaTeX from ``slides/node_modules``
(``npm ci`` in slides/, pinned by package-lock.json): no CDN, nothing from the internet.
"""

import argparse
import html
import os
import re
from pathlib import Path

import markdown

SLIDES = Path(__file__).resolve().parent
DECKS, BUILD, FIGURES, NODE_MODULES = (SLIDES / "decks", SLIDES / "build", SLIDES / "figures",
                                       SLIDES / "node_modules")
SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
MATH = re.compile(r"\$\$.+?\$\$|\$(?![\s$])[^$\n]+?(?<!\s)\$", re.DOTALL)
FIGURE_LINK = re.compile(r"figures/([a-z0-9_]+)\.(?:png|pdf)")  # not placeholders: NAME.png

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{lib}/reveal.js/dist/reveal.css">
<link rel="stylesheet" href="{lib}/reveal.js/dist/theme/white.css">
<link rel="stylesheet" href="{lib}/katex/dist/katex.min.css">
<style>
.reveal {{ font-size: 30px; }}
.reveal h1, .reveal h2, .reveal h3 {{ text-transform: none; }}  /* keeps math in titles as typed */
.reveal h1 {{ font-size: 1.9em; }} .reveal h2 {{ font-size: 1.3em; }}
.reveal section img {{ max-height: 430px; max-width: 100%; margin: 0.3em auto; border: 0; }}
.reveal table {{ font-size: 0.75em; }}
.reveal .katex-display {{ margin: 0.4em 0; }}
</style>
</head>
<body>
<div class="reveal"><div class="slides">
{sections}
</div></div>
<script src="{lib}/katex/dist/katex.min.js"></script>
<script src="{lib}/katex/dist/contrib/auto-render.min.js"></script>
<script src="{lib}/reveal.js/dist/reveal.js"></script>
<script>
renderMathInElement(document.body, {{
  delimiters: [{{left: "$$", right: "$$", display: true}},
               {{left: "$", right: "$", display: false}}],
  throwOnError: false
}});
Reveal.initialize({{hash: true, slideNumber: "c/t", width: 1280, height: 720, margin: 0.04}});
</script>
</body>
</html>
"""


def split_slides(text):
    """Deck Markdown -> list of slide Markdown strings (empty slides dropped)."""
    return [s.strip() for s in SEPARATOR.split(text) if s.strip()]


def slide_html(text, figures_href):
    """One slide's Markdown -> HTML; math is kept verbatim (escaped) for KaTeX in the page.

    figures_href: how the page reaches the figures folder (replaces ``../figures``).
    """
    maths = []

    def hide(match):
        maths.append(match.group(0))
        return f"MATHSLOT{len(maths) - 1}X"

    body = markdown.markdown(MATH.sub(hide, text), extensions=["tables", "fenced_code"])
    body = re.sub(r"MATHSLOT(\d+)X", lambda m: html.escape(maths[int(m.group(1))]), body)
    return body.replace('src="../figures/', f'src="{figures_href}/')


def figures_used(text):
    """Names of the figures a deck or lecture note references (``.../figures/NAME.png``)."""
    return sorted(set(FIGURE_LINK.findall(text)))


def build_deck(path, out, figures=FIGURES, node_modules=NODE_MODULES):
    """Write ``out/<deck name>.html`` for the Markdown deck at ``path``; return its path."""
    text = Path(path).read_text(encoding="utf-8")
    slides = split_slides(text)
    if not slides:
        raise ValueError(f"path={path}: expected Markdown slides separated by '---' lines")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    figures_href = Path(os.path.relpath(figures, out)).as_posix()
    sections = "\n".join(f"<section>\n{slide_html(s, figures_href)}\n</section>" for s in slides)
    title = re.sub(r"^#+\s*", "", slides[0].splitlines()[0])
    page = PAGE.format(title=html.escape(title), sections=sections,
                       lib=Path(os.path.relpath(node_modules, out)).as_posix())
    target = out / f"{Path(path).stem}.html"
    target.write_text(page, encoding="utf-8")
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decks", type=Path, default=DECKS, help="folder of *.md decks")
    parser.add_argument("--out", type=Path, default=BUILD, help="output folder")
    parser.add_argument("--figures", type=Path, default=FIGURES, help="figures folder")
    args = parser.parse_args(argv)
    if not (NODE_MODULES / "reveal.js" / "dist" / "reveal.js").exists():
        raise SystemExit(f"{NODE_MODULES} has no reveal.js: run `npm ci` in {SLIDES}")
    for deck in sorted(args.decks.glob("*.md")):
        missing = [n for n in figures_used(deck.read_text()) if
                   not (args.figures / f"{n}.png").exists()]
        if missing:
            raise SystemExit(f"{deck.name}: figures {missing} not in {args.figures}: "
                             "run `make figures` first")
        print(f"wrote {build_deck(deck, args.out, args.figures)}")


if __name__ == "__main__":
    main()
