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


def _new_ax(ax, figsize=(5, 3.2)):
    """(fig or None, ax): a fresh figure when ax is None."""
    if ax is not None:
        return None, ax
    return plt.subplots(figsize=figsize)


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
    fig, ax = _new_ax(ax, figsize=(5, 4.5))
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
    fig, ax = _new_ax(ax, figsize=(5, 3))
    ax.plot(hours, x.T, color=color, alpha=alpha, lw=0.8)
    ax.plot(hours, x.mean(axis=0), color="black", lw=2, label="mean")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("active power (kW)")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig or ax.figure


# --- notebooks 03-05: image rows, latent manifolds, interpolation paths

def image_rows(rows, scale=1.0, vmax=None):
    """One labelled row per entry of ``rows`` {label: images (n, h, w[, 1])}, same n each.

    Used for reconstructions (original / model A / model B), interpolation strips
    (linear / spherical) and imputations (observed / filled / truth). NaN pixels show
    as blank, which marks hidden pixels.
    """
    labels = list(rows)
    stacked = [_as_2d_images(rows[k]) for k in labels]
    if len({len(r) for r in stacked}) != 1:
        raise ValueError(f"rows: expected the same number of images in every row, got "
                         f"{[len(r) for r in stacked]}")
    return image_grid(np.concatenate(stacked), ncols=len(stacked[0]), row_labels=labels,
                      scale=scale, vmax=vmax)


def manifold_grid(images, values, title=None, ax=None):
    """Tile decoded images (n * n, h, w[, 1]) of a row-major code grid into one picture.

    values: the grid's coordinates, (n,) for both axes (e.g. from
    ``vae.latent.inverse_cdf_grid``) or a pair (z1_values (n,), z2_values (n,)); they label
    the ticks: z_1 left to right, z_2 increasing from the bottom row to the top row.
    """
    images = _as_2d_images(images)
    z1_values, z2_values = (values, values) if np.ndim(values) == 1 else values
    n = len(z1_values)
    if len(images) != n * n or len(z2_values) != n:
        raise ValueError(f"images: expected {n * n} = len(values) ** 2 images, got {len(images)}")
    h, w = images.shape[1:]
    canvas = images.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)
    fig, ax = _new_ax(ax, figsize=(0.6 * n * w / h + 1, 0.6 * n + 1))
    ax.imshow(canvas, vmin=0, vmax=1)
    ticks = np.arange(n) if n <= 9 else np.unique(np.linspace(0, n - 1, 5).round().astype(int))
    label = lambda v: f"{round(float(v), 1) + 0.0:.1f}"  # noqa: E731 (no "-0.0")
    ax.set_xticks(ticks * w + w / 2, [label(v) for v in np.asarray(z1_values)[ticks]], fontsize=7)
    ax.set_yticks(ticks * h + h / 2, [label(v) for v in np.asarray(z2_values)[::-1][ticks]],
                  fontsize=7)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if title:
        ax.set_title(title)
    return fig or ax.figure


def latent_scatter_by_value(z, values, label, ax=None, title=None, s=4):
    """Scatter 2-D codes z (n, 2) coloured by a continuous value (n,) (e.g. frame index)."""
    z = np.asarray(z)
    if z.ndim != 2 or z.shape[1] != 2 or len(values) != len(z):
        raise ValueError(f"z, values: expected (n, 2) and (n,), got {z.shape} and "
                         f"{np.shape(values)}")
    fig, ax = _new_ax(ax, figsize=(5, 4.5))
    points = ax.scatter(z[:, 0], z[:, 1], c=values, cmap="viridis", s=s)
    ax.figure.colorbar(points, ax=ax, label=label)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if title:
        ax.set_title(title)
    return fig or ax.figure


def path_norms(paths, reference=None, ax=None):
    """Plot ||z(t)|| along interpolation paths {label: (n_steps, latent_dim)}.

    reference: an optional norm to mark (e.g. sqrt(latent_dim), the typical norm of a
    draw from N(0, I)).
    """
    fig, ax = _new_ax(ax, figsize=(4.5, 3))
    for label, path in paths.items():
        path = np.asarray(path)
        ax.plot(np.linspace(0, 1, len(path)), np.linalg.norm(path, axis=1), marker=".",
                label=label)
    if reference is not None:
        ax.axhline(reference, color="gray", ls="--", lw=1, label="typical prior draw")
    ax.set_xlabel("t")
    ax.set_ylabel("$\\|z(t)\\|$")
    ax.legend()
    return fig or ax.figure


# --- notebooks 01-02: latent manifolds, empty regions, side-by-side scatters, sweeps

def latent_manifold(images, lim, ax=None, title=None):
    """Tile decoded images (n * n, h, w[, 1]) of ``vae.gaps.linear_grid(n, lim)`` into a picture.

    lim: the same number L or ((lo1, hi1), (lo2, hi2)) that made the grid.
    """
    n = int(round(np.sqrt(len(images))))
    if n * n != len(images):
        raise ValueError(f"images: expected n * n images of a square grid, got {len(images)}")
    (lo1, hi1), (lo2, hi2) = ((-lim, lim), (-lim, lim)) if np.isscalar(lim) else lim
    return manifold_grid(images, (np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n)),
                         ax=ax, title=title)


def mark_points(ax, points, color="black", size=80):
    """Mark 2-D points (k, 2) on a latent plot with crosses numbered 0..k-1; return ax."""
    points = np.asarray(points)
    ax.scatter(points[:, 0], points[:, 1], marker="x", s=size, c=color, linewidths=2)
    for i, (u, v) in enumerate(points):
        ax.annotate(str(i), (u, v), xytext=(4, 4), textcoords="offset points", color=color,
                    fontweight="bold")
    return ax


def latent_scatters(codes, labels=None, s=2):
    """Side-by-side scatters of several 2-D codings: codes = {title: z (n, 2)}."""
    fig, axes = plt.subplots(1, len(codes), figsize=(5 * len(codes), 4.5), squeeze=False)
    for ax, (title, z) in zip(axes[0], codes.items()):
        latent_scatter(z, labels, ax=ax, title=title, s=s)
    fig.tight_layout()
    return fig


def sweep_plot(x, curves, xlabel, ylabel, title=None, logx=True):
    """Plot one or more metrics against a setting: x (k,), curves = {label: y (k,)}."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for label, y in curves.items():
        ax.plot(x, y, marker="o", label=label)
    if logx:
        ax.set_xscale("log", base=2)
    ax.set_xticks(x, [str(v) for v in x])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig


# --- notebooks 06-08: conditional VAE, semi-supervised VAE, imputation

def profile_bands(groups, ax=None, title=None, ylabel="active power (kW)"):
    """Per-hour mean (line) and 10-90 % band (shaded) of each group of daily profiles.

    groups: {name: (days, 24) array}, e.g. real vs synthetic days of one month.
    """
    fig, ax = _new_ax(ax, figsize=(6, 3.5))
    for i, (name, x) in enumerate(groups.items()):
        x = np.asarray(x)
        hours = np.arange(x.shape[1])
        low, high = np.quantile(x, [0.1, 0.9], axis=0)
        ax.fill_between(hours, low, high, color=f"C{i}", alpha=0.2)
        ax.plot(hours, x.mean(axis=0), color=f"C{i}", lw=2, label=f"{name} ({len(x)})")
    ax.set_xlabel("hour of day")
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig or ax.figure


def value_histograms(groups, xlabel="daily energy (kWh)", bins=20, ax=None, title=None):
    """Overlaid density histograms of 1-D samples: groups {name: (n,) array}."""
    fig, ax = _new_ax(ax, figsize=(5, 3.5))
    edges = np.histogram_bin_edges(np.concatenate([np.ravel(v) for v in groups.values()]), bins)
    for name, values in groups.items():
        ax.hist(np.ravel(values), bins=edges, density=True, alpha=0.45, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig or ax.figure


def imputation_examples(x, mask, filled, n=6):
    """Rows: the original, the observed part (missing pixels in red), each method's fill.

    x, mask: (m, h, w[, 1]) images in [0, 1] and booleans (True = observed);
    filled: {method name: (m, h, w[, 1]) completed images}. Shows the first n images.
    """
    x, mask = _as_2d_images(x)[:n], _as_2d_images(mask)[:n]
    observed = np.repeat(x[..., None], 3, axis=-1)
    observed[~mask] = (0.8, 0.1, 0.1)
    rows = [("original", x), ("observed", observed)]
    rows += [(name, _as_2d_images(images)[:n]) for name, images in filled.items()]
    fig, axes = plt.subplots(len(rows), n, squeeze=False, figsize=(n * 0.9, len(rows) * 0.95))
    for r, (label, images) in enumerate(rows):
        for c in range(n):
            axes[r, c].imshow(images[c], vmin=0, vmax=1)
            axes[r, c].set_axis_off()
        axes[r, 0].text(-0.1, 0.5, label, transform=axes[r, 0].transAxes, ha="right",
                        va="center")
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


# --- evaluation (ELBO, importance-weighted log-likelihood, benchmark curves)

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
