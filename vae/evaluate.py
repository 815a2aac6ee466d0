"""Honest test scores for a trained VAE: the ELBO and the importance-weighted bound.

For one example x, draw k codes z_i ~ q(z | x) and form the log importance weights

    log w_i = log p(x | z_i) + log p(z_i) - log q(z_i | x),

with p(z) = N(0, I), or the model's learned prior (``log_prior``, e.g. the VampPrior). A model
with more than one layer of codes (:class:`vae.hierarchical.HierarchicalVAE`) computes its
own log weights (its ``weighted_draws``); every score below then works for it too.

Their mean is a Monte-Carlo estimate of the ELBO; ``log (1/k) sum_i w_i`` (a logsumexp)
is the importance-weighted bound of Burda et al. (ICLR 2016). Both lie below log p(x) in
expectation; the bound rises with k and reaches log p(x) as k -> infinity. With the exact
posterior as q every w_i equals p(x), so both are exact for any k.

Everything is in nats per example. ``log p(x | z)`` comes from
:func:`vae.losses.reconstruction_nll`, with one correction: likelihood ``"mse"`` (the
lecture's sum of squared errors) is not a normalised density, so it is scored as the
Gaussian it stands for, N(x | x_hat, sigma^2 = 1/2), i.e. ``-SSE - D/2 log(pi)``.
Likelihood ``"bernoulli"`` is a density only for binary x (e.g. statically binarized MNIST);
for grey levels it gives a number but not a log-likelihood.
"""

import math

import keras
import numpy as np
from keras import ops
from scipy.special import logsumexp
from tqdm.auto import tqdm

from vae import checks, losses, models

LOG_2PI = math.log(2 * math.pi)


def _check_inputs(vae, x):
    """Return x as float32 NumPy after checking it fits ``vae``'s encoder."""
    checks.instance("vae", vae, models.VAE)
    x = np.asarray(x, dtype="float32")
    expected = tuple(vae.decoder.outputs[0].shape[1:])
    if x.ndim < 2 or x.shape[1:] != expected or len(x) == 0:
        raise ValueError(f"x: expected shape (n, {', '.join(map(str, expected))}) with n > 0, "
                         f"got {x.shape}")
    return x


def log_likelihood(vae, x, decoded, observed=None):
    """log p(x | z) per row (rows,) for decoder outputs ``decoded`` (rows, *data_shape).

    observed: optional booleans like x; then only the observed entries count (log p(x_obs | z)).
    Likelihood "mse" is scored as the Gaussian with sigma^2 = 1/2 (see module docstring).
    """
    log_px = -losses.reconstruction_nll(vae.likelihood, x, decoded, vae.sigma, observed)
    if vae.likelihood == "mse":
        ones = ops.ones_like(x) if observed is None else ops.cast(observed, x.dtype)
        log_px = log_px - 0.5 * losses.sum_over_data(ones) * math.log(math.pi)
    return log_px


def _log_prior(vae, z):
    """log p(z) for codes z (..., latent_dim) -> (...): the model's own ``log_prior`` if it
    has one (a learned prior, :class:`vae.vampprior.VampPriorVAE`), else N(0, I)'s."""
    own = getattr(vae, "log_prior", None)
    return own(z) if own is not None else losses.diag_gaussian_log_density(z, 0.0, 0.0)


def weighted_draws(vae, x, k, seed=None, observed=None):
    """k codes per example from q(z | x) and what they give: :func:`draws_for_noise` for
    eps ~ N(0, I) of shape (k, batch, latent_dim) drawn with ``seed`` (an int or a
    keras.random.SeedGenerator). The decoder sees batch * k codes at once, so keep
    batch * k moderate. A model whose codes are not one Gaussian layer
    (:class:`vae.hierarchical.HierarchicalVAE`) has its own ``weighted_draws(x, k, seed)``
    giving log_w, log_px and kl; it is used instead.
    """
    own = getattr(vae, "weighted_draws", None)
    if own is not None:
        if observed is not None:
            raise ValueError(f"observed: {type(vae).__name__} scores complete data only "
                             "(expected None)")
        return own(x, k, seed)
    eps = keras.random.normal((k, ops.shape(x)[0], vae.latent_dim), seed=seed)
    return draws_for_noise(vae, x, eps, observed)


def draws_for_noise(vae, x, eps, observed=None):
    """The codes z = z_mean + sigma * eps of q(z | x) and what they give: a dict of tensors

    "log_w" (batch, k): log p(x, z) - log q(z | x); its parts "log_px" (batch, k), log p(x | z),
    and "kl" (batch, k), log q(z | x) - log p(z) (a one-sample estimate of the KL);
    "decoded": the decoder's output for the k * batch codes, row s * batch + i for sample s
    of example i (means via :func:`vae.losses.decoded_mean`; not computed here, so scoring
    pays only for the weights). x: (batch, *data_shape) float32; eps: (k, batch, latent_dim)
    standard normal noise (given, so that two backends can be compared on the same draws).
    observed: optional booleans like x, for incomplete x and a :class:`vae.models.MaskedVAE`;
    then z ~ q(z | x_obs) and log p(x_obs, z) replaces log p(x, z).
    """
    x, eps = ops.convert_to_tensor(x), ops.convert_to_tensor(eps)
    if observed is None:
        z_mean, z_log_var = vae.encoder(x)
    else:
        z_mean, z_log_var = checks.instance("vae", vae, models.MaskedVAE).posterior(x, observed)
    k, batch, latent_dim = ops.shape(eps)
    z = z_mean + ops.exp(0.5 * z_log_var) * eps                        # (k, batch, latent)
    log_q = -0.5 * ops.sum(ops.square(eps) + z_log_var + LOG_2PI, axis=-1)
    repeat = lambda t: ops.reshape(ops.broadcast_to(t, (k, *ops.shape(t))), (-1, *t.shape[1:]))
    decoded = vae.decoder(ops.reshape(z, (-1, latent_dim)))
    log_px = log_likelihood(vae, repeat(x), decoded,
                            None if observed is None else repeat(ops.convert_to_tensor(observed)))
    log_px = ops.transpose(ops.reshape(log_px, (k, batch)))
    kl = ops.transpose(log_q - _log_prior(vae, z))
    return {"log_w": log_px - kl, "log_px": log_px, "kl": kl, "decoded": decoded}


def importance_log_weights(vae, x, k, batch_size=100, chunk=100, seed=0, progress=False):
    """All log importance weights of x (n, *data_shape) -> NumPy (n, k).

    Works through ``batch_size`` examples and ``chunk`` samples at a time, so the decoder
    never sees more than batch_size * chunk codes (memory-bounded). ``progress=True``
    shows a tqdm bar over those decoder calls. ``seed`` makes the draws reproducible.
    """
    x = _check_inputs(vae, x)
    k = checks.positive_int("k", k)
    batch_size = checks.positive_int("batch_size", batch_size)
    chunk = checks.positive_int("chunk", chunk)
    generator = keras.random.SeedGenerator(seed)
    sizes = [min(chunk, k - start) for start in range(0, k, chunk)]
    with tqdm(total=len(sizes) * math.ceil(len(x) / batch_size), disable=not progress,
              desc=f"log weights (k={k})", unit="call") as bar:
        rows = []
        for i in range(0, len(x), batch_size):
            parts = []
            for size in sizes:
                parts.append(ops.convert_to_numpy(
                    weighted_draws(vae, x[i:i + batch_size], size, seed=generator)["log_w"]))
                bar.update()
            rows.append(np.concatenate(parts, axis=1))
    return np.concatenate(rows).astype("float64")


def iw_bound_from_log_weights(log_w):
    """log (1/k) sum_i w_i per example from log weights (n, k) -> NumPy (n,), in float64.

    The weights are NumPy already, so SciPy does this (``keras.ops`` would round float64
    to float32 on backends such as JAX).
    """
    log_w = np.asarray(log_w, dtype="float64")
    return logsumexp(log_w, axis=-1) - math.log(log_w.shape[-1])


def elbo(vae, x, k=1, **kwargs):
    """Monte-Carlo ELBO per example (n,) NumPy, averaging k draws from q(z | x).

    kwargs: ``batch_size``, ``chunk``, ``seed``, ``progress`` as in importance_log_weights.
    """
    return importance_log_weights(vae, x, k, **kwargs).mean(axis=1)


def iw_bound(vae, x, k=1000, **kwargs):
    """Importance-weighted estimate of log p(x) with k samples per example -> NumPy (n,).

    kwargs: ``batch_size``, ``chunk``, ``seed``, ``progress`` as in importance_log_weights.
    """
    return iw_bound_from_log_weights(importance_log_weights(vae, x, k, **kwargs))


def scores(vae, x, k=1000, **kwargs):
    """Both scores from the same k draws: {"elbo": (n,), "log_likelihood": (n,)} NumPy.

    "log_likelihood" is the importance-weighted bound with k samples; average over
    examples for a test score (report k, and the data's binarization, with it).
    """
    log_w = importance_log_weights(vae, x, k, **kwargs)
    return {"elbo": log_w.mean(axis=1), "log_likelihood": iw_bound_from_log_weights(log_w)}


def bound_curve(log_w, ks):
    """Mean IW bound over examples for each k in ks, using the first k of the weights.

    log_w: (n, k_max) NumPy; ks: increasing ints <= k_max -> NumPy (len(ks),).
    Re-using one set of draws makes the curve smooth; each point is still a valid bound.
    """
    log_w = np.asarray(log_w)
    for k in ks:
        checks.positive_int("k", k)
        if k > log_w.shape[1]:
            raise ValueError(f"ks: {k} is more than the {log_w.shape[1]} weights available")
    return np.array([iw_bound_from_log_weights(log_w[:, :k]).mean() for k in ks])
