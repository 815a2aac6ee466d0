"""Every figure of the course, in one style.

Notebooks and the slide-figure command (``slides/make_figures.py``) call these
functions. Each one draws on ``ax`` when given (a figure with several panels splits that
axes' place into a grid of its own) or on a new figure, and returns the Figure.
``use_style()`` applies the course style to every later figure, ``with style():`` to the
figures made inside the block; importing the module changes nothing. ``save_fig``
writes PNG (slides) and PDF (print) with the creation date removed, so regenerated
files are reproducible.
"""

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from vae import latent

STYLE = {
    "figure.dpi": 100, "savefig.dpi": 150, "savefig.bbox": "tight",
    "font.size": 10, "axes.titlesize": 11, "axes.spines.top": False,
    "axes.spines.right": False, "image.cmap": "gray",
}
"""The course's matplotlib settings (rcParams)."""


def use_style():
    """Apply :data:`STYLE` to every figure made from now on (in this process). In IPython (a
    notebook's kernel) a figure's plain-text output also becomes :func:`caption` instead of
    ``<Figure size 500x320 with 1 Axes>``; the course site uses that text as the image's alt
    text."""
    matplotlib.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    if matplotlib.get_backend() in ("module://matplotlib_inline.backend_inline", "inline"):
        import matplotlib_inline.backend_inline  # noqa: F401  (starts it now, not at the first figure)
    _caption_as_text(shell)
    # the inline backend drops every Figure printer when it starts or restarts (%matplotlib
    # inline): register again around each cell
    for event in ("pre_execute", "post_execute"):
        if _caption_as_text not in shell.events.callbacks[event]:
            shell.events.register(event, _caption_as_text)


def _caption_as_text(shell=None):
    """Make :func:`caption` the text/plain of every Figure in IPython ``shell`` (default: the
    running one)."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    shell.display_formatter.formatters["text/plain"].for_type(
        matplotlib.figure.Figure, lambda fig, printer, cycle: printer.text(caption(fig)))


def caption(fig):
    """One line describing ``fig`` from its own text: its suptitle, else each panel's title
    (or "y vs x" from its axis labels); images titled by a short label (an image grid's digits
    or scores) become "N images titled 5, 0, 4, ..."."""
    if fig.get_suptitle().strip():
        return fig.get_suptitle().strip()
    parts, short, images = [], [], 0
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        images += bool(ax.images)
        title = " ".join(t for t in (ax.get_title(loc) for loc in ("left", "center", "right"))
                         if t.strip())
        labels = " vs ".join(t for t in (ax.get_ylabel(), ax.get_xlabel()) if t.strip())
        if ax.images and 0 < len(title) <= 8:   # an image grid's labels: digits, scores
            short.append(title)
        elif part := title or labels:
            if part not in parts:
                parts.append(part)
    if short:
        more = ", ..." if len(short) > 10 else ""
        parts.append(f"{images} images titled {', '.join(short[:10])}{more}")
    if not parts and images:
        parts.append(f"{images} images" if images > 1 else "an image")
    return "; ".join(parts) or "a figure without titles or axis labels"


def style():
    """Context manager: :data:`STYLE` for the figures made inside ``with style(): ...``."""
    return matplotlib.rc_context(STYLE)


def save_fig(fig, name, folder):
    """Write ``folder/name.png`` and ``folder/name.pdf``; return the two paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    png, pdf = folder / f"{name}.png", folder / f"{name}.pdf"
    options = {"dpi": STYLE["savefig.dpi"], "bbox_inches": STYLE["savefig.bbox"]}
    fig.savefig(png, metadata={"Software": None}, **options)
    fig.savefig(pdf, metadata={"CreationDate": None, "Creator": None, "Producer": None},
                **options)
    return png, pdf


def _axes(ax, nrows=1, ncols=1, figsize=(5, 3.2), **grid):
    """(figure, axes (nrows, ncols)) to draw on: a new figure when ax is None, else ax itself
    (one panel) or a grid of panels in ax's place. grid: wspace/hspace of that grid."""
    if ax is None:
        fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=figsize)
        if grid:
            fig.subplots_adjust(**grid)
        return fig, axes
    if nrows * ncols == 1:
        return ax.figure, np.array([[ax]])
    fig, spec = ax.figure, ax.get_subplotspec().subgridspec(nrows, ncols, **grid)
    ax.remove()
    return fig, np.array([[fig.add_subplot(spec[r, c]) for c in range(ncols)]
                          for r in range(nrows)])


def _as_2d_images(images):
    """(n, h, w) or (n, h, w, 1) -> (n, h, w)."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images: expected (n, h, w) or (n, h, w, 1), got {images.shape}")
    return images


def _finish(ax, xlabel=None, ylabel=None, title=None, legend=False):
    """Label the axes, add the legend and the optional title; return the Figure."""
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if legend:
        ax.legend()
    if title:
        ax.set_title(title)
    return ax.figure


def image_grid(images, ncols=10, titles=None, row_labels=None, scale=1.0, vmax=None, ax=None):
    """Show images (n, h, w[, 1]) in a grid with ``ncols`` columns, no axes.

    titles: one per image; row_labels: one per row, written left of it.
    """
    images = _as_2d_images(images)
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    figsize = (scale * ncols * 0.9, scale * nrows * 0.9 * images.shape[1] / images.shape[2])
    fig, axes = _axes(ax, nrows, ncols, figsize, wspace=0.05, hspace=0.15)
    for i, cell in enumerate(axes.flat):
        cell.set_axis_off()
        if i < n:
            cell.imshow(images[i], vmin=0, vmax=vmax)
            if titles is not None:
                cell.set_title(str(titles[i]), fontsize=8)
    for r, label in enumerate(row_labels or []):
        axes[r, 0].text(-0.1, 0.5, str(label), transform=axes[r, 0].transAxes,
                        ha="right", va="center")
    return fig


def image_rows(rows, scale=1.0, vmax=None, ax=None):
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
                      scale=scale, vmax=vmax, ax=ax)


def _scatter_codes(z, ax, colour, title, colorbar, **scatter):
    """Scatter 2-D codes z (n, 2) coloured by ``colour``; shared by the latent scatters."""
    z = np.asarray(z)
    if z.ndim != 2 or z.shape[1] != 2 or (colour is not None and len(colour) != len(z)):
        raise ValueError(f"z: expected (n, 2) codes and one colour value per code, got "
                         f"{z.shape} and {None if colour is None else np.shape(colour)}")
    fig, axes = _axes(ax, figsize=(5, 4.5))
    points = axes[0, 0].scatter(z[:, 0], z[:, 1], c=colour, **scatter)
    if colour is not None:
        fig.colorbar(points, ax=axes[0, 0], **colorbar)
    return _finish(axes[0, 0], "$z_1$", "$z_2$", title)


def latent_scatter(z, labels=None, ax=None, title=None, cmap="tab10", s=2):
    """Scatter 2-D codes z (n, 2), coloured by integer labels (n,) with a colour bar."""
    ticks = {} if labels is None else {"ticks": np.unique(labels)}
    return _scatter_codes(z, ax, labels, title, ticks, s=s, alpha=0.7,
                          cmap=cmap if labels is not None else None)


def latent_scatter_by_value(z, values, label, ax=None, title=None, s=4):
    """Scatter 2-D codes z (n, 2) coloured by a continuous value (n,) (e.g. frame index)."""
    return _scatter_codes(z, ax, values, title, {"label": label}, s=s, cmap="viridis")


def latent_scatters(codes, labels=None, s=2, ax=None):
    """Side-by-side scatters of several 2-D codings: codes = {title: z (n, 2)}."""
    fig, axes = _axes(ax, 1, len(codes), figsize=(5 * len(codes), 4.5))
    for cell, (title, z) in zip(axes[0], codes.items()):
        latent_scatter(z, labels, ax=cell, title=title, s=s)
    if ax is None:
        fig.tight_layout()
    return fig


def training_curves(history, keys=("loss", "reconstruction", "kl"), title=None, ax=None):
    """Plot per-epoch curves from a Keras History (or its ``.history`` dict), one panel per key."""
    hist = getattr(history, "history", history)
    keys = [k for k in keys if k in hist]
    fig, axes = _axes(ax, 1, len(keys), figsize=(3.5 * len(keys), 3))
    for cell, key in zip(axes[0], keys):
        epochs = np.arange(1, len(hist[key]) + 1)
        cell.plot(epochs, hist[key], label="train")
        if f"val_{key}" in hist:
            cell.plot(epochs, hist[f"val_{key}"], label="validation")
        _finish(cell, "epoch", title=key, legend=f"val_{key}" in hist)
    if title:
        fig.suptitle(title)
    if ax is None:
        fig.tight_layout()
    return fig


def load_profiles(x, hours=None, ax=None, title=None, alpha=0.15, color="C0"):
    """Overlay daily load profiles x (days, 24) in kW with their mean in black."""
    x = np.asarray(x)
    hours = np.arange(x.shape[1]) if hours is None else hours
    _, axes = _axes(ax, figsize=(5, 3))
    axes[0, 0].plot(hours, x.T, color=color, alpha=alpha, lw=0.8)
    axes[0, 0].plot(hours, x.mean(axis=0), color="black", lw=2, label="mean")
    return _finish(axes[0, 0], "hour of day", "active power (kW)", title, legend=True)


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
    _, axes = _axes(ax, figsize=(0.6 * n * w / h + 1, 0.6 * n + 1))
    cell = axes[0, 0]
    cell.imshow(canvas, vmin=0, vmax=1)
    ticks = np.arange(n) if n <= 9 else np.unique(np.linspace(0, n - 1, 5).round().astype(int))

    def label(v):
        return f"{round(float(v), 1) + 0.0:.1f}"   # + 0.0: no "-0.0"

    cell.set_xticks(ticks * w + w / 2, [label(v) for v in np.asarray(z1_values)[ticks]],
                    fontsize=7)
    cell.set_yticks(ticks * h + h / 2, [label(v) for v in np.asarray(z2_values)[::-1][ticks]],
                    fontsize=7)
    return _finish(cell, "$z_1$", "$z_2$", title)


def latent_manifold(images, lim, ax=None, title=None):
    """Tile decoded images (n * n, h, w[, 1]) of ``vae.latent.linear_grid(n, lim)`` into a picture.

    lim: the same number L or ((lo1, hi1), (lo2, hi2)) that made the grid.
    """
    n = int(round(np.sqrt(len(images))))
    if n * n != len(images):
        raise ValueError(f"images: expected n * n images of a square grid, got {len(images)}")
    (lo1, hi1), (lo2, hi2) = latent.grid_limits(lim)
    return manifold_grid(images, (np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n)),
                         ax=ax, title=title)


def mark_points(points, ax=None, color="black", size=80):
    """Mark 2-D points (k, 2) with crosses numbered 0..k-1, e.g. on a latent scatter's ax."""
    points = np.asarray(points)
    _, axes = _axes(ax)
    axes[0, 0].scatter(points[:, 0], points[:, 1], marker="x", s=size, c=color, linewidths=2)
    for i, (u, v) in enumerate(points):
        axes[0, 0].annotate(str(i), (u, v), xytext=(4, 4), textcoords="offset points",
                            color=color, fontweight="bold")
    return axes[0, 0].figure


def path_norms(paths, reference=None, ax=None):
    """Plot ||z(t)|| along interpolation paths {label: (n_steps, latent_dim)}.

    reference: an optional norm to mark (e.g. sqrt(latent_dim), the typical norm of a
    draw from N(0, I)).
    """
    _, axes = _axes(ax, figsize=(4.5, 3))
    for label, path in paths.items():
        path = np.asarray(path)
        axes[0, 0].plot(np.linspace(0, 1, len(path)), np.linalg.norm(path, axis=1), marker=".",
                        label=label)
    if reference is not None:
        axes[0, 0].axhline(reference, color="gray", ls="--", lw=1, label="typical prior draw")
    return _finish(axes[0, 0], "t", "$\\|z(t)\\|$", legend=True)


def sweep_plot(x, curves, xlabel, ylabel, title=None, logx=True, ax=None):
    """Plot one or more metrics against a setting: x (k,), curves = {label: y (k,)}."""
    _, axes = _axes(ax, figsize=(5, 3.5))
    for label, y in curves.items():
        axes[0, 0].plot(x, y, marker="o", label=label)
    if logx:
        axes[0, 0].set_xscale("log", base=2)
    axes[0, 0].set_xticks(x, [str(v) for v in x])
    return _finish(axes[0, 0], xlabel, ylabel, title, legend=True)


def profile_bands(groups, ax=None, title=None, ylabel="active power (kW)"):
    """Per-hour mean (line) and 10-90 % band (shaded) of each group of daily profiles.

    groups: {name: (days, 24) array}, e.g. real vs synthetic days of one month.
    """
    _, axes = _axes(ax, figsize=(6, 3.5))
    for i, (name, x) in enumerate(groups.items()):
        x = np.asarray(x)
        hours = np.arange(x.shape[1])
        low, high = np.quantile(x, [0.1, 0.9], axis=0)
        axes[0, 0].fill_between(hours, low, high, color=f"C{i}", alpha=0.2)
        axes[0, 0].plot(hours, x.mean(axis=0), color=f"C{i}", lw=2, label=f"{name} ({len(x)})")
    return _finish(axes[0, 0], "hour of day", ylabel, title, legend=True)


def value_histograms(groups, xlabel="daily energy (kWh)", bins=20, ax=None, title=None):
    """Overlaid density histograms of 1-D samples: groups {name: (n,) array}."""
    _, axes = _axes(ax, figsize=(5, 3.5))
    edges = np.histogram_bin_edges(np.concatenate([np.ravel(v) for v in groups.values()]), bins)
    for name, values in groups.items():
        axes[0, 0].hist(np.ravel(values), bins=edges, density=True, alpha=0.45, label=name)
    return _finish(axes[0, 0], xlabel, "density", title, legend=True)


def imputation_examples(x, observed, filled, n=6, ax=None):
    """Rows: the original, the observed part (missing pixels in red), each method's fill.

    x, observed: (m, h, w[, 1]) images in [0, 1] and booleans (True = observed);
    filled: {method name: (m, h, w[, 1]) completed images}. Shows the first n images.
    """
    x, observed = _as_2d_images(x)[:n], _as_2d_images(observed)[:n]
    seen = np.repeat(x[..., None], 3, axis=-1)
    seen[~observed] = (0.8, 0.1, 0.1)
    rows = [("original", x), ("observed", seen)]
    rows += [(name, _as_2d_images(images)[:n]) for name, images in filled.items()]
    fig, axes = _axes(ax, len(rows), n, figsize=(n * 0.9, len(rows) * 0.95),
                      wspace=0.05, hspace=0.05)
    for r, (label, images) in enumerate(rows):
        for c in range(n):
            axes[r, c].imshow(images[c], vmin=0, vmax=1)
            axes[r, c].set_axis_off()
        axes[r, 0].text(-0.1, 0.5, label, transform=axes[r, 0].transAxes, ha="right",
                        va="center")
    return fig


def bound_vs_k(ks, bounds, elbo=None, exact=None, ax=None, title=None, label="IW bound"):
    """Mean importance-weighted bound (nats per example) against k, on a log k axis.

    ks: (m,) sample counts; bounds: (m,) mean bounds; elbo / exact: optional horizontal
    reference lines (the ELBO, and the exact log p(x) when it is known).
    """
    _, axes = _axes(ax)
    cell = axes[0, 0]
    cell.plot(ks, bounds, "o-", label=label)
    if elbo is not None:
        cell.axhline(elbo, color="C1", ls="--", label="ELBO")
    if exact is not None:
        cell.axhline(exact, color="black", ls=":", label="exact log p(x)")
    cell.set_xscale("log")
    return _finish(cell, "number of importance samples k", "nats per example", title,
                   legend=True)


def gap_histogram(elbo, log_likelihood, ax=None, bins=40, title=None):
    """Histogram of the per-example gap log p(x) - ELBO (>= 0): the posterior mismatch.

    elbo, log_likelihood: (n,) per-example values in nats (e.g. from vae.evaluate.scores).
    """
    gap = np.asarray(log_likelihood) - np.asarray(elbo)
    _, axes = _axes(ax)
    axes[0, 0].hist(gap, bins=bins, color="C2")
    axes[0, 0].axvline(gap.mean(), color="black", ls="--", label=f"mean {gap.mean():.2f} nats")
    return _finish(axes[0, 0], "log p(x) - ELBO (nats)", "examples", title, legend=True)


def kl_per_dimension(kls, threshold=None, ax=None, title=None):
    """Each model's KL per latent dimension, sorted from the largest: kls = {label: (m,)} nats.

    A collapsed dimension has KL ~ 0 (log scale, floored at 1e-4 nats). threshold: an optional
    horizontal line (e.g. a free-bits floor).
    """
    _, axes = _axes(ax, figsize=(5.5, 3.2))
    cell = axes[0, 0]
    for label, kl in kls.items():
        kl = np.sort(np.asarray(kl))[::-1]
        cell.plot(np.arange(1, len(kl) + 1), np.maximum(kl, 1e-4), "o-", ms=3, label=label)
    if threshold is not None:
        cell.axhline(threshold, color="black", ls=":", label=f"{threshold:g} nats")
    cell.set_yscale("log")
    return _finish(cell, "latent dimension (sorted by KL)", "mean KL (nats)", title, legend=True)


def rate_distortion(rates, distortions, labels, ax=None, title=None):
    """Distortion D (reconstruction NLL) against rate R (KL), one point per model, in nats.

    rates, distortions: (n,); labels: n strings. Dotted lines: equal negative ELBO D + R,
    through each point, so a point on a lower line has the better ELBO.
    """
    rates, distortions = np.asarray(rates, float), np.asarray(distortions, float)
    _, axes = _axes(ax, figsize=(5, 3.6))
    cell = axes[0, 0]
    span = np.linspace(0, rates.max() * 1.15, 2)
    for total in rates + distortions:
        cell.plot(span, total - span, color="0.8", ls=":", lw=1)
    cell.plot(rates, distortions, "o", color="C0")
    for r, d, label in zip(rates, distortions, labels):
        cell.annotate(label, (r, d), textcoords="offset points", xytext=(5, 5), fontsize=8)
    cell.set_xlim(0, span[-1])
    cell.set_ylim(distortions.min() - 5, distortions.max() + 5)
    return _finish(cell, "rate R = KL (nats)", "distortion D = -log p(x|z) (nats)", title)
