"""vae.plots: one API (draw on ``ax`` or a new figure, return the Figure), style only on request."""

import inspect
import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from vae import latent, plots

matplotlib.use("Agg")
RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(size=(16, 28, 28, 1))
CODES, LABELS = RNG.normal(size=(50, 2)), RNG.integers(0, 3, size=50)
HISTORY = {"loss": [3.0, 2.0], "val_loss": [3.5, 2.5], "kl": [1.0, 1.2]}

CALLS = {
    "image_grid": lambda ax: plots.image_grid(IMAGES[:6], ncols=3, titles=list("abcdef"), ax=ax),
    "image_rows": lambda ax: plots.image_rows({"a": IMAGES[:4], "b": IMAGES[4:8]}, ax=ax),
    "latent_scatter": lambda ax: plots.latent_scatter(CODES, LABELS, ax=ax),
    "latent_scatter_by_value": lambda ax: plots.latent_scatter_by_value(
        CODES, np.arange(50), "frame", ax=ax),
    "latent_scatters": lambda ax: plots.latent_scatters({"a": CODES, "b": -CODES}, LABELS, ax=ax),
    "training_curves": lambda ax: plots.training_curves(HISTORY, ax=ax),
    "load_profiles": lambda ax: plots.load_profiles(RNG.uniform(size=(5, 24)), ax=ax),
    "manifold_grid": lambda ax: plots.manifold_grid(IMAGES, np.linspace(-1, 1, 4), ax=ax),
    "latent_manifold": lambda ax: plots.latent_manifold(IMAGES, 2.0, ax=ax),
    "mark_points": lambda ax: plots.mark_points(CODES[:3], ax=ax),
    "path_norms": lambda ax: plots.path_norms({"line": CODES[:5]}, reference=1.0, ax=ax),
    "sweep_plot": lambda ax: plots.sweep_plot([2, 4, 8], {"mse": [3, 2, 1]}, "d", "mse", ax=ax),
    "profile_bands": lambda ax: plots.profile_bands({"real": RNG.uniform(size=(9, 24))}, ax=ax),
    "value_histograms": lambda ax: plots.value_histograms({"a": RNG.normal(size=30)}, ax=ax),
    "imputation_examples": lambda ax: plots.imputation_examples(
        IMAGES[:4], IMAGES[:4] > 0.5, {"fill": IMAGES[4:8]}, n=4, ax=ax),
    "bound_vs_k": lambda ax: plots.bound_vs_k([1, 10], [-3.0, -2.0], elbo=-3.5, ax=ax),
    "gap_histogram": lambda ax: plots.gap_histogram(-RNG.uniform(3, 4, 20), -np.ones(20), ax=ax),
    "kl_per_dimension": lambda ax: plots.kl_per_dimension(
        {"a": RNG.exponential(size=8), "b": np.zeros(8)}, threshold=0.1, ax=ax),
    "rate_distortion": lambda ax: plots.rate_distortion([20.0, 10.0], [80.0, 90.0], ["1", "2"],
                                                        ax=ax),
}
DRAWING = sorted(name for name, fn in inspect.getmembers(plots, inspect.isfunction)
                 if fn.__module__ == plots.__name__ and not name.startswith("_")
                 and name not in ("save_fig", "style", "use_style", "caption"))


def test_every_drawing_function_is_tested_here_and_takes_ax():
    assert sorted(CALLS) == DRAWING
    assert all("ax" in inspect.signature(getattr(plots, name)).parameters for name in DRAWING)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_draws_on_a_given_ax_or_a_new_figure_and_returns_the_figure(name):
    fig, axes = plt.subplots(2, 2)
    assert CALLS[name](axes[0, 1]) is fig
    assert axes[1, 0] in fig.axes                         # the other panels are left alone
    new = CALLS[name](None)
    assert new is not fig and new.axes
    plt.close("all")


def test_importing_plots_changes_no_matplotlib_setting_and_style_is_explicit():
    code = ("import matplotlib; before = dict(matplotlib.rcParams); import vae.plots; "
            "assert dict(matplotlib.rcParams) == before")
    subprocess.run([sys.executable, "-c", code], check=True)
    default = matplotlib.rcParams["axes.spines.top"]
    with plots.style():
        assert matplotlib.rcParams["image.cmap"] == "gray"
        assert not matplotlib.rcParams["axes.spines.top"]
    assert matplotlib.rcParams["axes.spines.top"] == default


def test_save_fig_writes_png_and_pdf_without_dates(tmp_path):
    fig = plots.latent_scatter(CODES, LABELS)
    png, pdf = plots.save_fig(fig, "codes", tmp_path)
    assert png.stat().st_size > 1000 and b"CreationDate" not in pdf.read_bytes()
    again, _ = plots.save_fig(fig, "again", tmp_path)
    assert png.read_bytes() == again.read_bytes()
    plt.close("all")


def test_manifold_pictures_tile_the_grid_and_check_its_size():
    grid = latent.linear_grid(4, 2.0)
    fig = plots.latent_manifold(IMAGES, 2.0, title="grid")
    assert fig.axes[0].images[0].get_array().shape == (4 * 28, 4 * 28)
    plots.mark_points(grid[:3], ax=fig.axes[0])
    assert len(fig.axes[0].texts) == 3
    with pytest.raises(ValueError, match="square grid"):
        plots.latent_manifold(IMAGES[:15], 2.0)
    with pytest.raises(ValueError, match="lim"):
        plots.latent_manifold(IMAGES, -1.0)
    plt.close("all")


def test_caption_describes_a_figure_by_its_own_text():
    assert plots.caption(plots.training_curves(HISTORY, title="conv VAE")) == "conv VAE"
    fig = plots.sweep_plot([2, 4], {"AE": [0.2, 0.1]}, xlabel="latent size", ylabel="MSE")
    assert plots.caption(fig) == "MSE vs latent size"
    grid = plots.image_grid(IMAGES[:12], ncols=6, titles=list("abcdefghijkl"))
    assert plots.caption(grid) == "12 images titled a, b, c, d, e, f, g, h, i, j, ..."
    assert plots.caption(plots.image_grid(IMAGES[:2], ncols=2)) == "2 images"
    assert plots.caption(plt.figure()) == "a figure without titles or axis labels"
    plt.close("all")


def test_use_style_makes_the_caption_a_figures_text_in_a_notebook_kernel(monkeypatch):
    """In a real kernel, with the inline backend starting at the first figure: the text/plain
    of every figure shown is its caption (the course site's alt text), not <Figure size ...>."""
    import nbclient
    import nbformat

    cells = ["import matplotlib.pyplot as plt\nimport numpy as np\nfrom vae import plots\n"
             "plots.use_style()",
             "plots.image_grid(np.zeros((2, 28, 28)), ncols=2)\nplt.show()",   # the first figure
             "fig = plots.latent_scatter(np.zeros((3, 2)), title='codes')", "fig"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    monkeypatch.delenv("MPLBACKEND", raising=False)      # the kernel's own: inline
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    texts = [o["data"]["text/plain"] for c in notebook.cells for o in c.outputs if "data" in o]
    assert texts == ["2 images", "codes", "codes"]
