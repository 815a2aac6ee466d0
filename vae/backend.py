"""The Keras backend the course runs on (TensorFlow, JAX or PyTorch) and where they differ.

Keras reads the backend once, when it is first imported: ``KERAS_BACKEND=jax`` (or ``torch``,
``tensorflow``, the default) in the environment before Python starts, or
``os.environ["KERAS_BACKEND"] = "jax"`` before the first ``import keras``. Every model of
the course is written with ``keras.ops`` only and runs unchanged on all three.

``describe()`` is the line a notebook's setup cell prints; ``tensors`` lets the library mix
NumPy inputs with tensors on every backend; ``data_parallel`` spreads training over several
devices with Keras' distribution API (``VAE_DATA_PARALLEL=1`` turns it on at import of the
library), on the JAX backend only: elsewhere it says so with an error.
"""

import importlib

import keras
from keras import ops

from vae.config import env_flag

BACKENDS = ("tensorflow", "jax", "torch")
"""The Keras backends the course is tested on (``.ci/run`` runs every test under each)."""

DATA_PARALLEL_BACKENDS = ("jax",)
"""Backends on which :func:`data_parallel` works (Keras' DataParallel is tested here on JAX)."""


def name():
    """The backend Keras runs on: "tensorflow", "jax" or "torch"."""
    return keras.backend.backend()


def devices():
    """The devices Keras can compute on, e.g. ``["cpu:0"]`` or ``["cuda:0", "cuda:1"]``."""
    if name() == "jax":
        return keras.distribution.list_devices()
    if name() == "torch":
        import torch

        count = torch.cuda.device_count()
        return [f"cuda:{i}" for i in range(count)] if count else ["cpu:0"]
    import tensorflow as tf  # the TensorFlow backend is running: TensorFlow is installed

    gpus = tf.config.list_logical_devices("GPU")
    return [d.name for d in gpus] or ["cpu:0"]


def describe():
    """One line for a notebook's setup cell, e.g. ``Keras 3.15.1 on jax 0.10.2 (cpu:0)``."""
    backend = name()
    version = getattr(importlib.import_module(backend), "__version__", "?")
    shown = devices()
    where = ", ".join(shown[:4]) + (f", ... ({len(shown)} devices)" if len(shown) > 4 else "")
    return f"Keras {keras.__version__} on {backend} {version} ({where})"


def tensors(*arrays):
    """The arrays (NumPy, lists, tensors) as tensors of the running backend, in a list.

    Library functions call this on their inputs so that NumPy arrays mix with tensors on
    every backend: ``ndarray * tensor`` fails on PyTorch, whose tensor never sees the
    operator (NumPy's runs first and tries to convert a tensor that requires a gradient).
    """
    return [ops.convert_to_tensor(a) for a in arrays]


def require(feature, backends):
    """Raise NotImplementedError naming ``feature`` unless the backend is one of ``backends``."""
    if name() not in backends:
        raise NotImplementedError(
            f"{feature} is not available on the {name()} backend of this course; it runs on "
            f"{' or '.join(backends)}: start Python with KERAS_BACKEND={backends[0]}")


def data_parallel(device_list=None):
    """Train every later ``fit`` data-parallel over ``device_list`` (default: all devices).

    Sets ``keras.distribution.DataParallel`` as Keras' global distribution: each batch is
    split over the devices, the weights are replicated and their gradients averaged by the
    backend (no change to any model). JAX backend only (NotImplementedError elsewhere).
    The batch size of ``fit`` must be a multiple of the number of devices. Returns the
    distribution.
    """
    require("data-parallel training (keras.distribution)", DATA_PARALLEL_BACKENDS)
    distribution = keras.distribution.DataParallel(
        devices=device_list or keras.distribution.list_devices())
    keras.distribution.set_distribution(distribution)
    return distribution


def configure_from_environment():
    """Apply the library's backend switches: ``VAE_DATA_PARALLEL=1`` calls :func:`data_parallel`."""
    if env_flag("VAE_DATA_PARALLEL") and keras.distribution.distribution() is None:
        data_parallel()
