"""Layers: the reparameterization trick, and random masks for training with missing data."""

import keras
from keras import ops

from vae import checks
from vae.backend import tensors


def reparameterize(z_mean, z_log_var, eps):
    """z = z_mean + exp(z_log_var / 2) * eps, all (batch, latent_dim).

    A deterministic, differentiable function of (z_mean, z_log_var): all the
    randomness sits in ``eps ~ N(0, I)``, so gradients reach the encoder.
    """
    z_mean, z_log_var, eps = tensors(z_mean, z_log_var, eps)
    return z_mean + ops.exp(0.5 * z_log_var) * eps


@keras.saving.register_keras_serializable(package="vae")
class Sampling(keras.layers.Layer):
    """Draw z ~ N(z_mean, diag(exp(z_log_var))) with the reparameterization trick.

    Call on ``[z_mean, z_log_var]``, each (batch, latent_dim); returns z (batch, latent_dim).
    The layer owns its ``keras.random.SeedGenerator``, so a fixed ``seed`` gives the same
    sequence of samples on every run.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return reparameterize(z_mean, z_log_var, eps)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="vae")
class RandomMask(keras.layers.Layer):
    """Draw a random "observed" mask for each image of a batch, to train with missing data.

    Call on images (batch, height, width, channels); returns a boolean tensor of the same
    shape, True = observed. A fraction ``block_rate`` of the images (on average) lose one
    random rectangle; the others lose pixels at random, at a rate drawn from
    U(0, max_rate) per image. The rectangle's edges are drawn from
    U(-spill, 1 + spill) * size and clipped to the image, so with spill > 0 rectangles
    that reach a border (a strip, a half image) are common. Owns its SeedGenerator.
    """

    def __init__(self, max_rate=0.9, block_rate=0.5, spill=0.25, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.max_rate = checks.fraction("max_rate", max_rate)
        self.block_rate = checks.fraction("block_rate", block_rate)
        self.spill = checks.non_negative("spill", spill)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _uniform(self, shape):
        return keras.random.uniform(shape, seed=self.seed_generator)

    def _edges(self, batch, size):
        """Start and end (batch, 1, 1, 1) of a random interval of [0, size], as floats."""
        spread = (1 + 2 * self.spill) * self._uniform((batch, 2)) - self.spill
        ends = ops.clip(ops.floor(spread * size), 0, size)
        as_4d = lambda t: ops.reshape(t, (batch, 1, 1, 1))
        return as_4d(ops.min(ends, axis=1)), as_4d(ops.max(ends, axis=1))

    def call(self, images):
        if len(images.shape) != 4:
            raise ValueError(f"images: expected (batch, height, width, channels), "
                             f"got shape {images.shape}")
        shape = ops.shape(images)
        batch, height, width = shape[0], images.shape[1], images.shape[2]
        at_random = self._uniform(shape) >= self.max_rate * self._uniform((batch, 1, 1, 1))
        rows = ops.reshape(ops.arange(height, dtype="float32"), (1, height, 1, 1))
        cols = ops.reshape(ops.arange(width, dtype="float32"), (1, 1, width, 1))
        (r0, r1), (c0, c1) = self._edges(batch, height), self._edges(batch, width)
        in_block = (rows >= r0) & (rows < r1) & (cols >= c0) & (cols < c1)
        use_block = self._uniform((batch, 1, 1, 1)) < self.block_rate
        return ops.where(use_block, ops.broadcast_to(~in_block, shape), at_random)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_rate": self.max_rate,
                "block_rate": self.block_rate, "spill": self.spill, "seed": self.seed}


def masked_input(x, observed):
    """Encoder input for incomplete data: [x with missing entries zeroed, mask] on the last axis.

    x: (batch, ..., c) floats (missing entries may hold anything, NaN included);
    observed: booleans of the same shape -> (batch, ..., 2c).
    """
    observed = ops.convert_to_tensor(observed, dtype="bool")
    x = ops.convert_to_tensor(x)
    return ops.concatenate([ops.where(observed, x, ops.zeros_like(x)),
                            ops.cast(observed, x.dtype)], axis=-1)
