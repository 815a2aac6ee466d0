"""The amortization gap (Cremer, Li & Duvenaud, ICML 2018): how much better q(z | x) could be.

The encoder gives every x its posterior through one network. For one x, the best diagonal
Gaussian q*_x maximises that x's ELBO on its own; then

    log p(x) - ELBO(q_phi) = [log p(x) - ELBO(q*_x)] + [ELBO(q*_x) - ELBO(q_phi)]
                           =  approximation gap      +  amortization gap.

:func:`refine_posteriors` estimates q*_x by gradient ascent on each example's ELBO over its own
(z_mean, z_log_var), starting from the encoder's, with the decoder fixed (a
:class:`PerExamplePosteriors` model trained with ``fit``, so it runs on every backend).
:func:`elbo_of` scores any set of diagonal Gaussians. The prior is N(0, I) (a
:class:`vae.models.VAE`, not a learned prior).
"""

import keras
import numpy as np
from keras import ops

from vae import checks, evaluate, losses, models
from vae.layers import reparameterize


class PerExamplePosteriors(keras.Model):
    """Free posteriors N(z_mean[i], diag exp(z_log_var[i])), one per example, for a fixed VAE.

    Called on example indices (batch,) int; ``compute_loss`` takes the examples' data as y
    (batch, *data_shape) and returns the mean negative ELBO with k reparameterized draws
    (reconstruction averaged over them, closed-form KL). Only the two tables are trained.
    """

    def __init__(self, vae, z_mean, z_log_var, k=10, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.vae, self.k = vae, checks.positive_int("k", k)
        self.table_mean = self.add_weight(shape=np.shape(z_mean), name="z_mean",
                                          initializer=keras.initializers.Constant(z_mean))
        self.table_log_var = self.add_weight(shape=np.shape(z_log_var), name="z_log_var",
                                             initializer=keras.initializers.Constant(z_log_var))
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True       # all its state exists already: the two tables, the VAE's nets

    def call(self, index):
        index = ops.reshape(ops.cast(index, "int32"), (-1,))
        return {"z_mean": ops.take(self.table_mean, index, axis=0),
                "z_log_var": ops.take(self.table_log_var, index, axis=0)}

    def negative_elbo(self, y, z_mean, z_log_var):
        """-ELBO per example (batch,) of data y (batch, *data_shape) under the given posteriors
        (batch, m): reconstruction averaged over k draws, plus the closed-form KL."""
        eps = keras.random.normal((self.k, *ops.shape(z_mean)), seed=self.seed_generator)
        z = ops.reshape(reparameterize(z_mean, z_log_var, eps), (-1, ops.shape(z_mean)[-1]))
        target = ops.reshape(ops.broadcast_to(y, (self.k, *ops.shape(y))), (-1, *y.shape[1:]))
        log_px = evaluate.log_likelihood(self.vae, target, self.vae.decoder(z))  # (k * batch,)
        reconstruction = -ops.mean(ops.reshape(log_px, (self.k, -1)), axis=0)
        return reconstruction + losses.kl_standard_normal(z_mean, z_log_var)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return ops.mean(self.negative_elbo(ops.cast(y, self.compute_dtype), y_pred["z_mean"],
                                           y_pred["z_log_var"]))


class _FullBatches(keras.utils.PyDataset):
    """``steps`` identical batches (indices 0..n-1, x): one ``fit`` epoch of full-batch steps."""

    def __init__(self, x, steps):
        super().__init__()
        self.x, self.steps = x, steps

    def __len__(self):
        return self.steps

    def __getitem__(self, i):
        return np.arange(len(self.x)), self.x


def refine_posteriors(vae, x, steps=300, learning_rate=1e-2, k=10, seed=0):
    """Per-example posteriors of x (n, *data_shape) optimised on their own ELBOs.

    Starts from ``vae.encode(x)``; ``steps`` full-batch Adam steps on the k-sample ELBO, the
    VAE's weights fixed. Returns NumPy (z_mean, z_log_var), each (n, latent_dim).
    """
    checks.instance("vae", vae, models.VAE)
    x = np.asarray(x, dtype="float32")
    z_mean, z_log_var = vae.encode(x)
    refiner = PerExamplePosteriors(vae, z_mean, z_log_var, k=k, seed=seed)
    was_trainable, vae.trainable = vae.trainable, False      # only the two tables move
    try:
        refiner.compile(optimizer=keras.optimizers.Adam(checks.positive("learning_rate",
                                                                        learning_rate)))
        refiner.fit(_FullBatches(x, checks.positive_int("steps", steps)), epochs=1, verbose=0)
    finally:
        vae.trainable = was_trainable
    return (ops.convert_to_numpy(refiner.table_mean), ops.convert_to_numpy(refiner.table_log_var))


def elbo_of(vae, x, z_mean, z_log_var, k=100, seed=0):
    """Monte-Carlo ELBO per example (n,) NumPy of x under the posteriors (z_mean, z_log_var).

    x, z_mean, z_log_var as for :func:`refine_posteriors`; k draws per example, N(0, I)
    prior. The decoder sees n * k codes at once, so keep n * k moderate.
    """
    scorer = PerExamplePosteriors(vae, z_mean, z_log_var, k=k, seed=seed)
    x, z_mean, z_log_var = (np.asarray(a, dtype="float32") for a in (x, z_mean, z_log_var))
    return -ops.convert_to_numpy(scorer.negative_elbo(x, z_mean, z_log_var)).astype("float64")
