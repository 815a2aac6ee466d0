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


# --- evaluation (ELBO, importance-weighted log-likelihood, benchmark curves)

def _new_ax(ax, figsize=(5, 3.2)):
    """(fig or None, ax): a fresh figure when ax is None."""
    if ax is not None:
        return None, ax
    return plt.subplots(figsize=figsize)


def _finish(fig, ax, xlabel, ylabel, title):
    """Label the axes, add the legend and optional title; return the Figure."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig or ax.figure


def bound_vs_k(ks, bounds, elbo=None, exact=None, ax=None, title=None, label="IW bound"):
    """Mean importance-weighted bound (nats per example) against k, on a log k axis.

    ks: (m,) sample counts; bounds: (m,) mean bounds; elbo / exact: optional horizontal
    reference lines (the ELBO, and the exact log p(x) when it is known).
    """
    fig, ax = _new_ax(ax)
    ax.plot(ks, bounds, "o-", label=label)
    if elbo is not None:
        ax.axhline(elbo, color="C1", ls="--", label="ELBO")
    if exact is not None:
        ax.axhline(exact, color="black", ls=":", label="exact log p(x)")
    ax.set_xscale("log")
    return _finish(fig, ax, "number of importance samples k", "nats per example", title)


def gap_histogram(elbo, log_likelihood, ax=None, bins=40, title=None):
    """Histogram of the per-example gap log p(x) - ELBO (>= 0): the posterior mismatch.

    elbo, log_likelihood: (n,) per-example values in nats (e.g. from vae.evaluate.evaluate).
    """
    gap = np.asarray(log_likelihood) - np.asarray(elbo)
    fig, ax = _new_ax(ax)
    ax.hist(gap, bins=bins, color="C2")
    ax.axvline(gap.mean(), color="black", ls="--", label=f"mean {gap.mean():.2f} nats")
    return _finish(fig, ax, "log p(x) - ELBO (nats)", "examples", title)


def score_vs_epochs(scores, target=None, ax=None, title=None, ylabel="test loss (nats)"):
    """Per-epoch test scores {label: (epochs,) values} with an optional target line."""
    fig, ax = _new_ax(ax)
    for label, values in scores.items():
        ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=3, label=label)
    if target is not None:
        ax.axhline(target, color="black", ls=":", label=f"target {target}")
    return _finish(fig, ax, "epoch", ylabel, title)
