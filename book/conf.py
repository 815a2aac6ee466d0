"""Sphinx configuration of the course website, built by ``make book`` (book/build.py).

The source folder is the repository itself: the lecture notes, the notebooks and the READMEs
are read in place (``include_patterns``), never copied. ``VAE_SMOKE=1`` builds the smoke site
(what CI checks) into ``book/_build/smoke/``, anything else the full one into
``book/_build/full/``; each has its own execution cache (jupyter-cache), because the cache
keys a notebook by its code only, not by the mode it ran in.

The helpers below are plain Python (no Sphinx import), so tests load this file directly.
"""

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vae.config import SMOKE  # noqa: E402

MODE = "smoke" if SMOKE else "full"
BUILD = ROOT / "book" / "_build" / MODE
"""Everything this mode's build writes: html/, doctrees/, jupyter_cache/, static/, figures/."""
FIGURES = BUILD / "figures" if SMOKE else ROOT / "slides" / "figures"
"""The lecture figures the site shows: smoke figures in smoke mode, ``make figures``' else."""
SOLUTION_TAG = "solution"

# -- the pages -------------------------------------------------------------------------------
project = "Autoencoders and VAEs with Keras 3"
author = "the course authors"
copyright = "the course authors, MIT licence"
root_doc = "book/index"
include_patterns = ["book/*.md", "README.md", "lectures/*.md", "notebooks/*.ipynb",
                    "notebooks/README.md"]
exclude_patterns = ["book/_build/**", "**/node_modules/**", "notebooks/student/**"]
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax",
              "sphinx_togglebutton"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3        # README.md#quick-start and the like resolve
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_inherit_docstrings = False   # Keras' own (Markdown) docstrings are not ours to show

# -- notebooks: executed once, cached, re-executed only when their code changes ---------------
nb_execution_mode = "cache"
nb_execution_cache_path = str(BUILD / "jupyter_cache")
nb_execution_timeout = 900 if SMOKE else -1
nb_execution_raise_on_error = True   # a notebook that fails fails the build
nb_execution_show_tb = True
nb_merge_streams = True
nb_ipywidgets_js = {}   # no widget scripts from a CDN: widget outputs are dropped (below)

# -- offline: MathJax from book/node_modules (npm, pinned), copied into the site ---------------
MATHJAX = ROOT / "book" / "node_modules" / "mathjax" / "es5"
mathjax_path = "mathjax/tex-chtml-full.js"
html_static_path = [str(BUILD / "static"), "static"]
html_extra_path = ["root"]          # html/index.html: the way in, to book/index.html
html_css_files = ["course.css"]
html_title = project
html_last_updated_fmt = None
html_theme = "sphinx_book_theme"
html_context = {"default_mode": "auto"}   # light or dark as the reader's system prefers


def theme_options(repository_url=None, branch="main", jupyterhub_url=None):
    """sphinx-book-theme options: launch buttons (Binder, Colab, and JupyterHub when
    ``jupyterhub_url`` is given) and a repository button only when ``repository_url`` (the
    repository's public URL) is given; none at all without it."""
    options = {"path_to_docs": "", "use_download_button": True, "show_toc_level": 2}
    if not repository_url:
        return options
    launch = {"binderhub_url": "https://mybinder.org",
              "colab_url": "https://colab.research.google.com", "notebook_interface": "jupyterlab"}
    if jupyterhub_url:
        launch["jupyterhub_url"] = jupyterhub_url
    return {**options, "repository_url": repository_url, "repository_branch": branch,
            "use_repository_button": True, "launch_buttons": launch}


html_theme_options = theme_options(os.environ.get("VAE_REPO_URL"),
                                   os.environ.get("VAE_REPO_BRANCH", "main"),
                                   os.environ.get("VAE_JUPYTERHUB_URL"))


def collapse_solutions(notebook_json):
    """A notebook (JSON text) with its ``solution`` cells collapsed for the site: a code cell
    gets MyST-NB's ``hide-cell`` tag (input and output behind "Show solution"), a markdown cell
    is wrapped in a dropdown admonition titled "Solution". Other cells, and the code that
    jupyter-cache fingerprints, are unchanged; the file on disk is never touched."""
    notebook = json.loads(notebook_json)
    for cell in notebook["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG not in tags:
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            cell["metadata"]["tags"] = [*tags, "hide-cell"]
            cell["metadata"]["mystnb"] = {"code_prompt_show": "Show solution",
                                          "code_prompt_hide": "Hide solution"}
        elif cell["cell_type"] == "markdown":
            longest = max((len(run) for run in re.findall(r"`+", source)), default=0)
            fence = "`" * max(3, longest + 1)
            cell["source"] = (f"{fence}{{admonition}} Solution\n:class: dropdown solution\n\n"
                              f"{source}\n{fence}\n")
    return json.dumps(notebook)


def use_figures(markdown, figures_href):
    """Lecture Markdown with its ``../slides/figures/`` links pointing at ``figures_href``."""
    return markdown.replace("](../slides/figures/", f"]({figures_href}/")


def _source_read(app, docname, source):
    if docname.startswith("notebooks/") and app.env.doc2path(docname).suffix == ".ipynb":
        source[0] = collapse_solutions(source[0])
    elif docname.startswith("lectures/") and FIGURES != ROOT / "slides" / "figures":
        source[0] = use_figures(source[0], Path(os.path.relpath(FIGURES, ROOT / "lectures"))
                                .as_posix())


SHAPE_STAR = re.compile(r"(?<=[(,] )\*(?=\w)|(?<=\()\*(?=\w)")
ABSOLUTE = re.compile(r"\|(\w+)\|")
LITERAL = re.compile(r"(``.+?``)")


def python_notation(line):
    """A docstring line with the Python notation reST would misread escaped: the star of a
    shape such as ``(n, *shape)`` (not emphasis) and ``|x|`` (an absolute value, not a
    substitution)."""
    parts = LITERAL.split(line)   # odd items: ``literal`` text, shown as written
    return "".join(p if i % 2 else ABSOLUTE.sub(r"\|\1\|", SHAPE_STAR.sub(r"\*", p))
                   for i, p in enumerate(parts))


def _process_docstring(app, what, name, obj, options, lines):
    lines[:] = [python_notation(line) for line in lines]


def _alt_text_transform():
    """A post-transform that gives each notebook image the text/plain of its own output as
    alt text (``vae.plots.use_style`` makes that the figure's caption), before MyST-NB keeps
    only the image of each output."""
    from docutils import nodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class ImageAltFromText(SphinxPostTransform):
        default_priority = 3   # MyST-NB's SelectMimeType (priority 4) drops the text/plain

        def run(self, **kwargs):
            for bundle in self.document.findall(nodes.container):
                if bundle.get("nb_element") != "mime_bundle":
                    continue
                texts = [c.astext() for c in bundle.children if c.get("mime_type") == "text/plain"]
                for image in bundle.findall(nodes.image):
                    if texts and not image.get("alt"):
                        image["alt"] = texts[0].strip()

    return ImageAltFromText


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _drop_widgets_transform():
    """A post-transform that removes widget outputs (tqdm's progress bars while a recipe trains)
    from notebook pages. A static page cannot run them: their JavaScript would come from a CDN
    (the site works offline, book/check_site.py), and their text/plain is the bar's first
    frame, 0 %, which would misreport the run."""
    from docutils import nodes
    from sphinx.transforms.post_transforms import SphinxPostTransform

    class DropWidgets(SphinxPostTransform):
        default_priority = 3   # before MyST-NB's SelectMimeType (priority 4) picks text/plain

        def run(self, **kwargs):
            for bundle in list(self.document.findall(nodes.container)):
                if bundle.get("nb_element") == "mime_bundle" and any(
                        child.get("mime_type") == WIDGET_VIEW for child in bundle.children):
                    bundle.parent.remove(bundle)

    return DropWidgets


def _copy_mathjax():
    """MathJax's one-file build and its fonts into BUILD/static/mathjax (served as _static)."""
    import shutil

    if not (MATHJAX / "tex-chtml-full.js").exists():
        raise RuntimeError(f"{MATHJAX} is missing: run `npm ci` in book/ (make book does)")
    target = BUILD / "static" / "mathjax"
    fonts = Path("output") / "chtml" / "fonts" / "woff-v2"
    shutil.copytree(MATHJAX / fonts, target / fonts, dirs_exist_ok=True)
    shutil.copy2(MATHJAX / "tex-chtml-full.js", target / "tex-chtml-full.js")


def setup(app):
    _copy_mathjax()
    app.connect("source-read", _source_read)
    app.connect("autodoc-process-docstring", _process_docstring)
    app.add_post_transform(_alt_text_transform())
    app.add_post_transform(_drop_widgets_transform())
    return {"parallel_read_safe": True}
