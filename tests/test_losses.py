"""vae.losses against independent references: NumPy Monte Carlo and scipy.stats."""

import numpy as np
import pytest
from keras import ops
from scipy import special, stats

from vae import losses

rng = np.random.default_rng(0)


def _np(t):
    return ops.convert_to_numpy(t)


def test_kl_standard_normal_matches_monte_carlo():
    mean = rng.normal(size=(3, 4)).astype("float32")
    log_var = rng.normal(scale=0.5, size=(3, 4)).astype("float32")
    closed = _np(losses.kl_standard_normal(mean, log_var))
    std = np.exp(0.5 * log_var)
    z = mean + std * rng.standard_normal((200_000, 3, 4))
    log_q = stats.norm.logpdf(z, mean, std).sum(-1)
    log_p = stats.norm.logpdf(z).sum(-1)
    monte_carlo = (log_q - log_p).mean(0)
    assert closed.shape == (3,)
    np.testing.assert_allclose(closed, monte_carlo, atol=0.03)
    assert np.all(closed >= 0)


def test_kl_diag_gaussians_matches_monte_carlo_and_reduces_to_standard():
    mq, lq, mp, lp = (rng.normal(scale=0.7, size=(2, 3)).astype("float32") for _ in range(4))
    closed = _np(losses.kl_diag_gaussians(mq, lq, mp, lp))
    sq, sp = np.exp(0.5 * lq), np.exp(0.5 * lp)
    z = mq + sq * rng.standard_normal((200_000, 2, 3))
    monte_carlo = (stats.norm.logpdf(z, mq, sq) - stats.norm.logpdf(z, mp, sp)).sum(-1).mean(0)
    np.testing.assert_allclose(closed, monte_carlo, atol=0.03)
    zeros = np.zeros_like(mq)
    np.testing.assert_allclose(_np(losses.kl_diag_gaussians(mq, lq, zeros, zeros)),
                               _np(losses.kl_standard_normal(mq, lq)), rtol=1e-6)
    np.testing.assert_allclose(_np(losses.kl_diag_gaussians(mq, lq, mq, lq)), 0, atol=1e-6)


def test_gaussian_nll_matches_scipy_fixed_and_learned_variance():
    x = rng.normal(size=(4, 5, 3, 1)).astype("float32")
    mean = rng.normal(size=x.shape).astype("float32")
    log_var = rng.normal(scale=0.3, size=x.shape).astype("float32")
    expected = -stats.norm.logpdf(x, mean, np.exp(0.5 * log_var)).reshape(4, -1).sum(1)
    np.testing.assert_allclose(_np(losses.gaussian_nll(x, mean, log_var)), expected, rtol=1e-5)
    sigma = 0.3
    expected = -stats.norm.logpdf(x, mean, sigma).reshape(4, -1).sum(1)
    got = _np(losses.reconstruction_nll("gaussian", x, mean, sigma=sigma))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_bernoulli_nll_matches_scipy_and_is_stable():
    x = rng.integers(0, 2, size=(6, 28, 28, 1)).astype("float32")
    logits = rng.normal(scale=3, size=x.shape).astype("float32")
    p = 1 / (1 + np.exp(-logits.astype("float64")))
    expected = -stats.bernoulli.logpmf(x, p).reshape(6, -1).sum(1)
    np.testing.assert_allclose(_np(losses.bernoulli_nll(x, logits)), expected, rtol=1e-5)
    extreme = _np(losses.bernoulli_nll(np.ones((1, 2), "float32"),
                                       np.array([[200.0, -200.0]], "float32")))
    np.testing.assert_allclose(extreme, [200.0], rtol=1e-6)  # -log sigmoid(-200) = 200


def test_sum_squared_error_is_784_times_mse():
    x = rng.random((3, 28, 28, 1)).astype("float32")
    x_hat = rng.random(x.shape).astype("float32")
    mse = ((x - x_hat) ** 2).reshape(3, -1).mean(1)
    np.testing.assert_allclose(_np(losses.reconstruction_nll("mse", x, x_hat)), 784 * mse,
                               rtol=1e-5)


def test_learned_likelihood_takes_mean_and_log_var_and_means_are_decoded():
    x = rng.random((2, 4)).astype("float32")
    mean, log_var = rng.random((2, 4)).astype("float32"), np.zeros((2, 4), "float32")
    got = _np(losses.reconstruction_nll("gaussian_learned", x, [mean, log_var]))
    np.testing.assert_allclose(got, -stats.norm.logpdf(x, mean, 1.0).sum(1), rtol=1e-5)
    np.testing.assert_allclose(_np(losses.decoded_mean("bernoulli", np.zeros((1, 2), "float32"))),
                               0.5)


@pytest.mark.parametrize("likelihood, sigma", [
    ("bernoulli", None), ("gaussian", 0.3), ("gaussian_learned", None), ("mse", None),
    ("beta", None), ("log_normal", None)])
def test_observed_mask_scores_only_the_observed_entries(likelihood, sigma):
    x = rng.random((3, 4, 4, 1)).astype("float32")
    decoded = rng.normal(size=x.shape).astype("float32")
    if likelihood in losses.PAIRED:
        decoded = [decoded, rng.normal(scale=0.3, size=x.shape).astype("float32")]
    observed = rng.random(x.shape) < 0.6
    got = _np(losses.reconstruction_nll(likelihood, x, decoded, sigma, observed))
    for i in range(3):        # the observed entries of image i, scored as a flat vector
        keep = observed[i].reshape(-1)
        part = [d[i].reshape(1, -1)[:, keep] for d in
                (decoded if isinstance(decoded, list) else [decoded])]
        want = _np(losses.reconstruction_nll(likelihood, x[i].reshape(1, -1)[:, keep],
                                             part if len(part) > 1 else part[0], sigma))
        np.testing.assert_allclose(got[i], want[0], rtol=1e-5)
    everything = np.ones(x.shape, bool)
    np.testing.assert_allclose(_np(losses.reconstruction_nll(likelihood, x, decoded, sigma,
                                                             everything)),
                               _np(losses.reconstruction_nll(likelihood, x, decoded, sigma)),
                               rtol=1e-6)


def test_unknown_likelihood_is_a_value_error():
    with pytest.raises(ValueError, match="likelihood"):
        losses.reconstruction_nll("poisson", np.zeros((1, 2)), np.zeros((1, 2)))


# ---------------------------------------------------------------- lecture 3's other likelihoods

def test_log_gamma_matches_scipy_over_six_decades():
    a = np.geomspace(1e-3, 1e3, 200).astype("float32")
    np.testing.assert_allclose(_np(losses.log_gamma(a)), special.gammaln(a.astype("float64")),
                               rtol=2e-5, atol=2e-5)


def test_beta_nll_matches_scipy():
    x = rng.uniform(0.01, 0.99, size=(4, 3, 5, 1)).astype("float32")
    a, b = (rng.uniform(0.3, 20, size=x.shape).astype("float32") for _ in range(2))
    expected = -stats.beta.logpdf(x, a, b).reshape(4, -1).sum(1)
    np.testing.assert_allclose(_np(losses.beta_nll(x, a, b)), expected, rtol=1e-4, atol=1e-3)


def test_beta_likelihood_is_scipys_beta_on_clipped_grey_levels():
    x = np.array([[0.0, 0.3, 0.999, 1.0]], "float32")          # MNIST has exact 0s and 1s
    raw = [rng.normal(size=x.shape).astype("float32") for _ in range(2)]
    a, b = (np.log1p(np.exp(r.astype("float64"))) + losses.BETA_EPS for r in raw)
    clipped = np.clip(x, losses.BETA_EPS, 1 - losses.BETA_EPS)
    np.testing.assert_allclose(_np(losses.reconstruction_nll("beta", x, raw)),
                               -stats.beta.logpdf(clipped, a, b).sum(1), rtol=1e-4)
    np.testing.assert_allclose(_np(losses.decoded_mean("beta", raw)), stats.beta.mean(a, b),
                               rtol=1e-5)


def test_log_normal_likelihood_is_scipys_lognorm():
    x = rng.lognormal(size=(2, 6)).astype("float32")
    mean, log_var = (rng.normal(scale=0.5, size=x.shape).astype("float32") for _ in range(2))
    dist = stats.lognorm(s=np.exp(0.5 * log_var), scale=np.exp(mean))
    np.testing.assert_allclose(_np(losses.reconstruction_nll("log_normal", x, [mean, log_var])),
                               -dist.logpdf(x).sum(1), rtol=1e-5)
    np.testing.assert_allclose(_np(losses.decoded_mean("log_normal", [mean, log_var])),
                               dist.mean(), rtol=1e-5)


def test_log_normal_nll_matches_scipy():
    x = rng.lognormal(mean=0.3, sigma=0.8, size=(5, 24)).astype("float32")
    mean = rng.normal(size=x.shape).astype("float32")
    log_var = rng.normal(scale=0.5, size=x.shape).astype("float32")
    expected = -stats.lognorm.logpdf(x, s=np.exp(0.5 * log_var), scale=np.exp(mean)).sum(1)
    np.testing.assert_allclose(_np(losses.log_normal_nll(x, mean, log_var)), expected, rtol=1e-5)


def test_categorical_nll_matches_scipy_multinomial_with_one_trial():
    x = rng.integers(0, 256, size=(3, 4, 4, 1))
    logits = rng.normal(scale=2, size=(*x.shape, 256)).astype("float32")
    p = special.softmax(logits.astype("float64"), axis=-1)
    one_hot = np.eye(256)[x]
    expected = -stats.multinomial.logpmf(one_hot, n=1, p=p).reshape(3, -1).sum(1)
    np.testing.assert_allclose(_np(losses.categorical_nll(x, logits)), expected, rtol=1e-5)


# ---------------------------------------------------------------- lecture 6's pieces

def test_kl_per_dim_sums_to_the_kl_and_matches_monte_carlo():
    mean = rng.normal(size=(2, 3)).astype("float32")
    log_var = rng.normal(scale=0.5, size=(2, 3)).astype("float32")
    per_dim = _np(losses.kl_standard_normal_per_dim(mean, log_var))
    std = np.exp(0.5 * log_var)
    z = mean + std * rng.standard_normal((200_000, 2, 3))
    monte_carlo = (stats.norm.logpdf(z, mean, std) - stats.norm.logpdf(z)).mean(0)
    np.testing.assert_allclose(per_dim, monte_carlo, atol=0.02)
    np.testing.assert_allclose(per_dim.sum(1), _np(losses.kl_standard_normal(mean, log_var)),
                               rtol=1e-6)


def test_free_bits_floors_the_batch_mean_kl_of_each_dimension():
    kl = rng.exponential(scale=[0.05, 0.5, 2.0], size=(8, 3)).astype("float32")
    lam = 0.3
    got = _np(losses.free_bits(kl, lam))
    assert got.shape == (8,)
    np.testing.assert_allclose(got.mean(), np.maximum(lam, kl.mean(0)).sum(), rtol=1e-5)
    floored = kl.mean(0) < lam                       # Kingma et al.'s sum_k max(lambda, KL_k)
    np.testing.assert_allclose(got, kl[:, ~floored].sum(1) + lam * floored.sum(), rtol=1e-5)
    np.testing.assert_allclose(_np(losses.free_bits(kl, 0.0)), kl.sum(1), rtol=1e-6)


def test_diag_gaussian_and_mixture_log_densities_match_scipy():
    z = rng.normal(size=(4, 2, 3)).astype("float32")
    means = rng.normal(size=(5, 3)).astype("float32")
    log_vars = rng.normal(scale=0.5, size=(5, 3)).astype("float32")
    one = stats.multivariate_normal(means[0], np.diag(np.exp(log_vars[0])))
    np.testing.assert_allclose(_np(losses.diag_gaussian_log_density(z, means[0], log_vars[0])),
                               one.logpdf(z), rtol=1e-5)
    components = np.stack([stats.multivariate_normal(m, np.diag(np.exp(lv))).pdf(z)
                           for m, lv in zip(means, log_vars)])
    np.testing.assert_allclose(_np(losses.mixture_log_density(z, means, log_vars)),
                               np.log(components.mean(0)), rtol=1e-5)
    far = np.full((1, 3), 60.0, "float32")           # every component density underflows
    assert np.isfinite(_np(losses.mixture_log_density(far, means, log_vars))).all()


def test_importance_weighted_nll_is_minus_log_mean_exp():
    log_w = rng.normal(scale=3, size=(6, 10)).astype("float32") - 100
    expected = -(special.logsumexp(log_w.astype("float64"), axis=1) - np.log(10))
    np.testing.assert_allclose(_np(losses.importance_weighted_nll(log_w)), expected, rtol=1e-6)
    np.testing.assert_allclose(_np(losses.importance_weighted_nll(log_w[:, :1])), -log_w[:, 0],
                               rtol=1e-6)
