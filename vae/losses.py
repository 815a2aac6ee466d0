"""KL divergences and negative log-likelihoods, one value per example (nats).

The course's single loss convention: negative ELBO = reconstruction NLL summed over
data dimensions + beta * KL summed over latent dimensions, averaged over the batch.
Every function here returns a (batch,) tensor; the models take the batch mean.
"""

import math

from keras import ops

from vae.backend import tensors

LIKELIHOODS = ("bernoulli", "gaussian", "gaussian_learned", "mse", "beta", "log_normal")
"""Decoder likelihoods: Bernoulli (logits), Gaussian with fixed sigma, Gaussian with a
learned per-pixel log-variance, the SciNet lecture's "784 * MSE" (sum of squares), Beta
(grey levels in [0, 1]; two unconstrained maps, see :func:`beta_parameters`) and log-normal
(positive data such as loads in kW; [mean, log_var] of log x)."""

PAIRED = ("gaussian_learned", "beta", "log_normal")
"""The likelihoods whose decoder gives two maps shaped like x (the others give one)."""

BETA_EPS = 1e-3
"""Likelihood "beta": grey levels are clipped to [BETA_EPS, 1 - BETA_EPS] (the Beta density
is 0 or infinite at exactly 0 and 1, and MNIST has both), and alpha, beta >= BETA_EPS."""


def sum_over_data(t, observed=None):
    """Sum a (batch, ...) tensor over every axis but the first -> (batch,).

    observed: optional boolean tensor shaped like t; only its True entries are summed
    (the log-likelihood of the observed part of an incomplete example).
    """
    if observed is not None:
        t = ops.where(observed, t, ops.zeros_like(t))
    return ops.sum(ops.reshape(t, (ops.shape(t)[0], -1)), axis=1)


def kl_standard_normal_per_dim(z_mean, z_log_var):
    """KL( N(z_mean_k, exp(z_log_var_k)) || N(0, 1) ) of each latent dim -> (batch, latent_dim).

    = 1/2 * (exp(z_log_var) + z_mean^2 - 1 - z_log_var); the terms that posterior collapse
    drives to zero (see :mod:`vae.collapse`).
    """
    z_mean, z_log_var = tensors(z_mean, z_log_var)
    return 0.5 * (ops.exp(z_log_var) + ops.square(z_mean) - 1.0 - z_log_var)


def kl_standard_normal(z_mean, z_log_var):
    """KL( N(z_mean, diag exp(z_log_var)) || N(0, I) ), summed over latent dims -> (batch,).

    = 1/2 * sum_k (exp(z_log_var) + z_mean^2 - 1 - z_log_var).
    """
    return ops.sum(kl_standard_normal_per_dim(z_mean, z_log_var), axis=-1)


def free_bits(kl_per_dim, lambda_):
    """Kingma et al. (2016)'s free bits: a floor ``lambda_`` (nats) on each latent dim's KL.

    kl_per_dim: (batch, latent_dim) -> (batch,). Where a dimension's KL, averaged over the
    batch, is below ``lambda_`` its term is replaced by the constant ``lambda_`` (no gradient:
    the encoder may use those nats for free); the other dimensions keep their KL. The batch
    mean of the result is ``sum_k max(lambda_, mean_batch KL_k)``, the objective of the paper.
    """
    below = ops.mean(kl_per_dim, axis=0, keepdims=True) < lambda_          # (1, latent_dim)
    floor = ops.full_like(kl_per_dim, lambda_)
    return ops.sum(ops.where(below, floor, kl_per_dim), axis=-1)


def diag_gaussian_log_density(z, mean, log_var):
    """log N(z | mean, diag exp(log_var)), summed over the last axis -> z.shape[:-1].

    mean and log_var broadcast against z (scalars 0, 0 give the standard normal).
    """
    z = ops.convert_to_tensor(z)
    mean, log_var = (ops.convert_to_tensor(t, dtype=z.dtype) for t in (mean, log_var))
    return -0.5 * ops.sum(math.log(2 * math.pi) + log_var
                          + ops.square(z - mean) * ops.exp(-log_var), axis=-1)


def mixture_log_density(z, means, log_vars):
    """log of the equal-weight mixture (1/K) sum_k N(z | means_k, diag exp(log_vars_k)).

    z: (..., latent_dim); means, log_vars: (K, latent_dim) -> z.shape[:-1]. A logsumexp
    over the K components, so it stays finite when every component density underflows.
    """
    per_component = diag_gaussian_log_density(ops.expand_dims(z, -2), means, log_vars)
    return ops.logsumexp(per_component, axis=-1) - math.log(means.shape[0])


def importance_weighted_nll(log_w):
    """-log (1/k) sum_i w_i per example from log weights (batch, k) -> (batch,).

    The negative importance-weighted bound of Burda et al. (2016); with k = 1 it is the
    negative single-sample ELBO. A logsumexp, in the backend's float type (for scores in
    float64 see :func:`vae.evaluate.iw_bound_from_log_weights`).
    """
    return math.log(log_w.shape[-1]) - ops.logsumexp(log_w, axis=-1)


def kl_diag_gaussians(mean_q, log_var_q, mean_p, log_var_p):
    """KL( N(mean_q, diag exp(log_var_q)) || N(mean_p, diag exp(log_var_p)) ) -> (batch,).

    = 1/2 * sum_k (log_var_p - log_var_q + (exp(log_var_q) + (mean_q - mean_p)^2)
    / exp(log_var_p) - 1). All inputs broadcast to (batch, latent_dim).
    """
    mean_q, log_var_q, mean_p, log_var_p = tensors(mean_q, log_var_q, mean_p, log_var_p)
    ratio = (ops.exp(log_var_q) + ops.square(mean_q - mean_p)) * ops.exp(-log_var_p)
    return 0.5 * ops.sum(log_var_p - log_var_q + ratio - 1.0, axis=-1)


def bernoulli_nll(x, logits, observed=None):
    """-log Bernoulli(x | sigmoid(logits)), summed over data dims -> (batch,).

    x in [0, 1] (binary, or grey levels as soft targets); logits of the same shape.
    Written as softplus(logits) - x * logits, which is stable for large |logits|.
    observed: optional mask, see :func:`sum_over_data` (also for the functions below).
    """
    x, logits = tensors(x, logits)
    return sum_over_data(ops.softplus(logits) - x * logits, observed)


def gaussian_nll(x, mean, log_var, observed=None):
    """-log N(x | mean, exp(log_var)), summed over data dims -> (batch,).

    ``log_var`` broadcasts against x: a scalar for a fixed sigma (log_var = 2 log sigma),
    or a (batch, ...) tensor for a learned per-pixel variance.
    """
    x, mean = tensors(x, mean)
    log_var = ops.broadcast_to(ops.convert_to_tensor(log_var, dtype=x.dtype), ops.shape(x))
    sq = ops.square(x - mean) * ops.exp(-log_var)
    return 0.5 * sum_over_data(math.log(2 * math.pi) + log_var + sq, observed)


_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)
"""Lanczos' coefficients for g = 7, nine terms (Press et al., Numerical Recipes, sec. 6.1)."""


def log_gamma(a):
    """log Gamma(a) for a > 0, elementwise, by Lanczos' approximation (g = 7, nine terms).

    ``keras.ops`` has no lgamma, and the Beta likelihood needs one on every backend:
    log Gamma(a) = log Gamma(a + 1) - log a, with
    log Gamma(a + 1) = log sqrt(2 pi) + (a + 1/2) log t - t + log(c_0 + sum_i c_i / (a + i)),
    t = a + 7.5. Relative error about 1e-7 in float32 (tests/test_losses.py: vs SciPy).
    """
    (a,) = tensors(a)
    series = _LANCZOS[0] + sum(c / (a + i) for i, c in enumerate(_LANCZOS[1:], 1))
    t = a + 7.5
    return 0.5 * math.log(2 * math.pi) + (a + 0.5) * ops.log(t) - t + ops.log(series) - ops.log(a)


def beta_nll(x, alpha, beta, observed=None):
    """-log Beta(x | alpha, beta), summed over data dims -> (batch,).

    x strictly inside (0, 1) (clip grey levels to [eps, 1 - eps] first); alpha, beta > 0
    of x's shape (e.g. softplus outputs of a decoder). Uses log B(a, b) = log Gamma(a) +
    log Gamma(b) - log Gamma(a + b) (:func:`log_gamma`).
    """
    x, alpha, beta = tensors(x, alpha, beta)
    log_b = log_gamma(alpha) + log_gamma(beta) - log_gamma(alpha + beta)
    nll = log_b - (alpha - 1.0) * ops.log(x) - (beta - 1.0) * ops.log1p(-x)
    return sum_over_data(nll, observed)


def beta_parameters(decoded):
    """(alpha, beta), each shaped like x, from a "beta" decoder's two unconstrained maps:
    softplus(map) + BETA_EPS, so both stay positive."""
    raw_alpha, raw_beta = tensors(*decoded)
    return (ops.softplus(raw_alpha) + BETA_EPS, ops.softplus(raw_beta) + BETA_EPS)


def log_normal_nll(x, mean, log_var, observed=None):
    """-log LogNormal(x | mean, exp(log_var)), summed over data dims -> (batch,).

    x > 0; ``mean`` and ``log_var`` are those of log x. If log x ~ N(mean, sigma^2) then
    -log p(x) = -log N(log x | mean, sigma^2) + log x (the change of variables y = log x).
    """
    log_x = ops.log(x)
    return gaussian_nll(log_x, mean, log_var, observed) + sum_over_data(log_x, observed)


def categorical_nll(x, logits, observed=None):
    """-log Categorical(x | softmax(logits)), summed over data dims -> (batch,).

    x: (batch, ...) integer classes in {0, ..., K-1} (e.g. 8-bit pixel values, K = 256);
    logits: (batch, ..., K). Each entry contributes logsumexp(logits) - logits[x].
    """
    (logits,) = tensors(logits)
    n_classes = logits.shape[-1]
    one_hot = ops.one_hot(ops.cast(x, "int32"), n_classes, dtype=logits.dtype)
    nll = ops.logsumexp(logits, axis=-1) - ops.sum(one_hot * logits, axis=-1)
    return sum_over_data(nll, observed)


def sum_squared_error(x, x_hat, observed=None):
    """sum_d (x_d - x_hat_d)^2 -> (batch,): the lecture's ``784 * mean squared error``.

    It equals the Gaussian NLL with sigma^2 = 1/2 minus the constant D/2 log(pi).
    """
    x, x_hat = tensors(x, x_hat)
    return sum_over_data(ops.square(x - x_hat), observed)


def reconstruction_nll(likelihood, x, decoded, sigma=None, observed=None):
    """Per-example reconstruction loss of ``x`` under the decoder output -> (batch,).

    decoded: logits (bernoulli), the mean (gaussian, mse), [mean, log_var] (gaussian_learned;
    log_normal: of log x, for x > 0) or two unconstrained maps (beta: :func:`beta_parameters`),
    each shaped like x. sigma: the fixed std (gaussian only).
    observed: optional boolean mask shaped like x; then only the observed entries count.
    """
    if likelihood == "bernoulli":
        return bernoulli_nll(x, decoded, observed)
    if likelihood == "gaussian":
        return gaussian_nll(x, decoded, 2.0 * math.log(sigma), observed)
    if likelihood == "gaussian_learned":
        mean, log_var = decoded
        return gaussian_nll(x, mean, log_var, observed)
    if likelihood == "mse":
        return sum_squared_error(x, decoded, observed)
    if likelihood == "beta":
        alpha, beta = beta_parameters(decoded)
        return beta_nll(ops.clip(x, BETA_EPS, 1.0 - BETA_EPS), alpha, beta, observed)
    if likelihood == "log_normal":
        mean, log_var = decoded
        return log_normal_nll(x, mean, log_var, observed)
    raise ValueError(f"likelihood={likelihood!r}: expected one of {LIKELIHOODS}")


def decoded_mean(likelihood, decoded):
    """The mean of p(x | z) from the decoder output, shaped like x."""
    if likelihood == "bernoulli":
        return ops.sigmoid(decoded)
    if likelihood == "gaussian_learned":
        return decoded[0]
    if likelihood == "beta":
        alpha, beta = beta_parameters(decoded)
        return alpha / (alpha + beta)
    if likelihood == "log_normal":
        mean, log_var = tensors(*decoded)
        return ops.exp(mean + 0.5 * ops.exp(log_var))
    return decoded
