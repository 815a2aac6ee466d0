"""The importance-weighted autoencoder (IWAE; Burda, Grosse & Salakhutdinov, ICLR 2016).

The same encoder and decoder as :class:`vae.models.VAE`, trained on a tighter bound. For one
example, draw z_1..z_k ~ q(z | x) and form log w_i = log p(x | z_i) + log p(z_i) - log q(z_i | x)
(:func:`vae.evaluate.weighted_draws`); the loss is

    -L_k(x) = -log (1/k) sum_i w_i        (:func:`vae.losses.importance_weighted_nll`),

in nats per example, averaged over the batch. L_1 is the (single-sample) ELBO, and
L_1 <= L_k <= L_{k+1} <= log p(x) in expectation, so a larger k trains on a tighter bound.
The price (Rainforth et al., ICML 2018): the gradient that reaches the encoder gets noisier
relative to its size as k grows, so the decoder improves while q(z | x) can get worse.

:class:`IWAE` is also the base of the models whose KL has no closed form (a learned prior,
:mod:`vae.vampprior`; two stochastic layers, :mod:`vae.hierarchical`): they change
``log_prior`` or ``weighted_draws`` and keep this loss.
"""

import keras
from keras import ops

from vae import checks, evaluate, losses
from vae.models import VAE


@keras.saving.register_keras_serializable(package="vae")
class IWAE(VAE):
    """A VAE trained on the k-sample importance-weighted bound (k = 1: the ELBO, KL sampled).

    encoder: x -> [z_mean, z_log_var]; decoder: z -> output(s) for ``likelihood``, as for
    :class:`vae.models.VAE`; prior N(0, I). fit/evaluate report ``loss`` (-L_k),
    ``reconstruction`` (mean over the k draws of -log p(x | z_i)) and ``kl`` (mean of
    log q(z_i | x) - log p(z_i)). The bound has no KL term to weigh, so beta must be 1.
    """

    def __init__(self, encoder, decoder, likelihood="bernoulli", k=5, beta=1.0, sigma=None,
                 seed=None, **kwargs):
        if beta != 1:
            raise ValueError(f"beta={beta!r}: the importance-weighted bound has no separate KL "
                             "term to weigh (expected 1)")
        super().__init__(encoder, decoder, likelihood=likelihood, sigma=sigma, seed=seed,
                         **kwargs)
        self.k = checks.positive_int("k", k)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y is not None or sample_weight is not None:
            raise ValueError("y, sample_weight: the importance-weighted bound scores x itself "
                             "(expected None)")
        draws = evaluate.weighted_draws(self, ops.cast(x, self.compute_dtype), self.k,
                                        seed=self.sampler.seed_generator)
        self.reconstruction_tracker.update_state(-ops.mean(draws["log_px"], axis=1))
        self.kl_tracker.update_state(ops.mean(draws["kl"], axis=1))
        return ops.mean(losses.importance_weighted_nll(draws["log_w"])) + sum(self.losses)

    def get_config(self):
        return {**super().get_config(), "k": self.k}
