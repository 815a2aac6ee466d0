"""The reparameterization trick as a Keras layer."""

import keras
from keras import ops


def reparameterize(z_mean, z_log_var, eps):
    """z = z_mean + exp(z_log_var / 2) * eps, all (batch, latent_dim).

    A deterministic, differentiable function of (z_mean, z_log_var): all the
    randomness sits in ``eps ~ N(0, I)``, so gradients reach the encoder.
    """
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
