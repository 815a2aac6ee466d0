"""Where a 2-D latent space is empty: regular grids of codes and the points farthest from the data.

A plain autoencoder leaves holes between its clusters; these helpers find them so that
notebooks can decode what lies there. All functions take and return NumPy arrays.
"""

import numpy as np

from vae import checks, latent


def _check_codes(z):
    z = np.asarray(z, dtype="float64")
    if z.ndim != 2 or len(z) == 0:
        raise ValueError(f"z: expected a non-empty (n, latent_dim) array of codes, got {z.shape}")
    return z


def linear_grid(n, lim):
    """An n x n grid of 2-D codes on [-lim, lim]^2 (or on lim = ((lo1, hi1), (lo2, hi2))).

    Returns (n * n, 2), row-major with z_2 decreasing down the rows (image orientation)
    and z_1 increasing along each row, so that ``decode(grid)`` tiles into a picture.
    """
    n = checks.int_at_least("n", n, 2)
    (lo1, hi1), (lo2, hi2) = _check_limits(lim)
    return latent.grid_codes(np.linspace(lo1, hi1, n), np.linspace(lo2, hi2, n))


def _check_limits(lim):
    """lim: a positive number L (-> [-L, L] twice) or ((lo1, hi1), (lo2, hi2)) with lo < hi."""
    if np.isscalar(lim):
        if not lim > 0:
            raise ValueError(f"lim={lim!r}: expected a positive number or ((lo1, hi1), (lo2, hi2))")
        return (-lim, lim), (-lim, lim)
    limits = np.asarray(lim, dtype="float64")
    if limits.shape != (2, 2) or np.any(limits[:, 0] >= limits[:, 1]):
        raise ValueError(f"lim={lim!r}: expected a positive number or ((lo1, hi1), (lo2, hi2)) "
                         "with lo < hi")
    return tuple(map(tuple, limits))


def code_limits(z, coverage=0.98):
    """The box holding the central ``coverage`` of the 2-D codes z (n, 2) along each axis.

    Returns ((lo1, hi1), (lo2, hi2)), a ``lim`` for :func:`linear_grid`; outliers are left out.
    """
    z = _check_codes(z)
    if not 0 < coverage <= 1:
        raise ValueError(f"coverage={coverage!r}: expected a number in (0, 1]")
    tail = 50 * (1 - coverage)
    lo, hi = np.percentile(z, [tail, 100 - tail], axis=0)
    return tuple(zip(lo, hi))


def nearest_distance(points, z):
    """Euclidean distance from each point (m, d) to its nearest code in z (n, d) -> (m,)."""
    points, z = _check_codes(points), _check_codes(z)
    if points.shape[1] != z.shape[1]:
        raise ValueError(f"points, z: expected the same latent_dim, got {points.shape} "
                         f"and {z.shape}")
    sq = (np.sum(points ** 2, axis=1)[:, None] - 2 * points @ z.T
          + np.sum(z ** 2, axis=1)[None, :])
    return np.sqrt(np.maximum(sq.min(axis=1), 0.0))


def empty_points(z, k, resolution=60, coverage=0.98):
    """The k most isolated points inside the bulk of the 2-D codes z (n, 2).

    Candidates lie on a ``resolution`` x ``resolution`` grid over :func:`code_limits`;
    the one farthest from every code is taken first, then, greedily, the farthest among
    candidates not within that gap's radius of a point already taken (so the k points sit
    in different holes). Returns (points (k, 2), distances (k,) to the nearest code).
    """
    checks.positive_int("k", k)
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
