"""Filling in missing pixels: mean fill, the seed's k-NN imputer, and VAE imputation.

Every function takes x (n, *shape) in [0, 1] and a boolean mask of the same shape,
True = observed, and returns a completed copy of x (NumPy float32) whose observed
entries are exactly those of x. Each image needs at least one observed value.
"""

import numpy as np


def check_mask(x, mask):
    """Validate (x, mask); return them as float32 (n, D) and bool (n, D) flat arrays."""
    x, mask = np.asarray(x), np.asarray(mask)
    if mask.dtype != bool:
        raise ValueError(f"mask: expected a boolean array (True = observed), got {mask.dtype}")
    if mask.shape != x.shape or x.ndim < 2:
        raise ValueError(f"mask: expected the shape of x {x.shape} (n, ...), got {mask.shape}")
    flat = mask.reshape(len(mask), -1)
    if not flat.any(axis=1).all():
        raise ValueError("mask: every image needs at least one observed value (True)")
    return x.reshape(len(x), -1).astype(np.float32), flat


def _keep_observed(x, mask, filled):
    """Observed entries from x, the rest from filled; all (n, D) -> (n, D)."""
    return np.where(mask, x, filled).astype(np.float32)


def mean_fill(x, mask, x_train):
    """Fill each missing pixel with its mean over the training images x_train (N, *shape)."""
    shape = np.shape(x)
    flat, m = check_mask(x, mask)
    mean = np.asarray(x_train, dtype=np.float32).reshape(len(x_train), -1).mean(axis=0)
    return _keep_observed(flat, m, mean[None]).reshape(shape)


def observed_distances(x, mask, x_train):
    """Euclidean distances on each query's observed pixels: (b, D), (b, D), (N, D) -> (b, N).

    d_ij^2 = sum_p mask_ip (x_ip - t_jp)^2, expanded into three matrix products. The
    training images are complete, so "commonly observed" = observed in the query.
    """
    m = mask.astype(np.float32)
    sq = (m * x ** 2).sum(axis=1, keepdims=True) - 2 * (m * x) @ x_train.T + m @ (x_train ** 2).T
    return np.sqrt(np.maximum(sq, 0.0))


def knn_impute(x, mask, x_train, k=10, batch_size=256):
    """The seed's k-NN imputer: softmax(-d) weighted mean of the k nearest training images.

    x, mask: (n, *shape); x_train: (N, *shape) complete images. Distances use each
    query's observed pixels (:func:`observed_distances`); the k nearest get weights
    w = softmax(-d) (k=1 copies the nearest image).
    """
    shape = np.shape(x)
    flat, m = check_mask(x, mask)
    train = np.asarray(x_train, dtype=np.float32).reshape(len(x_train), -1)
    if not isinstance(k, int) or not 1 <= k <= len(train):
        raise ValueError(f"k={k!r}: expected an integer in [1, {len(train)}]")
    out = np.empty_like(flat)
    for i in range(0, len(flat), batch_size):
        d = observed_distances(flat[i:i + batch_size], m[i:i + batch_size], train)
        nearest = np.argpartition(d, k - 1, axis=1)[:, :k]             # (b, k)
        d_k = np.take_along_axis(d, nearest, axis=1)
        w = np.exp(-(d_k - d_k.min(axis=1, keepdims=True)))
        w /= w.sum(axis=1, keepdims=True)
        out[i:i + batch_size] = np.einsum("bk,bkd->bd", w, train[nearest])
    return _keep_observed(flat, m, out).reshape(shape)


def vae_impute(model, x, mask, n_iter=20, fill=None, sample=False, seed=None,
               batch_size=1024):
    """Iterate encode -> decode, keeping the observed values (the seed's VAE algorithm).

    model: a trained VAE (``encode`` -> (z_mean, z_log_var), ``decode`` -> mean of p(x|z)).
    fill: initial values of the missing pixels, broadcastable to x (e.g. the training
    mean); None = the image's mean observed value. sample=False iterates z = z_mean
    (a deterministic fixed-point iteration); sample=True draws z ~ q(z|x) each time
    (pseudo-Gibbs sampling) and returns the average fill of the last n_iter // 2 steps.
    """
    if not isinstance(n_iter, int) or n_iter < 1:
        raise ValueError(f"n_iter={n_iter!r}: expected a positive integer")
    shape = np.shape(x)
    flat, m = check_mask(x, mask)
    if fill is None:
        start = (flat * m).sum(axis=1, keepdims=True) / m.sum(axis=1, keepdims=True)
    else:
        start = np.broadcast_to(np.asarray(fill, np.float32), shape).reshape(len(flat), -1)
    current = _keep_observed(flat, m, start)
    rng = np.random.default_rng(seed)
    total, n_avg = np.zeros_like(current), 0
    for step in range(n_iter):
        z_mean, z_log_var = model.encode(current.reshape(shape), batch_size=batch_size)
        z = z_mean + sample * np.exp(0.5 * z_log_var) * rng.standard_normal(z_mean.shape)
        x_hat = model.decode(z.astype(np.float32), batch_size=batch_size)
        current = _keep_observed(flat, m, x_hat.reshape(len(flat), -1))
        if sample and step >= n_iter - n_iter // 2:
            total, n_avg = total + current, n_avg + 1
    if n_avg:
        current = _keep_observed(flat, m, total / n_avg)   # exact observed values again
    return current.reshape(shape)
