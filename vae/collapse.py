"""Posterior collapse: how to see it (KL per dimension, active units) and two remedies.

A latent dimension k has *collapsed* when q(z_k | x) = p(z_k) for every x: its KL term is 0,
and the decoder ignores it. Burda et al. (ICLR 2016) count the dimensions still in use as the
*active units*: dimension k is active when A_k = Cov_x(E_{q(z|x)}[z_k]) > 0.01, i.e. when
its posterior mean still moves with x.

Remedies (both in :class:`KLControlVAE`):

- KL warm-up (Bowman et al., CoNLL 2016; Sønderby et al., NeurIPS 2016): the KL weight
  rises linearly from 0 to beta over the first ``warmup_steps`` training steps, so the
  encoder learns to carry information before the KL pushes it towards the prior;
- free bits (Kingma et al., NeurIPS 2016): each dimension's KL, averaged over the batch,
  costs at least lambda nats (:func:`vae.losses.free_bits`), so a dimension gains nothing by
  going below lambda.
"""

import keras
import numpy as np
from keras import ops

from vae import checks, losses
from vae.models import VAE

ACTIVE_THRESHOLD = 0.01
"""Burda et al.'s threshold on Cov_x(E_q[z_k])."""


def activity(z_mean):
    """A_k = Cov_x(E_q[z_k]): the variance over examples of each posterior mean.

    z_mean: (n, latent_dim) posterior means (``vae.encode(x)[0]``) -> NumPy (latent_dim,).
    """
    z_mean = np.asarray(z_mean, dtype="float64")
    if z_mean.ndim != 2 or len(z_mean) < 2:
        raise ValueError(f"z_mean: expected (n, latent_dim) with n >= 2, got {z_mean.shape}")
    return z_mean.var(axis=0)


def active_units(z_mean, threshold=ACTIVE_THRESHOLD):
    """Number of latent dimensions whose activity (:func:`activity`) exceeds ``threshold``."""
    return int(np.sum(activity(z_mean) > checks.non_negative("threshold", threshold)))


def kl_per_dimension(z_mean, z_log_var):
    """Mean over examples of each dimension's KL(q(z_k | x) || N(0, 1)) -> NumPy (latent_dim,).

    z_mean, z_log_var: (n, latent_dim), e.g. ``vae.encode(x)``. Sums to the mean KL term.
    """
    kl = losses.kl_standard_normal_per_dim(np.asarray(z_mean, "float32"),
                                           np.asarray(z_log_var, "float32"))
    return ops.convert_to_numpy(kl).astype("float64").mean(axis=0)


@keras.saving.register_keras_serializable(package="vae")
class KLControlVAE(VAE):
    """A :class:`vae.models.VAE` with KL warm-up and free bits.

    In training the loss per example is reconstruction NLL + beta_t * free_bits(KL_k, lambda),
    with beta_t = beta * min(1, t / warmup_steps) at training step t = 0, 1, ... (a
    non-trainable counter that the model keeps, so the schedule needs no callback and runs
    the same on every backend) and lambda = ``free_bits`` nats per dimension (0: off).
    Outside training (evaluate, validation) the loss is the plain negative beta-ELBO, so
    validation numbers stay comparable across settings. ``kl`` reports the unfloored KL.
    """

    def __init__(self, encoder, decoder, likelihood="bernoulli", beta=1.0, warmup_steps=0,
                 free_bits=0.0, sigma=None, seed=None, **kwargs):
        super().__init__(encoder, decoder, likelihood=likelihood, beta=beta, sigma=sigma,
                         seed=seed, **kwargs)
        self.warmup_steps = checks.int_at_least("warmup_steps", warmup_steps, 0)
        self.free_bits = checks.non_negative("free_bits", free_bits)
        self.step = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                    name="step")

    def kl_weight(self):
        """beta_t = beta * min(1, t / warmup_steps) at the current training step t (a tensor)."""
        if self.warmup_steps == 0:
            return ops.convert_to_tensor(self.beta)
        return self.beta * ops.minimum(1.0, self.step / self.warmup_steps)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if not training:
            return super().compute_loss(x, y, y_pred, sample_weight, training)
        reconstruction = self._reconstruction(x, y, y_pred, sample_weight)
        per_dim = losses.kl_standard_normal_per_dim(y_pred["z_mean"], y_pred["z_log_var"])
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(ops.sum(per_dim, axis=-1))
        penalty = losses.free_bits(per_dim, self.free_bits)
        loss = ops.mean(reconstruction + self.kl_weight() * penalty)
        self.step.assign(self.step + 1.0)
        return loss + sum(self.losses)

    def get_config(self):
        return {**super().get_config(), "warmup_steps": self.warmup_steps,
                "free_bits": self.free_bits}
