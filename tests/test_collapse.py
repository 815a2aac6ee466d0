"""vae.collapse: active units and KL per dimension against NumPy, and the KL warm-up and free
bits of KLControlVAE against the loss written out with SciPy densities."""

import keras
import numpy as np
import pytest
from keras import ops
from scipy import stats
from scipy.special import expit

from vae import collapse, data, nets

rng = np.random.default_rng(0)


def test_activity_is_the_diagonal_of_the_covariance_of_posterior_means():
    z_mean = rng.normal(size=(500, 4)) * np.array([1.0, 0.3, 0.05, 0.0]) + 2.0
    np.testing.assert_allclose(collapse.activity(z_mean), np.diag(np.cov(z_mean.T, bias=True)))
    assert collapse.active_units(z_mean) == 2          # variances 1, 0.09 > 0.01 > 0.0025, 0
    assert collapse.active_units(z_mean, threshold=0.001) == 3
    with pytest.raises(ValueError, match="z_mean"):
        collapse.activity(np.zeros(5))


def test_kl_per_dimension_averages_the_closed_form_over_examples():
    z_mean, z_log_var = rng.normal(size=(50, 3)), rng.normal(scale=0.5, size=(50, 3))
    expected = 0.5 * (np.exp(z_log_var) + z_mean ** 2 - 1 - z_log_var).mean(0)
    np.testing.assert_allclose(collapse.kl_per_dimension(z_mean, z_log_var), expected, rtol=1e-5)


def _model(**kwargs):
    keras.utils.set_random_seed(0)
    encoder = nets.dense_encoder((28, 28, 1), 4, hidden=(16,))
    decoder = nets.dense_decoder(4, (28, 28, 1), hidden=(16,))
    return collapse.KLControlVAE(encoder, decoder, seed=0, **kwargs)


def _digits(n=64):
    return data.load_binarized_mnist()[0][:n].reshape(-1, 28, 28, 1).astype("float32")


def _reference_terms(y_pred, x):
    """(reconstruction (n,), KL per dim (n, latent)) from SciPy's Bernoulli and the closed form."""
    logits = ops.convert_to_numpy(y_pred["decoded"]).astype("float64")
    rec = -stats.bernoulli.logpmf(x, expit(logits)).reshape(len(x), -1).sum(1)
    mean, log_var = (ops.convert_to_numpy(y_pred[key]).astype("float64")
                     for key in ("z_mean", "z_log_var"))
    return rec, 0.5 * (np.exp(log_var) + mean ** 2 - 1 - log_var)



def test_warmup_raises_the_kl_weight_linearly_and_evaluation_uses_the_full_beta():
    model, x = _model(beta=2.0, warmup_steps=4), _digits(8)
    y_pred = model(x)
    rec, kl = _reference_terms(y_pred, x)
    for step in range(6):                               # beta_t = 2 * min(1, t / 4)
        loss = float(ops.convert_to_numpy(model.compute_loss(x, y_pred=y_pred, training=True)))
        np.testing.assert_allclose(loss, (rec + 2.0 * min(1, step / 4) * kl.sum(1)).mean(),
                                   rtol=1e-5)
    loss = float(ops.convert_to_numpy(model.compute_loss(x, y_pred=y_pred, training=False)))
    np.testing.assert_allclose(loss, (rec + 2.0 * kl.sum(1)).mean(), rtol=1e-5)


def test_free_bits_floor_each_dimensions_batch_mean_kl():
    model, x = _model(), _digits(8)
    y_pred = model(x)
    rec, kl = _reference_terms(y_pred, x)
    model.free_bits = lam = float(np.median(kl.mean(0)))  # some dimensions below, some above
    loss = float(ops.convert_to_numpy(model.compute_loss(x, y_pred=y_pred, training=True)))
    np.testing.assert_allclose(loss, rec.mean() + np.maximum(lam, kl.mean(0)).sum(), rtol=1e-5)
    assert (kl.mean(0) < lam).any() and (kl.mean(0) > lam).any()


def test_fit_advances_the_schedule_once_per_step_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    model = _model(warmup_steps=10, free_bits=0.1)
    model.compile(optimizer="adam")
    model.fit(_digits(64), epochs=1, batch_size=16, verbose=0)  # 4 steps
    assert float(ops.convert_to_numpy(model.step)) == 4
    np.testing.assert_allclose(float(ops.convert_to_numpy(model.kl_weight())), 0.4)
    model.save(tmp_path / "kl.keras")
    loaded = keras.saving.load_model(tmp_path / "kl.keras")
    assert (loaded.warmup_steps, loaded.free_bits) == (10, 0.1)
    assert float(ops.convert_to_numpy(loaded.step)) == 4


def test_bad_schedule_arguments_are_value_errors():
    with pytest.raises(ValueError, match="warmup_steps"):
        _model(warmup_steps=-1)
    with pytest.raises(ValueError, match="free_bits"):
        _model(free_bits=-0.5)
