"""One course, three backends: the same numbers on TensorFlow, JAX and PyTorch.

Each backend runs in its own process (Keras picks its backend once, at import), through
tests/backend_worker.py: the same weights, the same real digits and the same noise must
give the same loss, reconstruction term, KL and importance-weighted bound within float32
rounding; a ``.keras`` file saved under one backend must load under every other and decode
the same codes to the same images. Backends that are not installed are skipped, saying so,
unless ``VAE_REQUIRE_BACKENDS=1`` (CI installs all three) makes that a failure.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vae import backend
from vae.config import env_flag

ROOT = Path(__file__).resolve().parents[1]
WORKER = ROOT / "tests" / "backend_worker.py"
PARALLEL_WORKER = ROOT / "tests" / "parallel_worker.py"


def installed_backends():
    """The backends of vae.backend.BACKENDS whose package is installed here (run only under
    the default backend: the other backends run in their own processes)."""
    if backend.name() != backend.BACKENDS[0]:
        pytest.skip("runs every backend in its own process: once, in the run under the "
                    f"default backend ({backend.BACKENDS[0]})")
    missing = [b for b in backend.BACKENDS if importlib.util.find_spec(b) is None]
    if missing and env_flag("VAE_REQUIRE_BACKENDS"):
        pytest.fail(f"VAE_REQUIRE_BACKENDS=1 but {', '.join(missing)} not installed "
                    "(pip install -r requirements-jax.txt -r requirements-torch.txt)")
    found = [b for b in backend.BACKENDS if b not in missing]
    if len(found) < 2:
        pytest.skip(f"only {found} installed: nothing to compare (make install-backends)")
    return found


def run_worker(name, mode, folder):
    """Run the worker under backend ``name``; its output on failure."""
    env = {**os.environ, "KERAS_BACKEND": name}
    done = subprocess.run([sys.executable, str(WORKER), mode, str(folder)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{name} {mode}:\n{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """{backend: numbers npz}, {backend: decoded npz} after every backend computed, saved,
    then loaded every saved model."""
    folder, names = tmp_path_factory.mktemp("backends"), installed_backends()
    for name in names:
        run_worker(name, "compute", folder)
    for name in names:
        run_worker(name, "load", folder)
    return ({name: dict(np.load(folder / f"{name}-numbers.npz")) for name in names},
            {name: dict(np.load(folder / f"{name}-decoded.npz")) for name in names})


@pytest.mark.slow
@pytest.mark.parametrize("quantity", ["loss", "reconstruction", "kl", "log_w", "iw_bound"])
def test_same_weights_inputs_and_noise_give_the_same_numbers_on_every_backend(results,
                                                                              quantity):
    numbers, _ = results
    reference, *others = numbers
    for model in ("conv_mse", "dense_bernoulli", "dense_gaussian_learned"):
        expected = numbers[reference][f"{model}/{quantity}"]
        assert np.all(np.isfinite(expected)) and np.abs(expected).max() > 1  # not all zero
        for name in others:
            np.testing.assert_array_equal(numbers[name][f"{model}/weight_shapes"],
                                          numbers[reference][f"{model}/weight_shapes"])
            # float32 sums over 784 pixels: agreement to a few units in the 6th digit
            np.testing.assert_allclose(numbers[name][f"{model}/{quantity}"], expected,
                                       rtol=2e-5, atol=1e-4,
                                       err_msg=f"{model} {quantity}: {name} vs {reference}")


@pytest.mark.slow
def test_a_model_saved_under_one_backend_decodes_the_same_images_under_the_others(results):
    numbers, decoded = results
    for saver in numbers:
        for model in ("conv_mse", "dense_bernoulli", "dense_gaussian_learned"):
            before = numbers[saver][f"{model}/decoded"]
            assert before.shape == (8, 28, 28, 1) and before.std() > 0.01
            for loader in decoded:
                np.testing.assert_allclose(decoded[loader][f"{saver}-{model}"], before,
                                           rtol=1e-5, atol=1e-6,
                                           err_msg=f"{model} saved on {saver}, loaded on {loader}")


def train_on_jax(out, data_parallel):
    """Run tests/parallel_worker.py on JAX with two virtual CPU devices -> its npz."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "VAE_DATA_PARALLEL": str(int(data_parallel)),
           "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    done = subprocess.run([sys.executable, str(PARALLEL_WORKER), str(out)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(np.load(out))


@pytest.mark.slow
def test_data_parallel_on_two_devices_follows_the_one_device_loss_trajectory(tmp_path):
    if "jax" not in installed_backends():
        pytest.skip("JAX is not installed (pip install -r requirements-jax.txt)")
    one = train_on_jax(tmp_path / "one.npz", data_parallel=False)
    two = train_on_jax(tmp_path / "two.npz", data_parallel=True)
    assert (one["devices"], one["weight_devices"]) == (1, 1)
    assert (two["devices"], two["weight_devices"]) == (2, 2)       # replicated on both
    assert len(one["batch_loss"]) == 3 * 2048 // 128 and one["epoch_loss"][-1] < \
        0.8 * one["epoch_loss"][0]                                    # it learns
    # each batch split in two, gradients averaged by XLA: float32 rounding apart
    np.testing.assert_allclose(two["batch_loss"], one["batch_loss"], rtol=1e-5)
    for key in (k for k in one if k.startswith("weight_")):
        np.testing.assert_allclose(two[key], one[key], rtol=1e-4, atol=1e-5)


def test_the_backend_is_named_and_a_missing_capability_is_a_clear_error():
    line = backend.describe()
    assert backend.name() in backend.BACKENDS and f" on {backend.name()} " in line
    other = next(b for b in backend.BACKENDS if b != backend.name())
    with pytest.raises(NotImplementedError, match=f"a feature is not available on the "
                       f"{backend.name()} backend.*KERAS_BACKEND={other}"):
        backend.require("a feature", (other,))
    if backend.name() not in backend.DATA_PARALLEL_BACKENDS:
        with pytest.raises(NotImplementedError, match="data-parallel.*KERAS_BACKEND=jax"):
            backend.data_parallel()
