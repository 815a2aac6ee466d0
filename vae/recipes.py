"""Recipes: the course's standard trained models, built, trained and cached in one call.

``load_or_train(name, seed=0)`` returns ``(model, history)`` for one of ``RECIPES``: it loads
the model from the cache, or trains it first (with a progress bar) and caches it, and prints
one line saying which. ``python -m vae.recipes list`` / ``clear [--name NAME]`` (``make cache``,
``make clean-cache``) show and empty the cache.

The cache is ``$KERAS_HOME/vae-course-models/`` (``~/.keras`` by default; nothing else is
written outside the repository). Each entry is one folder,
``<name>-seed<seed>-<epochs>ep[-smoke]-<fingerprint[:12]>/``, holding ``model.keras`` and
``card.json``. The fingerprint is the SHA-256 of everything that determines the trained weights
(``fingerprint``): the built model's Keras config (architecture, likelihood, sampling seed), the
optimizer's config (learning rate or schedule), shapes and SHA-256 of the training and
validation arrays (so a changed split is a new entry), the recipe's other fields (epochs, batch
size), the seed, smoke mode and ``CACHE_VERSION``. Change any of them and the old entry is
never loaded for the new recipe. The card (``card.json``) holds the fingerprint's inputs, the
SHA-256 of ``model.keras``, the library, Keras and backend versions, the training date and wall
time, the final losses and the per-epoch history that ``load_or_train`` returns.

An entry that does not match its card (a truncated copy, a full disk) or that Keras cannot load
is retrained with a ``CacheWarning`` naming it. An entry is written in a temporary folder and
renamed into place in one atomic step; when two processes train the same recipe at once, the
first rename wins and the other process loads the winner's entry, so the cache never holds a
half-written or mixed entry.

Smoke mode (``smoke=True``, default ``vae.config.SMOKE``) trains on the first 2,000 training
examples for one epoch: a separate entry, never mixed with full-mode models.
"""

import argparse
import collections
import contextlib
import dataclasses
import datetime
import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import random
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import keras
import numpy as np
from keras.src.backend.common import global_state
from tqdm.keras import TqdmCallback

from vae import collapse, data, hierarchical, impute, iwae, models, nets, vampprior
from vae.conditional import ConditionalVAE
from vae.config import SMOKE, keras_home
from vae.m2 import M2, MixedBatches

CACHE_SUBDIR = "vae-course-models"
SMOKE_EXAMPLES = 2000
MODEL_FILE, CARD_FILE = "model.keras", "card.json"
CACHE_VERSION = 1
"""Part of every fingerprint: bump it when a change to the library's code (a loss, ``fit``'s
arguments) changes the trained weights without changing any config, to retire every entry."""


MNIST_VALIDATION = 5000
"""The last 5,000 MNIST training digits validate the recipes; the test set is kept for scores."""


def mnist_images():
    """(x_train (55000, 28, 28, 1), x_validation (5000, 28, 28, 1)) float32 in [0, 1]: the
    MNIST training digits, the last ``MNIST_VALIDATION`` held out (never the test set)."""
    (x, _), _ = data.load_mnist()
    x = data.as_images(x)
    return x[:-MNIST_VALIDATION], x[-MNIST_VALIDATION:]


def binarized_mnist_images():
    """(x_train (50000, 28, 28, 1), x_validation (10000, 28, 28, 1)) float32 in {0, 1}:
    Larochelle & Murray's statically binarized MNIST, its own training and validation splits
    (its test split is kept for scores)."""
    x_train, x_val, _ = data.load_binarized_mnist()
    return tuple(x.reshape(-1, 28, 28, 1).astype("float32") for x in (x_train, x_val))


def inpainting_images():
    """((x, c) train, (x, c) validation): ``mnist_images()`` with the condition of a
    conditional-VAE imputer, c = ``impute.observed_condition(x, observed)`` (n, 1568) for one
    mask per image from ``impute.mixed_patterns`` (NumPy seed 0)."""
    rng = np.random.default_rng(0)
    return tuple((x, impute.observed_condition(x, impute.mixed_patterns(len(x), rng)))
                 for x in mnist_images())


BMNIST_LATENT, BMNIST_HIDDEN, BMNIST_BATCH = 32, (300,), 100
"""Lecture 6's binarized-MNIST models: one 300-unit hidden layer, 32 latent dims, batch 100."""


def _bmnist_nets():
    """(encoder, decoder) of lecture 6's MLPs (the same for every model being compared)."""
    return (nets.dense_encoder((28, 28, 1), BMNIST_LATENT, hidden=BMNIST_HIDDEN),
            nets.dense_decoder(BMNIST_LATENT, (28, 28, 1), hidden=BMNIST_HIDDEN))


def _bmnist_recipe(model, epochs=20):
    """A lecture 6 recipe: ``model(seed)`` on binarized MNIST, Adam(1e-3), batch 100."""
    return Recipe(model, lambda: keras.optimizers.Adam(1e-3), binarized_mnist_images,
                  epochs=epochs, batch_size=BMNIST_BATCH)


BMNIST_STEPS_PER_EPOCH = 50000 // BMNIST_BATCH
BMNIST_BETAS = (0.5, 1.0, 2.0, 4.0)
"""The betas of lecture 6's rate-distortion figure (recipes ``vae_bmnist_beta<beta>``)."""


def mnist_with_labels():
    """((x_train, c_train), (x_validation, c_validation)): :func:`mnist_images`' split, each
    image with its label one-hot as a float32 condition (n, 10), the input of a conditional
    VAE."""
    (x, y), _ = data.load_mnist()
    x, c = data.as_images(x), np.eye(10, dtype="float32")[y]
    n = len(x) - MNIST_VALIDATION
    return (x[:n], c[:n]), (x[n:], c[n:])


@dataclass(frozen=True)
class Recipe:
    """One standard model: ``model(seed)`` builds it, ``optimizer()`` makes its optimizer,
    ``data()`` gives (x_train, x_validation) (arrays, or tuples of arrays such as images and
    their conditions), trained ``epochs`` epochs of ``batch_size``.

    Fields that are not callables are part of the fingerprint as they are; what the callables
    make enters it through the built model's and optimizer's configs and the data's checksums.
    """
    model: Callable
    optimizer: Callable
    data: Callable
    epochs: int
    batch_size: int

    builds_from_data: ClassVar[bool] = False
    """Whether ``make_model`` needs the training data (so ``build`` loads it)."""

    def training_data(self, smoke):
        """(x_train, x_val); in smoke mode the first 2,000 and 500 examples of each array."""
        x_train, x_val = self.data()
        if smoke:
            x_train = keras.tree.map_structure(lambda a: a[:SMOKE_EXAMPLES], x_train)
            x_val = keras.tree.map_structure(lambda a: a[:SMOKE_EXAMPLES // 4], x_val)
        return x_train, x_val

    def make_model(self, seed, x_train):
        """The uncompiled model (``x_train`` is not needed here)."""
        return self.model(seed)

    def fit(self, model, x_train, x_val, seed, epochs, callbacks):
        """``model.fit`` on x_train in batches of ``batch_size``, validated on x_val."""
        return model.fit(x_train, validation_data=(x_val,), epochs=epochs,
                         batch_size=self.batch_size, verbose=0, callbacks=callbacks)


@dataclass(frozen=True)
class M2Recipe(Recipe):
    """A semi-supervised recipe (:class:`vae.m2.M2`). ``data(smoke)`` gives
    ((x_labelled, y_labelled, x_unlabelled), (x_validation, y_validation)), already cut for
    smoke mode; ``model(seed, x_labelled, x_unlabelled)`` builds the model (its input size and
    labelled weight depend on the data); it trains on :class:`vae.m2.MixedBatches` of
    ``labelled_batch`` labelled and ``batch_size`` unlabelled examples. ``fit`` reports the
    losses of the training batches only: the validation labels are for choosing
    hyper-parameters (notebook 07 measures the validation error itself).
    """
    labelled_batch: int = 32

    builds_from_data: ClassVar[bool] = True

    def training_data(self, smoke):
        """((x_l, y_l, x_u), (x_val, y_val)) from ``data(smoke)``."""
        return self.data(smoke)

    def make_model(self, seed, x_train):
        x_labelled, _, x_unlabelled = x_train
        return self.model(seed, x_labelled, x_unlabelled)

    def fit(self, model, x_train, x_val, seed, epochs, callbacks):
        batches = MixedBatches(*x_train, labelled_batch=self.labelled_batch,
                               unlabelled_batch=self.batch_size, seed=seed)
        return model.fit(batches, epochs=epochs, verbose=0, callbacks=callbacks)


def semi_supervised_split(n_per_class=10, seed=0):
    """Indices into MNIST's 60,000 training digits for notebook 07 -> (labelled
    (10 * n_per_class,), unlabelled (55000 - 10 * n_per_class,), validation (5000,)):
    ``n_per_class`` digits of each class drawn (NumPy ``seed``) from the first 55,000, the rest
    of those in a random order, and the last ``MNIST_VALIDATION`` (as in :func:`mnist_images`)."""
    (_, y), _ = data.load_mnist()
    n_fit = len(y) - MNIST_VALIDATION
    rng = np.random.default_rng(seed)
    labelled = np.concatenate([rng.choice(np.flatnonzero(y[:n_fit] == k), n_per_class,
                                          replace=False) for k in range(10)])
    unlabelled = rng.permutation(np.setdiff1d(np.arange(n_fit), labelled))
    return labelled, unlabelled, np.arange(n_fit, len(y))


def semi_supervised_mnist(smoke):
    """((x_l (100, 28, 28, 1), y_l (100,), x_u (54900, 28, 28, 1)), (x_val (5000, 28, 28, 1),
    y_val (5000,))): :func:`semi_supervised_split`'s digits (float32 images, integer labels);
    in smoke mode the first 2,000 unlabelled and 500 validation digits."""
    (x, y), _ = data.load_mnist()
    x = data.as_images(x)
    labelled, unlabelled, validation = semi_supervised_split()
    if smoke:
        unlabelled, validation = unlabelled[:SMOKE_EXAMPLES], validation[:SMOKE_EXAMPLES // 4]
    return (x[labelled], y[labelled], x[unlabelled]), (x[validation], y[validation])


M1_MIN_STD = 0.1
"""An M1 code dimension whose posterior mean varies less than this across images is off."""


@functools.cache
def m1_codes(smoke):
    """:func:`semi_supervised_mnist` with each image replaced by its M1 code -> the same
    structure with (n, d) float32 codes: the posterior means of recipe ``m1_mnist_50d``, only
    the d dimensions whose standard deviation over the unlabelled codes exceeds ``M1_MIN_STD``.
    Cached per process (the six M1+M2 recipes share it)."""
    (x_l, y_l, x_u), (x_val, y_val) = semi_supervised_mnist(smoke)
    m1, _ = load_or_train("m1_mnist_50d", smoke=smoke)
    c_l, c_u, c_val = (m1.encode(x)[0] for x in (x_l, x_u, x_val))
    active = c_u.std(axis=0) > M1_MIN_STD
    return (c_l[:, active], y_l, c_u[:, active]), (c_val[:, active], y_val)


def _m2_pixels(seed, x_labelled, x_unlabelled, latent_dim=32, hidden=(256,)):
    """Kingma et al.'s M2 on (28, 28, 1) pixels, alpha = 0.1 N_l, labelled weight N_l / N_u."""
    return M2(nets.dense_conditional_encoder((28, 28, 1), 10, latent_dim, hidden),
              nets.dense_conditional_decoder(latent_dim, 10, (28, 28, 1), hidden),
              nets.dense_classifier((28, 28, 1), 10, hidden), alpha=0.1 * len(x_labelled),
              labelled_weight=len(x_labelled) / len(x_unlabelled), seed=seed)


def _m2_codes(seed, x_labelled, x_unlabelled, alpha, labelled_weight, latent_dim=16,
              hidden=(256,)):
    """M2 on (n, d) M1 codes: Gaussian decoder with a learned variance per code dimension.
    labelled_weight: a number, or ``"N_l/N_u"`` for the labelled / unlabelled count ratio."""
    d = x_labelled.shape[-1]
    if labelled_weight == "N_l/N_u":
        labelled_weight = len(x_labelled) / len(x_unlabelled)
    return M2(nets.dense_conditional_encoder((d,), 10, latent_dim, hidden),
              nets.dense_conditional_decoder(latent_dim, 10, (d,), hidden,
                                             likelihood="gaussian_learned", mean_activation=None),
              nets.dense_classifier((d,), 10, hidden), likelihood="gaussian_learned",
              alpha=alpha, labelled_weight=labelled_weight, seed=seed)


M1M2_ALPHAS = (1.0, 10.0, 100.0)
M1M2_WEIGHTS = {"nl_nu": "N_l/N_u", "1": 1.0}
"""Notebook 07's grid of M1+M2 recipes ``m1m2_mnist_alpha<alpha>_w<key>``: the weight of the
classification term and the labelled weight (the count ratio, i.e. the summed objective, or 1)."""


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
    # notebook 09: the MLP VAE scored by importance sampling on statically binarized MNIST
    "vae_binarized_mnist": Recipe(
        lambda seed: models.VAE(nets.dense_encoder((28, 28, 1), 16, hidden=(256,)),
                                nets.dense_decoder(16, (28, 28, 1), hidden=(256,)),
                                likelihood="bernoulli", seed=seed),
        lambda: keras.optimizers.Adam(1e-3), binarized_mnist_images, epochs=30, batch_size=100),
    # notebook 08: the imputers. A dense VAE for the encode -> decode iteration; a mask-aware
    # conv VAE (its RandomMask hides part of every training image); conditional VAEs
    # p(x | z, c) with c = what is seen, one fixed pattern per training image, two KL weights
    "vae_mnist_impute": Recipe(
        lambda seed: models.VAE(nets.dense_encoder((28, 28, 1), 20, hidden=(512,)),
                                nets.dense_decoder(20, (28, 28, 1), hidden=(512,)), seed=seed),
        lambda: keras.optimizers.Adam(1e-3), mnist_images, epochs=15, batch_size=128),
    "masked_vae_mnist": Recipe(
        lambda seed: models.MaskedVAE(
            nets.conv_encoder((28, 28, 2), 32, filters=(32, 64), kind="strided"),
            nets.conv_decoder(32, (28, 28, 1), filters=(64, 32), kind="transpose",
                              likelihood="bernoulli"),
            block_rate=0.75, spill=0.5, seed=seed),
        lambda: keras.optimizers.Adam(1e-3), mnist_images, epochs=40, batch_size=128),
    **{f"inpainter_mnist_beta{beta:g}": Recipe(
        lambda seed, beta=beta: ConditionalVAE(
            nets.dense_conditional_encoder((28, 28, 1), 2 * 784, 16, hidden=(512, 512)),
            nets.dense_conditional_decoder(16, 2 * 784, (28, 28, 1), hidden=(512, 512)),
            beta=beta, seed=seed),
        lambda: keras.optimizers.Adam(1e-3), inpainting_images, epochs=30, batch_size=128)
       for beta in (1.0, 4.0)},
    # notebook 01: the sum-of-squares autoencoder of each latent size of the sweep
    **{f"ae_mse_mnist_{d}d": Recipe(
        lambda seed, d=d: models.dense_autoencoder(d, likelihood="mse"),
        lambda: keras.optimizers.Adam(2e-3), mnist_images, epochs=10, batch_size=128)
       for d in (2, 4, 8, 16, 32)},
    # notebook 02: the 2-D VAE of vae_mnist_2d with the KL weighted beta = 0 and beta = 4
    "vae_mnist_2d_beta0": Recipe(
        lambda seed: models.dense_vae(2, likelihood="bernoulli", beta=0.0, seed=seed),
        lambda: keras.optimizers.Adam(1e-3), mnist_images, epochs=25, batch_size=128),
    "vae_mnist_2d_beta4": Recipe(
        lambda seed: models.dense_vae(2, likelihood="bernoulli", beta=4.0, seed=seed),
        lambda: keras.optimizers.Adam(1e-3), mnist_images, epochs=25, batch_size=128),
    # notebook 03: the SciNet conv VAE with the strided-transpose decoder, trained alike
    "conv_vae_mnist_transpose": Recipe(
        lambda seed: models.conv_vae(100, decoder_kind="transpose", seed=seed),
        keras.optimizers.RMSprop, mnist_images, epochs=15, batch_size=64),
    # notebook 05: the same Frey-face VAE with a 10-D code, the imputer of section 6
    "vae_frey_10d": Recipe(
        lambda seed: models.VAE(*nets.frey_mlp(10), likelihood="gaussian_learned", seed=seed),
        lambda: keras.optimizers.Adam(1e-3), data.frey_split, epochs=150, batch_size=50),
    # notebook 06: the conditional VAE on MNIST (c = the one-hot digit, at the encoder and at z)
    "cvae_mnist_2d": Recipe(
        lambda seed: ConditionalVAE(nets.dense_conditional_encoder((28, 28, 1), 10, 2),
                                    nets.dense_conditional_decoder(2, 10, (28, 28, 1)), seed=seed),
        lambda: keras.optimizers.Adam(1e-3), mnist_with_labels, epochs=10, batch_size=128),
    # notebook 07: Kingma et al. (2014)'s M1, a VAE (600-600, latent 50) whose codes M2 classifies
    "m1_mnist_50d": Recipe(
        lambda seed: models.dense_vae(50, hidden=(600, 600), seed=seed),
        lambda: keras.optimizers.Adam(1e-3), mnist_images, epochs=30, batch_size=128),
    # notebook 07: M2 on pixels with 100 labels, and M1+M2 (M2 on M1's active codes) for each
    # candidate alpha and labelled weight, chosen on the validation digits in the notebook
    "m2_mnist_100labels": M2Recipe(
        _m2_pixels, lambda: keras.optimizers.Adam(1e-3), semi_supervised_mnist,
        epochs=15, batch_size=128),
    **{f"m1m2_mnist_alpha{alpha:g}_w{key}": M2Recipe(
        lambda seed, x_l, x_u, alpha=alpha, weight=weight: _m2_codes(seed, x_l, x_u, alpha, weight),
        lambda: keras.optimizers.Adam(1e-3), m1_codes, epochs=20, batch_size=128)
       for alpha in M1M2_ALPHAS for key, weight in M1M2_WEIGHTS.items()},
}
"""The standard models and the notebooks' heavy ones, each trained once and then loaded."""

RECIPES.update({
    # lecture 6 and notebook 10: the same MLPs on statically binarized MNIST, trained five ways.
    # One full epoch measured on the shared 2-core machine (load 6.6): 5.3 s for a VAE, 13.8 s
    # for the IWAE (k = 5), so the eight recipes' 20 epochs take roughly 20 minutes there.
    **{f"vae_bmnist_beta{beta:g}": _bmnist_recipe(
        lambda seed, beta=beta: models.VAE(*_bmnist_nets(), beta=beta, seed=seed))
       for beta in BMNIST_BETAS},
    "vae_bmnist_warmup_freebits": _bmnist_recipe(
        lambda seed: collapse.KLControlVAE(*_bmnist_nets(), seed=seed, free_bits=0.1,
                                           warmup_steps=5 * BMNIST_STEPS_PER_EPOCH)),
    "iwae_bmnist_k5": _bmnist_recipe(lambda seed: iwae.IWAE(*_bmnist_nets(), k=5, seed=seed)),
    "vampprior_bmnist": _bmnist_recipe(
        lambda seed: vampprior.VampPriorVAE(*_bmnist_nets(), n_components=100, seed=seed)),
    "hvae_bmnist": _bmnist_recipe(
        lambda seed: hierarchical.dense_hierarchical_vae(
            (BMNIST_LATENT, 16), hidden=BMNIST_HIDDEN, top_hidden=(100,), seed=seed)),
})


class CacheWarning(UserWarning):
    """A cache entry was damaged (truncated, modified, unreadable) and is being retrained."""


def _recipe(name):
    if name not in RECIPES:
        raise ValueError(f"name={name!r}: expected one of {sorted(RECIPES)}")
    return RECIPES[name]


def _epochs(name, epochs, smoke):
    """Epochs to train recipe ``name``: as given, else 1 in smoke mode, else the recipe's."""
    return epochs if epochs is not None else (1 if smoke else _recipe(name).epochs)


def build(name, seed=0, optimizer=None, smoke=SMOKE):
    """Recipe ``name``'s model, compiled with its optimizer (or with ``optimizer``). smoke:
    which training data shapes the model, for recipes built from their data (M2's)."""
    recipe = _recipe(name)
    x_train = recipe.training_data(smoke)[0] if recipe.builds_from_data else None
    return _compiled(recipe, seed, x_train, optimizer)


def _compiled(recipe, seed, x_train, optimizer=None):
    model = recipe.make_model(seed, x_train)
    model.compile(optimizer=optimizer or recipe.optimizer())
    return model


def train(name, seed=0, epochs=None, smoke=SMOKE, progress=True):
    """Build and train recipe ``name`` from seed ``seed`` -> (model, history dict).

    epochs: defaults to the recipe's (1 in smoke mode). History has per-epoch lists of
    loss, reconstruction[, kl] and (except for M2 recipes) their ``val_`` versions on the
    held-out split.
    """
    recipe, epochs = _recipe(name), _epochs(name, epochs, smoke)
    keras.utils.set_random_seed(seed)
    x_train, x_val = recipe.training_data(smoke)
    model = _compiled(recipe, seed, x_train)
    callbacks = [TqdmCallback(epochs=epochs, verbose=0, desc=name)] if progress else []
    history = recipe.fit(model, x_train, x_val, seed, epochs, callbacks)
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}


# ---------------------------------------------------------------- fingerprint

@contextlib.contextmanager
def _as_in_a_fresh_process(seed):
    """Run a block with Python's and NumPy's RNGs seeded by ``seed`` (as ``train`` seeds them)
    and Keras' automatic names starting afresh (``dense``, not ``dense_7``), then restore all
    three: the caller's random draws and later layer names are as if the block never ran."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    names = global_state.get_global_attribute("object_name_uids")  # Keras' name counters
    global_state.set_global_attribute("object_name_uids", collections.defaultdict(int))
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        global_state.set_global_attribute("object_name_uids", names)
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _digest(x):
    """Shapes, dtypes and SHA-256 of the bytes of an array (or a nest of arrays)."""
    return [{"shape": list(a.shape), "dtype": str(a.dtype),
             "sha256": hashlib.sha256(np.ascontiguousarray(a)).hexdigest()}
            for a in map(np.asarray, keras.tree.flatten(x))]


def fingerprint(name, seed=0, epochs=None, smoke=SMOKE):
    """The cache key of recipe ``name`` -> (hex SHA-256, the dict of its inputs).

    The inputs are what determines the trained weights: the Keras configs of the built model
    (architecture, likelihood, sampling seed) and of its optimizer (learning rate, schedule),
    shapes and SHA-256 of the training and validation arrays, the recipe's other fields
    (epochs as trained, batch size), the seed, smoke mode and ``CACHE_VERSION``. The model is
    built and the data loaded as ``train`` does, without touching the caller's random state.
    """
    recipe, epochs = _recipe(name), _epochs(name, epochs, smoke)
    with _as_in_a_fresh_process(seed):
        x_train, x_val = recipe.training_data(smoke)
        model = _compiled(recipe, seed, x_train)
        model_config = keras.saving.serialize_keras_object(model)
        optimizer_config = keras.saving.serialize_keras_object(model.optimizer)
    fields = {f.name: getattr(recipe, f.name) for f in dataclasses.fields(recipe)
              if not callable(getattr(recipe, f.name))}
    inputs = {"cache_version": CACHE_VERSION, "recipe": {**fields, "epochs": epochs},
              "seed": seed, "smoke": smoke, "smoke_examples": SMOKE_EXAMPLES if smoke else None,
              "data": {"train": _digest(x_train), "validation": _digest(x_val)},
              "model": model_config, "optimizer": optimizer_config}
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest(), json.loads(canonical)


def _entry_name(name, seed, epochs, smoke, digest):
    return f"{name}-seed{seed}-{epochs}ep{'-smoke' if smoke else ''}-{digest[:12]}"


def cache_dir():
    """``$KERAS_HOME/vae-course-models`` (``~/.keras/vae-course-models`` by default)."""
    return keras_home() / CACHE_SUBDIR


def cache_path(name, seed=0, epochs=None, smoke=SMOKE):
    """Path of the cached ``model.keras`` of recipe ``name`` (its card: ``card.json`` beside it).

    Computes the fingerprint: loads the recipe's data and builds its model (a second or two).
    """
    epochs = _epochs(name, epochs, smoke)
    digest, _ = fingerprint(name, seed, epochs, smoke)
    return cache_dir() / _entry_name(name, seed, epochs, smoke, digest) / MODEL_FILE


# ---------------------------------------------------------------- cache entries

class _Damaged(Exception):
    """A cache entry that exists but cannot be trusted; the message names the file and why."""


def _complete_card(entry, digest):
    """The card of the complete cache entry ``entry`` with fingerprint ``digest``.

    Returns None if there is no entry; raises _Damaged if its card is missing or unreadable,
    is not this fingerprint's, or its model file is missing or does not match its SHA-256.
    """
    if not entry.exists():
        return None
    card_path, model_path = entry / CARD_FILE, entry / MODEL_FILE
    try:
        card = json.loads(card_path.read_text())
    except (OSError, ValueError) as error:
        raise _Damaged(f"{card_path}: unreadable ({type(error).__name__})") from error
    if not isinstance(card, dict) or card.get("fingerprint") != digest:
        raise _Damaged(f"{card_path}: not the card of fingerprint {digest[:12]}")
    if not model_path.is_file():
        raise _Damaged(f"{model_path}: missing")
    recorded = card.get("model_file")
    if data.sha256(model_path) != (recorded.get("sha256") if isinstance(recorded, dict) else None):
        raise _Damaged(f"{model_path}: SHA-256 differs from the one recorded in {CARD_FILE} "
                       "(truncated or modified)")
    return card


def _load(entry, digest):
    """(model, card) of a complete cache entry; None if there is none or it is damaged: then
    a CacheWarning names the file and the entry is deleted, to be trained again."""
    try:
        card = _complete_card(entry, digest)
        if card is None:
            return None
        try:
            return keras.saving.load_model(entry / MODEL_FILE), card
        except Exception as error:  # whatever Keras raises on a file it cannot read
            first_line = str(error).splitlines()[0] if str(error) else ""
            raise _Damaged(f"{entry / MODEL_FILE}: Keras cannot load it "
                           f"({type(error).__name__}: {first_line})") from error
    except _Damaged as damage:
        warnings.warn(f"damaged model cache entry, retraining it: {damage}", CacheWarning,
                      stacklevel=3)
        _discard(entry)
        return None


def _discard(entry):
    """Delete a cache entry; renamed aside first (atomic), so no reader sees half of it."""
    trash = entry.with_name(f".trash-{entry.name}-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(entry, trash)
    except FileNotFoundError:
        return
    if trash.is_dir():
        shutil.rmtree(trash)
    else:
        trash.unlink()


def _save(entry, model, card):
    """Write ``model`` and ``card`` as cache entry ``entry`` in one atomic rename -> True.

    Returns False, keeping it, when a complete entry of the same fingerprint is already
    there (another process saved it first); a damaged one is replaced.
    """
    entry.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{entry.name}-", dir=entry.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; an entry is as readable as its files
    try:
        model.save(tmp / MODEL_FILE)
        model_file = {"name": MODEL_FILE, "bytes": (tmp / MODEL_FILE).stat().st_size,
                      "sha256": data.sha256(tmp / MODEL_FILE)}
        (tmp / CARD_FILE).write_text(json.dumps({**card, "model_file": model_file}, indent=1))
        for _ in range(3):
            try:
                os.rename(tmp, entry)  # fails if entry exists: the first process to rename wins
                return True
            except OSError:
                if not entry.exists():
                    raise
            try:
                if _complete_card(entry, card["fingerprint"]) is not None:
                    return False
            except _Damaged:
                _discard(entry)
        raise OSError(f"{entry}: cannot replace this damaged cache entry; delete it")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _versions():
    """Versions of the library, Keras, the backend, NumPy and Python."""
    try:
        vae_version = importlib.metadata.version("vae")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout without installing
        vae_version = "unknown"
    backend = keras.backend.backend()
    return {"vae": vae_version, "keras": keras.__version__, "backend": backend,
            "backend_version": getattr(importlib.import_module(backend), "__version__", "?"),
            "numpy": np.__version__, "python": platform.python_version()}


def _card(name, seed, epochs, smoke, digest, inputs, history, seconds):
    """The model card of a freshly trained entry (``_save`` adds the model file's SHA-256)."""
    recipe = _recipe(name)
    return {"name": name, "seed": seed, "epochs": epochs, "smoke": smoke, "fingerprint": digest,
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "train_seconds": round(seconds, 1),
            "final": {key: values[-1] for key, values in history.items()},
            "versions": _versions(),
            "data_function": f"{recipe.data.__module__}.{recipe.data.__qualname__}",
            "history": history, "inputs": inputs}


def _which(name, seed, epochs, smoke, digest):
    """``name (seed 0, 15 epochs, fingerprint 3f2a9c1b7e4d)``: one entry, in words."""
    return (f"{name} (seed {seed}, {epochs} epoch{'' if epochs == 1 else 's'}"
            f"{', smoke' if smoke else ''}, fingerprint {digest[:12]})")


def _shown(path):
    """``path`` with the home folder written ``~``."""
    try:
        return f"~/{Path(path).relative_to(Path.home())}"
    except ValueError:
        return str(path)


def _duration(seconds):
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def load_or_train(name, seed=0, epochs=None, smoke=SMOKE, progress=True):
    """Load recipe ``name`` from the cache, or train and cache it -> (model, history dict).

    The entry is the one of ``fingerprint(name, seed, epochs, smoke)``; a damaged one is
    retrained with a ``CacheWarning``. progress: show a progress bar while training and print
    one line saying which entry was loaded, or how long training took and where it was saved.
    """
    epochs = _epochs(name, epochs, smoke)
    digest, inputs = fingerprint(name, seed, epochs, smoke)
    entry = cache_dir() / _entry_name(name, seed, epochs, smoke, digest)
    which = _which(name, seed, epochs, smoke, digest)
    say = (lambda line: print(line, flush=True)) if progress else (lambda line: None)
    loaded = _load(entry, digest)
    if loaded is not None:
        say(f"loaded {which} from {_shown(entry)}")
        return loaded[0], loaded[1]["history"]
    start = time.perf_counter()
    model, history = train(name, seed, epochs, smoke, progress)
    seconds = time.perf_counter() - start
    card = _card(name, seed, epochs, smoke, digest, inputs, history, seconds)
    if _save(entry, model, card):
        say(f"trained {which} in {_duration(seconds)}, saved to {_shown(entry)}")
        return model, history
    # Another process saved this entry while we trained: use its model, as later calls will.
    loaded = _load(entry, digest)
    if loaded is None:  # it was damaged (a CacheWarning said so and deleted it): save ours
        _save(entry, model, card)
        return model, history
    say(f"trained {which} in {_duration(seconds)}; another process saved it first: "
        f"loaded {_shown(entry)}")
    return loaded[0], loaded[1]["history"]


# ---------------------------------------------------------------- listing and clearing

def _recipe_of(path):
    """The recipe name in a cache item's file name (``<name>-seed...``), or None."""
    stem = path.name.removeprefix(".tmp-").removeprefix(".trash-").removeprefix("partial-")
    return stem.split("-seed")[0] if "-seed" in stem else None


def _size(path):
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files)


def _describe(path):
    """One cache item -> lines for ``list``: folder, size, date; card summary or the problem."""
    head = f"{path.name}  {_size(path) / 1e6:.1f} MB"
    if path.name.startswith((".tmp-", ".trash-")):
        return [f"{head}  temporary: a save in progress, or one that was interrupted"]
    if path.is_file():
        return [f"{head}  a file of the old cache layout: never loaded, clear deletes it"]
    try:
        card = json.loads((path / CARD_FILE).read_text())
        _complete_card(path, card["fingerprint"])
        final = ", ".join(f"{k} {card['final'][k]:.4g}" for k in ("loss", "val_loss")
                          if k in card["final"])
        which = _which(*(card[k] for k in ("name", "seed", "epochs", "smoke", "fingerprint")))
        v = card["versions"]
        return [f"{head}  trained {card['date']} in {_duration(card['train_seconds'])}",
                f"    {which}; final {final}; vae {v['vae']}, keras {v['keras']}, "
                f"{v['backend']} {v['backend_version']}"]
    except (OSError, ValueError, TypeError, KeyError, _Damaged) as error:
        why = error if isinstance(error, _Damaged) else "no readable card.json"
        return [f"{head}  damaged ({why}): load_or_train retrains it, clear deletes it"]


def clear(name=None):
    """Delete every cache item (only recipe ``name``'s, if given) -> the deleted paths.

    Not while a model is training: its save (a temporary folder in the cache) would fail.
    """
    folder = cache_dir()
    items = sorted(folder.iterdir()) if folder.is_dir() else []
    doomed = [p for p in items if name is None or _recipe_of(p) == name]
    for path in doomed:
        _discard(path)
    return doomed


def main(argv=None):
    """``python -m vae.recipes list`` / ``clear [--name NAME]``: show or empty the cache."""
    parser = argparse.ArgumentParser(
        prog="python -m vae.recipes",
        description=f"List or clear the trained-model cache, {_shown(cache_dir())}.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="each entry's folder, size, date and model card")
    clearing = commands.add_parser("clear", help="delete the cached models")
    clearing.add_argument("--name", help="only those of this recipe (e.g. vae_frey_2d)")
    args = parser.parse_args(argv)
    folder = cache_dir()
    if args.command == "clear":
        deleted = clear(args.name)
        for path in deleted:
            print(f"deleted {_shown(path)}")
        print(f"{len(deleted)} item(s) deleted from {_shown(folder)}")
        return
    items = sorted(folder.iterdir()) if folder.is_dir() else []
    total = sum(_size(p) for p in items)
    print(f"{_shown(folder)}: {len(items)} item(s), {total / 1e6:.1f} MB")
    for path in items:
        print("\n".join(_describe(path)))


if __name__ == "__main__":
    main()
