"""The VampPrior (Tomczak & Welling, AISTATS 2018): a prior learned from the encoder itself.

The prior that maximises the ELBO is the aggregate posterior q(z) = (1/N) sum_n q(z | x_n)
(Hoffman & Johnson, 2016). The VampPrior approximates it with K learned pseudo-inputs u_k:

    p(z) = (1/K) sum_k q(z | u_k),

a mixture of K diagonal Gaussians whose parameters are the encoder's outputs on the u_k
(:func:`vae.losses.mixture_log_density`). Its KL to q(z | x) has no closed form, so the model
is an :class:`vae.iwae.IWAE` (k = 1 gives the ELBO with a one-sample KL).
"""

import keras
from keras import ops

from vae import checks, losses
from vae.iwae import IWAE


@keras.saving.register_keras_serializable(package="vae")
class VampPriorVAE(IWAE):
    """A VAE (or, with k > 1, an IWAE) whose prior is the VampPrior with ``n_components``.

    The pseudo-inputs are a weight of shape (n_components, *input_shape), clipped to [0, 1]
    like pixels (Tomczak & Welling's hard tanh) and initialised N(0.05, 0.01^2) as in their
    code; ``pseudo_inputs()`` returns them. Encoder, decoder and likelihood as for
    :class:`vae.models.VAE`.
    """

    def __init__(self, encoder, decoder, likelihood="bernoulli", n_components=500, k=1,
                 beta=1.0, sigma=None, seed=None, **kwargs):
        super().__init__(encoder, decoder, likelihood=likelihood, k=k, beta=beta, sigma=sigma,
                         seed=seed, **kwargs)
        self.n_components = checks.positive_int("n_components", n_components)
        shape = tuple(encoder.inputs[0].shape[1:])
        self.pseudo = self.add_weight(
            shape=(self.n_components, *shape), name="pseudo_inputs",
            initializer=keras.initializers.RandomNormal(0.05, 0.01, seed=seed))

    def pseudo_inputs(self):
        """The K pseudo-inputs u_k, (n_components, *input_shape), in [0, 1]."""
        return ops.clip(self.pseudo, 0.0, 1.0)

    def prior_components(self):
        """[means, log_vars] of the prior's K components, each (n_components, latent_dim)."""
        return self.encoder(self.pseudo_inputs())

    def log_prior(self, z):
        """log p(z) = log (1/K) sum_k q(z | u_k) for z (..., latent_dim) -> (...)."""
        means, log_vars = self.prior_components()
        return losses.mixture_log_density(z, means, log_vars)

    def sample(self, n, seed=None):
        """Decode n draws z ~ p(z) (a component, then its Gaussian) -> NumPy (n, *data_shape)."""
        n = checks.positive_int("n", n)
        generator = keras.random.SeedGenerator(seed)
        means, log_vars = self.prior_components()
        pick = keras.random.randint((n,), 0, self.n_components, seed=generator)
        eps = keras.random.normal((n, self.latent_dim), seed=generator)
        z = ops.take(means, pick, axis=0) + ops.exp(0.5 * ops.take(log_vars, pick, axis=0)) * eps
        return self.decode(ops.convert_to_numpy(z))

    def get_config(self):
        return {**super().get_config(), "n_components": self.n_components}

