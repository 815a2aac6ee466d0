"""A VAE with two stochastic layers (Burda et al. 2016's two-layer model; Sønderby et al. 2016).

Generative model (top-down): z2 ~ N(0, I), z1 | z2 ~ N(mu(z2), diag sigma^2(z2)), x | z1.
Inference model (bottom-up): q(z1 | x) q(z2 | z1), both diagonal Gaussians.

For one draw (z1, z2) ~ q the log weight is

    log w = log p(x | z1) + log p(z1 | z2) + log N(z2 | 0, I) - log q(z1 | x) - log q(z2 | z1),

so the ELBO is E_q[log w] and the k-sample bound is the IWAE's (:mod:`vae.iwae`), which this
model trains on (k = 1: the ELBO). The prior on z1 is no longer a fixed N(0, I) but the
learned marginal p(z1) = E_{z2}[p(z1 | z2)]: a continuous mixture, like the VampPrior.
"""

import keras
from keras import ops

from vae import checks, evaluate, losses, nets
from vae.iwae import IWAE


def _sample(mean, log_var, eps):
    """z = mean + exp(log_var / 2) * eps and log N(z | mean, exp(log_var)), elementwise shapes."""
    z = mean + ops.exp(0.5 * log_var) * eps
    return z, losses.diag_gaussian_log_density(z, mean, log_var)


@keras.saving.register_keras_serializable(package="vae")
class HierarchicalVAE(IWAE):
    """Two stochastic layers z1 (``latent_dim``) and z2 (``top_dim``).

    encoder: x -> [z1_mean, z1_log_var] (q(z1 | x)); encoder_top: z1 -> [z2_mean, z2_log_var]
    (q(z2 | z1)); decoder_top: z2 -> [mean, log_var] of p(z1 | z2); decoder: z1 -> output(s)
    for ``likelihood``. ``call``, ``encode`` and ``decode`` work on z1 as for a VAE; ``sample``
    draws z2, then z1, then decodes. Loss: -L_k as for :class:`vae.iwae.IWAE`.
    """

    NETWORKS = ("encoder", "decoder", "encoder_top", "decoder_top")

    def __init__(self, encoder, decoder, encoder_top, decoder_top, likelihood="bernoulli", k=1,
                 beta=1.0, sigma=None, seed=None, **kwargs):
        super().__init__(encoder, decoder, likelihood=likelihood, k=k, beta=beta, sigma=sigma,
                         seed=seed, **kwargs)
        latent_dim = self.latent_dim
        if encoder_top.inputs[0].shape[-1] != latent_dim or len(encoder_top.outputs) != 2:
            raise ValueError(f"encoder_top: expected z1 (batch, {latent_dim}) -> [z2_mean, "
                             "z2_log_var]")
        top_dim = encoder_top.outputs[0].shape[-1]
        if (decoder_top.inputs[0].shape[-1] != top_dim or len(decoder_top.outputs) != 2
                or decoder_top.outputs[0].shape[-1] != latent_dim):
            raise ValueError(f"decoder_top: expected z2 (batch, {top_dim}) -> [mean, log_var] "
                             f"of z1, each (batch, {latent_dim})")
        self.encoder_top, self.decoder_top = encoder_top, decoder_top

    @property
    def top_dim(self):
        return self.decoder_top.inputs[0].shape[-1]

    def weighted_draws(self, x, k, seed=None):
        """k draws (z1, z2) ~ q per example -> dict of (batch, k) tensors: "log_w",
        "log_px" (log p(x | z1)) and "kl" (log q(z1, z2 | x) - log p(z1, z2)). x: (batch, ...).

        Used by :func:`vae.evaluate.weighted_draws` (hence by the scores and the loss).
        """
        z1_mean, z1_log_var = self.encoder(x)
        batch, dims = ops.shape(z1_mean)[0], (self.latent_dim, self.top_dim)
        eps = keras.random.normal((k, batch, sum(dims)), seed=seed)  # one draw: z1's, z2's noise
        z1, log_q1 = _sample(z1_mean, z1_log_var, eps[..., :dims[0]])  # (k, batch, m1), (k, batch)
        flat_z1 = ops.reshape(z1, (-1, dims[0]))                        # (k * batch, m1)
        z2_mean, z2_log_var = self.encoder_top(flat_z1)
        z2, log_q2 = _sample(z2_mean, z2_log_var, ops.reshape(eps[..., dims[0]:], (-1, dims[1])))
        p1_mean, p1_log_var = self.decoder_top(z2)
        log_p = (losses.diag_gaussian_log_density(flat_z1, p1_mean, p1_log_var)
                 + losses.diag_gaussian_log_density(z2, 0.0, 0.0))      # (k * batch,)
        repeat = ops.reshape(ops.broadcast_to(x, (k, *ops.shape(x))), (-1, *x.shape[1:]))
        log_px = evaluate.log_likelihood(self, repeat, self.decoder(flat_z1))
        as_table = lambda t: ops.transpose(ops.reshape(t, (k, batch)))  # -> (batch, k)
        kl = as_table(ops.reshape(log_q1, (-1,)) + log_q2 - log_p)
        log_px = as_table(log_px)
        return {"log_w": log_px - kl, "log_px": log_px, "kl": kl}

    def sample(self, n, seed=None):
        """Decode n draws z2 ~ N(0, I), z1 ~ p(z1 | z2) -> NumPy (n, *data_shape) means."""
        n = checks.positive_int("n", n)
        generator = keras.random.SeedGenerator(seed)
        z2 = keras.random.normal((n, self.top_dim), seed=generator)
        mean, log_var = self.decoder_top(z2)
        z1 = mean + ops.exp(0.5 * log_var) * keras.random.normal(ops.shape(mean), seed=generator)
        return self.decode(ops.convert_to_numpy(z1))


def dense_hierarchical_vae(latent_dims=(32, 16), input_shape=(28, 28, 1), hidden=(300, 300),
                           top_hidden=(100,), activation="relu", likelihood="bernoulli", k=1,
                           seed=None):
    """An MLP HierarchicalVAE: x -> hidden -> z1 -> top_hidden -> z2, decoders mirrored.

    latent_dims: (dim of z1, dim of z2). p(z1 | z2) is a Gaussian MLP with a linear mean.
    activation: of every hidden layer (Burda et al. use tanh).
    """
    dims = checks.positive_ints("latent_dims", latent_dims)
    if len(dims) != 2:
        raise ValueError(f"latent_dims={latent_dims!r}: expected two sizes (z1, z2)")
    m1, m2 = dims
    return HierarchicalVAE(
        nets.dense_encoder(input_shape, m1, hidden=hidden, activation=activation),
        nets.dense_decoder(m1, input_shape, hidden=hidden[::-1], activation=activation,
                           likelihood=likelihood),
        nets.dense_encoder((m1,), m2, hidden=top_hidden, activation=activation, name="encoder_top"),
        nets.dense_decoder(m2, (m1,), hidden=top_hidden[::-1], activation=activation,
                           likelihood="gaussian_learned", mean_activation=None,
                           name="decoder_top"),
        likelihood=likelihood, k=k, seed=seed)
