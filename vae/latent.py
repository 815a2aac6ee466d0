"""Points, paths and grids in a latent space: interpolation, class means, grids of codes,
and the empty regions of a 2-D code space.

A plain autoencoder leaves holes between its clusters; :func:`empty_points` finds them so
that notebooks can decode what lies there. All functions take and return NumPy arrays;
codes are (n, latent_dim).
"""

import numpy as np
from scipy.spatial import cKDTree
from scipy.stats import norm

from vae import checks


def _check_codes(name, z):
    z = np.asarray(z, dtype="float64")
    if z.ndim != 2 or len(z) == 0:
        raise ValueError(f"{name}: expected a non-empty (n, latent_dim) array of codes, "
                         f"got shape {z.shape}")
    return z


# ---------------------------------------------------------------- paths between two codes

def _check_pair(z0, z1):
    z0, z1 = np.asarray(z0, dtype="float64"), np.asarray(z1, dtype="float64")
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(f"z0, z1: expected two codes of the same shape (latent_dim,), "
                         f"got {z0.shape} and {z1.shape}")
    return z0, z1


def _steps(n_steps):
    """(n_steps, 1) values of t from 0 to 1, both ends included."""
    return np.linspace(0.0, 1.0, checks.int_at_least("n_steps", n_steps, 2))[:, None]


def lerp(z0, z1, n_steps):
    """Straight line from z0 to z1 (each (latent_dim,)): (n_steps, latent_dim), ends included."""
    z0, z1 = _check_pair(z0, z1)
    t = _steps(n_steps)
    return (1.0 - t) * z0 + t * z1


def slerp(z0, z1, n_steps):
    """Spherical interpolation from z0 to z1: (n_steps, latent_dim), ends included.

    Moves along the great circle at angle omega between the two directions:
    z(t) = sin((1 - t) omega) / sin(omega) z0 + sin(t omega) / sin(omega) z1.
    For two codes of equal norm every point keeps that norm; the midpoint of slerp
    is the linear midpoint scaled up by 1 / cos(omega / 2). When z0 and z1 are
    (anti)parallel the great circle is not defined and the straight line is returned.
    """
    z0, z1 = _check_pair(z0, z1)
    t = _steps(n_steps)
    norms = np.linalg.norm(z0) * np.linalg.norm(z1)
    if norms == 0.0:
        return lerp(z0, z1, n_steps)
    omega = np.arccos(np.clip(z0 @ z1 / norms, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(z0, z1, n_steps)
    return (np.sin((1.0 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def class_means(z, labels, n_classes=None):
    """Mean code of each class: z (n, latent_dim), integer labels (n,) -> (n_classes, latent_dim).

    Row k is the average of the codes with label k (every class must occur).
    """
    z, labels = _check_codes("z", z), np.asarray(labels)
    if labels.shape != (len(z),):
        raise ValueError(f"labels: expected ({len(z)},) labels, one per code, "
                         f"got shape {labels.shape}")
    n_classes = int(labels.max()) + 1 if n_classes is None else n_classes
    counts = np.bincount(labels, minlength=n_classes)
    if len(counts) != n_classes or np.any(counts == 0):
        raise ValueError(f"labels: expected every class 0..{n_classes - 1} to occur, "
                         f"got counts {counts.tolist()}")
    sums = np.zeros((n_classes, z.shape[1]))
    np.add.at(sums, labels, z)
    return sums / counts[:, None]


# ---------------------------------------------------------------- grids of 2-D codes

def grid_codes(z1_values, z2_values):
    """All 2-D codes of a grid as (len(z2_values) * len(z1_values), 2), in image order.

    Row-major with z_2 decreasing down the rows and z_1 increasing along each row, so that
    decoding the codes and tiling the images in this order draws the latent plane.
    """
    z1, z2 = np.meshgrid(np.asarray(z1_values), np.sort(np.asarray(z2_values))[::-1])
    return np.stack([z1.ravel(), z2.ravel()], axis=1)


def grid_limits(lim):
    """((lo1, hi1), (lo2, hi2)) from ``lim``: a positive number L (-> [-L, L] on both axes)
    or the pair of intervals itself, each with lo < hi."""
    if np.isscalar(lim):
        lim = checks.positive("lim", lim)
        return (-lim, lim), (-lim, lim)
    limits = np.asarray(lim, dtype="float64")
    if limits.shape != (2, 2) or np.any(limits[:, 0] >= limits[:, 1]):
        raise ValueError(f"lim={lim!r}: expected a positive number or ((lo1, hi1), (lo2, hi2)) "
                         "with lo < hi")
    return tuple(map(tuple, limits))


def linear_grid(n, lim):
    """An n x n grid of 2-D codes on [-lim, lim]^2 (or on lim = ((lo1, hi1), (lo2, hi2))).

    Returns (n * n, 2) in the image order of :func:`grid_codes`, so that
    ``decode(grid)`` tiles into a picture.
    """
    n = checks.int_at_least("n", n, 2)
    (lo1, hi1), (lo2, hi2) = grid_limits(lim)
    return grid_codes(np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n))


def inverse_cdf_grid(n, low=0.05, high=0.95):
    """A 2-D grid of codes at equally spaced probabilities of N(0, 1) (Kingma & Welling, fig. 4).

    Returns (values, codes): values (n,) = Phi^-1(linspace(low, high, n)) and codes
    (n * n, 2) in the image order of :func:`grid_codes`. Under the prior each cell holds
    equal probability mass.
    """
    n = checks.int_at_least("n", n, 2)
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"low={low!r}, high={high!r}: expected 0 < low < high < 1")
    values = norm.ppf(np.linspace(low, high, n))
    return values, grid_codes(values, values)


# ---------------------------------------------------------------- empty regions

def code_limits(z, coverage=0.98):
    """The box holding the central ``coverage`` of the 2-D codes z (n, 2) along each axis.

    Returns ((lo1, hi1), (lo2, hi2)), a ``lim`` for :func:`linear_grid`; outliers are left out.
    """
    z = _check_codes("z", z)
    tail = 50 * (1 - checks.fraction("coverage", coverage, low_open=True))
    lo, hi = np.percentile(z, [tail, 100 - tail], axis=0)
    return tuple(zip(lo, hi))


def nearest_distance(points, z):
    """Euclidean distance from each point (m, d) to its nearest code in z (n, d) -> (m,).

    Exact, with SciPy's k-d tree (``scipy.spatial.cKDTree``).
    """
    points, z = _check_codes("points", points), _check_codes("z", z)
    if points.shape[1] != z.shape[1]:
        raise ValueError(f"points, z: expected the same latent_dim, got {points.shape} "
                         f"and {z.shape}")
    return cKDTree(z).query(points)[0]


def empty_points(z, k, resolution=60, coverage=0.98):
    """The k most isolated points inside the bulk of the 2-D codes z (n, 2).

    Candidates lie on a ``resolution`` x ``resolution`` grid over :func:`code_limits`;
    the one farthest from every code is taken first, then, greedily, the farthest among
    candidates not within that gap's radius of a point already taken (so the k points sit
    in different holes). Returns (points (k, 2), distances (k,) to the nearest code).
    """
    k = checks.positive_int("k", k)
    candidates = linear_grid(resolution, code_limits(z, coverage))
    gap = nearest_distance(candidates, z)
    free = np.ones(len(candidates), dtype=bool)
    taken = []
    for _ in range(k):
        if not free.any():
            break
        i = np.flatnonzero(free)[np.argmax(gap[free])]
        taken.append(i)
        free &= np.linalg.norm(candidates - candidates[i], axis=1) > gap[i]
    taken = np.array(taken)
    return candidates[taken], gap[taken]
