"""Every figure of the course, in one style.

Notebooks and the slide-figure command (``slides/make_figures.py``) call these
functions; each returns the matplotlib Figure. ``save_fig`` writes PNG (slides) and
PDF (print) with the creation date removed, so regenerated files are reproducible.
"""

from pathlib import Path

import matplotlib

import matplotlib.pyplot as plt
import numpy as np

STYLE = {
    "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
    "font.size": 10, "axes.titlesize": 11, "axes.spines.top": False,
    "axes.spines.right": False, "image.cmap": "gray",
}
matplotlib.rcParams.update(STYLE)


def save_fig(fig, name, folder):
    """Write ``folder/name.png`` and ``folder/name.pdf``; return the two paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    png, pdf = folder / f"{name}.png", folder / f"{name}.pdf"
    fig.savefig(png, metadata={"Software": None})
    fig.savefig(pdf, metadata={"CreationDate": None, "Creator": None, "Producer": None})
    return png, pdf


def _as_2d_images(images):
    """(n, h, w) or (n, h, w, 1) -> (n, h, w)."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images: expected (n, h, w) or (n, h, w, 1), got {images.shape}")
    return images


def image_grid(images, ncols=10, titles=None, row_labels=None, scale=1.0, vmax=None):
    """Show images (n, h, w[, 1]) in a grid with ``ncols`` columns, no axes."""
    images = _as_2d_images(images)
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(scale * ncols * 0.9, scale * nrows * 0.9 * images.shape[1]
                                      / images.shape[2]))
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(images[i], vmin=0, vmax=vmax)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8)
    if row_labels is not None:
        for r, label in enumerate(row_labels):
            axes[r, 0].text(-0.1, 0.5, str(label), transform=axes[r, 0].transAxes,
                            ha="right", va="center")
    fig.subplots_adjust(wspace=0.05, hspace=0.15)
    return fig


def latent_scatter(z, labels=None, ax=None, title=None, cmap="tab10", s=2):
    """Scatter 2-D codes z (n, 2), coloured by integer labels (n,) with a colour bar."""
    z = np.asarray(z)
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(f"z: expected (n, 2) codes, got {z.shape}")
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 4.5))
    points = ax.scatter(z[:, 0], z[:, 1], c=labels, cmap=cmap if labels is not None else None,
                        s=s, alpha=0.7)
    if labels is not None:
        ax.figure.colorbar(points, ax=ax, ticks=np.unique(labels))
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if title:
        ax.set_title(title)
    return fig or ax.figure


def training_curves(history, keys=("loss", "reconstruction", "kl"), title=None):
    """Plot per-epoch curves from a Keras History (or its ``.history`` dict)."""
    hist = getattr(history, "history", history)
    keys = [k for k in keys if k in hist]
    fig, axes = plt.subplots(1, len(keys), figsize=(3.5 * len(keys), 3), squeeze=False)
    for ax, key in zip(axes[0], keys):
        epochs = np.arange(1, len(hist[key]) + 1)
        ax.plot(epochs, hist[key], label="train")
        if f"val_{key}" in hist:
            ax.plot(epochs, hist[f"val_{key}"], label="validation")
            ax.legend()
        ax.set_xlabel("epoch")
        ax.set_title(key)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def load_profiles(x, hours=None, ax=None, title=None, alpha=0.15, color="C0"):
    """Overlay daily load profiles x (days, 24) in kW with their mean in black."""
    x = np.asarray(x)
    hours = np.arange(x.shape[1]) if hours is None else hours
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(hours, x.T, color=color, alpha=alpha, lw=0.8)
    ax.plot(hours, x.mean(axis=0), color="black", lw=2, label="mean")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("active power (kW)")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig or ax.figure


# ---------------------------------------------------------------- latent manifold (slide figures)

def normal_quantile_grid(n=15, tail=0.05):
    """Codes (n * n, 2) on an inverse-CDF grid: z_i = Phi^-1(u_i), u evenly spaced in
    [tail, 1 - tail], so that equal areas of N(0, I) prior mass get equal room.

    Row-major, z_2 decreasing down the rows and z_1 increasing along them (as in a plot).
    """
    from scipy.stats import norm

    if not isinstance(n, int) or n < 2:
        raise ValueError(f"n={n!r}: expected an integer >= 2")
    if not 0 < tail < 0.5:
        raise ValueError(f"tail={tail!r}: expected a probability in (0, 0.5)")
    values = norm.ppf(np.linspace(tail, 1 - tail, n))
    z1, z2 = np.meshgrid(values, values[::-1])
    return np.stack([z1.ravel(), z2.ravel()], axis=1).astype("float32")


def latent_manifold(decode, n=15, tail=0.05, title=None, figsize=(6, 6)):
    """Decode an n x n inverse-CDF grid of 2-D codes and tile the images into one picture.

    decode: codes (m, 2) -> images (m, h, w[, 1]) in [0, 1] (e.g. ``vae.decode``).
    Axis ticks show the z values of the grid's first and last rows and columns.
    """
    z = normal_quantile_grid(n, tail)
    images = _as_2d_images(decode(z))
    h, w = images.shape[1:]
    tiled = images.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)
    fig, ax = plt.subplots(figsize=figsize)
    ax.imshow(tiled, vmin=0, vmax=1)
    values = np.round(z[:n, 0], 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    ticks = [0, n // 2, n - 1]
    ax.set_xticks([w * (i + 0.5) for i in ticks], [f"{values[i]:.2f}" for i in ticks])
    ax.set_yticks([h * (i + 0.5) for i in ticks], [f"{-values[i] + 0.0:.2f}" for i in ticks])
    ax.set_xlabel("$z_1 = \\Phi^{-1}(u_1)$")
    ax.set_ylabel("$z_2 = \\Phi^{-1}(u_2)$")
    if title:
        ax.set_title(title)
    return fig
