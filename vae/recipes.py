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
from collections.abc import Callable
from dataclasses import dataclass

import keras
from tqdm.keras import TqdmCallback

from vae import data, models, nets
from vae.config import SMOKE, keras_home

CACHE_SUBDIR = "vae-course-models"
SMOKE_EXAMPLES = 2000


def mnist_images():
    """(x_train (60000, 28, 28, 1), x_test (10000, 28, 28, 1)) float32 in [0, 1]."""
    (x, _), (x_test, _) = data.load_mnist()
    return data.as_images(x), data.as_images(x_test)


@dataclass(frozen=True)
class Recipe:
    """One standard model: ``model(seed)`` builds it, ``optimizer()`` makes its optimizer,
    ``data()`` gives (x_train, x_validation), trained ``epochs`` epochs of ``batch_size``."""
    model: Callable
    optimizer: Callable
    data: Callable
    epochs: int
    batch_size: int


RECIPES = {
    "ae_mnist_2d": Recipe(
        lambda seed: models.dense_autoencoder(2, likelihood="bernoulli"),
        lambda: keras.optimizers.Adam(1e-3), mnist_images, epochs=15, batch_size=128),
    "vae_mnist_2d": Recipe(
        lambda seed: models.dense_vae(2, likelihood="bernoulli", seed=seed),
        lambda: keras.optimizers.Adam(1e-3), mnist_images, epochs=25, batch_size=128),
    # the SciNet lecture's conv VAE: latent 100, 784 * MSE + KL, RMSprop, batch 64
    "conv_vae_mnist": Recipe(
        lambda seed: models.conv_vae(100, seed=seed),
        keras.optimizers.RMSprop, mnist_images, epochs=15, batch_size=64),
    # Kingma & Welling (2013)'s Frey-face VAE, with Adam instead of their Adagrad
    "vae_frey_2d": Recipe(
        lambda seed: models.VAE(*nets.frey_mlp(2), likelihood="gaussian_learned", seed=seed),
        lambda: keras.optimizers.Adam(1e-3), data.frey_split, epochs=150, batch_size=50),
}
"""The standard models; full-mode epochs chosen so that all four train in a few minutes."""


def _recipe(name):
    if name not in RECIPES:
        raise ValueError(f"name={name!r}: expected one of {sorted(RECIPES)}")
    return RECIPES[name]


def _epochs(name, epochs, smoke):
    """Epochs to train recipe ``name``: as given, else 1 in smoke mode, else the recipe's."""
    return epochs if epochs is not None else (1 if smoke else _recipe(name).epochs)


def build(name, seed=0, optimizer=None):
    """Recipe ``name``'s model, compiled with its optimizer (or with ``optimizer``)."""
    recipe = _recipe(name)
    model = recipe.model(seed)
    model.compile(optimizer=optimizer or recipe.optimizer())
    return model


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
    model = build(name, seed)
    callbacks = [TqdmCallback(epochs=epochs, verbose=0, desc=name)] if progress else []
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
