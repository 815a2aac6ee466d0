"""Walking through the latent space: interpolation, per-class means, inverse-CDF grids.

All functions take and return NumPy arrays; codes are (n, latent_dim).
"""

import numpy as np
from scipy.stats import norm

from vae import checks


def _check_steps(n_steps):
    return np.linspace(0.0, 1.0, checks.int_at_least("n_steps", n_steps, 2))   # both endpoints


def _check_pair(z0, z1):
    z0, z1 = np.asarray(z0, dtype="float64"), np.asarray(z1, dtype="float64")
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(f"z0, z1: expected two codes of the same shape (latent_dim,), "
                         f"got {z0.shape} and {z1.shape}")
    return z0, z1


def lerp(z0, z1, n_steps):
    """Straight line from z0 to z1 (each (latent_dim,)): (n_steps, latent_dim), ends included."""
    z0, z1 = _check_pair(z0, z1)
    t = _check_steps(n_steps)[:, None]
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
    t = _check_steps(n_steps)[:, None]
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
    z, labels = np.asarray(z), np.asarray(labels)
    if z.ndim != 2 or labels.shape != (len(z),):
        raise ValueError(f"z, labels: expected (n, latent_dim) and (n,), got {z.shape} "
                         f"and {labels.shape}")
    n_classes = int(labels.max()) + 1 if n_classes is None else n_classes
    counts = np.bincount(labels, minlength=n_classes)
    if len(counts) != n_classes or np.any(counts == 0):
        raise ValueError(f"labels: expected every class 0..{n_classes - 1} to occur, "
                         f"got counts {counts.tolist()}")
    sums = np.zeros((n_classes, z.shape[1]))
    np.add.at(sums, labels, z)
    return sums / counts[:, None]


def grid_codes(z1_values, z2_values):
    """All 2-D codes of a grid as (len(z2_values) * len(z1_values), 2), in image order.

    Row-major with z_2 decreasing down the rows and z_1 increasing along each row, so that
    decoding the codes and tiling the images in this order draws the latent plane.
    """
    z1, z2 = np.meshgrid(np.asarray(z1_values), np.sort(np.asarray(z2_values))[::-1])
    return np.stack([z1.ravel(), z2.ravel()], axis=1)


def inverse_cdf_grid(n, low=0.05, high=0.95):
    """A 2-D grid of codes at equally spaced probabilities of N(0, 1) (Kingma & Welling, fig. 4).

    Returns (values, codes): values (n,) = Phi^-1(linspace(low, high, n)) and codes
    (n * n, 2), row-major with z_2 decreasing down the rows (image orientation) and
    z_1 increasing along each row. Under the prior each cell holds equal probability mass.
    """
    n = checks.int_at_least("n", n, 2)
    if not 0.0 < low < high < 1.0:
        raise ValueError(f"low={low!r}, high={high!r}: expected 0 < low < high < 1")
    values = norm.ppf(np.linspace(low, high, n))
    return values, grid_codes(values, values)
