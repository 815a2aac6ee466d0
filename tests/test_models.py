"""Autoencoder and VAE: training on real MNIST, evaluate, save/load, argument checks."""

import keras
import numpy as np
import pytest

from vae import data, evaluate, models, nets


@pytest.fixture(scope="module")
def mnist_2000():
    (x_train, _), _ = data.load_mnist()
    return data.as_images(x_train[:2000])


def _conv_vae(likelihood="mse", **kwargs):
    return models.VAE(nets.conv_encoder((28, 28, 1), 16),
                      nets.conv_decoder(16, (28, 28, 1), likelihood=likelihood),
                      likelihood=likelihood, seed=0, **kwargs)


@pytest.mark.slow
def test_vae_training_on_real_mnist_lowers_the_loss(mnist_2000):
    keras.utils.set_random_seed(0)
    vae = _conv_vae()
    vae.compile(optimizer=keras.optimizers.RMSprop())
    before = vae.evaluate(mnist_2000, batch_size=250, verbose=0, return_dict=True)
    history = vae.fit(mnist_2000, epochs=7, batch_size=64, verbose=0)  # 7 * 32 = 224 steps
    after = vae.evaluate(mnist_2000, batch_size=250, verbose=0, return_dict=True)
    assert set(history.history) == {"loss", "reconstruction", "kl"}
    assert after["loss"] < 0.7 * before["loss"]
    np.testing.assert_allclose(after["loss"], after["reconstruction"] + after["kl"], rtol=1e-4)
    assert after["kl"] > 0


def test_evaluate_returns_loss_reconstruction_and_kl_with_beta(mnist_2000):
    vae = _conv_vae(likelihood="bernoulli", beta=4.0)
    vae.compile(optimizer="adam")
    result = vae.evaluate(mnist_2000[:256], batch_size=128, verbose=0, return_dict=True)
    assert set(result) == {"loss", "reconstruction", "kl"}
    np.testing.assert_allclose(result["loss"], result["reconstruction"] + 4.0 * result["kl"],
                               rtol=1e-4)


@pytest.mark.parametrize("likelihood, sigma", [
    ("bernoulli", None), ("gaussian", 0.1), ("gaussian_learned", None), ("mse", None),
    ("beta", None), ("log_normal", None)])
def test_every_likelihood_trains_a_step(mnist_2000, likelihood, sigma):
    vae = models.VAE(nets.dense_encoder((28, 28, 1), 2, hidden=(32,)),
                     nets.dense_decoder(2, (28, 28, 1), hidden=(32,), likelihood=likelihood),
                     likelihood=likelihood, sigma=sigma)
    vae.compile(optimizer="adam")
    x = mnist_2000[:128] + (0.05 if likelihood == "log_normal" else 0.0)  # log-normal: x > 0
    logs = vae.fit(x, batch_size=64, epochs=1, verbose=0).history
    assert np.isfinite(logs["loss"][0])
    assert vae.sample(3, seed=0).shape == (3, 28, 28, 1)


@pytest.mark.slow
def test_save_load_round_trip_gives_identical_outputs(mnist_2000, tmp_path):
    vae = _conv_vae(likelihood="bernoulli")
    vae.compile(optimizer="adam")
    vae.fit(mnist_2000[:128], batch_size=64, epochs=1, verbose=0)
    vae.save(tmp_path / "vae.keras")
    vae.encoder.save(tmp_path / "encoder.keras")
    vae.decoder.save(tmp_path / "decoder.keras")
    loaded = keras.models.load_model(tmp_path / "vae.keras")
    assert isinstance(loaded, models.VAE) and loaded.likelihood == "bernoulli"
    x = mnist_2000[:32]
    z_mean, z_log_var = vae.encode(x)
    for got, want in zip(loaded.encode(x), (z_mean, z_log_var)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(loaded.decode(z_mean), vae.decode(z_mean))
    encoder = keras.models.load_model(tmp_path / "encoder.keras")
    decoder = keras.models.load_model(tmp_path / "decoder.keras")
    np.testing.assert_array_equal(encoder.predict(x, verbose=0)[0], z_mean)
    np.testing.assert_array_equal(decoder.predict(z_mean, verbose=0),
                                  vae.decoder.predict(z_mean, verbose=0))


@pytest.mark.slow
def test_autoencoder_trains_and_round_trips(mnist_2000, tmp_path):
    ae = models.Autoencoder(nets.dense_encoder((28, 28, 1), 2, hidden=(64,), variational=False),
                            nets.dense_decoder(2, (28, 28, 1), hidden=(64,), likelihood="mse"),
                            likelihood="mse")
    ae.compile(optimizer="adam")
    logs = ae.fit(mnist_2000, batch_size=64, epochs=3, verbose=0).history
    assert set(logs) == {"loss", "reconstruction"} and logs["loss"][-1] < logs["loss"][0]
    ae.save(tmp_path / "ae.keras")
    loaded = keras.models.load_model(tmp_path / "ae.keras")
    np.testing.assert_array_equal(loaded.encode(mnist_2000[:8]), ae.encode(mnist_2000[:8]))


@pytest.mark.parametrize("kwargs, match", [
    ({"likelihood": "poisson"}, "likelihood"),
    ({"likelihood": "gaussian"}, "sigma"),
    ({"likelihood": "gaussian", "sigma": -1.0}, "sigma"),
    ({"likelihood": "mse", "sigma": 0.1}, "sigma"),
    ({"likelihood": "mse", "beta": -1.0}, "beta"),
])
def test_bad_model_arguments_are_value_errors(kwargs, match):
    enc = nets.dense_encoder((4,), 2, hidden=(8,))
    dec = nets.dense_decoder(2, (4,), hidden=(8,), likelihood="mse")
    with pytest.raises(ValueError, match=match):
        models.VAE(enc, dec, **kwargs)


def test_mismatched_networks_are_value_errors():
    enc = nets.dense_encoder((4,), 2, hidden=(8,))
    with pytest.raises(ValueError, match="decoder"):
        models.VAE(enc, nets.dense_decoder(2, (4,), hidden=(8,), likelihood="mse"),
                   likelihood="gaussian_learned")
    with pytest.raises(ValueError, match="encoder"):
        models.VAE(nets.dense_encoder((4,), 2, hidden=(8,), variational=False),
                   nets.dense_decoder(2, (4,), hidden=(8,), likelihood="mse"), likelihood="mse")
    vae = models.VAE(enc, nets.dense_decoder(2, (4,), hidden=(8,), likelihood="mse"),
                     likelihood="mse")
    with pytest.raises(ValueError, match="n=0: expected an integer >= 1"):
        vae.sample(0)


def _masked_vae(**kwargs):
    return models.MaskedVAE(nets.dense_encoder((28, 28, 2), 4, hidden=(32,)),
                            nets.dense_decoder(4, (28, 28, 1), hidden=(32,)), **kwargs)


@pytest.mark.slow
def test_masked_vae_trains_on_hidden_pixels_and_round_trips(mnist_2000, tmp_path):
    vae = _masked_vae(seed=0, max_rate=0.8, block_rate=0.7, spill=0.5)
    vae.compile(optimizer="adam")
    logs = vae.fit(mnist_2000, batch_size=100, epochs=3, verbose=0).history
    assert logs["loss"][-1] < logs["loss"][0]
    x = mnist_2000[:16]
    observed = np.zeros(x.shape, bool)
    observed[:, :14] = True                                  # top half seen
    half, _ = vae.encode(x, observed=observed)
    full, _ = vae.encode(x)
    assert not np.allclose(half, full)                       # the encoder reads the mask
    with_nan = np.where(observed, x, np.nan)
    np.testing.assert_allclose(vae.encode(with_nan, observed=observed)[0], half)
    vae.save(tmp_path / "masked.keras")
    loaded = keras.models.load_model(tmp_path / "masked.keras")
    assert isinstance(loaded, models.MaskedVAE)
    assert (loaded.hider.max_rate, loaded.hider.block_rate, loaded.hider.spill) == (0.8, 0.7, 0.5)
    np.testing.assert_array_equal(loaded.encode(x, observed=observed)[0], half)
    # outside training call() treats x as complete (so evaluate gives the ordinary ELBO)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(vae(x)["z_mean"]), full, rtol=1e-5)


def test_masked_vae_and_vae_check_their_encoders():
    with pytest.raises(ValueError, match="input channels"):
        models.MaskedVAE(nets.dense_encoder((28, 28, 1), 4, hidden=(8,)),
                         nets.dense_decoder(4, (28, 28, 1), hidden=(8,)))
    vae = models.VAE(nets.dense_encoder((4,), 2, hidden=(8,)),
                     nets.dense_decoder(2, (4,), hidden=(8,), likelihood="mse"), likelihood="mse")
    with pytest.raises(ValueError, match="MaskedVAE"):   # a plain VAE's encoder needs all of x
        evaluate.weighted_draws(vae, np.zeros((1, 4), "float32"), 3,
                                observed=np.ones((1, 4), bool))


def test_dense_builders_give_mirrored_models_that_round_trip_shapes():
    ae = models.dense_autoencoder(3, hidden=(32, 16))
    vae = models.dense_vae(2, hidden=(16,), beta=4.0, seed=0)
    x = np.random.default_rng(0).uniform(size=(5, 28, 28, 1)).astype("float32")
    assert ae.encode(x).shape == (5, 3) and ae.likelihood == "mse"
    assert [layer.units for layer in ae.decoder.layers if hasattr(layer, "units")][:2] == [16, 32]
    z_mean, z_log_var = vae.encode(x)
    assert z_mean.shape == z_log_var.shape == (5, 2)
    assert vae.beta == 4.0 and vae.sample(4, seed=0).shape == (4, 28, 28, 1)
    with pytest.raises(ValueError, match="latent_dim"):
        models.dense_autoencoder(0)
