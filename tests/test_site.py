"""The course website (book/): solutions folded, figures and launch buttons chosen by setting,
and the browser check of the built site, which must fail on a broken page and pass on ours."""

import json
import os

import pytest

from conftest import ROOT, load_script

conf = load_script("book/conf.py")
check_site = load_script("book/check_site.py")


def _notebook(*cells):
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _cell(kind, source, tags=()):
    cell = {"cell_type": kind, "metadata": {"tags": list(tags)}, "source": source}
    return {**cell, "outputs": [], "execution_count": None} if kind == "code" else cell


def test_solutions_are_folded_and_the_code_left_as_it_is():
    code = _cell("code", "answer = 42\n", ["solution"])
    text = _cell("markdown", "Because ```x``` is\n\n```python\ny = 1\n```", ["solution"])
    lesson = _cell("code", "z = 1", [])
    cells = json.loads(conf.collapse_solutions(_notebook(code, text, lesson)))["cells"]
    assert cells[0]["source"] == code["source"]                  # jupyter-cache's key unchanged
    assert cells[0]["metadata"]["tags"] == ["solution", "hide-cell"]
    assert cells[0]["metadata"]["mystnb"]["code_prompt_show"] == "Show solution"
    assert cells[1]["source"].startswith("````{admonition} Solution\n:class: dropdown solution\n")
    assert cells[1]["source"].endswith("\n````\n") and text["source"] in cells[1]["source"]
    assert cells[2] == lesson


def test_widget_outputs_are_dropped_and_other_outputs_kept():
    # docutils comes with the book's dependencies (make book-deps), which `make test-pythons`
    # does not install; `make test` in CI has them.
    nodes = pytest.importorskip("docutils.nodes")
    new_document = pytest.importorskip("docutils.utils").new_document

    document = new_document("notebook")
    bundles = []
    for mime_types in ([conf.WIDGET_VIEW, "text/plain"], ["image/png", "text/plain"]):
        bundle = nodes.container(nb_element="mime_bundle")
        bundle += [nodes.container(mime_type=m) for m in mime_types]
        bundles.append(bundle)
    cell = nodes.container(classes=["cell_output"])
    cell += bundles
    document += cell
    conf._drop_widgets_transform()(document).run()
    assert cell.children == [bundles[1]]          # the progress bar gone, the figure kept
    assert conf.nb_ipywidgets_js == {}            # and no widget script from a CDN


def test_launch_buttons_only_when_the_repository_url_is_set():
    assert "launch_buttons" not in conf.theme_options(None)
    assert "repository_url" not in conf.theme_options("")
    options = conf.theme_options("https://github.com/org/course", "main")
    assert options["repository_url"] == "https://github.com/org/course"
    assert set(options["launch_buttons"]) == {"binderhub_url", "colab_url", "notebook_interface"}
    hub = conf.theme_options("https://github.com/org/course", jupyterhub_url="https://hub.example")
    assert hub["launch_buttons"]["jupyterhub_url"] == "https://hub.example"


def test_smoke_site_shows_smoke_figures_never_slides_figures():
    text = "![codes](../slides/figures/ae_latent_2d.png) and `../slides/figures/` in prose"
    moved = conf.use_figures(text, "../book/_build/smoke/figures")
    assert moved == "![codes](../book/_build/smoke/figures/ae_latent_2d.png) and " \
                    "`../slides/figures/` in prose"
    if conf.SMOKE:
        assert conf.FIGURES == ROOT / "book" / "_build" / "smoke" / "figures"


def _browser_or_skip():
    """chromium, or skip (fail instead when VAE_REQUIRE_BROWSER=1, as CI sets)."""
    reason = check_site.browser.missing_reason()
    if reason and os.environ.get("VAE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"VAE_REQUIRE_BROWSER=1 but {reason}")
    if reason:
        pytest.skip(reason)


BROKEN_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title></head>
<body><div class="bd-article">
<p><span class="math">\\(x^2\\)</span></p>
<img src="missing.png" alt="a figure that is not there">
<img src="https://example.com/logo.png" alt="from the internet">
<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk
+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==" alt="&lt;Figure size 640x480 with 1 Axes&gt;">
<div class="cell tag_solution"><div class="cell_input">answer = 42</div></div>
<a href="nowhere.html">a broken link</a> <a href="index.html#no-such-anchor">an anchor</a>
<script>console.error("boom")</script>
</div></body></html>"""


@pytest.mark.slow
def test_site_check_reports_every_kind_of_broken_page(tmp_path):
    _browser_or_skip()
    (tmp_path / "index.html").write_text(BROKEN_PAGE)
    problems = "\n".join(check_site.check_site(tmp_path, tmp_path / "shots"))
    for expected in ("formula did not render: '\\\\(x^2\\\\)'", "image did not load: missing.png",
                     "external request blocked: https://example.com/logo.png",
                     "image without alt text (or '<Figure ...>'): data:image/png",
                     "solution visible before its toggle: 'answer = 42'",
                     "broken link to nowhere.html", "missing anchor index.html#no-such-anchor",
                     "console error: boom", "searching 'ELBO' found nothing"):
        assert expected in problems, problems


@pytest.mark.slow
def test_built_site_passes_the_browser_check():
    """The site `make book` built (in CI: VAE_SMOKE=1 make book, just before the tests)."""
    _browser_or_skip()
    html = conf.BUILD / "html"
    if not (html / "index.html").exists():
        message = f"no site in {html}: run `VAE_SMOKE={int(conf.SMOKE)} make book` first"
        if os.environ.get("VAE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"VAE_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    shots = conf.BUILD / "screenshots"
    assert check_site.check_site(html, shots, expect_launch=bool(os.environ.get("VAE_REPO_URL"))) \
        == []
    assert {p.stem for p in shots.glob("*.png")} >= {"home", "lecture", "lecture-dark",
                                                     "notebook"}


@pytest.mark.slow
def test_launch_buttons_appear_on_notebook_pages_with_a_repository_url(tmp_path):
    """One notebook page built (not executed) with VAE_REPO_URL set; without it, the check of
    the built site above finds no launch button on any notebook page."""
    pytest.importorskip("sphinx")
    import subprocess
    import sys

    env = {**os.environ, "VAE_REPO_URL": "https://github.com/example/vae-course"}
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(ROOT / "book"),
                    "-d", str(tmp_path / "doctrees"), "-D", "nb_execution_mode=off",
                    "-D", "include_patterns=book/index.md,notebooks/01_autoencoder.ipynb",
                    str(ROOT), str(tmp_path / "html")], check=True, env=env,
                   capture_output=True)
    page = (tmp_path / "html" / "notebooks" / "01_autoencoder.html").read_text()
    assert "https://mybinder.org/v2/gh/example/vae-course/main" in page
    assert "https://colab.research.google.com/github/example/vae-course/blob/main/notebooks/" \
           "01_autoencoder.ipynb" in page
