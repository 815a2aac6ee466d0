"""Recipes: the course's standard trained models, built, trained and cached in one call.

``load_or_train(name, seed=0)`` returns ``(model, history)`` for one of ``RECIPES``:
it loads ``$KERAS_HOME/vae-course-models/<name>-seed<seed>-<epochs>ep.keras`` (``~/.keras``
by default; nothing else is written outside the repository) or trains the model first,
with a progress bar, and saves it there with its per-epoch history (``.json``).
Same name, seed and epochs -> the same file is reused, so figures are reproducible.

Smoke mode (``smoke=True``, default ``vae.config.SMOKE``) trains on 2,000 examples for
one epoch and caches under a ``-smoke`` name, never mixing with full-mode models.
"""

import json
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np
from tqdm.auto import tqdm

from vae import data, models, nets
from vae.config import SMOKE, keras_home

CACHE_SUBDIR = "vae-course-models"
SMOKE_EXAMPLES = 2000
MNIST_SHAPE = (28, 28, 1)
FREY_SHAPE = (28, 20, 1)


# ---------------------------------------------------------------- models

def build_dense_ae(latent_dim=2):
    """Plain MLP autoencoder on MNIST (Bernoulli likelihood), codes (batch, latent_dim)."""
    model = models.dense_autoencoder(latent_dim, MNIST_SHAPE, likelihood="bernoulli")
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


def build_dense_vae(latent_dim=2, seed=0):
    """MLP VAE on MNIST (Bernoulli likelihood), the 2-D model of the latent-space figures."""
    model = models.dense_vae(latent_dim, MNIST_SHAPE, likelihood="bernoulli", seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


def build_conv_vae(latent_dim=100, seed=0, optimizer=None):
    """The SciNet lecture's MNIST conv VAE: Conv2D+MaxPooling encoder, Conv2DTranspose+
    UpSampling2D decoder, loss 784 * MSE + KL (likelihood "mse"); RMSprop unless
    ``optimizer`` is given."""
    encoder = nets.conv_encoder(MNIST_SHAPE, latent_dim, kind="pool")
    decoder = nets.conv_decoder(latent_dim, MNIST_SHAPE, kind="upsample", likelihood="mse")
    model = models.VAE(encoder, decoder, likelihood="mse", seed=seed)
    model.compile(optimizer=optimizer or keras.optimizers.RMSprop())
    return model


def build_frey_vae(latent_dim=2, seed=0):
    """Kingma & Welling (2013)'s Frey-face VAE: tanh MLPs (200 units), Gaussian decoder
    with a learned per-pixel variance; Adam instead of their Adagrad."""
    encoder, decoder = nets.frey_mlp(latent_dim)
    model = models.VAE(encoder, decoder, likelihood="gaussian_learned", seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    return model


# ---------------------------------------------------------------- data

def mnist_images():
    """(x_train (60000, 28, 28, 1), x_test (10000, 28, 28, 1)) float32 in [0, 1]."""
    (x, _), (x_test, _) = data.load_mnist()
    return data.as_images(x), data.as_images(x_test)


def frey_images():
    """Frey faces (1965, 28, 20, 1) in [0, 1]: every 10th frame held out for validation."""
    faces = data.as_images(data.load_frey_faces())
    held_out = np.arange(len(faces)) % 10 == 0
    return faces[~held_out], faces[held_out]


@dataclass(frozen=True)
class Recipe:
    """How to build one standard model (``build(seed)``), on which data, for how long."""
    build: Callable
    data: Callable
    epochs: int
    batch_size: int


RECIPES = {
    "ae_mnist_2d": Recipe(lambda seed: build_dense_ae(2), mnist_images, epochs=15, batch_size=128),
    "vae_mnist_2d": Recipe(lambda seed: build_dense_vae(2, seed), mnist_images, epochs=25,
                           batch_size=128),
    "conv_vae_mnist": Recipe(lambda seed: build_conv_vae(100, seed), mnist_images, epochs=15,
                             batch_size=64),
    "vae_frey_2d": Recipe(lambda seed: build_frey_vae(2, seed), frey_images, epochs=150,
                          batch_size=50),
}
"""The standard models; full-mode epochs chosen so that all four train in a few minutes."""


# ---------------------------------------------------------------- training and cache

class EpochBar(keras.callbacks.Callback):
    """One tqdm progress bar over epochs, showing the latest loss."""

    def __init__(self, epochs, desc):
        super().__init__()
        self.epochs, self.desc = epochs, desc

    def on_train_begin(self, logs=None):
        self.bar = tqdm(total=self.epochs, desc=self.desc, unit="epoch")

    def on_epoch_end(self, epoch, logs=None):
        self.bar.set_postfix(loss=f"{(logs or {}).get('loss', float('nan')):.2f}")
        self.bar.update(1)

    def on_train_end(self, logs=None):
        self.bar.close()


def _recipe(name):
    if name not in RECIPES:
        raise ValueError(f"name={name!r}: expected one of {sorted(RECIPES)}")
    return RECIPES[name]


def _epochs(name, epochs, smoke):
    """The number of epochs to train recipe ``name``: given, else 1 in smoke mode, else the recipe's."""
    return epochs if epochs is not None else (1 if smoke else _recipe(name).epochs)


def train(name, seed=0, epochs=None, smoke=SMOKE, progress=True):
    """Build and train recipe ``name`` from seed ``seed`` -> (model, history dict).

    epochs: defaults to the recipe's (1 in smoke mode). History has per-epoch lists of
    loss, reconstruction[, kl] and their ``val_`` versions on the held-out split.
    """
    recipe, epochs = _recipe(name), _epochs(name, epochs, smoke)
    keras.utils.set_random_seed(seed)
    x_train, x_val = recipe.data()
    if smoke:
        x_train, x_val = x_train[:SMOKE_EXAMPLES], x_val[:SMOKE_EXAMPLES // 4]
    model = recipe.build(seed)
    callbacks = [EpochBar(epochs, name)] if progress else []
    history = model.fit(x_train, validation_data=(x_val,), epochs=epochs,
                        batch_size=recipe.batch_size, verbose=0, callbacks=callbacks)
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}


def cache_dir():
    """``$KERAS_HOME/vae-course-models`` (``~/.keras/vae-course-models`` by default)."""
    return keras_home() / CACHE_SUBDIR


def cache_path(name, seed=0, epochs=None, smoke=SMOKE):
    """Path of the cached ``.keras`` file of recipe ``name`` (its history: ``.json``)."""
    epochs = _epochs(name, epochs, smoke)
    return cache_dir() / f"{name}-seed{seed}-{epochs}ep{'-smoke' if smoke else ''}.keras"


def load_or_train(name, seed=0, epochs=None, smoke=SMOKE, progress=True):
    """Load recipe ``name`` from the cache, or train and cache it -> (model, history dict)."""
    path = cache_path(name, seed, epochs, smoke)
    history_path = path.with_suffix(".json")
    if path.exists() and history_path.exists():
        return keras.saving.load_model(path), json.loads(history_path.read_text())
    model, history = train(name, seed, epochs, smoke, progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"partial-{path.name}")  # rename last: no half-written cache
    model.save(partial)
    history_path.write_text(json.dumps(history))
    partial.replace(path)
    return model, history
