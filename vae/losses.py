"""KL divergences and negative log-likelihoods, one value per example (nats).

The course's single loss convention: negative ELBO = reconstruction NLL summed over
data dimensions + beta * KL summed over latent dimensions, averaged over the batch.
Every function here returns a (batch,) tensor; the models take the batch mean.
"""

import math

from keras import ops

from vae.backend import tensors

LIKELIHOODS = ("bernoulli", "gaussian", "gaussian_learned", "mse")
"""Decoder likelihoods: Bernoulli (logits), Gaussian with fixed sigma, Gaussian with a
learned per-pixel log-variance, and the SciNet lecture's "784 * MSE" (sum of squares)."""


def sum_over_data(t, observed=None):
    """Sum a (batch, ...) tensor over every axis but the first -> (batch,).

    observed: optional boolean tensor shaped like t; only its True entries are summed
    (the log-likelihood of the observed part of an incomplete example).
    """
    if observed is not None:
        t = ops.where(observed, t, ops.zeros_like(t))
    return ops.sum(ops.reshape(t, (ops.shape(t)[0], -1)), axis=1)


def kl_standard_normal(z_mean, z_log_var):
    """KL( N(z_mean, diag exp(z_log_var)) || N(0, I) ), summed over latent dims -> (batch,).

    = 1/2 * sum_k (exp(z_log_var) + z_mean^2 - 1 - z_log_var).
    """
    z_mean, z_log_var = tensors(z_mean, z_log_var)
    return 0.5 * ops.sum(ops.exp(z_log_var) + ops.square(z_mean) - 1.0 - z_log_var, axis=-1)


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


def sum_squared_error(x, x_hat, observed=None):
    """sum_d (x_d - x_hat_d)^2 -> (batch,): the lecture's ``784 * mean squared error``.

    It equals the Gaussian NLL with sigma^2 = 1/2 minus the constant D/2 log(pi).
    """
    x, x_hat = tensors(x, x_hat)
    return sum_over_data(ops.square(x - x_hat), observed)


def reconstruction_nll(likelihood, x, decoded, sigma=None, observed=None):
    """Per-example reconstruction loss of ``x`` under the decoder output -> (batch,).

    decoded: logits (bernoulli), the mean (gaussian, mse) or [mean, log_var]
    (gaussian_learned), each shaped like x. sigma: the fixed std (gaussian only).
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
    raise ValueError(f"likelihood={likelihood!r}: expected one of {LIKELIHOODS}")


def decoded_mean(likelihood, decoded):
    """The mean of p(x | z) from the decoder output, shaped like x."""
    if likelihood == "bernoulli":
        return ops.sigmoid(decoded)
    if likelihood == "gaussian_learned":
        return decoded[0]
    return decoded
