"""The conditional VAE: encoder q(z | x, c) and decoder p(x | z, c).

A condition c (a one-hot digit, a month encoded on the circle, ...) is concatenated to
the flattened input of the encoder and to z at the input of the decoder. Everything
else is the VAE of :mod:`vae.models`: the same loss (reconstruction NLL + beta * KL,
nats per example), the same metrics and ``.keras`` serialization.

Data format: the model's input is the list ``[x, c]`` with x (batch, *data_shape) and
c (batch, condition_dim) float32, e.g. ``cvae.fit([x, c], epochs=...)``. The networks
come from :func:`vae.nets.dense_conditional_encoder` / :func:`vae.nets.dense_conditional_decoder`;
:func:`circular_encoding` turns cyclic conditions (month, weekday) into features.
"""

import keras
import numpy as np

from vae import checks
from vae.models import VAE


@keras.saving.register_keras_serializable(package="vae")
class ConditionalVAE(VAE):
    """VAE whose encoder and decoder both see a condition c.

    encoder: [x, c] -> [z_mean, z_log_var]; decoder: [z, c] -> output(s) for ``likelihood``.
    Arguments as :class:`vae.models.VAE`. ``call([x, c])`` returns the VAE's dict;
    ``encode([x, c])`` and ``decode([z, c])`` work in batches like the VAE's.
    """

    def __init__(self, encoder, decoder, likelihood="bernoulli", beta=1.0, sigma=None,
                 seed=None, **kwargs):
        for role, net in (("encoder", encoder), ("decoder", decoder)):
            if len(net.inputs) != 2:
                raise ValueError(f"{role} has {len(net.inputs)} input(s); a conditional VAE "
                                 f"needs two ([{'x' if role == 'encoder' else 'z'}, c])")
        super().__init__(encoder, decoder, likelihood=likelihood, beta=beta, sigma=sigma,
                         seed=seed, **kwargs)

    @property
    def condition_dim(self):
        return self.decoder.inputs[1].shape[-1]

    def call(self, inputs, training=False):
        x, c = inputs
        z_mean, z_log_var = self.encoder([x, c], training=training)
        z = self.sampler([z_mean, z_log_var])
        return {"z_mean": z_mean, "z_log_var": z_log_var, "z": z,
                **self._decode_outputs([z, c])}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The VAE's loss for the data part x[0] of the input list [x, c]."""
        return super().compute_loss(x[0], y, y_pred, sample_weight, training)

    def sample(self, c, seed=None):
        """One draw z ~ N(0, I) per condition row c (n, condition_dim), decoded: NumPy means."""
        c = keras.ops.convert_to_numpy(c).astype("float32")
        if c.ndim != 2 or c.shape[1] != self.condition_dim:
            raise ValueError(f"c: expected (n, {self.condition_dim}) conditions, got {c.shape}")
        z = keras.random.normal((len(c), self.latent_dim), seed=seed)
        return self.decode([keras.ops.convert_to_numpy(z), c])


def circular_encoding(k, period):
    """Encode integers on a circle: (n,) -> (n, 2) float32 [cos, sin](2*pi*k/period).

    Values that are close around the cycle get close codes: month 12 sits next to month 1
    (period 12), Sunday next to Monday (period 7).
    """
    checks.positive("period", period)
    angle = 2 * np.pi * np.asarray(k, dtype=np.float64) / period
    return np.stack([np.cos(angle), np.sin(angle)], axis=-1).astype(np.float32)
