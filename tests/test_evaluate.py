"""vae.evaluate against models whose log-likelihood is known exactly.

A VAE with a linear decoder and a Gaussian likelihood is probabilistic PCA:
z ~ N(0, I), x | z ~ N(W z + b, sigma^2 I), so p(x) = N(b, W W^T + sigma^2 I) (SciPy gives
the exact log p(x)). With orthogonal columns in W the exact posterior is a diagonal
Gaussian, which a linear encoder can represent exactly. For the Bernoulli likelihood a
one-dimensional latent lets us integrate p(x) = int p(x | z) N(z) dz on a grid instead.
"""

import math

import keras
import numpy as np
import pytest
from scipy import special, stats

from vae import evaluate, impute, models

DATA_DIM, LATENT_DIM = 5, 2
MISMATCH = {"mean_shift": 0.1, "log_var_shift": 0.4}   # a deliberately imperfect q(z | x)


def _linear(in_dim, heads, name):
    """A keras Model in_dim -> one Dense per (kernel, bias) in heads, weights set by hand."""
    x = keras.Input(shape=(in_dim,))
    outs = []
    for i, (kernel, bias) in enumerate(heads):
        dense = keras.layers.Dense(len(bias), name=f"{name}_{i}")
        outs.append(dense(x))
        dense.set_weights([np.asarray(kernel, "float32"), np.asarray(bias, "float32")])
    return keras.Model(x, outs if len(outs) > 1 else outs[0], name=name)


def _ppca(sigma=0.5, mean_shift=0.0, log_var_shift=0.0, likelihood="gaussian"):
    """(vae, exact log p(x) function, data x) for PPCA with an (im)perfect linear encoder."""
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(DATA_DIM, LATENT_DIM)))
    w = q * np.array([2.0, 1.0])                       # (D, d), orthogonal columns
    b = rng.normal(size=DATA_DIM)
    m_diag = (w ** 2).sum(0) + sigma ** 2              # W^T W + sigma^2 I is diagonal
    enc_kernel = w / m_diag                            # posterior mean = (x - b) @ W M^-1
    post_log_var = np.log(sigma ** 2 / m_diag)
    encoder = _linear(DATA_DIM, [(enc_kernel, -b @ enc_kernel + mean_shift),
                                 (np.zeros((DATA_DIM, LATENT_DIM)), post_log_var + log_var_shift)],
                      "encoder")
    heads = [(w.T, b)]
    if likelihood == "gaussian_learned":
        heads.append((np.zeros((LATENT_DIM, DATA_DIM)), np.full(DATA_DIM, 2 * math.log(sigma))))
    decoder = _linear(LATENT_DIM, heads, "decoder")
    vae = models.VAE(encoder, decoder, likelihood=likelihood,
                     sigma=sigma if likelihood == "gaussian" else None)
    marginal = stats.multivariate_normal(b, w @ w.T + sigma ** 2 * np.eye(DATA_DIM))
    x = marginal.rvs(size=20, random_state=1).astype("float32")
    return vae, marginal.logpdf(x), x


@pytest.mark.parametrize("likelihood, sigma", [
    ("gaussian", 0.5), ("gaussian_learned", 0.5), ("mse", math.sqrt(0.5))])
def test_exact_posterior_gives_zero_gap(likelihood, sigma):
    vae, exact, x = _ppca(sigma=sigma, likelihood=likelihood)
    scores = evaluate.scores(vae, x, k=5, batch_size=7, chunk=2)
    assert scores["elbo"].shape == scores["log_likelihood"].shape == (len(x),)
    np.testing.assert_allclose(scores["elbo"], exact, atol=2e-3)
    np.testing.assert_allclose(scores["log_likelihood"], exact, atol=2e-3)


def test_elbo_lies_below_log_likelihood_with_an_imperfect_posterior():
    vae, exact, x = _ppca(**MISMATCH)
    elbo = evaluate.elbo(vae, x, k=200, chunk=50, seed=3)
    assert np.all(elbo < exact)
    assert np.mean(exact - elbo) > 0.1                 # a real gap, not rounding


def test_iw_bound_converges_to_exact_log_likelihood_as_k_grows():
    vae, exact, x = _ppca(**MISMATCH)
    errors = [np.mean(np.abs(evaluate.iw_bound(vae, x, k=k, chunk=250, seed=k) - exact))
              for k in (1, 10, 100, 1000)]
    assert all(a > b for a, b in zip(errors, errors[1:])), errors
    assert errors[-1] < 0.03, errors


def test_bernoulli_iw_bound_matches_numerical_integration():
    rng = np.random.default_rng(2)
    w, b = rng.normal(size=(1, 6)) * 2, rng.normal(size=6)
    encoder = _linear(6, [(np.zeros((6, 1)), [0.3]), (np.zeros((6, 1)), [-0.5])], "encoder")
    vae = models.VAE(encoder, _linear(1, [(w, b)], "decoder"), likelihood="bernoulli")
    x = (rng.random((8, 6)) < 0.5).astype("float32")
    grid = np.linspace(-9, 9, 6001)
    logits = grid[:, None, None] * w[0] + b            # (grid, 1, 6)
    log_px_z = (x * logits - np.logaddexp(0, logits)).sum(-1)      # (grid, n)
    exact = special.logsumexp(log_px_z + stats.norm.logpdf(grid)[:, None], axis=0) \
        + math.log(grid[1] - grid[0])
    log_w = evaluate.importance_log_weights(vae, x, k=20_000, chunk=2000)
    # Monte-Carlo standard error of log mean(w) (delta method): std(w) / (sqrt(k) mean(w));
    # this fixed q is a poor proposal, so the error is ~0.014 nats even with k = 20,000
    w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    standard_error = w.std(axis=1) / w.mean(axis=1) / math.sqrt(log_w.shape[1])
    assert np.all(standard_error < 0.02), standard_error
    error = evaluate.iw_bound_from_log_weights(log_w) - exact
    assert np.all(np.abs(error) < 4 * standard_error), (error, standard_error)
    assert np.all(log_w.mean(axis=1) < exact)          # the ELBO lies below log p(x)


def test_same_seed_same_scores_and_bound_curve_rises_to_exact():
    vae, exact, x = _ppca(**MISMATCH)
    log_w = evaluate.importance_log_weights(vae, x, k=64, batch_size=6, chunk=16, seed=5)
    again = evaluate.importance_log_weights(vae, x, k=64, batch_size=6, chunk=16, seed=5)
    np.testing.assert_array_equal(log_w, again)
    curve = evaluate.bound_curve(log_w, [1, 4, 16, 64])
    assert curve.shape == (4,) and np.all(curve[1:] > curve[0])
    assert abs(curve[-1] - exact.mean()) < 0.03


@pytest.mark.parametrize("kwargs, message", [
    ({"k": 0}, "k="), ({"k": 2.5}, "k="), ({"batch_size": -1}, "batch_size="),
    ({"chunk": True}, "chunk=")])
def test_bad_counts_raise(kwargs, message):
    vae, _, x = _ppca()
    with pytest.raises(ValueError, match=message):
        evaluate.importance_log_weights(vae, x, **{"k": 4, **kwargs})


def test_bad_model_data_or_curve_raise():
    vae, _, x = _ppca()
    with pytest.raises(ValueError, match="vae"):
        evaluate.elbo(vae.encoder, x)
    with pytest.raises(ValueError, match="x: expected shape"):
        evaluate.elbo(vae, x[:, :3])
    with pytest.raises(ValueError, match="ks"):
        evaluate.bound_curve(np.zeros((3, 10)), [1, 20])


def test_masked_imputation_converges_to_the_exact_conditional_mean():
    """PPCA: E[x_mis | x_obs] = b_m + S_mo S_oo^-1 (x_o - b_o); the prior as proposal."""
    sigma, rng = 0.5, np.random.default_rng(4)
    w, b = rng.normal(size=(DATA_DIM, LATENT_DIM)), rng.normal(size=DATA_DIM)
    zero = (np.zeros((2 * DATA_DIM, LATENT_DIM)), np.zeros(LATENT_DIM))
    encoder = _linear(2 * DATA_DIM, [zero, zero], "encoder")        # q(z | x_obs) = N(0, I)
    vae = models.MaskedVAE(encoder, _linear(LATENT_DIM, [(w.T, b)], "decoder"),
                           likelihood="gaussian", sigma=sigma)
    cov = w @ w.T + sigma ** 2 * np.eye(DATA_DIM)
    x = rng.multivariate_normal(b, cov, size=6).astype("float32")
    mask = np.ones_like(x, dtype=bool)
    mask[:, [1, 3]] = False
    obs, mis = [0, 2, 4], [1, 3]
    exact = b[mis] + (x[:, obs] - b[obs]) @ np.linalg.solve(cov[np.ix_(obs, obs)],
                                                            cov[np.ix_(obs, mis)])
    errors = [np.abs(impute.masked_vae_impute(vae, x, mask, n_samples=s, seed=1)[:, mis]
                     - exact).mean() for s in (10, 20000)]
    assert errors[1] < 0.03 and errors[1] < errors[0] / 3, errors
    log_w = evaluate.weighted_draws(vae, np.where(mask, x, 0), 200_000, seed=2,
                                    observed=mask)["log_w"]
    marginal_obs = stats.multivariate_normal(b[obs], cov[np.ix_(obs, obs)]).logpdf(x[:, obs])
    estimate = evaluate.iw_bound_from_log_weights(keras.ops.convert_to_numpy(log_w))
    np.testing.assert_allclose(estimate, marginal_obs, atol=0.03)   # log p(x_obs), exactly known
