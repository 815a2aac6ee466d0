"""Filling in missing pixels: mean fill, Kormaris' k-NN imputer, and VAE imputation.

``observed`` is always a boolean array shaped like the data: True where a value is
observed, False where it is missing. Every imputer takes x (n, *shape) in [0, 1] and
``observed``, and returns a completed float32 copy of x whose observed entries are exactly
those of x (missing entries of x may hold anything, NaN included). Each image needs at
least one observed value.
"""

import numpy as np
import scipy.stats
from keras import ops, random

from vae import checks, evaluate, layers, losses, models
from vae.conditional import ConditionalVAE


def check_observed(x, observed):
    """Validate (x, observed); return them flattened: float32 (n, D) and bool (n, D)."""
    x, observed = np.asarray(x), np.asarray(observed)
    if observed.dtype != bool:
        raise ValueError(f"observed: expected booleans (True = observed), got dtype "
                         f"{observed.dtype}")
    if observed.shape != x.shape or x.ndim < 2:
        raise ValueError(f"observed: expected the shape of x {x.shape} (n, ...), "
                         f"got {observed.shape}")
    flat = observed.reshape(len(observed), -1)
    if not flat.any(axis=1).all():
        raise ValueError("observed: every image needs at least one observed value (True)")
    return x.reshape(len(x), -1).astype(np.float32), flat


def hide_half(shape, side="right"):
    """``observed`` (n, h, w[, c]) that hides one half of every image: side "right", "left",
    "bottom" or "top"."""
    hidden = {"right": np.s_[:, :, shape[2] // 2:], "left": np.s_[:, :, :shape[2] // 2],
              "bottom": np.s_[:, shape[1] // 2:], "top": np.s_[:, :shape[1] // 2]}
    checks.one_of("side", side, tuple(hidden))
    if len(shape) < 3:
        raise ValueError(f"shape={shape!r}: expected (n, height, width[, channels])")
    observed = np.ones(shape, dtype=bool)
    observed[hidden[side]] = False
    return observed


def _missing_at_random(n, fraction, rng):
    return rng.uniform(size=(n, 28, 28, 1)) >= fraction


def _missing_block(n, rows, cols):
    observed = np.ones((n, 28, 28, 1), dtype=bool)
    observed[:, rows, cols] = False
    return observed


MNIST_PATTERNS = {
    "random 50%": lambda n, rng: _missing_at_random(n, 0.5, rng),
    "random 80%": lambda n, rng: _missing_at_random(n, 0.8, rng),
    "centre block": lambda n, rng: _missing_block(n, slice(7, 21), slice(7, 21)),
    "bottom half": lambda n, rng: _missing_block(n, slice(14, 28), slice(None)),
}
"""Notebook 08's four kinds of missing MNIST pixels: ``MNIST_PATTERNS[name](n, rng)`` ->
``observed`` (n, 28, 28, 1), pixels missing at random (50 %, 80 %) or a whole region (the
14 x 14 centre block, the bottom half)."""


def mixed_patterns(n, rng):
    """``observed`` (n, 28, 28, 1): for each image one of ``MNIST_PATTERNS``, drawn with
    NumPy Generator ``rng`` (the masks a conditional-VAE imputer is trained on)."""
    which = rng.integers(len(MNIST_PATTERNS), size=n)
    observed = np.empty((n, 28, 28, 1), dtype=bool)
    for i, make in enumerate(MNIST_PATTERNS.values()):
        observed[which == i] = make(int(np.sum(which == i)), rng)
    return observed


def _squared_errors(x_true, x_filled, observed):
    """Per image: the sum of squared errors over the missing entries and their number, (n,) each."""
    _, seen = check_observed(x_true, observed)
    if seen.all():
        raise ValueError("observed: no missing entries to score (expected some False)")
    diff = np.asarray(x_true, np.float64) - np.asarray(x_filled, np.float64)
    return np.where(seen, 0.0, diff.reshape(len(seen), -1) ** 2).sum(axis=1), \
        (~seen).sum(axis=1)


def masked_rmse(x_true, x_filled, observed):
    """Root-mean-square error over the missing entries only (observed == False): a float."""
    sq, n_missing = _squared_errors(x_true, x_filled, observed)
    return float(np.sqrt(sq.sum() / n_missing.sum()))


def paired_rmse_interval(x_true, fill_a, fill_b, observed, n_boot=1000, level=0.95, seed=None):
    """Bootstrap interval of RMSE(fill_a) - RMSE(fill_b) on the missing entries.

    Resamples whole images (rows of x_true (n, ...)) with replacement, the same rows for
    both fills (``scipy.stats.bootstrap`` with ``paired=True``), so that the two methods
    are compared on the same images each time. Returns (low, high), the central ``level``
    percentile interval; an interval below 0 means fill_a is reliably the better one on
    this kind of image.
    """
    (sq_a, n_missing), (sq_b, _) = (_squared_errors(x_true, f, observed)
                                    for f in (fill_a, fill_b))

    def difference(a, b, n, axis=-1):
        total = n.sum(axis=axis)
        return np.sqrt(a.sum(axis=axis) / total) - np.sqrt(b.sum(axis=axis) / total)

    result = scipy.stats.bootstrap(
        (sq_a, sq_b, n_missing.astype(np.float64)), difference, paired=True, vectorized=True,
        n_resamples=checks.positive_int("n_boot", n_boot),
        confidence_level=checks.fraction("level", level, low_open=True, high_open=True),
        method="percentile", rng=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _keep_observed(x, observed, filled):
    """Observed entries from x, the rest from filled; all (n, D) -> (n, D) float32."""
    return np.where(observed, x, filled).astype(np.float32)


def mean_fill(x, observed, x_train):
    """Fill each missing pixel with its mean over the training images x_train (N, *shape)."""
    shape = np.shape(x)
    flat, seen = check_observed(x, observed)
    mean = np.asarray(x_train, dtype=np.float32).reshape(len(x_train), -1).mean(axis=0)
    return _keep_observed(flat, seen, mean[None]).reshape(shape)


def observed_distances(x, observed, x_train):
    """Euclidean distances on each query's observed pixels: (b, D), (b, D), (N, D) -> (b, N).

    d_ij^2 = sum_p observed_ip (x_ip - t_jp)^2, expanded into three matrix products. The
    training images are complete, so "commonly observed" = observed in the query.
    """
    m = observed.astype(np.float32)
    x = np.where(observed, x, 0.0)
    sq = (m * x ** 2).sum(axis=1, keepdims=True) - 2 * (m * x) @ x_train.T + m @ (x_train ** 2).T
    return np.sqrt(np.maximum(sq, 0.0))


def knn_impute(x, observed, x_train, k=10, batch_size=256):
    """Kormaris' k-NN imputer: the softmax(-d) weighted mean of the k nearest training images.

    x, observed: (n, *shape); x_train: (N, *shape) complete images. Distances use each
    query's observed pixels (:func:`observed_distances`); the k nearest get weights
    w = softmax(-d) (k=1 copies the nearest image).

    ``sklearn.impute.KNNImputer`` does the same job for tabular data and differs in three
    ways: it weighs neighbours uniformly or by 1/d (not softmax(-d)); its ``nan_euclidean``
    distance rescales by the fraction of coordinates present in both rows; and it looks
    for neighbours per missing feature among rows where that feature is present, so its
    donors may be incomplete. Here the donors are complete training images.
    """
    shape = np.shape(x)
    flat, seen = check_observed(x, observed)
    train = np.asarray(x_train, dtype=np.float32).reshape(len(x_train), -1)
    k = checks.positive_int("k", k)
    if k > len(train):
        raise ValueError(f"k={k!r}: expected at most the {len(train)} training images")
    out = np.empty_like(flat)
    for i in range(0, len(flat), batch_size):
        d = observed_distances(flat[i:i + batch_size], seen[i:i + batch_size], train)
        nearest = np.argpartition(d, k - 1, axis=1)[:, :k]             # (b, k)
        d_k = np.take_along_axis(d, nearest, axis=1)
        w = np.exp(-(d_k - d_k.min(axis=1, keepdims=True)))
        w /= w.sum(axis=1, keepdims=True)
        out[i:i + batch_size] = np.einsum("bk,bkd->bd", w, train[nearest])
    return _keep_observed(flat, seen, out).reshape(shape)


def _start(flat, seen, fill, shape):
    """Initial values of the missing entries, (n, D): ``fill`` or each image's observed mean."""
    if fill is None:
        return np.where(seen, flat, 0.0).sum(axis=1, keepdims=True) \
            / seen.sum(axis=1, keepdims=True)
    try:
        return np.broadcast_to(np.asarray(fill, np.float32), shape).reshape(len(flat), -1)
    except ValueError:
        raise ValueError(f"fill: expected a shape that broadcasts to x {shape}, "
                         f"got {np.shape(fill)}") from None


def vae_impute(model, x, observed, n_iter=20, fill=None, sample=False, seed=None,
               batch_size=1024):
    """Iterate encode -> decode, keeping the observed values (Kormaris' VAE algorithm).

    model: a trained VAE (``encode`` -> (z_mean, z_log_var), ``decode`` -> mean of p(x|z)).
    fill: initial values of the missing pixels, broadcastable to x (e.g. the training
    mean image); None = each image's mean observed value. sample=False iterates
    z = z_mean (a deterministic fixed-point iteration); sample=True draws z ~ q(z|x) each
    time (pseudo-Gibbs sampling) and returns the average fill of the last n_iter // 2 steps.
    """
    n_iter = checks.positive_int("n_iter", n_iter)
    shape = np.shape(x)
    flat, seen = check_observed(x, observed)
    current = _keep_observed(flat, seen, _start(flat, seen, fill, shape))
    rng = np.random.default_rng(seed)
    total, n_avg = np.zeros_like(current), 0
    for step in range(n_iter):
        z, z_log_var = model.encode(current.reshape(shape), batch_size=batch_size)
        if sample:
            z = z + np.exp(0.5 * z_log_var) * rng.standard_normal(z.shape)
        x_hat = model.decode(z.astype(np.float32), batch_size=batch_size)
        current = _keep_observed(flat, seen, x_hat.reshape(len(flat), -1))
        if sample and step >= n_iter - n_iter // 2:
            total, n_avg = total + current, n_avg + 1
    if n_avg:
        current = _keep_observed(flat, seen, total / n_avg)   # exact observed values again
    return current.reshape(shape)


def masked_vae_impute(model, x, observed, n_samples=100, seed=None, batch_size=64):
    """E[x_missing | x_observed] under a :class:`vae.models.MaskedVAE`, by importance sampling.

    For each image draw z_s ~ q(z | x_obs, observed), s = 1..n_samples, weigh each code by
    w_s = p(x_obs | z_s) p(z_s) / q(z_s | x_obs, observed), normalised over s, and fill the
    missing pixels with sum_s w_s E[x | z_s]: the model's posterior mean, the fill with the
    smallest expected squared error. x, observed: (n, h, w, c); returns float32 (n, h, w, c).
    The decoder sees batch_size * n_samples codes at a time.
    """
    checks.instance("model", model, models.MaskedVAE)
    n_samples = checks.positive_int("n_samples", n_samples)
    batch_size = checks.positive_int("batch_size", batch_size)
    shape = np.shape(x)
    flat, seen = check_observed(x, observed)
    images = np.where(seen, flat, 0.0).reshape(shape).astype(np.float32)
    seen_images = seen.reshape(shape)
    generator = random.SeedGenerator(seed)
    out = np.empty_like(flat)
    for i in range(0, len(flat), batch_size):
        draws = evaluate.weighted_draws(model, images[i:i + batch_size], n_samples, generator,
                                        observed=seen_images[i:i + batch_size])
        w = ops.softmax(draws["log_w"], axis=1)                          # (b, n_samples)
        x_hat = losses.decoded_mean(model.likelihood, draws["decoded"])  # (n_samples * b, ...)
        x_hat = ops.reshape(x_hat, (n_samples, ops.shape(w)[0], -1))
        out[i:i + batch_size] = ops.convert_to_numpy(ops.einsum("bs,sbd->bd", w, x_hat))
    return _keep_observed(flat, seen, out).reshape(shape)


def observed_condition(x, observed):
    """The condition c of a conditional-VAE imputer: what is seen of each image.

    x, observed: (n, *shape) -> float32 (n, 2 * D), D values per image: x with its missing
    entries set to 0, then ``observed`` as 0/1 (:func:`vae.layers.masked_input`, flattened).
    """
    flat, seen = check_observed(x, observed)
    return ops.convert_to_numpy(layers.masked_input(flat, seen))


def conditional_impute(model, x, observed, sample=False, seed=None, batch_size=1024):
    """Fill the missing pixels with a conditional VAE p(x | z, c) whose c is what is seen.

    model: a :class:`vae.conditional.ConditionalVAE` trained on complete images x with the
    condition c = :func:`observed_condition` (x, observed) for patterns like those it will
    meet. x, observed: (n, *shape). sample=False decodes the prior mean z = 0 (one
    deterministic fill); sample=True decodes one z ~ N(0, I) per image (a random plausible
    completion; different seeds give different ones). Returns float32 (n, *shape).
    """
    checks.instance("model", model, ConditionalVAE)
    shape = np.shape(x)
    flat, seen = check_observed(x, observed)
    if model.condition_dim != 2 * flat.shape[1]:
        raise ValueError(f"model: its condition has {model.condition_dim} values; filling x "
                         f"{shape} needs the flattened masked input, {2 * flat.shape[1]} values")
    c = observed_condition(flat, seen)
    if sample:
        filled = model.sample(c, seed=seed)
    else:
        filled = model.decode([np.zeros((len(c), model.latent_dim), np.float32), c],
                              batch_size=batch_size)
    return _keep_observed(flat, seen, filled.reshape(len(flat), -1)).reshape(shape)
