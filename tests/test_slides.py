"""Slide figures and decks: every referenced figure is produced (smoke mode), no orphans,
one deck per lecture, and the built decks work offline in headless chromium."""

import os

import pytest

from conftest import LECTURES, ROOT, load_script

SLIDES = ROOT / "slides"
make_figures = load_script("slides/make_figures.py")
build_decks = load_script("slides/build_decks.py")
NAMES = {f.__name__ for f in make_figures.FIGURE_FUNCTIONS}


@pytest.fixture(scope="module")
def smoke_figures(tmp_path_factory):
    """Run the figure command in smoke mode (models cached in a temporary KERAS_HOME)."""
    out = tmp_path_factory.mktemp("figures")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))
        make_figures.main(["--smoke", "--out", str(out)])
    return out


@pytest.mark.slow
def test_figure_command_writes_png_and_pdf_of_every_figure(smoke_figures):
    produced = {p.name for p in smoke_figures.iterdir()}
    assert produced == {f"{n}.{ext}" for n in NAMES for ext in ("png", "pdf")}
    assert all(p.stat().st_size > 1000 for p in smoke_figures.iterdir())


def test_every_figure_a_lecture_or_deck_references_is_produced():
    texts = [*ROOT.glob("lectures/*.md"), *(SLIDES / "decks").glob("*.md")]
    missing = {(t.name, n) for t in texts for n in build_decks.figures_used(t.read_text())
               if n not in NAMES}
    assert not missing, f"referenced but not produced by make_figures.py: {sorted(missing)}"


def test_no_orphan_files_in_slides_figures():
    folder = SLIDES / "figures"
    files = list(folder.iterdir()) if folder.exists() else []
    orphans = [p.name for p in files if p.stem not in NAMES or p.suffix not in (".png", ".pdf")]
    assert not orphans, f"{folder} has files no figure function writes: {orphans}"


def test_one_deck_per_lecture_using_figures():
    decks = sorted(p.stem for p in (SLIDES / "decks").glob("*.md"))
    assert decks == list(LECTURES)
    used = {n for d in decks for n in build_decks.figures_used(
        (SLIDES / "decks" / f"{d}.md").read_text())}
    assert used == NAMES, f"figures no deck shows: {sorted(NAMES - used)}"


def test_slide_markdown_keeps_math_for_katex_and_relinks_figures():
    text = "## KL\n\n*Sum* of $\\mu_j^2 + \\sigma_j^2$ and\n\n$$a_1 * b_2 < c$$\n\n" \
           "![x](../figures/vae_latent_2d.png)"
    html = build_decks.slide_html(text, "../../fig")
    assert "<em>Sum</em>" in html
    assert "$\\mu_j^2 + \\sigma_j^2$" in html and "$$a_1 * b_2 &lt; c$$" in html
    assert 'src="../../fig/vae_latent_2d.png"' in html
    assert build_decks.split_slides("# a\n---\n\n---\nb\n") == ["# a", "b"]


def _browser_or_skip():
    """chromium and the npm packages, or skip (fail instead when VAE_REQUIRE_BROWSER=1)."""
    check_decks = load_script("slides/check_decks.py")
    reason = None
    if check_decks.find_browser() is None:
        reason = check_decks.browser.missing_reason()
    elif not (build_decks.NODE_MODULES / "reveal.js" / "dist" / "reveal.js").exists():
        reason = "slides/node_modules is missing (run `npm ci` in slides/)"
    if reason and os.environ.get("VAE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"VAE_REQUIRE_BROWSER=1 but {reason}")
    if reason:
        pytest.skip(reason)
    return check_decks


@pytest.mark.slow
def test_built_decks_render_every_slide_and_image_offline(smoke_figures, tmp_path):
    check_decks = _browser_or_skip()
    build = tmp_path / "build"
    for deck in sorted((SLIDES / "decks").glob("*.md")):
        build_decks.build_deck(deck, build, figures=smoke_figures)
    assert check_decks.check_all(build) == []
    shots = sorted(p.stem for p in (build / "screenshots").glob("*.png"))
    assert shots == list(LECTURES)


@pytest.mark.slow
def test_browser_check_reports_a_missing_image(tmp_path):
    check_decks = _browser_or_skip()
    deck = tmp_path / "deck.md"
    deck.write_text("# Title\n\n---\n\n![gone](../figures/not_there.png)\n")
    build_decks.build_deck(deck, tmp_path / "build", figures=tmp_path / "no_figures")
    problems = check_decks.check_all(tmp_path / "build")
    assert any("image did not load" in p and "not_there.png" in p for p in problems), problems
