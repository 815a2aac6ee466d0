"""Test helper for tests/test_backends.py: the course's numbers on one Keras backend.

``KERAS_BACKEND=B python tests/backend_worker.py compute DIR`` builds each model of ``MODELS``,
gives it the weights of ``seeded_weights`` (NumPy, the same on every backend), scores 16 real
MNIST test digits with the NumPy noise of ``noise`` and saves, per model, the loss, the
reconstruction and KL terms and the importance-weighted bound to ``DIR/B-numbers.npz``, and
the model to ``DIR/B-<model>.keras``. ``... load DIR`` loads every ``DIR/*.keras`` (saved under
any backend) and decodes the codes of ``codes`` into ``DIR/B-decoded.npz``.
"""

import math
import sys
from pathlib import Path

import keras
import numpy as np
from keras import ops

from vae import data, evaluate, losses, models
from vae.layers import reparameterize

MODELS = {
    "conv_mse": lambda: models.conv_vae(8),      # the SciNet lecture's conv VAE, latent 8
    "dense_bernoulli": lambda: models.dense_vae(4, hidden=(64,)),
    "dense_gaussian_learned": lambda: models.dense_vae(4, hidden=(64,),
                                                       likelihood="gaussian_learned"),
}
N_IMAGES, K = 16, 50


def seeded_weights(model, seed=0):
    """NumPy weights for ``model`` (Glorot-sized normals), the same arrays on every backend."""
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=1 / math.sqrt(max(1, math.prod(w.shape[:-1]))),
                       size=w.shape).astype("float32") for w in model.weights]


def images():
    """16 real MNIST test digits, (16, 28, 28, 1) in [0, 1]."""
    _, (x_test, _) = data.load_mnist()
    return data.as_images(x_test[:N_IMAGES])


def noise(latent_dim, seed=1):
    """eps (N_IMAGES, latent_dim) for the loss and (K, N_IMAGES, latent_dim) for the bound."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((N_IMAGES, latent_dim)).astype("float32"),
            rng.standard_normal((K, N_IMAGES, latent_dim)).astype("float32"))


def codes(latent_dim):
    """Codes to decode after loading a saved model: (8, latent_dim)."""
    return np.random.default_rng(2).standard_normal((8, latent_dim)).astype("float32")


def numbers(vae, x):
    """The loss, its two terms, the log weights and the IW bound of ``vae`` on x, as NumPy."""
    eps, eps_k = noise(vae.latent_dim)
    z_mean, z_log_var = vae.encoder(x)
    decoded = vae.decoder(reparameterize(z_mean, z_log_var, eps))
    y_pred = {"z_mean": z_mean, "z_log_var": z_log_var, "decoded": decoded}
    log_w = ops.convert_to_numpy(evaluate.draws_for_noise(vae, x, eps_k)["log_w"])
    out = {"loss": vae.compute_loss(x=x, y_pred=y_pred),
           "reconstruction": losses.reconstruction_nll(vae.likelihood, x, decoded, vae.sigma),
           "kl": losses.kl_standard_normal(z_mean, z_log_var), "log_w": log_w,
           "iw_bound": evaluate.iw_bound_from_log_weights(log_w)}
    return {key: ops.convert_to_numpy(value) for key, value in out.items()}


def compute(folder):
    backend, x, results = keras.backend.backend(), images(), {}
    for name, build in MODELS.items():
        vae = build()
        vae.set_weights(seeded_weights(vae))
        for key, value in numbers(vae, x).items():
            results[f"{name}/{key}"] = value
        results[f"{name}/weight_shapes"] = np.array([str(w.shape) for w in vae.weights])
        results[f"{name}/decoded"] = vae.decode(codes(vae.latent_dim))
        vae.save(folder / f"{backend}-{name}.keras")
    np.savez(folder / f"{backend}-numbers.npz", **results)


def load(folder):
    decoded = {}
    for path in sorted(folder.glob("*.keras")):
        vae = keras.models.load_model(path)
        decoded[path.stem] = vae.decode(codes(vae.latent_dim))
    np.savez(folder / f"{keras.backend.backend()}-decoded.npz", **decoded)


if __name__ == "__main__":
    {"compute": compute, "load": load}[sys.argv[1]](Path(sys.argv[2]))
