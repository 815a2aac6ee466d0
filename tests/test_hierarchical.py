"""vae.hierarchical against a two-layer linear-Gaussian model whose log p(x) SciPy gives exactly.

z2 ~ N(0, I), z1 | z2 ~ N(A z2 + a, s1^2 I), x | z1 ~ N(W z1 + b, sigma^2 I), so
x ~ N(b + W a, W (A A^T + s1^2 I) W^T + sigma^2 I). The encoders are the diagonal parts of the
exact Gaussian posteriors, so q is close to but not equal to p(z1, z2 | x): the ELBO lies
below log p(x) and the k-sample bound climbs to it as k grows.
"""

import math

import keras
import numpy as np
import pytest
from scipy import stats
from test_evaluate import _linear

from vae import data, evaluate, hierarchical

D, M1, M2 = 5, 3, 2


def _linear_hierarchy(sigma=0.5, s1=0.6):
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(D, M1)), rng.normal(size=D)
    a_mat, a = rng.normal(size=(M1, M2)), rng.normal(size=M1)
    c = a_mat @ a_mat.T + s1 ** 2 * np.eye(M1)                         # cov of p(z1)
    s = np.linalg.inv(np.linalg.inv(c) + w.T @ w / sigma ** 2)        # cov of p(z1 | x)
    k1 = w @ s / sigma ** 2                                            # mean = x @ k1 + c1
    c1 = (np.linalg.solve(c, a) - w.T @ b / sigma ** 2) @ s
    t = np.linalg.inv(np.eye(M2) + a_mat.T @ a_mat / s1 ** 2)          # cov of p(z2 | z1)
    k2 = a_mat @ t / s1 ** 2                                           # mean = (z1 - a) @ k2
    zeros = lambda *shape: np.zeros(shape)
    model = hierarchical.HierarchicalVAE(
        _linear(D, [(k1, c1), (zeros(D, M1), np.log(np.diag(s)))], "encoder"),
        _linear(M1, [(w.T, b)], "decoder"),
        _linear(M1, [(k2, -a @ k2), (zeros(M1, M2), np.log(np.diag(t)))], "encoder_top"),
        _linear(M2, [(a_mat.T, a), (zeros(M2, M1), np.full(M1, 2 * math.log(s1)))],
                "decoder_top"),
        likelihood="gaussian", sigma=sigma)
    marginal = stats.multivariate_normal(b + w @ a, w @ c @ w.T + sigma ** 2 * np.eye(D))
    x = marginal.rvs(size=30, random_state=1).astype("float32")
    return model, marginal.logpdf(x), x


def test_bounds_lie_below_and_converge_to_the_exact_log_likelihood():
    model, exact, x = _linear_hierarchy()
    log_w = evaluate.importance_log_weights(model, x, k=3000, chunk=500, seed=0)
    elbo = log_w.mean(1)
    assert np.mean(exact - elbo) > 0.02                                # a real gap
    assert np.all(elbo < exact + 0.01)
    errors = evaluate.bound_curve(log_w, [1, 10, 100, 3000]) - exact.mean()
    assert all(e1 < e2 for e1, e2 in zip(errors, errors[1:])), errors  # rises towards 0
    assert abs(errors[-1]) < 0.01, errors


def test_training_loss_is_minus_the_k_sample_bound():
    model, exact, x = _linear_hierarchy()
    copies, k_elbo = 1000, 3000
    tiled = np.tile(x, (copies, 1))                                    # 1,000 bounds per value
    losses = {}
    for k in (1, 30):
        model.k = k
        loss = model.compute_loss(tiled, y_pred=model(tiled))
        losses[k] = float(keras.ops.convert_to_numpy(loss))
    elbo = evaluate.elbo(model, x, k=k_elbo, seed=1).mean()
    # Both sides are Monte Carlo means: allow four standard errors of their difference, from
    # the spread of single-sample ELBOs of the same x (about 1.7 nats: a tolerance near 0.05).
    spread = evaluate.importance_log_weights(model, x, k=k_elbo, chunk=500, seed=2).var(1).mean()
    tolerance = 4 * math.sqrt(spread * (1 / copies + 1 / k_elbo) / len(x))
    assert abs(losses[1] + elbo) < tolerance, (losses[1], -elbo, tolerance)
    assert -exact.mean() - 0.01 < losses[30] < losses[1] - 0.02, (losses, -exact.mean())


def _digits(n=128):
    return data.load_binarized_mnist()[0][:n].reshape(-1, 28, 28, 1).astype("float32")


@pytest.mark.slow
def test_dense_builder_trains_samples_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    model = hierarchical.dense_hierarchical_vae((8, 4), hidden=(32,), top_hidden=(16,), k=2,
                                                seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    x = _digits()
    history = model.fit(x, epochs=2, batch_size=32, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]
    assert model.sample(3, seed=0).shape == (3, 28, 28, 1)
    model.save(tmp_path / "h.keras")
    loaded = keras.saving.load_model(tmp_path / "h.keras")
    assert isinstance(loaded, hierarchical.HierarchicalVAE) and loaded.top_dim == 4
    np.testing.assert_allclose(evaluate.iw_bound(loaded, x[:8], k=4, seed=0),
                               evaluate.iw_bound(model, x[:8], k=4, seed=0), rtol=1e-5)


def test_bad_networks_and_sizes_are_value_errors():
    with pytest.raises(ValueError, match="latent_dims"):
        hierarchical.dense_hierarchical_vae((8,))
    model, _, _ = _linear_hierarchy()
    with pytest.raises(ValueError, match="encoder_top"):
        hierarchical.HierarchicalVAE(model.encoder, model.decoder, model.decoder_top,
                                     model.decoder_top, likelihood="gaussian", sigma=0.5)
    with pytest.raises(ValueError, match="observed"):
        evaluate.weighted_draws(model, np.zeros((2, D), "float32"), 2,
                                observed=np.ones((2, D), bool))
