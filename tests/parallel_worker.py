"""Test helper for tests/test_backends.py: one short training run, its loss trajectory.

``python tests/parallel_worker.py OUT.npz`` trains the course's ``vae_mnist_2d`` recipe
(unchanged) from seed 0 for 3 epochs of 2,048 real MNIST digits, batch 128, and saves the loss
after every batch, the per-epoch history, the device count of Keras' distribution, the number
of devices holding the weights and the final weights (JAX backend only). The caller chooses
the setting: with ``VAE_DATA_PARALLEL=1`` (and
``XLA_FLAGS=--xla_force_host_platform_device_count=2`` for two virtual CPU devices),
``import vae`` turns on ``keras.distribution.DataParallel``; without it, one device.
"""

import sys

import keras
import numpy as np

from vae import recipes

N, EPOCHS, BATCH = 2048, 3, 128


class BatchLosses(keras.callbacks.Callback):
    """The running-mean loss Keras reports after each batch."""

    def on_train_begin(self, logs=None):
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def main(out):
    keras.utils.set_random_seed(0)
    x_train, _ = recipes.mnist_images()
    model = recipes.build("vae_mnist_2d", seed=0)
    batches = BatchLosses()
    history = model.fit(x_train[:N], epochs=EPOCHS, batch_size=BATCH, shuffle=True,
                        verbose=0, callbacks=[batches])
    distribution = keras.distribution.distribution()
    devices = 1 if distribution is None else int(np.prod(distribution.device_mesh.shape))
    # where the first weight lives: a jax.Array replicated over every device of the mesh
    holding = len(model.weights[0].value.sharding.device_set)
    weights = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    np.savez(out, batch_loss=np.array(batches.losses), epoch_loss=history.history["loss"],
             devices=devices, weight_devices=holding, **weights)


if __name__ == "__main__":
    main(sys.argv[1])
