"""Conditional VAE: shapes, training on real MNIST, save/load, argument checks."""

import keras
import numpy as np
import pytest

from vae import data, nets
from vae.conditional import ConditionalVAE, circular_encoding
from vae.nets import dense_conditional_decoder, dense_conditional_encoder


def _cvae(likelihood="bernoulli", shape=(28, 28, 1), cond=10, latent=2, **kwargs):
    return ConditionalVAE(
        dense_conditional_encoder(shape, cond, latent, hidden=(32,)),
        dense_conditional_decoder(latent, cond, shape, hidden=(32,), likelihood=likelihood),
        likelihood=likelihood, seed=0, **kwargs)


@pytest.fixture(scope="module")
def mnist_512():
    (x, y), _ = data.load_mnist()
    return data.as_images(x[:512]), np.eye(10, dtype="float32")[y[:512]]


def test_shapes_of_call_encode_decode_and_sample(mnist_512):
    x, c = mnist_512
    cvae = _cvae()
    out = cvae([x[:5], c[:5]])
    assert out["z"].shape == (5, 2) and out["x_hat"].shape == (5, 28, 28, 1)
    z_mean, z_log_var = cvae.encode([x[:7], c[:7]], batch_size=3)
    assert z_mean.shape == z_log_var.shape == (7, 2)
    assert cvae.decode([z_mean, c[:7]]).shape == (7, 28, 28, 1)
    assert cvae.sample(np.eye(10)[[3, 3, 7]], seed=0).shape == (3, 28, 28, 1)
    assert cvae.condition_dim == 10 and cvae.latent_dim == 2


@pytest.mark.slow
def test_training_lowers_the_loss_and_reports_the_vae_metrics(mnist_512):
    keras.utils.set_random_seed(0)
    cvae = _cvae(likelihood="gaussian_learned", shape=(24,), cond=4)
    x = np.random.default_rng(0).normal(size=(256, 24)).astype("float32")
    c = circular_encoding(np.arange(256) % 12, 12)
    c = np.concatenate([c, circular_encoding(np.arange(256) % 7, 7)], axis=1)
    cvae.compile(optimizer=keras.optimizers.Adam(1e-2))
    logs = cvae.fit([x, c], batch_size=64, epochs=5, verbose=0).history
    assert set(logs) == {"loss", "reconstruction", "kl"}
    assert logs["loss"][-1] < logs["loss"][0]


@pytest.mark.slow
def test_save_load_round_trip(mnist_512, tmp_path):
    x, c = mnist_512
    cvae = _cvae(beta=0.5)
    cvae.compile(optimizer="adam")
    cvae.fit([x, c], batch_size=128, epochs=1, verbose=0)
    cvae.save(tmp_path / "cvae.keras")
    loaded = keras.models.load_model(tmp_path / "cvae.keras")
    assert isinstance(loaded, ConditionalVAE) and loaded.beta == 0.5
    for got, want in zip(loaded.encode([x[:16], c[:16]]), cvae.encode([x[:16], c[:16]])):
        np.testing.assert_array_equal(got, want)
    z = np.zeros((16, 2), "float32")
    np.testing.assert_array_equal(loaded.decode([z, c[:16]]), cvae.decode([z, c[:16]]))


def test_condition_changes_the_decoded_image(mnist_512):
    cvae = _cvae()
    z = np.zeros((10, 2), "float32")
    images = cvae.decode([z, np.eye(10, dtype="float32")])
    assert np.abs(images[0] - images[1]).max() > 0


def test_circular_encoding_puts_sunday_next_to_monday_and_december_next_to_january():
    months = circular_encoding(np.arange(1, 13), 12)
    days = circular_encoding(np.arange(7), 7)
    dist = np.linalg.norm
    assert dist(months[11] - months[0]) == pytest.approx(dist(months[0] - months[1]))
    assert dist(months[11] - months[0]) < dist(months[11] - months[5])
    np.testing.assert_allclose(dist(days[6] - days[0]), dist(days[0] - days[1]), rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(months, axis=1), 1, rtol=1e-6)
    # March (3) and September (9) differ only in the sign of the sine: cos alone would merge them
    np.testing.assert_allclose(months[2, 0], months[8, 0], atol=1e-6)
    assert months[2, 1] == pytest.approx(-months[8, 1])
    with pytest.raises(ValueError, match="period"):
        circular_encoding([1], period=0)


def test_bad_networks_are_value_errors():
    with pytest.raises(ValueError, match="encoder"):
        ConditionalVAE(nets.dense_encoder((4,), 2, hidden=(8,)),
                       dense_conditional_decoder(2, 3, (4,), hidden=(8,)))
    with pytest.raises(ValueError, match="decoder"):
        ConditionalVAE(dense_conditional_encoder((4,), 3, 2, hidden=(8,)),
                       nets.dense_decoder(2, (4,), hidden=(8,)))
    with pytest.raises(ValueError, match="condition_dim"):
        dense_conditional_encoder((4,), 0, 2)
    with pytest.raises(ValueError, match="c:"):
        _cvae(shape=(4,), cond=3).sample(np.ones((2, 5)))
