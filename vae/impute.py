"""Filling in missing pixels with a trained model.

A mask is a boolean array shaped like the data: True where a value is observed,
False where it is missing and must be filled in.
"""

import numpy as np


def check_mask(x, mask):
    """Validate ``mask`` against data x (n, ...): return it as a boolean array.

    Raises ValueError unless mask has x's shape and holds only 0/1 (or bools).
    """
    x, mask = np.asarray(x), np.asarray(mask)
    if mask.shape != x.shape:
        raise ValueError(f"mask: expected the shape of x {x.shape}, got {mask.shape}")
    if mask.dtype != bool and not np.isin(mask, (0, 1)).all():
        raise ValueError("mask: expected booleans or 0/1 values (True/1 = observed)")
    return mask.astype(bool)


def half_mask(shape, hide="right"):
    """Mask (n, h, w[, c]) that hides one half of every image: "right", "left", "bottom", "top"."""
    sides = ("right", "left", "bottom", "top")
    if hide not in sides:
        raise ValueError(f"hide={hide!r}: expected one of {sides}")
    if len(shape) < 3:
        raise ValueError(f"shape={shape!r}: expected (n, height, width[, channels])")
    mask = np.ones(shape, dtype=bool)
    h, w = shape[1] // 2, shape[2] // 2
    hidden = {"right": np.s_[:, :, w:], "left": np.s_[:, :, :w],
              "bottom": np.s_[:, h:], "top": np.s_[:, :h]}[hide]
    mask[hidden] = False
    return mask


def masked_rmse(x_true, x_filled, mask):
    """Root-mean-square error over the missing entries only (mask == False): a float."""
    mask = check_mask(x_true, mask)
    missing = ~mask
    if not missing.any():
        raise ValueError("mask: no missing entries to score")
    diff = np.asarray(x_true, dtype="float64") - np.asarray(x_filled, dtype="float64")
    return float(np.sqrt(np.mean(diff[missing] ** 2)))


def vae_impute(model, x, mask, n_iter=20, init=None):
    """Fill the missing entries of x by iterating encode -> decode, keeping observed entries.

    model: a trained VAE (``encode`` -> (z_mean, z_log_var), ``decode`` -> mean of p(x|z)).
    x: (n, *data_shape) data; missing entries may hold anything. mask: same shape, True =
    observed. init: starting values for the missing entries, broadcastable to x (e.g. the
    mean image, (*data_shape)); default: the mean observed value of each example.
    Each iteration encodes the current guess to z_mean (no sampling), decodes it and copies
    the decoded values into the missing entries only. Returns (n, *data_shape) float32,
    equal to x wherever mask is True.
    """
    x = np.asarray(x, dtype="float32")
    mask = check_mask(x, mask)
    if not isinstance(n_iter, int) or isinstance(n_iter, bool) or n_iter < 1:
        raise ValueError(f"n_iter={n_iter!r}: expected a positive integer")
    axes = tuple(range(1, x.ndim))
    if init is None:
        observed = mask.sum(axis=axes, keepdims=True)
        if np.any(observed == 0):
            raise ValueError("mask: every example needs at least one observed entry "
                             "(or pass init)")
        init = np.where(mask, x, 0.0).sum(axis=axes, keepdims=True) / observed
    init = np.asarray(init, dtype="float32")
    try:
        init = np.broadcast_to(init, x.shape)
    except ValueError:
        raise ValueError(f"init: expected a shape that broadcasts to x {x.shape}, "
                         f"got {init.shape}") from None
    x_filled = np.where(mask, x, init)
    for _ in range(n_iter):
        z_mean, _ = model.encode(x_filled)
        x_filled = np.where(mask, x, model.decode(z_mean))
    return x_filled
