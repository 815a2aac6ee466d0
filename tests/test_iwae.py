"""vae.iwae and vae.vampprior against closed forms and NumPy/SciPy references.

The linear-Gaussian models of tests/test_evaluate.py (probabilistic PCA) have an exact
log p(x) from SciPy; with the exact posterior as q every bound equals it, and with a
deliberately wrong q the k-sample bound is compared with a NumPy Monte-Carlo estimate.
"""

import keras
import numpy as np
import pytest
from keras import ops
from scipy import special, stats
from test_evaluate import MISMATCH, _ppca

from vae import data, evaluate, models, nets
from vae.iwae import IWAE
from vae.vampprior import VampPriorVAE


def _dense_nets(latent_dim=3):
    return (nets.dense_encoder((28, 28, 1), latent_dim, hidden=(16,)),
            nets.dense_decoder(latent_dim, (28, 28, 1), hidden=(16,)))


def _binary_digits(n=128):
    """The first n statically binarized MNIST training digits, (n, 28, 28, 1) float32."""
    return data.load_binarized_mnist()[0][:n].reshape(-1, 28, 28, 1).astype("float32")


def _iwae_of(vae, k):
    return IWAE(vae.encoder, vae.decoder, likelihood=vae.likelihood, sigma=vae.sigma, k=k,
                seed=0)


def _loss(model, x):
    return float(ops.convert_to_numpy(model.compute_loss(x, y_pred=model(x))))


@pytest.mark.parametrize("k", [1, 7])
def test_exact_posterior_makes_the_iwae_loss_minus_log_likelihood(k):
    vae, exact, x = _ppca()
    np.testing.assert_allclose(_loss(_iwae_of(vae, k), x), -exact.mean(), rtol=1e-4)


def _numpy_bound(vae, x, k, replicates, rng):
    """E[L_k(x)] per example by NumPy Monte Carlo with SciPy densities (PPCA, fixed sigma)."""
    z_mean, z_log_var = (np.asarray(t, "float64") for t in vae.encode(x))
    w, b = (np.asarray(a, "float64") for a in vae.decoder.get_weights())
    std = np.exp(0.5 * z_log_var)
    z = z_mean + std * rng.standard_normal((replicates, k, *z_mean.shape))
    log_w = (stats.norm.logpdf(x, z @ w + b, vae.sigma).sum(-1)
             + stats.norm.logpdf(z).sum(-1) - stats.norm.logpdf(z, z_mean, std).sum(-1))
    return (special.logsumexp(log_w, axis=1) - np.log(k)).mean(0)     # (n,)


def test_k_sample_loss_matches_numpy_monte_carlo_and_tightens_with_k():
    vae, exact, x = _ppca(**MISMATCH)
    rng, repeats = np.random.default_rng(0), 400
    losses = {}
    for k in (1, 3):
        got = _loss(_iwae_of(vae, k), np.tile(x, (repeats, 1)))      # mean over 8000 bounds
        want = -_numpy_bound(vae, x, k, repeats, rng).mean()
        np.testing.assert_allclose(got, want, atol=0.02)
        losses[k] = got
    assert -exact.mean() + 0.02 < losses[3] < losses[1] - 0.05, (losses, -exact.mean())


@pytest.mark.slow
def test_iwae_trains_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    model = IWAE(*_dense_nets(), k=3, seed=1)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    x = _binary_digits()
    history = model.fit(x, epochs=2, batch_size=32, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    assert set(history) == {"loss", "reconstruction", "kl"}
    model.save(tmp_path / "iwae.keras")
    loaded = keras.saving.load_model(tmp_path / "iwae.keras")
    assert isinstance(loaded, IWAE) and loaded.k == 3
    np.testing.assert_allclose(loaded.encode(x[:5])[0], model.encode(x[:5])[0], rtol=1e-6)


def test_iwae_arguments_are_checked():
    with pytest.raises(ValueError, match="beta"):
        IWAE(*_dense_nets(), beta=0.5)
    with pytest.raises(ValueError, match="k="):
        IWAE(*_dense_nets(), k=0)


# ---------------------------------------------------------------- VampPrior

def test_vamp_log_prior_is_the_mixture_of_encoded_pseudo_inputs():
    model = VampPriorVAE(*_dense_nets(), n_components=4, seed=0)
    rng = np.random.default_rng(1)
    model.pseudo.assign(rng.uniform(-0.5, 1.5, size=(4, 28, 28, 1)).astype("float32"))
    means, log_vars = model.encode(np.clip(ops.convert_to_numpy(model.pseudo), 0, 1))
    z = rng.normal(size=(7, 3)).astype("float32")
    mixture = np.mean([stats.multivariate_normal(m, np.diag(np.exp(v))).pdf(z)
                       for m, v in zip(means, log_vars)], axis=0)
    np.testing.assert_allclose(ops.convert_to_numpy(model.log_prior(z)), np.log(mixture),
                               rtol=1e-5)


def _constant_encoder(mean, log_var):
    """An encoder that ignores x: q(z | x) = N(mean, diag exp(log_var)) for every x."""
    x = keras.Input(shape=(28, 28, 1))
    flat = keras.layers.Flatten()(x)
    heads = []
    for name, bias in (("z_mean", mean), ("z_log_var", log_var)):
        dense = keras.layers.Dense(len(bias), kernel_initializer="zeros", name=name)
        heads.append(dense(flat))
        dense.bias.assign(np.asarray(bias, "float32"))
    return keras.Model(x, heads)


def test_vamp_prior_equal_to_the_posterior_gives_zero_kl_and_standard_case_matches_vae():
    x = _binary_digits(16)
    decoder = _dense_nets()[1]
    shifted = VampPriorVAE(_constant_encoder([0.5, -1.0, 2.0], [0.3, -0.2, 0.1]), decoder,
                           n_components=3)
    draws = evaluate.weighted_draws(shifted, x, 4, seed=0)       # p(z) = q(z | u) = q(z | x)
    np.testing.assert_allclose(ops.convert_to_numpy(draws["kl"]), 0.0, atol=1e-5)
    standard = VampPriorVAE(_constant_encoder([0.0] * 3, [0.0] * 3), decoder, n_components=1)
    plain = models.VAE(standard.encoder, decoder)                  # both priors are N(0, I)
    np.testing.assert_allclose(evaluate.importance_log_weights(standard, x, 5, seed=3),
                               evaluate.importance_log_weights(plain, x, 5, seed=3), rtol=1e-5)


@pytest.mark.slow
def test_vamp_prior_trains_its_pseudo_inputs_samples_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    model = VampPriorVAE(*_dense_nets(), n_components=5, seed=2)
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = ops.convert_to_numpy(model.pseudo).copy()
    model.fit(_binary_digits(), epochs=1, batch_size=32, verbose=0)
    assert np.abs(ops.convert_to_numpy(model.pseudo) - before).max() > 1e-3   # gradient reached u
    assert model.sample(4, seed=0).shape == (4, 28, 28, 1)
    model.save(tmp_path / "vamp.keras")
    loaded = keras.saving.load_model(tmp_path / "vamp.keras")
    z = np.random.default_rng(0).normal(size=(6, 3)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(loaded.log_prior(z)),
                               ops.convert_to_numpy(model.log_prior(z)), rtol=1e-6)
    assert loaded.n_components == 5
