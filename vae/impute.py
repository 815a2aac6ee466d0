"""Filling in missing pixels: mean fill, the seed's k-NN imputer, and VAE imputation.

A mask is a boolean array shaped like the data: True where a value is observed, False
where it is missing. Every imputer takes x (n, *shape) in [0, 1] and such a mask, and
returns a completed float32 copy of x whose observed entries are exactly those of x
(missing entries of x may hold anything, NaN included). Each image needs at least one
observed value.
"""

import numpy as np
from keras import ops, random

from vae import checks, evaluate, layers, losses, models
from vae.conditional import ConditionalVAE


def check_mask(x, mask):
    """Validate (x, mask); return them flattened: float32 (n, D) and bool (n, D)."""
    x, mask = np.asarray(x), np.asarray(mask)
    if mask.dtype != bool:
        raise ValueError(f"mask: expected booleans (True = observed), got dtype {mask.dtype}")
    if mask.shape != x.shape or x.ndim < 2:
        raise ValueError(f"mask: expected the shape of x {x.shape} (n, ...), got {mask.shape}")
    flat = mask.reshape(len(mask), -1)
    if not flat.any(axis=1).all():
        raise ValueError("mask: every image needs at least one observed value (True)")
    return x.reshape(len(x), -1).astype(np.float32), flat


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
    _, observed = check_mask(x_true, mask)
    missing = ~observed
    if not missing.any():
        raise ValueError("mask: no missing entries to score")
    diff = (np.asarray(x_true, dtype="float64") - np.asarray(x_filled, dtype="float64"))
    return float(np.sqrt(np.mean(diff.reshape(len(diff), -1)[missing] ** 2)))


def paired_rmse_interval(x_true, fill_a, fill_b, mask, n_boot=1000, level=0.95, seed=None):
    """Bootstrap interval of RMSE(fill_a) - RMSE(fill_b) on the missing entries.

    Resamples whole images (rows of x_true (n, ...)) with replacement, the same rows for
    both fills, so that the two methods are compared on the same images each time.
    Returns (low, high), the central ``level`` interval of the n_boot differences; an
    interval below 0 means fill_a is reliably the better one on this kind of image.
    """
    n_boot = checks.positive_int("n_boot", n_boot)
    if not isinstance(level, float) or not 0 < level < 1:
        raise ValueError(f"level={level!r}: expected a float in (0, 1)")
    _, observed = check_mask(x_true, mask)
    missing = (~observed).sum(axis=1)
    if not missing.any():
        raise ValueError("mask: no missing entries to score")
    x = np.asarray(x_true, np.float64).reshape(len(missing), -1)
    sq = [np.where(observed, 0.0, (np.asarray(f, np.float64).reshape(x.shape) - x) ** 2).sum(axis=1)
          for f in (fill_a, fill_b)]
    rows = np.random.default_rng(seed).integers(len(x), size=(n_boot, len(x)))
    n = np.maximum(missing[rows].sum(axis=1), 1)
    diff = np.sqrt(sq[0][rows].sum(axis=1) / n) - np.sqrt(sq[1][rows].sum(axis=1) / n)
    tail = 100 * (1 - level) / 2
    return tuple(float(v) for v in np.percentile(diff, [tail, 100 - tail]))


def _keep_observed(x, mask, filled):
    """Observed entries from x, the rest from filled; all (n, D) -> (n, D) float32."""
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
    x = np.where(mask, x, 0.0)
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


def _start(flat, m, fill, shape):
    """Initial values of the missing entries, (n, D): ``fill`` or each image's observed mean."""
    if fill is None:
        return np.where(m, flat, 0.0).sum(axis=1, keepdims=True) / m.sum(axis=1, keepdims=True)
    try:
        return np.broadcast_to(np.asarray(fill, np.float32), shape).reshape(len(flat), -1)
    except ValueError:
        raise ValueError(f"fill: expected a shape that broadcasts to x {shape}, "
                         f"got {np.shape(fill)}") from None


def vae_impute(model, x, mask, n_iter=20, fill=None, sample=False, seed=None,
               batch_size=1024):
    """Iterate encode -> decode, keeping the observed values (the seed's VAE algorithm).

    model: a trained VAE (``encode`` -> (z_mean, z_log_var), ``decode`` -> mean of p(x|z)).
    fill: initial values of the missing pixels, broadcastable to x (e.g. the training
    mean image); None = each image's mean observed value. sample=False iterates
    z = z_mean (a deterministic fixed-point iteration); sample=True draws z ~ q(z|x) each
    time (pseudo-Gibbs sampling) and returns the average fill of the last n_iter // 2 steps.
    """
    n_iter = checks.positive_int("n_iter", n_iter)
    shape = np.shape(x)
    flat, m = check_mask(x, mask)
    current = _keep_observed(flat, m, _start(flat, m, fill, shape))
    rng = np.random.default_rng(seed)
    total, n_avg = np.zeros_like(current), 0
    for step in range(n_iter):
        z, z_log_var = model.encode(current.reshape(shape), batch_size=batch_size)
        if sample:
            z = z + np.exp(0.5 * z_log_var) * rng.standard_normal(z.shape)
        x_hat = model.decode(z.astype(np.float32), batch_size=batch_size)
        current = _keep_observed(flat, m, x_hat.reshape(len(flat), -1))
        if sample and step >= n_iter - n_iter // 2:
            total, n_avg = total + current, n_avg + 1
    if n_avg:
        current = _keep_observed(flat, m, total / n_avg)   # exact observed values again
    return current.reshape(shape)


def masked_vae_impute(model, x, mask, n_samples=100, seed=None, batch_size=64):
    """E[x_missing | x_observed] under a :class:`vae.models.MaskedVAE`, by importance sampling.

    For each image draw z_s ~ q(z | x_obs, mask), s = 1..n_samples, weigh each code by
    w_s = p(x_obs | z_s) p(z_s) / q(z_s | x_obs, mask), normalised over s, and fill the
    missing pixels with sum_s w_s E[x | z_s]: the model's posterior mean, the fill with the
    smallest expected squared error. x, mask: (n, h, w, c); returns float32 (n, h, w, c).
    The decoder sees batch_size * n_samples codes at a time.
    """
    if not isinstance(model, models.MaskedVAE):
        raise ValueError(f"model: expected a vae.models.MaskedVAE, got {type(model).__name__}")
    n_samples = checks.positive_int("n_samples", n_samples)
    batch_size = checks.positive_int("batch_size", batch_size)
    shape = np.shape(x)
    flat, m = check_mask(x, mask)
    images = np.where(m, flat, 0.0).reshape(shape).astype(np.float32)
    generator = random.SeedGenerator(seed)
    out = np.empty_like(flat)
    for i in range(0, len(flat), batch_size):
        draws = evaluate.weighted_draws(model, images[i:i + batch_size], n_samples, generator,
                                        observed=mask[i:i + batch_size])
        w = ops.softmax(draws["log_w"], axis=1)                          # (b, n_samples)
        x_hat = losses.decoded_mean(model.likelihood, draws["decoded"])  # (n_samples * b, ...)
        x_hat = ops.reshape(x_hat, (n_samples, ops.shape(w)[0], -1))
        out[i:i + batch_size] = ops.convert_to_numpy(ops.einsum("bs,sbd->bd", w, x_hat))
    return _keep_observed(flat, m, out).reshape(shape)


def observed_condition(x, mask):
    """The condition c of a conditional-VAE imputer: what is seen of each image.

    x, mask: (n, *shape) -> float32 (n, 2 * D), D values per image: x with its missing
    entries set to 0, then the mask as 0/1 (:func:`vae.layers.masked_input`, flattened).
    """
    flat, m = check_mask(x, mask)
    return ops.convert_to_numpy(layers.masked_input(flat, m))


def conditional_impute(model, x, mask, sample=False, seed=None, batch_size=1024):
    """Fill the missing pixels with a conditional VAE p(x | z, c) whose c is what is seen.

    model: a :class:`vae.conditional.ConditionalVAE` trained on complete images x with the
    condition c = :func:`observed_condition` (x, mask) for masks like those it will meet.
    x, mask: (n, *shape). sample=False decodes the prior mean z = 0 (one
    deterministic fill); sample=True decodes one z ~ N(0, I) per image (a random plausible
    completion; different seeds give different ones). Returns float32 (n, *shape).
    """
    if not isinstance(model, ConditionalVAE):
        raise ValueError(f"model: expected a vae.conditional.ConditionalVAE, "
                         f"got {type(model).__name__}")
    shape = np.shape(x)
    flat, m = check_mask(x, mask)
    if model.condition_dim != 2 * flat.shape[1]:
        raise ValueError(f"model: its condition has {model.condition_dim} values; filling x "
                         f"{shape} needs the flattened masked input, {2 * flat.shape[1]} values")
    c = observed_condition(flat, m)
    if sample:
        filled = model.sample(c, seed=seed)
    else:
        filled = model.decode([np.zeros((len(c), model.latent_dim), np.float32), c],
                              batch_size=batch_size)
    return _keep_observed(flat, m, filled.reshape(len(flat), -1)).reshape(shape)
